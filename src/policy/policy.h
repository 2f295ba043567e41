/* policy — the access decision. Pure: no I/O, no allocation.
 *
 * Contract: given the flags (struct policy) and one request (method token + canonical target from
 * canon.h), return allow/deny and the name of the rule that decided. Tecnativa-compatible sections
 * and flags, matched case-sensitively on whole path segments; stricter where Tecnativa leaks (see
 * README "Differences from Tecnativa"). Also classifies routes the proxy must treat specially
 * (connection hijack, endless streams).
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "http/canon.h"

/* Sections, in Tecnativa's order. */
enum section {
    SEC_AUTH, SEC_BUILD, SEC_COMMIT, SEC_CONFIGS, SEC_CONTAINERS, SEC_DISTRIBUTION, SEC_EVENTS,
    SEC_EXEC, SEC_GRPC, SEC_IMAGES, SEC_INFO, SEC_NETWORKS, SEC_NODES, SEC_PING, SEC_PLUGINS,
    SEC_SECRETS, SEC_SERVICES, SEC_SESSION, SEC_SWARM, SEC_SYSTEM, SEC_TASKS, SEC_VERSION,
    SEC_VOLUMES, SEC_COUNT, SEC_NONE = -1
};

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

enum route_kind {
    ROUTE_PLAIN,  /* ordinary request/response */
    ROUTE_HIJACK, /* may switch to a raw tunnel after 101 (or the legacy 200 raw stream) */
    ROUTE_EVENTS  /* endless stream; never subject to the upstream idle timeout */
};

struct verdict {
    bool allow;
    const char *rule;     /* static string naming the deciding rule, e.g. "CONTAINERS", "POST=0" */
    enum section section; /* SEC_NONE when the path is in no section */
    enum route_kind route;
};

extern const char *const section_env[SEC_COUNT];   /* "AUTH", "BUILD", … */
extern const char *const section_path[SEC_COUNT];  /* "/auth", "/build", … */
extern const char *const allow_env[AL_COUNT];      /* "ALLOW_START", … */

/* Tecnativa's defaults: EVENTS, PING, VERSION on; LOGS/TOP/CHANGES/STATS on; all else off. */
void policy_default(struct policy *p);

struct verdict policy_decide(const struct policy *p, const char *method, size_t method_len,
                             const struct canon *c);

/* The route kind alone (used by the proxy for framing), independent of the flags. */
enum route_kind policy_route(const char *method, size_t method_len, const struct canon *c);

#endif
