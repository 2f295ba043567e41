/* policy — the access decision (see policy.h for the contract and docs/POLICY.md for the rules).
 *
 * Tecnativa's rules, on the facts: everything is decided on whole segments of the canonical path.
 * Container routes take ids of the form {name:.*}, so the action is always the LAST segment
 * ("/containers/a/b/attach" attaches to container "a/b"); the list endpoints are two segments long
 * ("/containers/json"), so "{id}/action" needs at least three. The rules match paths, not
 * endpoints, on purpose: they are Tecnativa's, and they also close paths dockerd does not route
 * (DELETE /containers/x/archive is refused by ALLOW_ARCHIVE=0 as Tecnativa would). What a request
 * is in dockerd's terms (route kind, body, ids) comes from endpoint.h.
 */
#include "policy/policy.h"
#include "base/util.h"

#include <string.h>

const char *const section_env[SEC_COUNT] = {
    "AUTH",     "BUILD",   "COMMIT", "CONFIGS",  "CONTAINERS", "DISTRIBUTION", "EVENTS",  "EXEC",
    "GRPC",     "IMAGES",  "INFO",   "NETWORKS", "NODES",      "PING",         "PLUGINS", "SECRETS",
    "SERVICES", "SESSION", "SWARM",  "SYSTEM",   "TASKS",      "VERSION",      "VOLUMES",
};

/* Deny rule names; static so the verdict can point at them. */
static const char *const section_off[SEC_COUNT] = {
    "AUTH=0",   "BUILD=0",  "COMMIT=0",  "CONFIGS=0", "CONTAINERS=0", "DISTRIBUTION=0",
    "EVENTS=0", "EXEC=0",   "GRPC=0",    "IMAGES=0",  "INFO=0",       "NETWORKS=0",
    "NODES=0",  "PING=0",   "PLUGINS=0", "SECRETS=0", "SERVICES=0",   "SESSION=0",
    "SWARM=0",  "SYSTEM=0", "TASKS=0",   "VERSION=0", "VOLUMES=0",
};

const char *const allow_env[AL_COUNT] = {
    "ALLOW_START",   "ALLOW_STOP",    "ALLOW_RESTARTS", "ALLOW_PAUSE",
    "ALLOW_UNPAUSE", "ALLOW_ARCHIVE", "ALLOW_EXPORT",   "ALLOW_LOGS",
    "ALLOW_TOP",     "ALLOW_CHANGES", "ALLOW_STATS",
};

static const char *const allow_off[AL_COUNT] = {
    "ALLOW_START=0",   "ALLOW_STOP=0",    "ALLOW_RESTARTS=0", "ALLOW_PAUSE=0",
    "ALLOW_UNPAUSE=0", "ALLOW_ARCHIVE=0", "ALLOW_EXPORT=0",   "ALLOW_LOGS=0",
    "ALLOW_TOP=0",     "ALLOW_CHANGES=0", "ALLOW_STATS=0",
};

/* Container verbs a flag admits with POST alone (LinuxServer precedence: before the POST gate). */
static const struct {
    enum allow_flag flag;
    const char *verb;
} verb_rules[] = {
    {AL_START, "start"},   {AL_STOP, "stop"},   {AL_RESTARTS, "stop"},   {AL_RESTARTS, "restart"},
    {AL_RESTARTS, "kill"}, {AL_PAUSE, "pause"}, {AL_UNPAUSE, "unpause"},
};

/* Container reads that stay behind their own flag even with CONTAINERS=1 (any method). */
static const struct {
    enum allow_flag flag;
    const char *action;
} read_rules[] = {
    {AL_EXPORT, "export"},   {AL_LOGS, "logs"},   {AL_TOP, "top"},
    {AL_CHANGES, "changes"}, {AL_STATS, "stats"},
};

const char *section_name(enum section s)
{
    return (unsigned)s < SEC_COUNT ? section_path[s] + 1 : "none";
}

