/* endpoint — what a Docker Engine API request is: method + canonical path → endpoint. Pure: no I/O,
 * no allocation, no mutable state.
 *
 * Contract:
 *  - All of sockwarden's knowledge of dockerd's routes is in one table (endpoint.c), written from
 *    moby's routers (api/server/router in 20.10, daemon/server/router today): which endpoint a
 *    request reaches, its Tecnativa section (the first path segment), its route kind (plain,
 *    connection hijack, endless events stream), the request body it carries, whether the response
 *    may never end by itself, and the view of the object id in the path.
 *  - endpoint_split() splits a canonical path (canon.h: starts with '/', no empty, "." or ".."
 *    segment; a trailing '/' only where dockerd registers one) into the segments every rule looks
 * at.
 *  - endpoint_classify() never fails: a request no row matches is EP_UNKNOWN with ROUTE_PLAIN,
 *    BODY_UNKNOWN and the section of its first segment (SEC_NONE if none). Rows are tried in
 *    table order and the first match wins, as in dockerd's mux.
 *  - Ids: "{name:.*}" routes (containers, images, exec, plugins, volumes, distribution, networks)
 *    take an id that may span segments, so the action is always the LAST segment
 *    ("/containers/a/b/attach" attaches to "a/b"); "{id}" routes (services, nodes, tasks, secrets,
 *    configs) take exactly one segment. ep->object points into the path given to endpoint_split().
 *  - Methods are matched exactly (dockerd is case-sensitive); HEAD is a method of its own.
 */
#ifndef SW_ENDPOINT_H
#define SW_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "http/canon.h"
#include "http/http.h"

/* Sections, in Tecnativa's order: the first path segment. */
enum section {
    SEC_AUTH,
    SEC_BUILD,
    SEC_COMMIT,
    SEC_CONFIGS,
    SEC_CONTAINERS,
    SEC_DISTRIBUTION,
    SEC_EVENTS,
    SEC_EXEC,
    SEC_GRPC,
    SEC_IMAGES,
    SEC_INFO,
    SEC_NETWORKS,
    SEC_NODES,
    SEC_PING,
    SEC_PLUGINS,
    SEC_SECRETS,
    SEC_SERVICES,
    SEC_SESSION,
    SEC_SWARM,
    SEC_SYSTEM,
    SEC_TASKS,
    SEC_VERSION,
    SEC_VOLUMES,
    SEC_COUNT,
    SEC_NONE = -1
};

extern const char *const section_path[SEC_COUNT]; /* "/auth", "/build", … */

/* Methods dockerd routes; anything else (OPTIONS and lower case included) is METHOD_OTHER. */
enum api_method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_PUT, METHOD_DELETE, METHOD_OTHER };

enum route_kind {
    ROUTE_PLAIN,  /* ordinary request/response */
    ROUTE_HIJACK, /* may switch to a raw tunnel after 101 (or the legacy 200 raw stream) */
    ROUTE_EVENTS  /* endless stream; never subject to the upstream idle timeout */
};

/* The request body dockerd reads on this endpoint. */
enum body_kind {
    BODY_UNKNOWN, /* no route matched */
    BODY_NONE,    /* dockerd reads no body (query only) */
    BODY_JSON,    /* a JSON document (container create, exec create, network connect, …) */
    BODY_TAR,     /* a tar archive or image tarball (build, image load, PUT archive, …) */
    BODY_STREAM   /* raw bytes for the life of the connection (attach stdin, session, grpc) */
};

/* What the id view in the path names. */
enum id_kind {
    IDK_NONE,
    IDK_CONTAINER,
    IDK_EXEC,
    IDK_IMAGE,
    IDK_NETWORK,
    IDK_VOLUME,
    IDK_PLUGIN,
    IDK_SERVICE,
    IDK_NODE,
    IDK_TASK,
    IDK_SECRET,
    IDK_CONFIG,
    IDK_DISTRIBUTION,
    IDK_OTHER
};

