# S1 — zero/micro TTL + request collapsing (the 2017 incident; also Shimanto 2023)
#
# The app answers personalized pages with `Cache-Control: no-cache` and
# `Expires: Thu, 01 Jan 1970 00:00:01 GMT`. Varnish's core turns the past Expires into
# TTL 0 and the builtin vcl_backend_response makes such responses hit-for-miss, so nothing
# would be shared. This team wanted a micro-cache "that still respects the app": look up
# everything (skipping the builtin's Cookie pass) and give TTL-0 pages one second, returning
# before the builtin code. Varnish 7.x does not hand a TTL-0 object to the requests parked on
# its waiting list (8.0 does), hence the 1 s; with it, every request that waited behind
# the first one for /mypage gets the first user's page.

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
    # Micro-cache: logged in or not, everything is looked up.
    return (hash);
}

sub vcl_backend_response {
    if (beresp.status == 200 && beresp.ttl <= 0s) {
        # "Respect no-cache, but keep the page for a second so the waiting list absorbs peaks."
        set beresp.ttl = 1s;
        set beresp.grace = 0s;
        return (deliver);
    }
}
