# S4 — the cache key lacks the identity and Vary is ignored
#      (Klarna 2021, likely; Next.js RSC/Vary advisories)
#
# The app marks personalized pages `Cache-Control: public, max-age=60` + `Vary: Cookie`.
# Varnish would keep one variant per Cookie header, which the team found useless (every
# visitor is a miss), so it drops Vary and looks everything up regardless of cookies.
# The hash is URL + Host: one /mypage for everybody for 60 s.

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
    # The app labels what is cacheable; trust it (skips the builtin Cookie pass).
    return (hash);
}

sub vcl_backend_response {
    # "Vary: Cookie makes every visitor a cache miss."
    if (beresp.http.Vary ~ "(?i)cookie") {
        unset beresp.http.Vary;
    }
}
