/* policy: decisions, deciding rule names and route kinds, table-driven.
 * Flags are written as a spec string: tokens "NAME" (on) or "NAME=0" (off) applied over
 * policy_default(); the token "ALLOFF" first clears every flag. */
#include "check.h"
#include "http/canon.h"
#include "policy/policy.h"

enum { P = ROUTE_PLAIN, H = ROUTE_HIJACK, E = ROUTE_EVENTS };

struct row {
    const char *flags;
    const char *method;
    const char *target;
    int allow;
    const char *rule;
    int route;
};

static bool set_flag(struct policy *p, const char *name, size_t len, bool on)
{
    for (int i = 0; i < SEC_COUNT; i++)
        if (strlen(section_env[i]) == len && memcmp(section_env[i], name, len) == 0)
            return p->section[i] = on, true;
    for (int i = 0; i < AL_COUNT; i++)
        if (strlen(allow_env[i]) == len && memcmp(allow_env[i], name, len) == 0)
            return p->allow[i] = on, true;
    if (len == 4 && memcmp(name, "POST", 4) == 0)
        return p->post = on, true;
    return false;
}

static void make_policy(const char *spec, struct policy *p)
{
    policy_default(p);
    for (const char *s = spec; *s;) {
        while (*s == ' ')
            s++;
        size_t len = strcspn(s, " ");
        if (len == 0)
            break;
        const char *eq = memchr(s, '=', len);
        size_t nlen = eq ? (size_t)(eq - s) : len;
        bool on = !eq || eq[1] == '1';
        if (nlen == 6 && memcmp(s, "ALLOFF", 6) == 0)
            memset(p, 0, sizeof(*p));
        else
            CHECK(set_flag(p, s, nlen, on), "bad flag in spec '%s'", spec);
        s += len;
    }
}

static bool canon_of(const char *target, struct canon *c)
{
    const char *reason = NULL;
    int rc = canon_target(target, strlen(target), c, &reason);
    CHECK_INT(rc, 0, target);
    return rc == 0;
}

/* The new call: facts from the method and canonical target, then the verdict. */
static struct verdict decide(const struct policy *p, const char *m, size_t mlen,
                             const struct canon *c)
{
    struct request_facts f;
    request_facts_from_target(&f, (struct http_view){m, mlen}, c, &client_unknown);
    struct verdict v = policy_decide(p, &f);
    CHECK(v.reason && v.reason[0] && v.actions == ACT_NONE, "reason/actions for %.*s", (int)mlen,
          m);
    return v;
}

static enum route_kind route_of(const char *m, size_t mlen, const struct canon *c)
{
    struct endpoint ep;
    endpoint_of((struct http_view){m, mlen}, c, &ep);
    return ep.route;
}

static void run_row(const struct row *r)
{
    struct policy p;
    struct canon c;
    char ctx[512];
    make_policy(r->flags, &p);
    if (!canon_of(r->target, &c))
        return;
    snprintf(ctx, sizeof(ctx), "[%s] %s %s", r->flags, r->method, r->target);
    struct verdict v = decide(&p, r->method, strlen(r->method), &c);
    CHECK_INT(v.allow, r->allow, ctx);
    CHECK(v.rule && strcmp(v.rule, r->rule) == 0, "%s: rule '%s' want '%s'", ctx,
          v.rule ? v.rule : "(null)", r->rule);
    CHECK_INT(v.route, r->route, ctx);
    CHECK_INT(route_of(r->method, strlen(r->method), &c), r->route, ctx);
}

