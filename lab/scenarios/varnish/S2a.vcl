# S2a — a cache rule overrides the origin's headers on personalized routes
#       (Steam 2015, Kyodo Tokyo tickets 2019, ZAIKO 2026)
#
# The app correctly sends `Cache-Control: private, no-store` on account pages. An emergency
# rule during a load spike caches them for 10 minutes anyway: vcl_recv returns hash before
# the builtin's Cookie pass, and vcl_backend_response sets the TTL and delivers before the
# builtin's private/no-store check. The hash is URL + Host: no identity.

vcl 4.1;

include "lab-common.vcl";

backend shop_app {
    .host = "{{ORIGIN_HOST}}";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_recv {
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Emergency rule (load spike): account pages are the most expensive ones.
    if (req.url ~ "^/(mypage|orders|transactions/)") {
        return (hash);
    }
    # Catalogue and static assets do not depend on the visitor.
    if (req.url ~ "^/(static/|items/|about$|$)") {
        unset req.http.Cookie;
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "^/(mypage|orders|transactions/)" && beresp.status == 200) {
        set beresp.ttl = 10m;
        return (deliver);
    }
}