void policy_default(struct policy *p)
{
    memset(p, 0, sizeof(*p));
    p->section[SEC_EVENTS] = true;
    p->section[SEC_PING] = true;
    p->section[SEC_VERSION] = true;
    p->allow[AL_LOGS] = true;
    p->allow[AL_TOP] = true;
    p->allow[AL_CHANGES] = true;
    p->allow[AL_STATS] = true;
}

static bool seg_is(struct http_view s, const char *name)
{
    return s.len == strlen(name) && memcmp(s.p, name, s.len) == 0;
}

static bool is_attach_ws(const struct path_segs *s)
{
    return s->count >= 4 && seg_is(s->first, "containers") && seg_is(s->prev, "attach") &&
           seg_is(s->last, "ws");
}

/* Container ids and names are [A-Za-z0-9_.-]+ (Tecnativa's class for these rules too). */
static bool container_id(struct http_view s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

/* ALLOW_START & co.: exactly POST /containers/{id}/<verb>, with a plain one-segment id: these
 * flags open single verbs, so nothing else may ride on them. Returns the flag name or NULL. */
static const char *verb_rule(const struct policy *p, enum api_method m, const struct path_segs *s)
{
    if (m != METHOD_POST || s->count != 3 || !seg_is(s->first, "containers") ||
        !container_id(s->prev))
        return NULL;
    for (size_t i = 0; i < NELEM(verb_rules); i++)
        if (p->allow[verb_rules[i].flag] && seg_is(s->last, verb_rules[i].verb))
            return allow_env[verb_rules[i].flag];
    return NULL;
}

/* Rules stricter than Tecnativa under /containers/{id}/…; returns the deny rule or NULL. */
static const char *container_rule(const struct policy *p, enum api_method m,
                                  const struct path_segs *s, const char **reason)
{
    if (s->count < 3 || !seg_is(s->first, "containers"))
        return NULL;
    if (is_attach_ws(s) && !p->post) {
        *reason = "attach/ws writes to the container's stdin: needs POST=1";
        return "POST=0";
    }
    if (m == METHOD_POST && seg_is(s->last, "exec") && !p->section[SEC_EXEC]) {
        *reason = "creating an exec needs EXEC=1";
        return section_off[SEC_EXEC];
    }
    *reason = "this container read has its own flag, and it is off";
    if (m != METHOD_PUT && seg_is(s->last, "archive") && !p->allow[AL_ARCHIVE])
        return allow_off[AL_ARCHIVE];
    for (size_t i = 0; i < NELEM(read_rules); i++)
        if (seg_is(s->last, read_rules[i].action) && !p->allow[read_rules[i].flag])
            return allow_off[read_rules[i].flag];
    return NULL;
}

static struct verdict verdict_of(bool allow, const char *rule, const char *reason,
                                 const struct request_facts *f)
{
    struct verdict v = {allow, rule, reason, f->ep.section, f->ep.route, f->ep.id, ACT_NONE};
    return v;
}

struct verdict policy_decide(const struct policy *p, const struct request_facts *f)
{
    const struct path_segs *s = &f->segs;
    enum api_method m = f->api_method;
    enum section sec = f->ep.section;
    const char *reason = NULL;

    if (m == METHOD_OTHER)
        return verdict_of(false, "method", "method not routed by the engine", f);
    if (s->count > 0 && seg_is(s->first, "debug"))
        return verdict_of(false, "debug", "/debug is always refused", f);
    if (sec == SEC_NONE)
        return verdict_of(false, "no-section", "path is in no section", f);
    const char *rule = verb_rule(p, m, s);
    if (rule)
        return verdict_of(true, rule, "container verb admitted by its flag", f);
    if (m != METHOD_GET && m != METHOD_HEAD && !p->post)
        return verdict_of(false, "POST=0", "methods other than GET and HEAD need POST=1", f);
    rule = container_rule(p, m, s, &reason);
    if (rule)
        return verdict_of(false, rule, reason, f);
    if (p->section[sec])
        return verdict_of(true, section_env[sec], "section is on", f);
    return verdict_of(false, section_off[sec], "section is off", f);
}
