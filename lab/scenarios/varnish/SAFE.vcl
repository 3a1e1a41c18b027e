# SAFE — a realistic configuration that caches well and never stores a personalized response
#
# Static assets and catalogue pages do not depend on who asks: their cookies (and tokens)
# are removed before lookup, so the app renders the anonymous version and it is cached as
# the app's headers say. For everything else the builtin VCL is left intact: a request with
# a Cookie or Authorization header is passed, and a response with Set-Cookie, `private`,
# `no-store` or `no-cache` becomes hit-for-miss. No subroutine returns early.

vcl 4.1;

include "lab-common.vcl";

backend shop_app {
    .host = "{{ORIGIN_HOST}}";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_recv {
    if (req.url ~ "^/(static/|items/|about$|$)") {
        unset req.http.Cookie;
        unset req.http.Authorization;
    }
}
