# S6 — stale-while-revalidate (grace) serves an old personalized entry
#
# Account pages are micro-cached for 1 s ("harmless") with a generous grace so that
# visitors never wait for a refresh. After the second is up, the next request gets the old
# object at once (a grace hit) and triggers a background fetch with *its* cookie; everyone
# arriving meanwhile gets the old object too. Someone else's page, served long after its
# TTL, for as long as traffic keeps coming.

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
    if (req.url ~ "^/(mypage|orders)") {
        return (hash);
    }
    if (req.url ~ "^/(static/|items/|about$|$)") {
        unset req.http.Cookie;
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "^/(mypage|orders)" && beresp.status == 200) {
        set beresp.ttl = 1s;
        set beresp.grace = 1m;   # serve stale while a background fetch refreshes it
        return (deliver);
    }
}
