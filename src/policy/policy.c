/* policy — the access decision (see policy.h for the contract and docs/POLICY.md for the rules).
 *
 * Everything is decided on whole segments of the canonical path. dockerd's container, exec and
 * image routes take ids of the form {name:.*}, so an id may span several segments and the action
 * is always the LAST segment ("/containers/a/b/attach" attaches to container "a/b"). The list
 * endpoints are two segments long ("/containers/json"), so "{id}/action" needs at least three.
 */
#include "policy/policy.h"

#include <string.h>

const char *const section_env[SEC_COUNT] = {
    "AUTH",     "BUILD",   "COMMIT", "CONFIGS",  "CONTAINERS", "DISTRIBUTION", "EVENTS",  "EXEC",
    "GRPC",     "IMAGES",  "INFO",   "NETWORKS", "NODES",      "PING",         "PLUGINS", "SECRETS",
    "SERVICES", "SESSION", "SWARM",  "SYSTEM",   "TASKS",      "VERSION",      "VOLUMES",
};

const char *const section_path[SEC_COUNT] = {
    "/auth",   "/build",  "/commit",  "/configs", "/containers", "/distribution",
    "/events", "/exec",   "/grpc",    "/images",  "/info",       "/networks",
    "/nodes",  "/_ping",  "/plugins", "/secrets", "/services",   "/session",
    "/swarm",  "/system", "/tasks",   "/version", "/volumes",
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

enum method { M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_OTHER };

struct seg {
    const char *p;
    size_t len;
};

/* The first, the last two segments and the count: all the rules ever look at. */
struct segs {
    struct seg first, prev, last;
    size_t count;
};

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

static bool eq(const char *p, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(p, s, len) == 0;
}

static bool seg_is(struct seg s, const char *name)
{
    return eq(s.p, s.len, name);
}

/* Methods dockerd routes, matched exactly (it is case-sensitive). OPTIONS is left out on purpose:
 * dockerd answers 200 to OPTIONS on any path, which only helps probing. */
static enum method method_of(const char *m, size_t len)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (eq(m, len, names[i]))
            return (enum method)i;
    return M_OTHER;
}

static void split(const struct canon *c, struct segs *s)
{
    memset(s, 0, sizeof(*s));
    size_t start = 1;
    for (size_t i = 1; i <= c->path_len; i++) {
        if (i < c->path_len && c->path[i] != '/')
            continue;
        if (i > start) {
            struct seg cur = {c->path + start, i - start};
            if (s->count++ == 0)
                s->first = cur;
            s->prev = s->last;
            s->last = cur;
        }
        start = i + 1;
    }
}

static enum section section_of(const struct segs *s)
{
    if (s->count == 0)
        return SEC_NONE;
    for (int i = 0; i < SEC_COUNT; i++)
        if (seg_is(s->first, section_path[i] + 1))
            return (enum section)i;
    return SEC_NONE;
}

/* "/<section>/{id…}/<action>": at least three segments, the id being everything in between. */
static bool item_action(const struct segs *s, const char *section, const char *action)
{
    return s->count >= 3 && seg_is(s->first, section) && seg_is(s->last, action);
}

static bool is_attach_ws(const struct segs *s)
{
    return s->count >= 4 && seg_is(s->first, "containers") && seg_is(s->prev, "attach") &&
           seg_is(s->last, "ws");
}

static enum route_kind route_of(enum method m, const struct segs *s)
{
    if (m == M_POST && (item_action(s, "containers", "attach") || item_action(s, "exec", "start")))
        return ROUTE_HIJACK;
    if (m == M_POST && s->count == 1 && (seg_is(s->first, "session") || seg_is(s->first, "grpc")))
        return ROUTE_HIJACK;
    if (m == M_GET && is_attach_ws(s))
        return ROUTE_HIJACK;
    if (m == M_GET && s->count == 1 && seg_is(s->first, "events"))
        return ROUTE_EVENTS;
    return ROUTE_PLAIN;
}

enum route_kind policy_route(const char *method, size_t method_len, const struct canon *c)
{
    struct segs s;
    split(c, &s);
    return route_of(method_of(method, method_len), &s);
}

/* Container ids and names are [A-Za-z0-9_.-]+ (Tecnativa's class for these rules too). */
static bool container_id(struct seg s)
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
static const char *verb_rule(const struct policy *p, enum method m, const struct segs *s)
{
    if (m != M_POST || s->count != 3 || !seg_is(s->first, "containers") || !container_id(s->prev))
        return NULL;
    for (size_t i = 0; i < sizeof(verb_rules) / sizeof(verb_rules[0]); i++)
        if (p->allow[verb_rules[i].flag] && seg_is(s->last, verb_rules[i].verb))
            return allow_env[verb_rules[i].flag];
    return NULL;
}

/* Rules stricter than Tecnativa under /containers/{id}/…; returns the deny rule or NULL. */
static const char *container_rule(const struct policy *p, enum method m, const struct segs *s)
{
    if (s->count < 3 || !seg_is(s->first, "containers"))
        return NULL;
    if (is_attach_ws(s) && !p->post)
        return "POST=0"; /* a GET that writes to the container's stdin */
    if (m == M_POST && seg_is(s->last, "exec") && !p->section[SEC_EXEC])
        return section_off[SEC_EXEC];
    if (m != M_PUT && seg_is(s->last, "archive") && !p->allow[AL_ARCHIVE])
        return allow_off[AL_ARCHIVE];
    for (size_t i = 0; i < sizeof(read_rules) / sizeof(read_rules[0]); i++)
        if (seg_is(s->last, read_rules[i].action) && !p->allow[read_rules[i].flag])
            return allow_off[read_rules[i].flag];
    return NULL;
}

static struct verdict verdict_of(bool allow, const char *rule, enum section sec,
                                 enum route_kind route)
{
    struct verdict v = {allow, rule, sec, route};
    return v;
}

struct verdict policy_decide(const struct policy *p, const char *method, size_t method_len,
                             const struct canon *c)
{
    struct segs s;
    split(c, &s);
    enum method m = method_of(method, method_len);
    enum route_kind route = route_of(m, &s);
    enum section sec = section_of(&s);

    if (m == M_OTHER)
        return verdict_of(false, "method", sec, route);
    if (s.count > 0 && seg_is(s.first, "debug"))
        return verdict_of(false, "debug", sec, route);
    if (sec == SEC_NONE)
        return verdict_of(false, "no-section", sec, route);
    const char *rule = verb_rule(p, m, &s);
    if (rule)
        return verdict_of(true, rule, sec, route);
    if (m != M_GET && m != M_HEAD && !p->post)
        return verdict_of(false, "POST=0", sec, route);
    rule = container_rule(p, m, &s);
    if (rule)
        return verdict_of(false, rule, sec, route);
    if (p->section[sec])
        return verdict_of(true, section_env[sec], sec, route);
    return verdict_of(false, section_off[sec], sec, route);
}
