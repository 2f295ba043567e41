/* fuzz_policy: the first FLAG_BYTES bytes choose the flags, one more byte names an extra flag,
 * the rest is "METHOD target". The request goes in as facts (request_facts_from_target). Checks
 * that the decision is deterministic, that its route kind is the one the proxy has always framed
 * by (reference rule below, independent of endpoint.c's table), that the verdict's section and
 * endpoint are the facts', only ever allows through a rule that exists for it, never allows more
 * with fewer flags (every flag only opens), that the defaults open nothing but GET/HEAD on EVENTS,
 * PING and VERSION, and that the query never changes the verdict. */
#include <stdint.h>
#include <string.h>

#include "http/canon.h"
#include "policy/policy.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define NFLAGS (SEC_COUNT + AL_COUNT + 1)
#define FLAG_BYTES ((NFLAGS + 7) / 8)

static bool *flag_ref(struct policy *p, int i)
{
    if (i < SEC_COUNT)
        return &p->section[i];
    if (i < SEC_COUNT + AL_COUNT)
        return &p->allow[i - SEC_COUNT];
    return &p->post;
}

static bool eq(const char *p, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(p, s, len) == 0;
}

static bool seg_is(struct http_view v, const char *s)
{
    return eq(v.p, v.len, s);
}

/* The route rule sockwarden has always framed by. */
static enum route_kind reference_route(const char *m, size_t mlen, const struct path_segs *s)
{
    bool post = eq(m, mlen, "POST"), get = eq(m, mlen, "GET");
    if (post && s->count >= 3 &&
        ((seg_is(s->first, "containers") && seg_is(s->last, "attach")) ||
         (seg_is(s->first, "exec") && seg_is(s->last, "start"))))
        return ROUTE_HIJACK;
    if (post && s->count == 1 && (seg_is(s->first, "session") || seg_is(s->first, "grpc")))
        return ROUTE_HIJACK;
    if (get && s->count >= 4 && seg_is(s->first, "containers") && seg_is(s->prev, "attach") &&
        seg_is(s->last, "ws"))
        return ROUTE_HIJACK;
    if (get && s->count == 1 && seg_is(s->first, "events"))
        return ROUTE_EVENTS;
    return ROUTE_PLAIN;
}

static struct verdict decide(const struct policy *p, const struct request_facts *f)
{
    return policy_decide(p, f);
}

static bool first_segment_is(const struct canon *c, const char *sec_path)
{
    size_t n = strlen(sec_path);
    return c->path_len >= n && memcmp(c->path, sec_path, n) == 0 &&
           (c->path_len == n || c->path[n] == '/');
}

static void check_allowed(const struct policy *p, const char *m, size_t mlen,
                          const struct canon *c, struct verdict v)
{
    bool read = eq(m, mlen, "GET") || eq(m, mlen, "HEAD");
    REQUIRE(read || eq(m, mlen, "POST") || eq(m, mlen, "PUT") || eq(m, mlen, "DELETE"));
    REQUIRE(v.section != SEC_NONE && first_segment_is(c, section_path[v.section]));
    REQUIRE(!first_segment_is(c, "/debug"));
    if (strncmp(v.rule, "ALLOW_", 6) == 0) {
        /* Only the container verbs, only POST, only with their flag. */
        REQUIRE(eq(m, mlen, "POST") && v.section == SEC_CONTAINERS);
        int k = 0;
        while (k < AL_COUNT && strcmp(allow_env[k], v.rule) != 0)
            k++;
        REQUIRE(k <= AL_UNPAUSE && p->allow[k]);
    } else {
        REQUIRE(strcmp(v.rule, section_env[v.section]) == 0 && p->section[v.section]);
        REQUIRE(read || p->post);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct canon c;
    if (size < FLAG_BYTES + 1)
        return 0;
    struct policy p;
    memset(&p, 0, sizeof(p));
    for (int i = 0; i < NFLAGS; i++)
        *flag_ref(&p, i) = (data[i / 8] >> (i % 8)) & 1;
    int extra = data[FLAG_BYTES] % NFLAGS;
    const char *line = (const char *)data + FLAG_BYTES + 1;
    size_t len = size - FLAG_BYTES - 1;
    const char *sp = memchr(line, ' ', len);
    if (!sp)
        return 0;
    const char *m = line, *t = sp + 1;
    size_t mlen = (size_t)(sp - line), tlen = len - mlen - 1;
    const char *reason;
    if (canon_target(t, tlen, &c, &reason) != 0)
        return 0;

    struct request_facts f;
    request_facts_from_target(&f, (struct http_view){m, mlen}, &c, &client_unknown);
    struct verdict v = decide(&p, &f), v2 = decide(&p, &f);
    REQUIRE(v.rule != NULL && v.rule[0] != '\0' && v.reason != NULL && v.actions == ACT_NONE);
    REQUIRE(v.allow == v2.allow && v.rule == v2.rule && v.section == v2.section &&
            v.route == v2.route && v.endpoint == v2.endpoint);
    REQUIRE(v.route == reference_route(m, mlen, &f.segs));
    REQUIRE(v.section == f.ep.section && v.endpoint == f.ep.id && v.route == f.ep.route);
    if (v.allow)
        check_allowed(&p, m, mlen, &c, v);

    /* The query is not judged (yet): without it, or with one Go refuses, the verdict is the same. */
    struct request_facts nq = f;
    nq.query = (struct http_view){NULL, 0};
    nq.query_status = f.query_status == QUERY_OK ? QUERY_SEMICOLON : QUERY_OK;
    struct verdict vq = decide(&p, &nq);
    REQUIRE(vq.allow == v.allow && vq.rule == v.rule);

    /* Flags only open: one more flag never turns an allow into a deny. */
    struct policy more = p;
    *flag_ref(&more, extra) = true;
    if (v.allow)
        REQUIRE(decide(&more, &f).allow);

    /* Nothing on: nothing allowed. The defaults: GET/HEAD on EVENTS, PING, VERSION only. */
    struct policy none;
    memset(&none, 0, sizeof(none));
    REQUIRE(!decide(&none, &f).allow);
    struct policy def;
    policy_default(&def);
    struct verdict d = decide(&def, &f);
    if (d.allow) {
        REQUIRE(d.section == SEC_EVENTS || d.section == SEC_PING || d.section == SEC_VERSION);
        REQUIRE(eq(m, mlen, "GET") || eq(m, mlen, "HEAD"));
    }
    return 0;
}
