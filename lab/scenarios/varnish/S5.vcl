# S5 — web cache deception by static extension (PayPal 2017, Omer Gil; USENIX Security 2020)
#
# Anything that ends like a static file is cached for a day, whatever the app says, and the
# request goes to the app unchanged (cookies included: some "static" files, such as the
# theme CSS, are served by the app). The app's router ignores trailing segments, so
# /mypage/<random>.css is the victim's account page, stored under a URL the attacker knows.

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
    # "Static files never change."
    if (req.url ~ "(?i)\.(css|js|png|jpe?g|gif|svg|ico|woff2?)(\?.*)?$") {
        return (hash);
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "(?i)\.(css|js|png|jpe?g|gif|svg|ico|woff2?)(\?.*)?$" && beresp.status == 200) {
        unset beresp.http.Set-Cookie;
        set beresp.ttl = 1d;
        return (deliver);
    }
}
