/* policy — the access decision. Pure: no I/O, no allocation, no mutable state.
 *
 * Contract:
 *  - Facts in, verdict out. request_facts_build() fills struct request_facts from the parsed head
 *    (http.h), its canonical target (canon.h) and the client's identity; policy_decide() judges
 *    the facts against the flags (struct policy) and returns allow/deny, the name of the deciding
 *    rule, a reason, the section, the route kind and the endpoint (endpoint.h).
 *  - Tecnativa-compatible sections and flags, matched case-sensitively on whole path segments;
 *    stricter where Tecnativa leaks (see README "Differences from Tecnativa"). The route kind
 *    (hijack, endless stream) comes from endpoint.h and does not depend on the flags.
 *  - Facts hold views, never copies: they are valid while the request head, the struct canon and
 *    the struct client_identity they were built from are. Building them costs one pass over the
 *    path and one over the query; nothing is decoded until a caller asks (query.h).
 *  - The query, the client and the body framing are in the facts for the rules engine, which will
 *    decide on them; today's flags look at none of them, so no request is refused for its query
 *    (not even one Go would fail to parse: dockerd answers that one with 400 itself).
 *  - rule and reason are static strings, never NULL.
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/canon.h"
#include "http/http.h"
#include "http/query.h"
#include "policy/endpoint.h"

/* Container verbs admitted on their own, and container reads that can be turned off. */
enum allow_flag {
    AL_START, AL_STOP, AL_RESTARTS, AL_PAUSE, AL_UNPAUSE, /* admit POST even with POST=0 */
    AL_ARCHIVE, AL_EXPORT,                                /* default off: file exfiltration */
    AL_LOGS, AL_TOP, AL_CHANGES, AL_STATS,                /* default on under CONTAINERS */
    AL_COUNT
};

struct policy {
    bool section[SEC_COUNT];
    bool post;
    bool allow[AL_COUNT];
};

extern const char *const section_env[SEC_COUNT]; /* "AUTH", "BUILD", … */
extern const char *const allow_env[AL_COUNT];    /* "ALLOW_START", … */

/* The metrics and log label of a section: "containers", "_ping"; "none" for SEC_NONE. */
const char *section_name(enum section s);

/* Tecnativa's defaults: EVENTS, PING, VERSION on; LOGS/TOP/CHANGES/STATS on; all else off. */
void policy_default(struct policy *p);

/* ---- who is asking ------------------------------------------------------------------------- */

enum client_kind { CLIENT_TCP, CLIENT_UNIX };

/* Filled once per connection at accept (by the connection code) and kept with it: 40-odd bytes.
 * TCP peers are stored as IPv6, IPv4 as ::ffff:a.b.c.d, so one CIDR test serves both. */
struct client_identity {
    enum client_kind kind;
    unsigned listener;         /* index of the listener in BIND_CONFIG order */
    const char *listener_name; /* the listener as written in BIND_CONFIG (static for the run) */
    unsigned char addr[16];    /* CLIENT_TCP: the peer address (IPv4-mapped for IPv4) */
    uint16_t port;             /* CLIENT_TCP: the peer port, host order */
    bool cred_known;           /* CLIENT_UNIX: SO_PEERCRED was read */
    uid_t uid;
    gid_t gid;
    pid_t pid;
};

/* ---- what is asked ------------------------------------------------------------------------- */

struct request_facts {
    struct http_view method;
    enum api_method api_method;
    struct path_segs segs;       /* the canonical path (no version prefix) and its segments */
    struct http_view version;    /* "1.41"; empty without a version prefix */
    struct http_view query;      /* raw, after '?'; {NULL, 0} when there is none */
    enum query_status query_status; /* QUERY_OK, or why Go's ParseQuery would fail (dockerd: 400) */
    const char *query_error;     /* static reason when query_status != QUERY_OK, else NULL */
    struct endpoint ep;          /* what the request is (endpoint.h) */
    const struct client_identity *client; /* never NULL after a build */
    enum http_body body;         /* HTTP_BODY_NONE, _LENGTH or _CHUNKED */
    uint64_t content_length;     /* when body == HTTP_BODY_LENGTH */
};

/* A client for callers that have none (`sockwarden check`, tests): TCP, listener 0 "-", ::. */
extern const struct client_identity client_unknown;

/* From a parsed request head, its canonical target and the connection's client. */
void request_facts_build(struct request_facts *f, const struct http_request *req,
                         const struct canon *c, const struct client_identity *client);

/* The same without a head (no body): for `sockwarden check`, the legacy call and tests. */
void request_facts_from_target(struct request_facts *f, struct http_view method,
                               const struct canon *c, const struct client_identity *client);

/* ---- the answer ---------------------------------------------------------------------------- */

/* What the proxy will have to do besides forwarding, once rules can ask for it. Today's flags
 * never set any: actions is always ACT_NONE. */
enum verdict_action {
    ACT_NONE = 0,
    ACT_INSPECT_BODY = 1u << 0,    /* hold the request body and judge it (JSON: endpoint body) */
    ACT_FILTER_RESPONSE = 1u << 1, /* rewrite or filter the response (e.g. hide containers) */
};

struct verdict {
    bool allow;
    const char *rule;     /* the deciding rule, e.g. "CONTAINERS", "POST=0", "no-section" */
    const char *reason;   /* why, in words, for logs and `sockwarden check` */
    enum section section; /* SEC_NONE when the path is in no section */
    enum route_kind route;
    enum endpoint_id endpoint;
    unsigned actions;     /* enum verdict_action bits */
};

struct verdict policy_decide(const struct policy *p, const struct request_facts *f);

#endif
