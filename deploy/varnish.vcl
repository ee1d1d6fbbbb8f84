# Varnish in front of Engagement Archive (docs/deploying.md#an-http-cache-in-front-varnish).
#
# Anonymous GETs are cached for the s-maxage the site sends (CDN_MAX_AGE) and served stale
# for its stale-while-revalidate (CDN_STALE_SECONDS) while one fetch refreshes them; the
# admin and signed-in staff pass through. When the archive changes, the site sends
# `BAN /` with `X-Purge-Keys: list m12 t5` (engagements/upkeep/purge.py, HTTP_CACHE_PURGE_URLS)
# and every object whose Surrogate-Key holds one of those keys is dropped.
#
# Edit the backend (the gunicorn address) and the purgers' addresses; keep ADMIN_PATH's
# value in the admin rule if you changed it.
vcl 4.1;

import std;

backend site {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (req.http.X-Purge-Keys == "*") {
            ban("obj.status != 0");
            return (synth(200, "Purged everything"));
        }
        # Keys are letters and digits (m12, t5, list): anything else is refused.
        if (req.http.X-Purge-Keys !~ "^[a-z0-9]+( [a-z0-9]+)*$") {
            return (synth(400, "X-Purge-Keys: keys of letters and digits, one space apart"));
        }
        ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.X-Purge-Keys, " ", "|") + ")(\s|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone signed in (a session), reach the site itself.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Public pages read no cookie: without it every visitor shares one cached copy.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # A page that sets a cookie is someone's own: never shared.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Served stale while one fetch refreshes it, for as long as the site allows.
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1s"), 0s);
    }
    # Bans are tested against stored objects by the ban lurker (obj.* only): keep the URL.
    set beresp.http.X-Url = bereq.url;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for caches: a browser needs neither them nor the lurker's URL. Keep them
    # when a CDN sits in front of Varnish (it purges by the same keys).
    unset resp.http.X-Url;
}
