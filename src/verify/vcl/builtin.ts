/**
 * The builtin VCL each Varnish version appends to the user's VCL, written here as VCL text (our
 * formatting and comments; the logic follows builtin.vcl of the cited releases). It is parsed with
 * our parser and attached to the program model, marked `builtin`, for display, for structural
 * rules and for booting the config later. The evaluator does not interpret it on fall-through:
 * the semantics core models builtin (src/semantics/varnish.ts).
 *
 * Sources: varnish-cache bin/varnishd/builtin.vcl at varnish-6.0.0 (monolithic, also 4.x/5.x in
 * substance), varnish-7.6.0 (split into vcl_builtin_* and hook subs) and varnish-8.0.0 (501 for
 * unknown methods, param.uncacheable_ttl, vcl_beresp_range, vcl_backend_refresh).
 */

export type BuiltinVersion = 6 | 7 | 8;

/** File name under which each builtin is attached (shown in locations). */
export const BUILTIN_FILE: Record<BuiltinVersion, string> = {
  6: '<builtin varnish 6>',
  7: '<builtin varnish 7>',
  8: '<builtin varnish 8>',
};

/** Which builtin a Varnish major version uses (4.x and 5.x share the monolithic shape of 6.x). */
export function builtinVersionFor(major: number): BuiltinVersion {
  if (major >= 8) return 8;
  if (major === 7) return 7;
  return 6;
}

const SYNTH_PAGE = (status: string, reason: string, xid: string): string => `{"<!DOCTYPE html>
<html>
  <head>
    <title>"} + ${status} + " " + ${reason} + {"</title>
  </head>
  <body>
    <h1>Error "} + ${status} + " " + ${reason} + {"</h1>
    <p>"} + ${reason} + {"</p>
    <h3>Guru Meditation:</h3>
    <p>XID: "} + ${xid} + {"</p>
    <hr>
    <p>Varnish cache server</p>
  </body>
</html>
"}`;

const MONOLITHIC = `vcl 4.0;

# Client side: every request passes through here after the user's vcl_recv falls through.
sub vcl_recv {
    if (req.method == "PRI") {
        # HTTP/2 preface seen on an HTTP/1 connection.
        return (synth(405));
    }
    if (!req.http.host && req.esi_level == 0 && req.proto ~ "^(?i)HTTP/1.1") {
        # HTTP/1.1 requires a Host header.
        return (synth(400));
    }
    if (req.method != "GET" && req.method != "HEAD" && req.method != "PUT" &&
      req.method != "POST" && req.method != "TRACE" && req.method != "OPTIONS" &&
      req.method != "DELETE" && req.method != "PATCH") {
        # Not a method we know: hand the connection to the backend.
        return (pipe);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        # Only GET and HEAD are cached.
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie) {
        # Credentials: not cached by default.
        return (pass);
    }
    return (hash);
}

sub vcl_pipe {
    return (pipe);
}

sub vcl_pass {
    return (fetch);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    return (lookup);
}

sub vcl_purge {
    return (synth(200, "Purged"));
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    if (obj.ttl + obj.grace > 0s) {
        # In grace: deliver stale and refresh in the background.
        return (deliver);
    }
    return (miss);
}

sub vcl_miss {
    return (fetch);
}

sub vcl_deliver {
    return (deliver);
}

sub vcl_synth {
    set resp.http.Content-Type = "text/html; charset=utf-8";
    set resp.http.Retry-After = "5";
    set resp.body = ${SYNTH_PAGE('resp.status', 'resp.reason', 'req.xid')};
    return (deliver);
}

# Backend side.
sub vcl_backend_fetch {
    if (bereq.method == "GET") {
        unset bereq.body;
    }
    return (fetch);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    } else if (beresp.ttl <= 0s ||
      beresp.http.Set-Cookie ||
      beresp.http.Surrogate-control ~ "(?i)no-store" ||
      (!beresp.http.Surrogate-Control &&
        beresp.http.Cache-Control ~ "(?i:no-cache|no-store|private)") ||
      beresp.http.Vary == "*") {
        # Hit-for-miss for two minutes.
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
    }
    return (deliver);
}

sub vcl_backend_error {
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.body = ${SYNTH_PAGE('beresp.status', 'beresp.reason', 'bereq.xid')};
    return (deliver);
}

sub vcl_init {
    return (ok);
}

sub vcl_fini {
    return (ok);
}
`;

