# S2b — a cached Set-Cookie hands one user's session to others
#       (Pia "RELIEF Ticket" 2025; same effect as GitHub 2021)
#
# Catalogue pages greet logged-in visitors, so the cookie has to reach the app; the app's
# rolling sessions re-send `Set-Cookie: sid=...` on each of those responses, and the builtin
# VCL refuses to cache anything with Set-Cookie. To keep the catalogue's hit rate, the team
# looks those pages up despite the cookie and delivers before the builtin Set-Cookie check.
# The stored object keeps its Set-Cookie, and every hit replays the first visitor's session.

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
    if (req.url ~ "^/static/") {
        unset req.http.Cookie;
    }
    # Catalogue: "public, max-age=60" according to the app; the greeting needs the cookie.
    if (req.url ~ "^/($|about$|items/)") {
        return (hash);
    }
}

sub vcl_backend_response {
    # "The rolling session cookie kills the hit rate": deliver before the builtin
    # Set-Cookie check.
    if (bereq.url ~ "^/($|about$|items/)" && beresp.status == 200) {
        return (deliver);
    }
}