static const struct row rows[] = {
    /* Defaults: EVENTS, PING, VERSION. */
    {"", "GET", "/version", 1, "VERSION", P},
    {"", "GET", "/v1.41/version", 1, "VERSION", P},
    {"", "HEAD", "/_ping", 1, "PING", P},
    {"", "GET", "/_ping", 1, "PING", P},
    {"", "GET", "/events", 1, "EVENTS", E},
    {"", "GET", "/v1.45/events?filters=%7B%7D", 1, "EVENTS", E},
    {"", "GET", "/info", 0, "INFO=0", P},
    {"", "GET", "/containers/json", 0, "CONTAINERS=0", P},
    {"", "POST", "/_ping", 0, "POST=0", P},

    /* a. Methods. */
    {"", "get", "/version", 0, "method", P},
    {"", "Get", "/version", 0, "method", P},
    {"", "head", "/_ping", 0, "method", P},
    {"", "GETX", "/version", 0, "method", P},
    {"", "", "/version", 0, "method", P},
    {"POST CONTAINERS", "PATCH", "/containers/x/update", 0, "method", P},
    {"POST CONTAINERS", "OPTIONS", "/containers/json", 0, "method", P},
    {"POST", "OPTIONS", "/_ping", 0, "method", P},
    {"POST VERSION", "TRACE", "/version", 0, "method", P},
    {"POST VERSION", "CONNECT", "/version", 0, "method", P},
    {"POST VERSION", "FOO", "/version", 0, "method", P},
    {"POST VERSION", "PRI", "/version", 0, "method", P},
    {"POST CONTAINERS", "post", "/containers/create", 0, "method", P},
    {"POST CONTAINERS", "delete", "/containers/x", 0, "method", P},
    {"POST CONTAINERS ALLOW_START", "post", "/containers/x/start", 0, "method", P},
    {"", "HEAD", "/version", 1, "VERSION", P},

    /* b. /debug and paths outside every section. */
    {"", "GET", "/debug/vars", 0, "debug", P},
    {"", "GET", "/debug/pprof/cmdline", 0, "debug", P},
    {"", "GET", "/v1.47/debug/pprof/profile", 0, "debug", P},
    {"", "GET", "/debug", 0, "debug", P},
    {"POST", "POST", "/debug/pprof/symbol", 0, "debug", P},
    {"", "GET", "/debugfoo", 0, "no-section", P},
    {"", "GET", "/", 0, "no-section", P},
    {"", "GET", "/libpod/containers/json", 0, "no-section", P},
    {"", "GET", "/libpod/_ping", 0, "no-section", P},
    {"", "GET", "/v/version", 0, "no-section", P},
    {"", "GET", "/vABC/version", 0, "no-section", P},
    {"", "GET", "/V1.41/version", 0, "no-section", P},
    {"", "GET", "/v1.41", 0, "no-section", P},
    {"", "GET", "/v1.41/v1.41/version", 0, "no-section", P},
    {"", "GET", "/VERSION", 0, "no-section", P},
    {"", "GET", "/Version", 0, "no-section", P},
    {"", "GET", "/_PING", 0, "no-section", P},
    {"CONTAINERS", "GET", "/Containers/json", 0, "no-section", P},
    {"", "GET", "/versionfoo", 0, "no-section", P},
    {"", "GET", "/_pingpong", 0, "no-section", P},
    {"", "GET", "/eventsxyz", 0, "no-section", P},
    {"CONTAINERS", "GET", "/containersfoo/json", 0, "no-section", P},
    {"NETWORKS", "GET", "/networksx", 0, "no-section", P},
    {"", "GET", "/ping", 0, "no-section", P},
    {"", "GET", "/post", 0, "no-section", P},
    {"POST", "POST", "/containers", 0, "CONTAINERS=0", P},

    /* Version prefix variants. */
    {"", "GET", "/v1/version", 1, "VERSION", P},
    {"", "GET", "/v1.41.9/version", 1, "VERSION", P},
    {"", "GET", "/v./version", 1, "VERSION", P},
    {"", "GET", "/v%31.41/version", 1, "VERSION", P},
    {"", "GET", "/%76ersion", 1, "VERSION", P},
    {"CONTAINERS", "GET", "/v%31.24/containers/json", 1, "CONTAINERS", P},

    /* c. ALLOW_* container verbs, even with POST=0 and CONTAINERS=0. */
    {"ALLOW_START", "POST", "/containers/x/start", 1, "ALLOW_START", P},
    {"ALLOW_START", "POST", "/v1.41/containers/x/start", 1, "ALLOW_START", P},
    {"ALLOW_START", "POST", "/containers/x/start?x=/stop", 1, "ALLOW_START", P},
    {"ALLOW_START", "POST", "/containers/a/b/start", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/a%20b/start", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/a:b/start", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/my-app_1.x/start", 1, "ALLOW_START", P},
    {"ALLOW_START POST", "POST", "/containers/library/busybox/start", 0, "CONTAINERS=0", P},
    {"ALLOW_START", "POST", "/containers/json/start", 1, "ALLOW_START", P},
    {"ALLOW_START", "POST", "/containers/x/stop", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/start", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/x/Start", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/x/started", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/containers/x/start/json", 0, "POST=0", P},
    {"ALLOW_START", "POST", "/exec/x/start", 0, "POST=0", H},
    {"ALLOW_START", "POST", "/containersx/a/start", 0, "no-section", P},
    {"ALLOW_START", "POST", "/containers/aa/pause?aaa=%5C/start", 0, "POST=0", P},
    {"ALLOW_START", "GET", "/containers/x/start", 0, "CONTAINERS=0", P},
    {"ALLOW_START", "DELETE", "/containers/x/start", 0, "POST=0", P},
    {"ALLOW_START", "PUT", "/containers/x/start", 0, "POST=0", P},
    {"ALLOW_START POST", "PUT", "/containers/x/start", 0, "CONTAINERS=0", P},
    {"ALLOW_START POST", "DELETE", "/containers/x/start", 0, "CONTAINERS=0", P},
    {"ALLOW_START POST", "POST", "/containers/x/start", 1, "ALLOW_START", P},
    {"ALLOW_START=0", "POST", "/containers/x/start", 0, "POST=0", P},
    {"ALLOW_STOP", "POST", "/containers/x/stop", 1, "ALLOW_STOP", P},
    {"ALLOW_STOP", "POST", "/containers/x/restart", 0, "POST=0", P},
    {"ALLOW_STOP", "POST", "/containers/x/kill", 0, "POST=0", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/stop", 1, "ALLOW_RESTARTS", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/restart?t=5", 1, "ALLOW_RESTARTS", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/kill?signal=HUP", 1, "ALLOW_RESTARTS", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/start", 0, "POST=0", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/killall", 0, "POST=0", P},
    {"ALLOW_RESTARTS POST", "POST", "/containers/x/killall", 0, "CONTAINERS=0", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/kill/foo", 0, "POST=0", P},
    {"ALLOW_RESTARTS", "POST", "/containers/x/pause", 0, "POST=0", P},
    {"ALLOW_STOP ALLOW_RESTARTS", "POST", "/containers/x/stop", 1, "ALLOW_STOP", P},
    {"ALLOW_PAUSE", "POST", "/containers/x/pause", 1, "ALLOW_PAUSE", P},
    {"ALLOW_PAUSE", "POST", "/containers/x/unpause", 0, "POST=0", P},
    {"ALLOW_UNPAUSE", "POST", "/containers/x/unpause", 1, "ALLOW_UNPAUSE", P},
    {"ALLOW_UNPAUSE", "POST", "/containers/x/pause", 0, "POST=0", P},
    {"ALLOW_START ALLOW_STOP ALLOW_RESTARTS ALLOW_PAUSE ALLOW_UNPAUSE", "POST",
     "/containers/create", 0, "POST=0", P},
    {"ALLOW_START ALLOW_STOP ALLOW_RESTARTS ALLOW_PAUSE ALLOW_UNPAUSE", "POST",
     "/containers/x/exec", 0, "POST=0", P},
    {"ALLOW_START ALLOW_STOP ALLOW_RESTARTS ALLOW_PAUSE ALLOW_UNPAUSE", "POST",
     "/containers/x/attach", 0, "POST=0", H},
    {"ALLOW_START ALLOW_STOP ALLOW_RESTARTS ALLOW_PAUSE ALLOW_UNPAUSE", "POST",
     "/containers/x/update", 0, "POST=0", P},

    /* d. The method gate. */
    {"CONTAINERS", "POST", "/containers/create", 0, "POST=0", P},
    {"CONTAINERS", "DELETE", "/containers/x?force=1", 0, "POST=0", P},
    {"CONTAINERS", "PUT", "/containers/x/archive?path=/", 0, "POST=0", P},
    {"CONTAINERS", "POST", "/containers/x/wait", 0, "POST=0", P},
    {"CONTAINERS POST", "POST", "/containers/create", 1, "CONTAINERS", P},
    {"CONTAINERS POST", "DELETE", "/containers/x?force=1", 1, "CONTAINERS", P},
    {"CONTAINERS POST", "PUT", "/containers/x/archive?path=/", 1, "CONTAINERS", P},
    {"CONTAINERS POST ALLOW_ARCHIVE=0", "PUT", "/containers/x/archive", 1, "CONTAINERS", P},
    {"POST", "POST", "/containers/create", 0, "CONTAINERS=0", P},
    {"POST", "DELETE", "/containers/x", 0, "CONTAINERS=0", P},
    {"POST", "POST", "/images/create?fromImage=alpine", 0, "IMAGES=0", P},
    {"POST", "POST", "/networks/create", 0, "NETWORKS=0", P},
    {"POST=2", "GET", "/version", 1, "VERSION", P},

    /* e. Stricter than Tecnativa under /containers/{id}/…. */
    {"CONTAINERS", "GET", "/containers/x/archive?path=/etc/shadow", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS", "HEAD", "/containers/x/archive?path=/etc", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS", "GET", "/containers/a/b/archive", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS", "GET", "/v1.41/containers/x/archive", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS", "GET", "/containers/x/%61rchive", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS POST", "GET", "/containers/x/archive", 0, "ALLOW_ARCHIVE=0", P},
    {"CONTAINERS ALLOW_ARCHIVE", "GET", "/containers/x/archive?path=/", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_ARCHIVE", "HEAD", "/containers/x/archive", 1, "CONTAINERS", P},
    {"ALLOW_ARCHIVE", "GET", "/containers/x/archive", 0, "CONTAINERS=0", P},
    {"CONTAINERS", "GET", "/containers/x/archive/json", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/containers/archive", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/containers/x/export", 0, "ALLOW_EXPORT=0", P},
    {"CONTAINERS", "GET", "/containers/x/exports", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_EXPORT", "GET", "/containers/x/export", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/containers/x/logs?follow=1", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_LOGS=0", "GET", "/containers/x/logs", 0, "ALLOW_LOGS=0", P},
    {"CONTAINERS ALLOW_LOGS=0", "GET", "/containers/logs", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_LOGS=0", "GET", "/containers/x/json", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/containers/x/top", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_TOP=0", "GET", "/containers/x/top", 0, "ALLOW_TOP=0", P},
    {"CONTAINERS", "GET", "/containers/x/changes", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_CHANGES=0", "GET", "/containers/x/changes", 0, "ALLOW_CHANGES=0", P},
    {"CONTAINERS", "GET", "/containers/x/stats?stream=0", 1, "CONTAINERS", P},
    {"CONTAINERS ALLOW_STATS=0", "GET", "/containers/x/stats", 0, "ALLOW_STATS=0", P},
    {"CONTAINERS ALLOW_STATS=0", "GET", "/containers/a/b/stats", 0, "ALLOW_STATS=0", P},
    {"CONTAINERS", "GET", "/containers/x/attach/ws?stdin=1", 0, "POST=0", H},
    {"CONTAINERS", "GET", "/containers/a/b/attach/ws", 0, "POST=0", H},
    {"CONTAINERS POST", "GET", "/containers/x/attach/ws", 1, "CONTAINERS", H},
    {"CONTAINERS", "GET", "/containers/attach/ws", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/containers/x/attach", 1, "CONTAINERS", P},
    {"CONTAINERS", "POST", "/containers/x/attach?stream=1", 0, "POST=0", H},
    {"CONTAINERS POST", "POST", "/containers/x/attach?stream=1&stdin=1", 1, "CONTAINERS", H},
    {"CONTAINERS POST", "POST", "/containers/x/exec", 0, "EXEC=0", P},
    {"CONTAINERS POST", "POST", "/containers/a/b/exec", 0, "EXEC=0", P},
    {"CONTAINERS POST EXEC", "POST", "/containers/x/exec", 1, "CONTAINERS", P},
    {"EXEC POST", "POST", "/containers/x/exec", 0, "CONTAINERS=0", P},
    {"CONTAINERS POST", "POST", "/exec/abc/start", 0, "EXEC=0", H},
    {"CONTAINERS POST EXEC", "POST", "/exec/abc/start", 1, "EXEC", H},
    {"CONTAINERS POST EXEC", "POST", "/exec/abc/resize?h=1&w=2", 1, "EXEC", P},
    {"EXEC", "GET", "/exec/abc/json", 1, "EXEC", P},
    {"EXEC", "POST", "/exec/abc/start", 0, "POST=0", H},

    /* Route classification. */
    {"POST", "POST", "/session", 0, "SESSION=0", H},
    {"POST SESSION", "POST", "/session", 1, "SESSION", H},
    {"POST SESSION", "GET", "/session", 1, "SESSION", P},
    {"POST SESSION", "POST", "/session/x", 1, "SESSION", P},
    {"POST GRPC", "POST", "/grpc", 1, "GRPC", H},
    {"POST GRPC", "POST", "/v1.44/grpc", 1, "GRPC", H},
    {"POST GRPC", "PUT", "/grpc", 1, "GRPC", P},
    {"POST GRPC", "POST", "/grpcx", 0, "no-section", P},
    {"CONTAINERS POST", "POST", "/containers/attach", 1, "CONTAINERS", P},
    {"CONTAINERS POST", "POST", "/containers/a/b/attach", 1, "CONTAINERS", H},
    {"CONTAINERS POST", "POST", "/v1.41/containers/x/attach", 1, "CONTAINERS", H},
    {"CONTAINERS POST", "POST", "/containers/x/attach/ws", 1, "CONTAINERS", P},
    {"CONTAINERS POST", "POST", "/containers/x/attach/json", 1, "CONTAINERS", P},
    {"EXEC POST", "POST", "/exec/start", 1, "EXEC", P},
    {"EXEC POST", "POST", "/exec/a/b/start", 1, "EXEC", H},
    {"EXEC POST", "GET", "/exec/x/start", 1, "EXEC", P},
    {"", "HEAD", "/events", 1, "EVENTS", P},
    {"", "GET", "/events/x", 1, "EVENTS", P},
    {"POST", "POST", "/events", 1, "EVENTS", P},

    /* The seed project's configuration. */
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "POST", "/containers/create", 0, "POST=0", P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "POST", "/v1.41/containers/create", 0,
     "POST=0", P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "GET", "/containers/json", 1, "CONTAINERS",
     P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "GET", "/networks", 1, "NETWORKS", P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "GET", "/services", 0, "SERVICES=0", P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "GET", "/tasks", 0, "TASKS=0", P},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "GET", "/events", 1, "EVENTS", E},
    {"CONTAINERS NETWORKS SERVICES=0 TASKS=0 POST=0", "DELETE", "/networks/n", 0, "POST=0", P},

    /* Tecnativa's test matrix (tests/test_service.py), as the requests the CLI sends. */
    /* test_default_permissions */
    {"", "GET", "/v1.41/version", 1, "VERSION", P},
    {"", "POST", "/v1.41/images/create?fromImage=alpine&tag=latest", 0, "POST=0", P},
    {"", "GET", "/v1.41/containers/x/logs?stdout=1", 0, "CONTAINERS=0", P},
    {"", "POST", "/v1.41/containers/x/wait", 0, "POST=0", P},
    {"", "DELETE", "/v1.41/containers/x?force=1", 0, "POST=0", P},
    {"", "POST", "/v1.41/containers/x/restart", 0, "POST=0", P},
    {"", "GET", "/v1.41/networks", 0, "NETWORKS=0", P},
    {"", "GET", "/v1.41/configs", 0, "CONFIGS=0", P},
    {"", "GET", "/v1.41/services", 0, "SERVICES=0", P},
    {"", "GET", "/v1.41/secrets", 0, "SECRETS=0", P},
    {"", "GET", "/v1.41/plugins", 0, "PLUGINS=0", P},
    {"", "GET", "/v1.41/info", 0, "INFO=0", P},
    {"", "POST", "/v1.41/build", 0, "POST=0", P},
    {"", "POST", "/v1.41/swarm/init", 0, "POST=0", P},
    /* test_container_permissions */
    {"CONTAINERS", "GET", "/v1.41/containers/x/logs?stdout=1", 1, "CONTAINERS", P},
    {"CONTAINERS", "GET", "/v1.41/containers/x/json", 1, "CONTAINERS", P},
    {"CONTAINERS", "POST", "/v1.41/containers/x/wait", 0, "POST=0", P},
    {"CONTAINERS", "POST", "/v1.41/containers/create", 0, "POST=0", P},
    {"CONTAINERS", "DELETE", "/v1.41/containers/x?force=1", 0, "POST=0", P},
    {"CONTAINERS", "POST", "/v1.41/containers/x/restart", 0, "POST=0", P},
    /* test_post_permissions */
    {"POST", "DELETE", "/v1.41/containers/x?force=1", 0, "CONTAINERS=0", P},
    {"POST", "POST", "/v1.41/images/create?fromImage=alpine", 0, "IMAGES=0", P},
    {"POST", "POST", "/v1.41/containers/create", 0, "CONTAINERS=0", P},
    {"POST", "POST", "/v1.41/networks/create", 0, "NETWORKS=0", P},
    /* test_network_post_permissions */
    {"POST NETWORKS", "GET", "/v1.41/networks", 1, "NETWORKS", P},
    {"POST NETWORKS", "POST", "/v1.41/networks/create", 1, "NETWORKS", P},
    {"POST NETWORKS", "DELETE", "/v1.41/networks/foo", 1, "NETWORKS", P},
    /* The two trailing-slash routes dockerd registers: judged under their section like the rest. */
    {"NETWORKS", "GET", "/networks/", 1, "NETWORKS", P},
    {"NETWORKS", "GET", "/v1.41/networks/", 1, "NETWORKS", P},
    {"", "GET", "/networks/", 0, "NETWORKS=0", P},
    {"NETWORKS", "DELETE", "/networks/", 0, "POST=0", P},
    {"NETWORKS POST", "DELETE", "/networks/", 1, "NETWORKS", P},
    {"NETWORKS=0 POST", "DELETE", "/networks/", 0, "NETWORKS=0", P},
    {"CONTAINERS NETWORKS POST", "GET", "/debug/pprof/", 0, "debug", P},
    /* test_exec_permissions */
    {"CONTAINERS EXEC POST", "POST", "/v1.41/containers/x/exec", 1, "CONTAINERS", P},
    {"CONTAINERS EXEC POST", "POST", "/v1.41/exec/e/start", 1, "EXEC", H},
    {"CONTAINERS EXEC POST", "GET", "/v1.41/exec/e/json", 1, "EXEC", P},
};

/* Every section alone: open on GET (and its sub-paths), closed with its own rule name. */
static void test_each_section(void)
{
    for (int i = 0; i < SEC_COUNT; i++) {
        struct policy p;
        struct canon c;
        char target[64], off[32];
        memset(&p, 0, sizeof(p));
        snprintf(off, sizeof(off), "%s=0", section_env[i]);
        snprintf(target, sizeof(target), "/v1.41%s/some/thing", section_path[i]);
        for (int t = 0; t < 2; t++) {
            const char *tg = t ? target : section_path[i];
            if (!canon_of(tg, &c))
                continue;
            p.section[i] = false;
            struct verdict v = decide(&p, "GET", 3, &c);
            CHECK(!v.allow && strcmp(v.rule, off) == 0, "%s off: %s", tg, v.rule);
            CHECK_INT(v.section, i, tg);
            p.section[i] = true;
            v = decide(&p, "GET", 3, &c);
            CHECK(v.allow && strcmp(v.rule, section_env[i]) == 0, "%s on: %s", tg, v.rule);
            v = decide(&p, "DELETE", 6, &c);
            CHECK(!v.allow && strcmp(v.rule, "POST=0") == 0, "%s DELETE POST=0", tg);
            p.post = true;
            v = decide(&p, "DELETE", 6, &c);
            CHECK(v.allow, "%s DELETE POST=1: %s", tg, v.rule);
            p.post = false;
            /* No other section opens it. */
            for (int j = 0; j < SEC_COUNT; j++)
                p.section[j] = j != i;
            v = decide(&p, "GET", 3, &c);
            CHECK(!v.allow && strcmp(v.rule, off) == 0, "%s by others: %s", tg, v.rule);
            memset(&p, 0, sizeof(p));
        }
    }
}

/* The name tables agree with each other. */
static void test_tables(void)
{
    for (int i = 0; i < SEC_COUNT; i++) {
        CHECK(section_path[i][0] == '/', "section path %d", i);
        char lower[32];
        size_t n = strlen(section_env[i]);
        for (size_t k = 0; k <= n; k++)
            lower[k] = (char)((section_env[i][k] >= 'A' && section_env[i][k] <= 'Z')
                                  ? section_env[i][k] - 'A' + 'a'
                                  : section_env[i][k]);
        const char *want = i == SEC_PING ? "_ping" : lower;
        CHECK(strcmp(section_path[i] + 1, want) == 0, "section %s path %s", section_env[i],
              section_path[i]);
    }
    CHECK(strcmp(allow_env[AL_START], "ALLOW_START") == 0, "AL_START");
    CHECK(strcmp(allow_env[AL_RESTARTS], "ALLOW_RESTARTS") == 0, "AL_RESTARTS");
    CHECK(strcmp(allow_env[AL_STATS], "ALLOW_STATS") == 0, "AL_STATS");
    CHECK(strcmp(allow_env[AL_ARCHIVE], "ALLOW_ARCHIVE") == 0, "AL_ARCHIVE");
}

/* section_name: the metrics label, one per section, "none" outside. */
static void test_section_name(void)
{
    CHECK(strcmp(section_name(SEC_CONTAINERS), "containers") == 0, "containers");
    CHECK(strcmp(section_name(SEC_PING), "_ping") == 0, "_ping");
    CHECK(strcmp(section_name(SEC_VOLUMES), "volumes") == 0, "volumes");
    CHECK(strcmp(section_name(SEC_NONE), "none") == 0, "none");
    CHECK(strcmp(section_name(SEC_COUNT), "none") == 0, "count");
    for (int i = 0; i < SEC_COUNT; i++)
        for (int j = 0; j < i; j++)
            CHECK(strcmp(section_name((enum section)i), section_name((enum section)j)) != 0,
                  "distinct %d %d", i, j);
}

static void test_default(void)
{
    struct policy p;
    memset(&p, 0xff, sizeof(p));
    policy_default(&p);
    for (int i = 0; i < SEC_COUNT; i++)
        CHECK_INT(p.section[i], i == SEC_EVENTS || i == SEC_PING || i == SEC_VERSION,
                  section_env[i]);
    for (int i = 0; i < AL_COUNT; i++)
        CHECK_INT(p.allow[i], i >= AL_LOGS, allow_env[i]);
    CHECK_INT(p.post, 0, "POST default");
}

/* With everything open, only the structural rules still deny. */
static void test_all_open(void)
{
    static const struct {
        const char *method, *target, *rule;
    } cases[] = {
        {"GET", "/debug/vars", "debug"},      {"OPTIONS", "/containers/json", "method"},
        {"PATCH", "/containers/x", "method"}, {"GET", "/libpod/info", "no-section"},
        {"GET", "/VERSION", "no-section"},    {"get", "/version", "method"},
    };
    struct policy p;
    memset(&p, 1, sizeof(p));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct canon c;
        if (!canon_of(cases[i].target, &c))
            continue;
        struct verdict v = decide(&p, cases[i].method, strlen(cases[i].method), &c);
        CHECK(!v.allow && strcmp(v.rule, cases[i].rule) == 0, "%s %s: %s", cases[i].method,
              cases[i].target, v.rule);
    }
    struct canon c;
    if (canon_of("/containers/x/archive", &c))
        CHECK(decide(&p, "GET", 3, &c).allow, "all open archive");
    if (canon_of("/containers/x/exec", &c))
        CHECK(decide(&p, "POST", 4, &c).allow, "all open exec");
}

/* The method is taken by length, not up to a NUL. */
static void test_method_length(void)
{
    struct policy p;
    struct canon c;
    policy_default(&p);
    if (!canon_of("/version", &c))
        return;
    CHECK(decide(&p, "GETX", 3, &c).allow, "GET by length");
    CHECK(!decide(&p, "GET", 2, &c).allow, "GE by length");
    CHECK(!decide(&p, "GET\0", 4, &c).allow, "GET NUL");
    CHECK_INT(route_of("GETX", 3, &c), ROUTE_PLAIN, "route by length");
}

int main(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        run_row(&rows[i]);
    test_each_section();
    test_tables();
    test_section_name();
    test_default();
    test_all_open();
    test_method_length();
    return TEST_SUMMARY("policy");
}