function split(v: 7 | 8): string {
  const methodCheck = v === 8
    ? `        # Not a method we know: answer 501 (8.0 no longer pipes these).
        set req.http.Connection = "close";
        return (synth(501));`
    : `        # Not a method we know: hand the connection to the backend.
        return (pipe);`;
  const pri = v === 8 ? '' : `    if (req.method == "PRI") {
        # HTTP/2 preface seen on an HTTP/1 connection.
        return (synth(405));
    }
`;
  const hitmissTtl = v === 8 ? 'param.uncacheable_ttl' : '120s';
  const range = v === 8 ? '    call vcl_beresp_range;\n' : '';
  const rangeSub = v === 8 ? `
sub vcl_beresp_range {
    if (beresp.status != 206 && beresp.status != 416) {
        # Content-Range means nothing for other statuses.
        unset beresp.http.Content-Range;
    }
}
` : '';
  const refresh = v === 8 ? `
sub vcl_backend_refresh {
    call vcl_builtin_backend_refresh;
    return (merge);
}

sub vcl_builtin_backend_refresh {
    call vcl_refresh_valid;
    call vcl_refresh_conditions;
    call vcl_refresh_status;
}

sub vcl_refresh_valid {
    if (!obj_stale.is_valid) {
        return (error(503, "Invalid object for refresh"));
    }
}

sub vcl_refresh_conditions {
    if (!bereq.http.if-modified-since && !bereq.http.if-none-match) {
        return (error(503, "Unexpected 304"));
    }
}

sub vcl_refresh_status {
    if (obj_stale.status != 200) {
        return (error(503, "Invalid object for refresh (status)"));
    }
}
` : '';
  return `vcl 4.0;

# Client side. Each vcl_<step> calls its vcl_builtin_<step>, which calls small hook subs that
# the user may override one by one.
sub vcl_recv {
    call vcl_builtin_recv;
    return (hash);
}

sub vcl_builtin_recv {
    call vcl_req_host;
    call vcl_req_method;
    call vcl_req_authorization;
    call vcl_req_cookie;
}

sub vcl_req_host {
    if (req.http.host ~ "[[:upper:]]") {
        set req.http.host = req.http.host.lower();
    }
    if (!req.http.host && req.esi_level == 0 && req.proto == "HTTP/1.1") {
        # HTTP/1.1 requires a Host header.
        return (synth(400));
    }
}

sub vcl_req_method {
${pri}    if (req.method != "GET" && req.method != "HEAD" && req.method != "PUT" &&
      req.method != "POST" && req.method != "TRACE" && req.method != "OPTIONS" &&
      req.method != "DELETE" && req.method != "PATCH") {
${methodCheck}
    }
    if (req.method != "GET" && req.method != "HEAD") {
        # Only GET and HEAD are cached.
        return (pass);
    }
}

sub vcl_req_authorization {
    if (req.http.Authorization) {
        # Credentials: not cached by default.
        return (pass);
    }
}

sub vcl_req_cookie {
    if (req.http.Cookie) {
        # Cookies: not cached by default.
        return (pass);
    }
}

sub vcl_pipe {
    call vcl_builtin_pipe;
    return (pipe);
}

sub vcl_builtin_pipe {
}

sub vcl_pass {
    call vcl_builtin_pass;
    return (fetch);
}

sub vcl_builtin_pass {
}

sub vcl_hash {
    call vcl_builtin_hash;
    return (lookup);
}

sub vcl_builtin_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
}

sub vcl_purge {
    call vcl_builtin_purge;
    return (synth(200, "Purged"));
}

sub vcl_builtin_purge {
}

sub vcl_hit {
    call vcl_builtin_hit;
    return (deliver);
}

sub vcl_builtin_hit {
}

sub vcl_miss {
    call vcl_builtin_miss;
    return (fetch);
}

sub vcl_builtin_miss {
}

sub vcl_deliver {
    call vcl_builtin_deliver;
    return (deliver);
}

sub vcl_builtin_deliver {
}

sub vcl_synth {
    call vcl_builtin_synth;
    return (deliver);
}

sub vcl_builtin_synth {
    set resp.http.Content-Type = "text/html; charset=utf-8";
    set resp.http.Retry-After = "5";
    set resp.body = ${SYNTH_PAGE('resp.status', 'resp.reason', 'req.xid')};
}

# Backend side.
sub vcl_backend_fetch {
    call vcl_builtin_backend_fetch;
    return (fetch);
}

sub vcl_builtin_backend_fetch {
    if (bereq.method == "GET") {
        unset bereq.body;
    }
}
${refresh}
sub vcl_backend_response {
    call vcl_builtin_backend_response;
    return (deliver);
}

sub vcl_builtin_backend_response {
${range}    if (bereq.uncacheable) {
        return (deliver);
    }
    call vcl_beresp_stale;
    call vcl_beresp_cookie;
    call vcl_beresp_control;
    call vcl_beresp_vary;
}

sub vcl_beresp_stale {
    if (beresp.ttl <= 0s) {
        call vcl_beresp_hitmiss;
    }
}

sub vcl_beresp_cookie {
    if (beresp.http.Set-Cookie) {
        call vcl_beresp_hitmiss;
    }
}

sub vcl_beresp_control {
    if (beresp.http.Surrogate-control ~ "(?i)no-store" ||
      (!beresp.http.Surrogate-Control &&
        beresp.http.Cache-Control ~ "(?i:no-cache|no-store|private)")) {
        call vcl_beresp_hitmiss;
    }
}

sub vcl_beresp_vary {
    if (beresp.http.Vary == "*") {
        call vcl_beresp_hitmiss;
    }
}
${rangeSub}
sub vcl_beresp_hitmiss {
    set beresp.ttl = ${hitmissTtl};
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_backend_error {
    call vcl_builtin_backend_error;
    return (deliver);
}

sub vcl_builtin_backend_error {
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.body = ${SYNTH_PAGE('beresp.status', 'beresp.reason', 'bereq.xid')};
}

sub vcl_init {
    return (ok);
}

sub vcl_fini {
    return (ok);
}
`;
}

/** The builtin VCL text for a version. */
export const BUILTIN_SOURCE: Record<BuiltinVersion, string> = {
  6: MONOLITHIC,
  7: split(7),
  8: split(8),
};

/**
 * The hook subs builtin calls on the client side, in order, and the profile check each one holds
 * (`disabledBuiltinChecks` in VarnishOptions). Varnish 7.0 and later.
 */
export const RECV_HOOKS = [
  { sub: 'vcl_req_host', check: undefined },
  { sub: 'vcl_req_method', check: undefined },
  { sub: 'vcl_req_authorization', check: 'req-authorization' },
  { sub: 'vcl_req_cookie', check: 'req-cookie' },
] as const;

/** The hook subs builtin calls from vcl_builtin_backend_response, in order. */
export const BERESP_HOOKS = [
  { sub: 'vcl_beresp_stale', check: 'beresp-stale' },
  { sub: 'vcl_beresp_cookie', check: 'beresp-cookie' },
  { sub: 'vcl_beresp_control', check: 'beresp-control' },
  { sub: 'vcl_beresp_vary', check: 'beresp-vary' },
] as const;
