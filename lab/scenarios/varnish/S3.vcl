# S3 — default caching of header-less authenticated GETs (Railway 2026)
#
# The mobile app's API is authenticated with `Authorization: Bearer <token>` and sends no
# Cache-Control. The builtin vcl_recv passes every request with Authorization; this VCL
# looks /api/ up anyway ("the API is read-heavy"), so Varnish's core gives the header-less
# responses default_ttl (120 s) and the first token's /api/me is served to every token.

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
    # The API is read-heavy: cache it (skips the builtin Authorization pass).
    if (req.url ~ "^/api/") {
        return (hash);
    }
    if (req.url ~ "^/(static/|items/|about$|$)") {
        unset req.http.Cookie;
    }
}
