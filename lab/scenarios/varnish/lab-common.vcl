# cachewarden lab: shared by every Varnish scenario (`include "lab-common.vcl";` right after
# the `vcl 4.1;` line). Placeholders ({{...}}) are filled in by lab/engines/varnish.ts.
#
# Varnish concatenates multiple definitions of the same subroutine in the order they appear,
# so the subroutines below run *before* the scenario's own code. None of them returns
# (except the lab probe), so the scenario's logic and the builtin VCL behave as written.
# Nothing here changes what is cached: it only labels responses and logs who asked.

import std;

sub vcl_recv {
    # Lab probe (readiness and log sync), answered here and never forwarded.
    if (req.url ~ "^/__lab/") {
        return (synth(204, "lab probe"));
    }
    # Who asked: the raw session cookie, else the bearer token, for the access log
    # (%{VCL_Log:identity}x). Raw on purpose in the lab; cachewarden hashes it at its adapter.
    if (req.http.Cookie ~ "(^|;)\s*sid=[^;]") {
        std.log("identity:" + regsub(req.http.Cookie, "^(.*;)?\s*sid=([^;]*).*$", "\2"));
        std.log("identity_kind:cookie");
    } elsif (req.http.Authorization ~ "(?i)^Bearer\s+\S") {
        std.log("identity:" + regsub(req.http.Authorization, "(?i)^Bearer\s+(\S+).*$", "\1"));
        std.log("identity_kind:bearer");
    }
    unset req.http.X-CW-Cache;
}

# The cache outcome, for X-Cache. A hit on an object past its TTL is a grace hit: STALE.
sub vcl_hit {
    if (obj.ttl <= 0s) {
        set req.http.X-CW-Cache = "STALE";
    } else {
        set req.http.X-CW-Cache = "HIT";
    }
}

sub vcl_miss {
    set req.http.X-CW-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-CW-Cache = "PASS";
}

sub vcl_backend_fetch {
    unset bereq.http.X-CW-Cache;
}

sub vcl_deliver {
    if (req.http.X-CW-Cache) {
        set resp.http.X-Cache = req.http.X-CW-Cache;
    } else {
        set resp.http.X-Cache = "PASS";
    }
    set resp.http.X-Served-By = "{{EDGE}}";
}

sub vcl_synth {
    set resp.http.X-Cache = "SYNTH";
    set resp.http.X-Served-By = "{{EDGE}}";
}
