/* endpoint: the route table — one row per request shape, checked for endpoint, section, route
 * kind, body kind, endless flag and the id view; then properties over every method and path. */
#include "check.h"
#include "http/canon.h"
#include "policy/endpoint.h"

struct row {
    const char *method, *target;
    enum endpoint_id id;
    enum section section;
    enum route_kind route;
    enum body_kind body;
    bool endless;
    enum id_kind id_kind;
    const char *object; /* NULL: no id */
};

#define P ROUTE_PLAIN
#define H ROUTE_HIJACK
#define E ROUTE_EVENTS

static const struct row rows[] = {
    {"GET", "/_ping", EP_PING, SEC_PING, P, BODY_NONE, false, IDK_NONE, NULL},
    {"HEAD", "/_ping", EP_PING, SEC_PING, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/v1.41/version", EP_VERSION, SEC_VERSION, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/events", EP_EVENTS, SEC_EVENTS, E, BODY_NONE, true, IDK_NONE, NULL},
    {"HEAD", "/events", EP_UNKNOWN, SEC_EVENTS, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/events/x", EP_UNKNOWN, SEC_EVENTS, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/containers/json", EP_CONTAINER_LIST, SEC_CONTAINERS, P, BODY_NONE, false, IDK_NONE,
     NULL},
    {"POST", "/containers/create", EP_CONTAINER_CREATE, SEC_CONTAINERS, P, BODY_JSON, false,
     IDK_NONE, NULL},
    {"GET", "/containers/abc/json", EP_CONTAINER_INSPECT, SEC_CONTAINERS, P, BODY_NONE, false,
     IDK_CONTAINER, "abc"},
    {"GET", "/containers/a/b/json", EP_CONTAINER_INSPECT, SEC_CONTAINERS, P, BODY_NONE, false,
     IDK_CONTAINER, "a/b"},
    {"GET", "/containers/json/json", EP_CONTAINER_INSPECT, SEC_CONTAINERS, P, BODY_NONE, false,
     IDK_CONTAINER, "json"},
    {"GET", "/containers/x/logs", EP_CONTAINER_LOGS, SEC_CONTAINERS, P, BODY_NONE, true,
     IDK_CONTAINER, "x"},
    {"GET", "/containers/x/stats", EP_CONTAINER_STATS, SEC_CONTAINERS, P, BODY_NONE, true,
     IDK_CONTAINER, "x"},
    {"POST", "/containers/x/attach", EP_CONTAINER_ATTACH, SEC_CONTAINERS, H, BODY_STREAM, true,
     IDK_CONTAINER, "x"},
    {"POST", "/containers/a/b/attach", EP_CONTAINER_ATTACH, SEC_CONTAINERS, H, BODY_STREAM, true,
     IDK_CONTAINER, "a/b"},
    {"GET", "/containers/x/attach", EP_UNKNOWN, SEC_CONTAINERS, P, BODY_UNKNOWN, false, IDK_NONE,
     NULL},
    {"GET", "/containers/x/attach/ws", EP_CONTAINER_ATTACH_WS, SEC_CONTAINERS, H, BODY_STREAM, true,
     IDK_CONTAINER, "x"},
    {"GET", "/containers/a/b/attach/ws", EP_CONTAINER_ATTACH_WS, SEC_CONTAINERS, H, BODY_STREAM,
     true, IDK_CONTAINER, "a/b"},
    {"GET", "/containers/attach/ws", EP_UNKNOWN, SEC_CONTAINERS, P, BODY_UNKNOWN, false, IDK_NONE,
     NULL},
    {"POST", "/containers/x/start", EP_CONTAINER_START, SEC_CONTAINERS, P, BODY_JSON, false,
     IDK_CONTAINER, "x"},
    {"POST", "/containers/x/exec", EP_EXEC_CREATE, SEC_CONTAINERS, P, BODY_JSON, false,
     IDK_CONTAINER, "x"},
    {"PUT", "/containers/x/archive", EP_CONTAINER_ARCHIVE_PUT, SEC_CONTAINERS, P, BODY_TAR, false,
     IDK_CONTAINER, "x"},
    {"HEAD", "/containers/x/archive", EP_CONTAINER_ARCHIVE_STAT, SEC_CONTAINERS, P, BODY_NONE,
     false, IDK_CONTAINER, "x"},
    {"DELETE", "/containers/x/archive", EP_CONTAINER_DELETE, SEC_CONTAINERS, P, BODY_NONE, false,
     IDK_CONTAINER, "x/archive"},
    {"DELETE", "/containers/x", EP_CONTAINER_DELETE, SEC_CONTAINERS, P, BODY_NONE, false,
     IDK_CONTAINER, "x"},
    {"DELETE", "/containers/x/checkpoints/c1", EP_CONTAINER_CHECKPOINT_DELETE, SEC_CONTAINERS, P,
     BODY_NONE, false, IDK_CONTAINER, "x"},
    {"POST", "/containers/json", EP_UNKNOWN, SEC_CONTAINERS, P, BODY_UNKNOWN, false, IDK_NONE,
     NULL},
    {"POST", "/exec/e1/start", EP_EXEC_START, SEC_EXEC, H, BODY_JSON, true, IDK_EXEC, "e1"},
    {"GET", "/exec/e1/json", EP_EXEC_INSPECT, SEC_EXEC, P, BODY_NONE, false, IDK_EXEC, "e1"},
    {"POST", "/exec/start", EP_UNKNOWN, SEC_EXEC, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/images/json", EP_IMAGE_LIST, SEC_IMAGES, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/images/library/busybox/json", EP_IMAGE_INSPECT, SEC_IMAGES, P, BODY_NONE, false,
     IDK_IMAGE, "library/busybox"},
    {"POST", "/images/a/b:1/push", EP_IMAGE_PUSH, SEC_IMAGES, P, BODY_NONE, false, IDK_IMAGE,
     "a/b:1"},
    {"DELETE", "/images/a/b", EP_IMAGE_DELETE, SEC_IMAGES, P, BODY_NONE, false, IDK_IMAGE, "a/b"},
    {"POST", "/images/load", EP_IMAGE_LOAD, SEC_IMAGES, P, BODY_TAR, false, IDK_NONE, NULL},
    {"POST", "/build", EP_BUILD, SEC_BUILD, P, BODY_TAR, false, IDK_NONE, NULL},
    {"GET", "/distribution/a/b/json", EP_DISTRIBUTION_INSPECT, SEC_DISTRIBUTION, P, BODY_NONE,
     false, IDK_DISTRIBUTION, "a/b"},
    {"GET", "/networks", EP_NETWORK_LIST, SEC_NETWORKS, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/networks/", EP_NETWORK_LIST, SEC_NETWORKS, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/v1.41/networks/", EP_NETWORK_LIST, SEC_NETWORKS, P, BODY_NONE, false, IDK_NONE, NULL},
    {"DELETE", "/networks/", EP_NETWORK_DELETE, SEC_NETWORKS, P, BODY_NONE, false, IDK_NETWORK, ""},
    {"POST", "/networks/", EP_UNKNOWN, SEC_NETWORKS, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/networks/n1", EP_NETWORK_INSPECT, SEC_NETWORKS, P, BODY_NONE, false, IDK_NETWORK,
     "n1"},
    {"GET", "/networks/create", EP_NETWORK_INSPECT, SEC_NETWORKS, P, BODY_NONE, false, IDK_NETWORK,
     "create"},
    {"POST", "/networks/create", EP_NETWORK_CREATE, SEC_NETWORKS, P, BODY_JSON, false, IDK_NONE,
     NULL},
    {"POST", "/networks/n1/connect", EP_NETWORK_CONNECT, SEC_NETWORKS, P, BODY_JSON, false,
     IDK_NETWORK, "n1"},
    {"PUT", "/volumes/v1", EP_VOLUME_UPDATE, SEC_VOLUMES, P, BODY_JSON, false, IDK_VOLUME, "v1"},
    {"POST", "/plugins/a/b/set", EP_PLUGIN_SET, SEC_PLUGINS, P, BODY_JSON, false, IDK_PLUGIN,
     "a/b"},
    {"GET", "/services/s1", EP_SERVICE_INSPECT, SEC_SERVICES, P, BODY_NONE, false, IDK_SERVICE,
     "s1"},
    {"GET", "/services/a/b", EP_UNKNOWN, SEC_SERVICES, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/services/s1/logs", EP_SERVICE_LOGS, SEC_SERVICES, P, BODY_NONE, true, IDK_SERVICE,
     "s1"},
    {"POST", "/services/s1/update", EP_SERVICE_UPDATE, SEC_SERVICES, P, BODY_JSON, false,
     IDK_SERVICE, "s1"},
    {"GET", "/tasks/t1/logs", EP_TASK_LOGS, SEC_TASKS, P, BODY_NONE, true, IDK_TASK, "t1"},
    {"POST", "/swarm/init", EP_SWARM_INIT, SEC_SWARM, P, BODY_JSON, false, IDK_NONE, NULL},
    {"GET", "/swarm/unlockkey", EP_SWARM_UNLOCKKEY, SEC_SWARM, P, BODY_NONE, false, IDK_NONE, NULL},
    {"POST", "/session", EP_SESSION, SEC_SESSION, H, BODY_STREAM, true, IDK_NONE, NULL},
    {"POST", "/grpc", EP_GRPC, SEC_GRPC, H, BODY_STREAM, true, IDK_NONE, NULL},
    {"GET", "/grpc", EP_UNKNOWN, SEC_GRPC, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/debug/vars", EP_DEBUG, SEC_NONE, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/debug/pprof/", EP_DEBUG, SEC_NONE, P, BODY_NONE, false, IDK_NONE, NULL},
    {"GET", "/debug/pprof/heap", EP_DEBUG, SEC_NONE, P, BODY_NONE, false, IDK_OTHER, "heap"},
    {"GET", "/libpod/info", EP_UNKNOWN, SEC_NONE, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/", EP_UNKNOWN, SEC_NONE, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"GET", "/VERSION", EP_UNKNOWN, SEC_NONE, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"get", "/version", EP_UNKNOWN, SEC_VERSION, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
    {"OPTIONS", "/version", EP_UNKNOWN, SEC_VERSION, P, BODY_UNKNOWN, false, IDK_NONE, NULL},
};

static void run_row(const struct row *r)
{
    static struct canon c;
    const char *why = NULL;
    char ctx[256];
    snprintf(ctx, sizeof(ctx), "%s %s", r->method, r->target);
    if (canon_target(r->target, strlen(r->target), &c, &why) != 0) {
        CHECK(0, "%s: canon refuses: %s", ctx, why);
        return;
    }
    struct endpoint ep;
    endpoint_of((struct http_view){r->method, strlen(r->method)}, &c, &ep);
    CHECK(ep.id == r->id, "%s: endpoint %s want %s", ctx, endpoint_name(ep.id),
          endpoint_name(r->id));
    CHECK_INT(ep.section, r->section, ctx);
    CHECK_INT(ep.route, r->route, ctx);
    CHECK(ep.body == r->body, "%s: body %s want %s", ctx, body_kind_name(ep.body),
          body_kind_name(r->body));
    CHECK_INT(ep.endless, r->endless, ctx);
    CHECK_INT(ep.object_kind, r->id_kind, ctx);
    if (r->object) {
        CHECK(ep.object.p != NULL, "%s: no id view", ctx);
        if (ep.object.p)
            CHECK_STR(ep.object.p, ep.object.len, r->object, ctx);
    } else {
        CHECK(ep.object.p == NULL && ep.object.len == 0, "%s: unexpected id", ctx);
    }
}

/* Methods by exact bytes. */
static void test_methods(void)
{
    static const struct {
        const char *m;
        size_t len;
        enum api_method want;
    } cases[] = {
        {"GET", 3, METHOD_GET},       {"HEAD", 4, METHOD_HEAD},     {"POST", 4, METHOD_POST},
        {"PUT", 3, METHOD_PUT},       {"DELETE", 6, METHOD_DELETE}, {"GETX", 3, METHOD_GET},
        {"GET", 2, METHOD_OTHER},     {"GET\0", 4, METHOD_OTHER},   {"get", 3, METHOD_OTHER},
        {"OPTIONS", 7, METHOD_OTHER}, {"PATCH", 5, METHOD_OTHER},   {"", 0, METHOD_OTHER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_INT(endpoint_method((struct http_view){cases[i].m, cases[i].len}), cases[i].want,
                  cases[i].m);
}

static void test_split(void)
{
    struct path_segs s;
    endpoint_split((struct http_view){"/", 1}, &s);
    CHECK(s.count == 0 && !s.trailing_slash && s.first.p == NULL, "root");
    endpoint_split((struct http_view){"/a", 2}, &s);
    CHECK(s.count == 1 && s.first.p == s.last.p && s.second.p == NULL, "one");
    const char *p = "/a/bb/ccc/dddd/e";
    endpoint_split((struct http_view){p, strlen(p)}, &s);
    CHECK_INT(s.count, 5, "five");
    CHECK_STR(s.first.p, s.first.len, "a", "first");
    CHECK_STR(s.second.p, s.second.len, "bb", "second");
    CHECK_STR(s.prev.p, s.prev.len, "dddd", "prev");
    CHECK_STR(s.last.p, s.last.len, "e", "last");
    endpoint_split((struct http_view){"/networks/", 10}, &s);
    CHECK(s.count == 1 && s.trailing_slash, "trailing slash");
}

/* Every name is set, lower case and distinct; every section's first segment classifies back. */
static void test_names(void)
{
    for (int i = 0; i < EP_COUNT; i++) {
        const char *n = endpoint_name((enum endpoint_id)i);
        CHECK(n && n[0], "name %d", i);
        CHECK(i == EP_UNKNOWN || strcmp(n, "unknown") != 0, "endpoint %d has no name", i);
        for (const char *q = n; *q; q++)
            CHECK((*q >= 'a' && *q <= 'z') || *q == '_', "name %s", n);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(n, endpoint_name((enum endpoint_id)j)) != 0,
                  "duplicate %s", n);
    }
    CHECK(strcmp(endpoint_name(EP_COUNT), "unknown") == 0, "out of range");
    CHECK(strcmp(route_name(ROUTE_HIJACK), "hijack") == 0, "hijack");
    CHECK(strcmp(route_name(ROUTE_EVENTS), "events") == 0, "events");
    for (int i = 0; i < SEC_COUNT; i++) {
        struct path_segs s;
        const char *p = section_path[i];
        endpoint_split((struct http_view){p, strlen(p)}, &s);
        CHECK_INT(endpoint_section(&s), i, p);
    }
}

/* Every row of the table is reachable: for a family of concrete paths per pattern shape, the
 * route kind agrees with the rule the proxy has always used for framing. */
static void test_route_rule(void)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
    static const char *const paths[] = {
        "/containers/x/attach",
        "/containers/a/b/attach",
        "/containers/attach",
        "/containers/x/attach/ws",
        "/containers/attach/ws",
        "/containers/a/b/attach/ws",
        "/exec/x/start",
        "/exec/a/b/start",
        "/exec/start",
        "/session",
        "/session/x",
        "/grpc",
        "/grpc/x",
        "/events",
        "/events/x",
        "/images/x/attach",
        "/containers/x/start",
        "/x/attach/ws",
    };
    for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
            static struct canon c;
            const char *why;
            if (canon_target(paths[i], strlen(paths[i]), &c, &why) != 0)
                continue;
            struct endpoint ep;
            endpoint_of((struct http_view){methods[m], strlen(methods[m])}, &c, &ep);
            struct path_segs s;
            endpoint_split((struct http_view){c.path, c.path_len}, &s);
            bool post = strcmp(methods[m], "POST") == 0, get = strcmp(methods[m], "GET") == 0;
#define IS(v, lit) ((v).len == strlen(lit) && memcmp((v).p, lit, (v).len) == 0)
            enum route_kind want = ROUTE_PLAIN;
            if (post && s.count >= 3 && IS(s.first, "containers") && IS(s.last, "attach"))
                want = ROUTE_HIJACK;
            if (post && s.count >= 3 && IS(s.first, "exec") && IS(s.last, "start"))
                want = ROUTE_HIJACK;
            if (post && s.count == 1 && (IS(s.first, "session") || IS(s.first, "grpc")))
                want = ROUTE_HIJACK;
            if (get && s.count >= 4 && IS(s.first, "containers") && IS(s.prev, "attach") &&
                IS(s.last, "ws"))
                want = ROUTE_HIJACK;
            if (get && s.count == 1 && IS(s.first, "events"))
                want = ROUTE_EVENTS;
#undef IS
            CHECK(ep.route == want, "%s %s: route %s want %s", methods[m], paths[i],
                  route_name(ep.route), route_name(want));
        }
}

int main(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        run_row(&rows[i]);
    test_methods();
    test_split();
    test_names();
    test_route_rule();
    return TEST_SUMMARY("endpoint");
}
