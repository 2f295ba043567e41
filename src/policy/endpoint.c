/* endpoint — dockerd's routes in one table (see endpoint.h for the contract).
 *
 * The table is the union of moby's routers at v20.10 (api/server/router/…) and today
 * (daemon/server/router/…), in their registration order within each section. A pattern is a
 * canonical path in which "{id}" stands for exactly one segment and "{*}" for one or more (moby's
 * "{name:.*}"; canon refuses the empty segments that would let it match zero). "{*}" is only ever
 * the second segment, so the literals around it are the first segment and the last one or two.
 * A pattern ending in '/' is one of the two routes dockerd registers with a trailing slash:
 * "GET /networks/" (an alias of the list) and "GET /debug/pprof/".
 */
#include "policy/endpoint.h"
#include "base/util.h"

#include <string.h>

/* The sections in enum order: each name once, its length counted by the compiler. */
/* clang-format off */
#define SECTIONS(X)                                                                                \
    X("/auth") X("/build") X("/commit") X("/configs") X("/containers") X("/distribution")         \
    X("/events") X("/exec") X("/grpc") X("/images") X("/info") X("/networks") X("/nodes")         \
    X("/_ping") X("/plugins") X("/secrets") X("/services") X("/session") X("/swarm")              \
    X("/system") X("/tasks") X("/version") X("/volumes")
/* clang-format on */
#define SECTION_PATH(s) s,
#define SECTION_LEN(s) sizeof(s) - 2, /* without the '/' and the NUL */
const char *const section_path[SEC_COUNT] = {SECTIONS(SECTION_PATH)};
static const unsigned char section_len[] = {SECTIONS(SECTION_LEN)};
_Static_assert(NELEM(section_len) == SEC_COUNT, "one name per section");

struct row {
    enum api_method method;
    enum section section; /* the pattern's first segment, so most rows are skipped on an int */
    const char *pattern;
    enum endpoint_id id;
    enum id_kind id_kind;
    enum route_kind route;
    enum body_kind body;
    bool endless;
};

#define GET METHOD_GET
#define HEAD METHOD_HEAD
#define POST METHOD_POST
#define PUT METHOD_PUT
#define DELETE METHOD_DELETE
#define P ROUTE_PLAIN
#define H ROUTE_HIJACK
#define E ROUTE_EVENTS
#define NONE BODY_NONE
#define JSON BODY_JSON
#define TAR BODY_TAR
#define STREAM BODY_STREAM