enum endpoint_id {
    EP_UNKNOWN,
    /* system */
    EP_PING,
    EP_VERSION,
    EP_INFO,
    EP_EVENTS,
    EP_SYSTEM_DF,
    EP_AUTH,
    /* containers */
    EP_CONTAINER_LIST,
    EP_CONTAINER_CREATE,
    EP_CONTAINER_PRUNE,
    EP_CONTAINER_INSPECT,
    EP_CONTAINER_TOP,
    EP_CONTAINER_LOGS,
    EP_CONTAINER_CHANGES,
    EP_CONTAINER_EXPORT,
    EP_CONTAINER_STATS,
    EP_CONTAINER_RESIZE,
    EP_CONTAINER_START,
    EP_CONTAINER_STOP,
    EP_CONTAINER_RESTART,
    EP_CONTAINER_KILL,
    EP_CONTAINER_UPDATE,
    EP_CONTAINER_RENAME,
    EP_CONTAINER_PAUSE,
    EP_CONTAINER_UNPAUSE,
    EP_CONTAINER_ATTACH,
    EP_CONTAINER_ATTACH_WS,
    EP_CONTAINER_WAIT,
    EP_CONTAINER_DELETE,
    EP_CONTAINER_ARCHIVE_STAT,
    EP_CONTAINER_ARCHIVE_GET,
    EP_CONTAINER_ARCHIVE_PUT,
    EP_CONTAINER_COPY,
    EP_CONTAINER_CHECKPOINT_LIST,
    EP_CONTAINER_CHECKPOINT_CREATE,
    EP_CONTAINER_CHECKPOINT_DELETE,
    /* exec */
    EP_EXEC_CREATE,
    EP_EXEC_START,
    EP_EXEC_RESIZE,
    EP_EXEC_INSPECT,
    /* images, build, commit, distribution */
    EP_IMAGE_LIST,
    EP_IMAGE_CREATE,
    EP_IMAGE_LOAD,
    EP_IMAGE_GET_ALL,
    EP_IMAGE_SEARCH,
    EP_IMAGE_PRUNE,
    EP_IMAGE_INSPECT,
    EP_IMAGE_HISTORY,
    EP_IMAGE_GET,
    EP_IMAGE_ATTESTATIONS,
    EP_IMAGE_PUSH,
    EP_IMAGE_TAG,
    EP_IMAGE_DELETE,
    EP_BUILD,
    EP_BUILD_PRUNE,
    EP_BUILD_CANCEL,
    EP_COMMIT,
    EP_DISTRIBUTION_INSPECT,
    /* networks */
    EP_NETWORK_LIST,
    EP_NETWORK_CREATE,
    EP_NETWORK_PRUNE,
    EP_NETWORK_INSPECT,
    EP_NETWORK_CONNECT,
    EP_NETWORK_DISCONNECT,
    EP_NETWORK_DELETE,
    /* volumes */
    EP_VOLUME_LIST,
    EP_VOLUME_CREATE,
    EP_VOLUME_PRUNE,
    EP_VOLUME_INSPECT,
    EP_VOLUME_UPDATE,
    EP_VOLUME_DELETE,
    /* plugins */
    EP_PLUGIN_LIST,
    EP_PLUGIN_PRIVILEGES,
    EP_PLUGIN_PULL,
    EP_PLUGIN_CREATE,
    EP_PLUGIN_INSPECT,
    EP_PLUGIN_ENABLE,
    EP_PLUGIN_DISABLE,
    EP_PLUGIN_PUSH,
    EP_PLUGIN_UPGRADE,
    EP_PLUGIN_SET,
    EP_PLUGIN_DELETE,
    /* swarm */
    EP_SWARM_INSPECT,
    EP_SWARM_INIT,
    EP_SWARM_JOIN,
    EP_SWARM_LEAVE,
    EP_SWARM_UPDATE,
    EP_SWARM_UNLOCKKEY,
    EP_SWARM_UNLOCK,
    EP_NODE_LIST,
    EP_NODE_INSPECT,
    EP_NODE_UPDATE,
    EP_NODE_DELETE,
    EP_SERVICE_LIST,
    EP_SERVICE_CREATE,
    EP_SERVICE_INSPECT,
    EP_SERVICE_UPDATE,
    EP_SERVICE_LOGS,
    EP_SERVICE_DELETE,
    EP_TASK_LIST,
    EP_TASK_INSPECT,
    EP_TASK_LOGS,
    EP_SECRET_LIST,
    EP_SECRET_CREATE,
    EP_SECRET_INSPECT,
    EP_SECRET_UPDATE,
    EP_SECRET_DELETE,
    EP_CONFIG_LIST,
    EP_CONFIG_CREATE,
    EP_CONFIG_INSPECT,
    EP_CONFIG_UPDATE,
    EP_CONFIG_DELETE,
    /* hijacked protocols */
    EP_SESSION,
    EP_GRPC,
    /* always refused by the policy, listed so that logs can name them */
    EP_DEBUG,
    EP_COUNT
};

/* The segments of a canonical path that rules look at: first two, last two, how many, and whether
 * the path ends in '/'. Unused views are {NULL, 0}; with one segment, first == last. */
struct path_segs {
    struct http_view path; /* the whole canonical path (without the version prefix) */
    struct http_view first, second, prev, last;
    size_t count;        /* number of non-empty segments; "/" has 0 */
    bool trailing_slash; /* "/networks/" (canon admits it only where dockerd routes it) */
};

struct endpoint {
    enum endpoint_id id;
    enum section section;
    enum route_kind route;
    enum body_kind body;
    bool endless; /* the response may stream until the client leaves (follow, stats…) */
    enum id_kind object_kind; /* what `object` names; IDK_NONE when the route has no id */
    struct http_view object;  /* the id as routed: "a/b" for /containers/a/b/json; may be empty
                                 (DELETE /networks/ reaches network delete with id "") */
};

enum api_method endpoint_method(struct http_view method);

void endpoint_split(struct http_view path, struct path_segs *out);

/* The section of the first segment alone (exact, case-sensitive); SEC_NONE if none. */
enum section endpoint_section(const struct path_segs *s);

void endpoint_classify(enum api_method m, const struct path_segs *s, struct endpoint *out);

/* Shorthand: split c's path and classify (for callers without facts). */
void endpoint_of(struct http_view method, const struct canon *c, struct endpoint *out);

/* Stable lower-case names for logs and `sockwarden check` ("container_logs", "unknown"). */
const char *endpoint_name(enum endpoint_id id);
const char *route_name(enum route_kind r); /* "plain", "hijack", "events" */
const char *body_kind_name(enum body_kind b);

#endif