/* clang-format off */
static const struct row rows[] = {
    {GET,    SEC_PING,    "/_ping",   EP_PING,    IDK_NONE, P, NONE, false},
    {HEAD,   SEC_PING,    "/_ping",   EP_PING,    IDK_NONE, P, NONE, false},
    {GET,    SEC_VERSION, "/version", EP_VERSION, IDK_NONE, P, NONE, false},
    {GET,    SEC_INFO,    "/info",    EP_INFO,    IDK_NONE, P, NONE, false},
    {GET,    SEC_EVENTS,  "/events",  EP_EVENTS,  IDK_NONE, E, NONE, true},
    {GET,    SEC_SYSTEM,  "/system/df", EP_SYSTEM_DF, IDK_NONE, P, NONE, false},
    {POST,   SEC_AUTH,    "/auth",    EP_AUTH,    IDK_NONE, P, JSON, false},

    {GET,    SEC_CONTAINERS, "/containers/json",              EP_CONTAINER_LIST,     IDK_NONE,      P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/create",            EP_CONTAINER_CREATE,   IDK_NONE,      P, JSON, false},
    {POST,   SEC_CONTAINERS, "/containers/prune",             EP_CONTAINER_PRUNE,    IDK_NONE,      P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/json",          EP_CONTAINER_INSPECT,  IDK_CONTAINER, P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/top",           EP_CONTAINER_TOP,      IDK_CONTAINER, P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/logs",          EP_CONTAINER_LOGS,     IDK_CONTAINER, P, NONE, true},
    {GET,    SEC_CONTAINERS, "/containers/{*}/changes",       EP_CONTAINER_CHANGES,  IDK_CONTAINER, P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/export",        EP_CONTAINER_EXPORT,   IDK_CONTAINER, P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/stats",         EP_CONTAINER_STATS,    IDK_CONTAINER, P, NONE, true},
    {GET,    SEC_CONTAINERS, "/containers/{*}/attach/ws",     EP_CONTAINER_ATTACH_WS, IDK_CONTAINER, H, STREAM, true},
    {GET,    SEC_CONTAINERS, "/containers/{*}/archive",       EP_CONTAINER_ARCHIVE_GET, IDK_CONTAINER, P, NONE, false},
    {HEAD,   SEC_CONTAINERS, "/containers/{*}/archive",       EP_CONTAINER_ARCHIVE_STAT, IDK_CONTAINER, P, NONE, false},
    {GET,    SEC_CONTAINERS, "/containers/{*}/checkpoints",   EP_CONTAINER_CHECKPOINT_LIST, IDK_CONTAINER, P, NONE, false},
    /* API < 1.24 (allowed by DOCKER_MIN_API_VERSION on 20.10) takes a HostConfig in the body. */
    {POST,   SEC_CONTAINERS, "/containers/{*}/start",         EP_CONTAINER_START,    IDK_CONTAINER, P, JSON, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/stop",          EP_CONTAINER_STOP,     IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/restart",       EP_CONTAINER_RESTART,  IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/kill",          EP_CONTAINER_KILL,     IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/pause",         EP_CONTAINER_PAUSE,    IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/unpause",       EP_CONTAINER_UNPAUSE,  IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/update",        EP_CONTAINER_UPDATE,   IDK_CONTAINER, P, JSON, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/rename",        EP_CONTAINER_RENAME,   IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/resize",        EP_CONTAINER_RESIZE,   IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/attach",        EP_CONTAINER_ATTACH,   IDK_CONTAINER, H, STREAM, true},
    {POST,   SEC_CONTAINERS, "/containers/{*}/wait",          EP_CONTAINER_WAIT,     IDK_CONTAINER, P, NONE, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/exec",          EP_EXEC_CREATE,        IDK_CONTAINER, P, JSON, false},
    {POST,   SEC_CONTAINERS, "/containers/{*}/copy",          EP_CONTAINER_COPY,     IDK_CONTAINER, P, JSON, false}, /* 20.10 */
    {POST,   SEC_CONTAINERS, "/containers/{*}/checkpoints",   EP_CONTAINER_CHECKPOINT_CREATE, IDK_CONTAINER, P, JSON, false},
    {PUT,    SEC_CONTAINERS, "/containers/{*}/archive",       EP_CONTAINER_ARCHIVE_PUT, IDK_CONTAINER, P, TAR, false},
    /* "{name}/checkpoints/{checkpoint}": one segment each, registered before "{name:.*}". */
    {DELETE, SEC_CONTAINERS, "/containers/{id}/checkpoints/{id}", EP_CONTAINER_CHECKPOINT_DELETE, IDK_CONTAINER, P, NONE, false},
    {DELETE, SEC_CONTAINERS, "/containers/{*}",               EP_CONTAINER_DELETE,   IDK_CONTAINER, P, NONE, false},

    {POST,   SEC_EXEC,       "/exec/{*}/start",               EP_EXEC_START,         IDK_EXEC,      H, JSON, true},
    {POST,   SEC_EXEC,       "/exec/{*}/resize",              EP_EXEC_RESIZE,        IDK_EXEC,      P, NONE, false},
    {GET,    SEC_EXEC,       "/exec/{*}/json",                EP_EXEC_INSPECT,       IDK_EXEC,      P, NONE, false},

    {GET,    SEC_IMAGES,     "/images/json",                  EP_IMAGE_LIST,         IDK_NONE,      P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/search",                EP_IMAGE_SEARCH,       IDK_NONE,      P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/get",                   EP_IMAGE_GET_ALL,      IDK_NONE,      P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/{*}/get",               EP_IMAGE_GET,          IDK_IMAGE,     P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/{*}/history",           EP_IMAGE_HISTORY,      IDK_IMAGE,     P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/{*}/json",              EP_IMAGE_INSPECT,      IDK_IMAGE,     P, NONE, false},
    {GET,    SEC_IMAGES,     "/images/{*}/attestations",      EP_IMAGE_ATTESTATIONS, IDK_IMAGE,     P, NONE, false},
    /* The body is an image tarball when fromSrc=-, else empty. */
    {POST,   SEC_IMAGES,     "/images/create",                EP_IMAGE_CREATE,       IDK_NONE,      P, TAR,  false},
    {POST,   SEC_IMAGES,     "/images/load",                  EP_IMAGE_LOAD,         IDK_NONE,      P, TAR,  false},
    {POST,   SEC_IMAGES,     "/images/prune",                 EP_IMAGE_PRUNE,        IDK_NONE,      P, NONE, false},
    {POST,   SEC_IMAGES,     "/images/{*}/push",              EP_IMAGE_PUSH,         IDK_IMAGE,     P, NONE, false},
    {POST,   SEC_IMAGES,     "/images/{*}/tag",               EP_IMAGE_TAG,          IDK_IMAGE,     P, NONE, false},
    {DELETE, SEC_IMAGES,     "/images/{*}",                   EP_IMAGE_DELETE,       IDK_IMAGE,     P, NONE, false},
    {POST,   SEC_BUILD,      "/build",                        EP_BUILD,              IDK_NONE,      P, TAR,  false},
    {POST,   SEC_BUILD,      "/build/prune",                  EP_BUILD_PRUNE,        IDK_NONE,      P, NONE, false},
    {POST,   SEC_BUILD,      "/build/cancel",                 EP_BUILD_CANCEL,       IDK_NONE,      P, NONE, false},
    {POST,   SEC_COMMIT,     "/commit",                       EP_COMMIT,             IDK_NONE,      P, JSON, false},
    {GET,    SEC_DISTRIBUTION, "/distribution/{*}/json",      EP_DISTRIBUTION_INSPECT, IDK_DISTRIBUTION, P, NONE, false},

    {GET,    SEC_NETWORKS,   "/networks",                     EP_NETWORK_LIST,       IDK_NONE,      P, NONE, false},
    {GET,    SEC_NETWORKS,   "/networks/",                    EP_NETWORK_LIST,       IDK_NONE,      P, NONE, false},
    {GET,    SEC_NETWORKS,   "/networks/{*}",                 EP_NETWORK_INSPECT,    IDK_NETWORK,   P, NONE, false},
    {POST,   SEC_NETWORKS,   "/networks/create",              EP_NETWORK_CREATE,     IDK_NONE,      P, JSON, false},
    {POST,   SEC_NETWORKS,   "/networks/{*}/connect",         EP_NETWORK_CONNECT,    IDK_NETWORK,   P, JSON, false},
    {POST,   SEC_NETWORKS,   "/networks/{*}/disconnect",      EP_NETWORK_DISCONNECT, IDK_NETWORK,   P, JSON, false},
    {POST,   SEC_NETWORKS,   "/networks/prune",               EP_NETWORK_PRUNE,      IDK_NONE,      P, NONE, false},
    /* "{id:.*}" also matches the empty id of "DELETE /networks/" (dockerd: "network  is ambiguous"). */
    {DELETE, SEC_NETWORKS,   "/networks/",                    EP_NETWORK_DELETE,     IDK_NETWORK,   P, NONE, false},
    {DELETE, SEC_NETWORKS,   "/networks/{*}",                 EP_NETWORK_DELETE,     IDK_NETWORK,   P, NONE, false},

    {GET,    SEC_VOLUMES,    "/volumes",                      EP_VOLUME_LIST,        IDK_NONE,      P, NONE, false},
    {GET,    SEC_VOLUMES,    "/volumes/{*}",                  EP_VOLUME_INSPECT,     IDK_VOLUME,    P, NONE, false},
    {POST,   SEC_VOLUMES,    "/volumes/create",               EP_VOLUME_CREATE,      IDK_NONE,      P, JSON, false},
    {POST,   SEC_VOLUMES,    "/volumes/prune",                EP_VOLUME_PRUNE,       IDK_NONE,      P, NONE, false},
    {PUT,    SEC_VOLUMES,    "/volumes/{*}",                  EP_VOLUME_UPDATE,      IDK_VOLUME,    P, JSON, false},
    {DELETE, SEC_VOLUMES,    "/volumes/{*}",                  EP_VOLUME_DELETE,      IDK_VOLUME,    P, NONE, false},

    {GET,    SEC_PLUGINS,    "/plugins",                      EP_PLUGIN_LIST,        IDK_NONE,      P, NONE, false},
    {GET,    SEC_PLUGINS,    "/plugins/privileges",           EP_PLUGIN_PRIVILEGES,  IDK_NONE,      P, NONE, false},
    {GET,    SEC_PLUGINS,    "/plugins/{*}/json",             EP_PLUGIN_INSPECT,     IDK_PLUGIN,    P, NONE, false},
    {POST,   SEC_PLUGINS,    "/plugins/pull",                 EP_PLUGIN_PULL,        IDK_NONE,      P, JSON, false},
    {POST,   SEC_PLUGINS,    "/plugins/create",               EP_PLUGIN_CREATE,      IDK_NONE,      P, TAR,  false},
    {POST,   SEC_PLUGINS,    "/plugins/{*}/enable",           EP_PLUGIN_ENABLE,      IDK_PLUGIN,    P, NONE, false},
    {POST,   SEC_PLUGINS,    "/plugins/{*}/disable",          EP_PLUGIN_DISABLE,     IDK_PLUGIN,    P, NONE, false},
    {POST,   SEC_PLUGINS,    "/plugins/{*}/push",             EP_PLUGIN_PUSH,        IDK_PLUGIN,    P, NONE, false},
    {POST,   SEC_PLUGINS,    "/plugins/{*}/upgrade",          EP_PLUGIN_UPGRADE,     IDK_PLUGIN,    P, JSON, false},
    {POST,   SEC_PLUGINS,    "/plugins/{*}/set",              EP_PLUGIN_SET,         IDK_PLUGIN,    P, JSON, false},
    {DELETE, SEC_PLUGINS,    "/plugins/{*}",                  EP_PLUGIN_DELETE,      IDK_PLUGIN,    P, NONE, false},

    {GET,    SEC_SWARM,      "/swarm",                        EP_SWARM_INSPECT,      IDK_NONE,      P, NONE, false},
    {GET,    SEC_SWARM,      "/swarm/unlockkey",              EP_SWARM_UNLOCKKEY,    IDK_NONE,      P, NONE, false},
    {POST,   SEC_SWARM,      "/swarm/init",                   EP_SWARM_INIT,         IDK_NONE,      P, JSON, false},
    {POST,   SEC_SWARM,      "/swarm/join",                   EP_SWARM_JOIN,         IDK_NONE,      P, JSON, false},
    {POST,   SEC_SWARM,      "/swarm/leave",                  EP_SWARM_LEAVE,        IDK_NONE,      P, NONE, false},
    {POST,   SEC_SWARM,      "/swarm/update",                 EP_SWARM_UPDATE,       IDK_NONE,      P, JSON, false},
    {POST,   SEC_SWARM,      "/swarm/unlock",                 EP_SWARM_UNLOCK,       IDK_NONE,      P, JSON, false},
    {GET,    SEC_NODES,      "/nodes",                        EP_NODE_LIST,          IDK_NONE,      P, NONE, false},
    {GET,    SEC_NODES,      "/nodes/{id}",                   EP_NODE_INSPECT,       IDK_NODE,      P, NONE, false},
    {DELETE, SEC_NODES,      "/nodes/{id}",                   EP_NODE_DELETE,        IDK_NODE,      P, NONE, false},
    {POST,   SEC_NODES,      "/nodes/{id}/update",            EP_NODE_UPDATE,        IDK_NODE,      P, JSON, false},
    {GET,    SEC_SERVICES,   "/services",                     EP_SERVICE_LIST,       IDK_NONE,      P, NONE, false},
    {GET,    SEC_SERVICES,   "/services/{id}",                EP_SERVICE_INSPECT,    IDK_SERVICE,   P, NONE, false},
    {GET,    SEC_SERVICES,   "/services/{id}/logs",           EP_SERVICE_LOGS,       IDK_SERVICE,   P, NONE, true},
    {POST,   SEC_SERVICES,   "/services/create",              EP_SERVICE_CREATE,     IDK_NONE,      P, JSON, false},
    {POST,   SEC_SERVICES,   "/services/{id}/update",         EP_SERVICE_UPDATE,     IDK_SERVICE,   P, JSON, false},
    {DELETE, SEC_SERVICES,   "/services/{id}",                EP_SERVICE_DELETE,     IDK_SERVICE,   P, NONE, false},
    {GET,    SEC_TASKS,      "/tasks",                        EP_TASK_LIST,          IDK_NONE,      P, NONE, false},
    {GET,    SEC_TASKS,      "/tasks/{id}",                   EP_TASK_INSPECT,       IDK_TASK,      P, NONE, false},
    {GET,    SEC_TASKS,      "/tasks/{id}/logs",              EP_TASK_LOGS,          IDK_TASK,      P, NONE, true},
    {GET,    SEC_SECRETS,    "/secrets",                      EP_SECRET_LIST,        IDK_NONE,      P, NONE, false},
    {POST,   SEC_SECRETS,    "/secrets/create",               EP_SECRET_CREATE,      IDK_NONE,      P, JSON, false},
    {DELETE, SEC_SECRETS,    "/secrets/{id}",                 EP_SECRET_DELETE,      IDK_SECRET,    P, NONE, false},
    {GET,    SEC_SECRETS,    "/secrets/{id}",                 EP_SECRET_INSPECT,     IDK_SECRET,    P, NONE, false},
    {POST,   SEC_SECRETS,    "/secrets/{id}/update",          EP_SECRET_UPDATE,      IDK_SECRET,    P, JSON, false},
    {GET,    SEC_CONFIGS,    "/configs",                      EP_CONFIG_LIST,        IDK_NONE,      P, NONE, false},
    {POST,   SEC_CONFIGS,    "/configs/create",               EP_CONFIG_CREATE,      IDK_NONE,      P, JSON, false},
    {DELETE, SEC_CONFIGS,    "/configs/{id}",                 EP_CONFIG_DELETE,      IDK_CONFIG,    P, NONE, false},
    {GET,    SEC_CONFIGS,    "/configs/{id}",                 EP_CONFIG_INSPECT,     IDK_CONFIG,    P, NONE, false},
    {POST,   SEC_CONFIGS,    "/configs/{id}/update",          EP_CONFIG_UPDATE,      IDK_CONFIG,    P, JSON, false},

    {POST,   SEC_SESSION,    "/session",                      EP_SESSION,            IDK_NONE,      H, STREAM, true},
    {POST,   SEC_GRPC,       "/grpc",                         EP_GRPC,               IDK_NONE,      H, STREAM, true},

    /* Unversioned only on 20.10 (any method there); always refused by the policy. */
    {GET,    SEC_NONE,       "/debug/vars",                   EP_DEBUG,              IDK_NONE,      P, NONE, false},
    {GET,    SEC_NONE,       "/debug/pprof/",                 EP_DEBUG,              IDK_NONE,      P, NONE, false},
    {GET,    SEC_NONE,       "/debug/pprof/{id}",             EP_DEBUG,              IDK_OTHER,     P, NONE, false},
};
/* clang-format on */

static const char *const endpoint_names[EP_COUNT] = {
    [EP_UNKNOWN] = "unknown",
    [EP_PING] = "ping",
    [EP_VERSION] = "version",
    [EP_INFO] = "info",
    [EP_EVENTS] = "events",
    [EP_SYSTEM_DF] = "system_df",
    [EP_AUTH] = "auth",
    [EP_CONTAINER_LIST] = "container_list",
    [EP_CONTAINER_CREATE] = "container_create",
    [EP_CONTAINER_PRUNE] = "container_prune",
    [EP_CONTAINER_INSPECT] = "container_inspect",
    [EP_CONTAINER_TOP] = "container_top",
    [EP_CONTAINER_LOGS] = "container_logs",
    [EP_CONTAINER_CHANGES] = "container_changes",
    [EP_CONTAINER_EXPORT] = "container_export",
    [EP_CONTAINER_STATS] = "container_stats",
    [EP_CONTAINER_RESIZE] = "container_resize",
    [EP_CONTAINER_START] = "container_start",
    [EP_CONTAINER_STOP] = "container_stop",
    [EP_CONTAINER_RESTART] = "container_restart",
    [EP_CONTAINER_KILL] = "container_kill",
    [EP_CONTAINER_UPDATE] = "container_update",
    [EP_CONTAINER_RENAME] = "container_rename",
    [EP_CONTAINER_PAUSE] = "container_pause",
    [EP_CONTAINER_UNPAUSE] = "container_unpause",
    [EP_CONTAINER_ATTACH] = "container_attach",
    [EP_CONTAINER_ATTACH_WS] = "container_attach_ws",
    [EP_CONTAINER_WAIT] = "container_wait",
    [EP_CONTAINER_DELETE] = "container_delete",
    [EP_CONTAINER_ARCHIVE_STAT] = "container_archive_stat",
    [EP_CONTAINER_ARCHIVE_GET] = "container_archive_get",
    [EP_CONTAINER_ARCHIVE_PUT] = "container_archive_put",
    [EP_CONTAINER_COPY] = "container_copy",
    [EP_CONTAINER_CHECKPOINT_LIST] = "container_checkpoint_list",
    [EP_CONTAINER_CHECKPOINT_CREATE] = "container_checkpoint_create",
    [EP_CONTAINER_CHECKPOINT_DELETE] = "container_checkpoint_delete",
    [EP_EXEC_CREATE] = "exec_create",
    [EP_EXEC_START] = "exec_start",
    [EP_EXEC_RESIZE] = "exec_resize",
    [EP_EXEC_INSPECT] = "exec_inspect",
    [EP_IMAGE_LIST] = "image_list",
    [EP_IMAGE_CREATE] = "image_create",
    [EP_IMAGE_LOAD] = "image_load",
    [EP_IMAGE_GET_ALL] = "image_get_all",
    [EP_IMAGE_SEARCH] = "image_search",
    [EP_IMAGE_PRUNE] = "image_prune",
    [EP_IMAGE_INSPECT] = "image_inspect",
    [EP_IMAGE_HISTORY] = "image_history",
    [EP_IMAGE_GET] = "image_get",
    [EP_IMAGE_ATTESTATIONS] = "image_attestations",
    [EP_IMAGE_PUSH] = "image_push",
    [EP_IMAGE_TAG] = "image_tag",
    [EP_IMAGE_DELETE] = "image_delete",
    [EP_BUILD] = "build",
    [EP_BUILD_PRUNE] = "build_prune",
    [EP_BUILD_CANCEL] = "build_cancel",
    [EP_COMMIT] = "commit",
    [EP_DISTRIBUTION_INSPECT] = "distribution_inspect",
    [EP_NETWORK_LIST] = "network_list",
    [EP_NETWORK_CREATE] = "network_create",
    [EP_NETWORK_PRUNE] = "network_prune",
    [EP_NETWORK_INSPECT] = "network_inspect",
    [EP_NETWORK_CONNECT] = "network_connect",
    [EP_NETWORK_DISCONNECT] = "network_disconnect",
    [EP_NETWORK_DELETE] = "network_delete",
    [EP_VOLUME_LIST] = "volume_list",
    [EP_VOLUME_CREATE] = "volume_create",
    [EP_VOLUME_PRUNE] = "volume_prune",
    [EP_VOLUME_INSPECT] = "volume_inspect",
    [EP_VOLUME_UPDATE] = "volume_update",
    [EP_VOLUME_DELETE] = "volume_delete",
    [EP_PLUGIN_LIST] = "plugin_list",
    [EP_PLUGIN_PRIVILEGES] = "plugin_privileges",
    [EP_PLUGIN_PULL] = "plugin_pull",
    [EP_PLUGIN_CREATE] = "plugin_create",
    [EP_PLUGIN_INSPECT] = "plugin_inspect",
    [EP_PLUGIN_ENABLE] = "plugin_enable",
    [EP_PLUGIN_DISABLE] = "plugin_disable",
    [EP_PLUGIN_PUSH] = "plugin_push",
    [EP_PLUGIN_UPGRADE] = "plugin_upgrade",
    [EP_PLUGIN_SET] = "plugin_set",
    [EP_PLUGIN_DELETE] = "plugin_delete",
    [EP_SWARM_INSPECT] = "swarm_inspect",
    [EP_SWARM_INIT] = "swarm_init",
    [EP_SWARM_JOIN] = "swarm_join",
    [EP_SWARM_LEAVE] = "swarm_leave",
    [EP_SWARM_UPDATE] = "swarm_update",
    [EP_SWARM_UNLOCKKEY] = "swarm_unlockkey",
    [EP_SWARM_UNLOCK] = "swarm_unlock",
    [EP_NODE_LIST] = "node_list",
    [EP_NODE_INSPECT] = "node_inspect",
    [EP_NODE_UPDATE] = "node_update",
    [EP_NODE_DELETE] = "node_delete",
    [EP_SERVICE_LIST] = "service_list",
    [EP_SERVICE_CREATE] = "service_create",
    [EP_SERVICE_INSPECT] = "service_inspect",
    [EP_SERVICE_UPDATE] = "service_update",
    [EP_SERVICE_LOGS] = "service_logs",
    [EP_SERVICE_DELETE] = "service_delete",
    [EP_TASK_LIST] = "task_list",
    [EP_TASK_INSPECT] = "task_inspect",
    [EP_TASK_LOGS] = "task_logs",
    [EP_SECRET_LIST] = "secret_list",
    [EP_SECRET_CREATE] = "secret_create",
    [EP_SECRET_INSPECT] = "secret_inspect",
    [EP_SECRET_UPDATE] = "secret_update",
    [EP_SECRET_DELETE] = "secret_delete",
    [EP_CONFIG_LIST] = "config_list",
    [EP_CONFIG_CREATE] = "config_create",
    [EP_CONFIG_INSPECT] = "config_inspect",
    [EP_CONFIG_UPDATE] = "config_update",
    [EP_CONFIG_DELETE] = "config_delete",
    [EP_SESSION] = "session",
    [EP_GRPC] = "grpc",
    [EP_DEBUG] = "debug",
};

enum api_method endpoint_method(struct http_view m)
{
    /* Once per request: on the length, then at most one compare. */
    switch (m.len) {
    case 3:
        return !memcmp(m.p, "GET", 3)   ? METHOD_GET
               : !memcmp(m.p, "PUT", 3) ? METHOD_PUT
                                        : METHOD_OTHER;
    case 4:
        return !memcmp(m.p, "POST", 4)   ? METHOD_POST
               : !memcmp(m.p, "HEAD", 4) ? METHOD_HEAD
                                         : METHOD_OTHER;
    case 6:
        return !memcmp(m.p, "DELETE", 6) ? METHOD_DELETE : METHOD_OTHER;
    default:
        return METHOD_OTHER;
    }
}

void endpoint_split(struct http_view path, struct path_segs *s)
{
    *s = (struct path_segs){.path = path};
    const char *p = path.p, *end = path.p + path.len;
    if (path.len == 0)
        return;
    for (p++; p < end;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *e = slash ? slash : end;
        if (e > p) {
            struct http_view cur = {p, (size_t)(e - p)};
            if (s->count++ == 0)
                s->first = cur;
            else if (s->count == 2)
                s->second = cur;
            s->prev = s->last;
            s->last = cur;
        }
        p = e + 1;
    }
    s->trailing_slash = path.len > 1 && end[-1] == '/';
}

enum section endpoint_section(const struct path_segs *s)
{
    if (s->count == 0)
        return SEC_NONE;
    struct http_view f = s->first;
    for (int i = 0; i < SEC_COUNT; i++)
        if (f.len == section_len[i] && f.p[0] == section_path[i][1] &&
            !memcmp(f.p, section_path[i] + 1, f.len))
            return (enum section)i;
    return SEC_NONE;
}

/* Does the canonical path match a row's pattern? Walks the two strings once, with no cutting:
 * literal bytes compare as they are, "{id}" takes one non-empty segment, and "{*}" (always the
 * second segment) takes everything up to the pattern's literal tail, which the path must end with.
 * A trailing '/' is a literal byte, so "/networks/" matches only itself. *id is the first "{id}"
 * or the "{*}" span; {NULL, 0} when the pattern has neither. The first skip bytes (the section,
 * which the caller has matched already) are taken as equal. */
static bool match_pattern(const char *pat, struct http_view path, size_t skip, struct http_view *id)
{
    const char *q = path.p + skip, *qe = path.p + path.len;
    *id = (struct http_view){NULL, 0};
    for (const char *p = pat + skip; *p;) {
        if (p[0] == '{' && p[1] == '*') {
            const char *tail = p + 3;
            size_t tl = strlen(tail);
            if ((size_t)(qe - q) <= tl || memcmp(qe - tl, tail, tl) != 0)
                return false;
            const char *end = qe - tl; /* the span is non-empty and ends inside a segment */
            if (end[-1] == '/')
                return false;
            *id = (struct http_view){q, (size_t)(end - q)};
            return true;
        }
        if (p[0] == '{') { /* "{id}" */
            const char *st = q;
            while (q < qe && *q != '/')
                q++;
            if (q == st)
                return false;
            if (id->p == NULL)
                *id = (struct http_view){st, (size_t)(q - st)};
            p += 4;
            continue;
        }
        if (q == qe || *p != *q)
            return false;
        p++;
        q++;
    }
    return q == qe;
}

void endpoint_classify(enum api_method m, const struct path_segs *s, struct endpoint *out)
{
    enum section sec = endpoint_section(s);
    *out =
        (struct endpoint){EP_UNKNOWN, sec, ROUTE_PLAIN, BODY_UNKNOWN, false, IDK_NONE, {NULL, 0}};
    if (s->count == 0 || m == METHOD_OTHER)
        return;
    /* Every row of a section starts with "/" and its name: the path's first segment is that. */
    size_t skip = sec == SEC_NONE ? 0 : 1 + (size_t)section_len[sec];
    for (size_t i = 0; i < NELEM(rows); i++) {
        const struct row *r = &rows[i];
        if (r->section != sec || r->method != m)
            continue;
        struct http_view id;
        if (!match_pattern(r->pattern, s->path, skip, &id))
            continue;
        out->id = r->id;
        out->route = r->route;
        out->body = r->body;
        out->endless = r->endless;
        out->object_kind = r->id_kind;
        out->object = id;
        if (r->id_kind != IDK_NONE && id.p == NULL)
            out->object = (struct http_view){s->path.p + s->path.len, 0}; /* "/networks/": id "" */
        return;
    }
}

void endpoint_of(struct http_view method, const struct canon *c, struct endpoint *out)
{
    struct path_segs s;
    endpoint_split((struct http_view){c->path, c->path_len}, &s);
    endpoint_classify(endpoint_method(method), &s, out);
}

const char *endpoint_name(enum endpoint_id id)
{
    return (unsigned)id < EP_COUNT && endpoint_names[id] ? endpoint_names[id] : "unknown";
}

const char *route_name(enum route_kind r)
{
    static const char *const names[] = {"plain", "hijack", "events"};
    return (unsigned)r <= ROUTE_EVENTS ? names[r] : "plain";
}

const char *body_kind_name(enum body_kind b)
{
    static const char *const names[] = {"unknown", "none", "json", "tar", "stream"};
    return (unsigned)b <= BODY_STREAM ? names[b] : "unknown";
}
