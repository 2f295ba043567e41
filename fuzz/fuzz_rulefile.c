/* fuzz_rulefile: the input is a rule file. Checks that rulefile_parse() never crashes and either
 *  - fails with one message "fz:LINE:COL: …" whose LINE is a line of the input and COL a column
 *    within that line (at most one past its end), equal to diag.line/col, valid UTF-8 without
 *    control characters, and leaves *out NULL; or
 *  - succeeds with a set whose every rule has at least one path, a non-empty method mask within
 *    RULE_M_ALL (GET carrying HEAD), paths that start with a segment, conditions and grants as
 *    documented, sources inside the input, no rule decided away by an earlier rule of the
 *    opposite verdict, and a default profile (if any) that is one of its profiles;
 * and that every warning has the same shape, the same input parses the same way twice, and
 * ruleset_free() frees it all (ASan's leak check). The fake presets exercise nesting and
 * errors inside a preset's text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rule_parse.h"
#include "policy/rulefile.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MAX_IN (64 * 1024)

static const struct rulefile_preset presets[] = {
    {"traefik", "allow GET /_ping /version /events\n"
                "allow GET /containers/json /containers/{id}/json /networks\n"},
    {"nested", "allow GET /info\npreset traefik\n"},
    {"loop", "preset loop\n"},
    {"bad", "allow GET /ok\r\nallow GET nopath\n"},
    {"ci", "allow POST /containers/create body bind=/srv cap=NET_ADMIN\n"
           "deny * /containers/{id}/exec\n"},
    {NULL, NULL},
};

static const char *const listeners[] = {"127.0.0.1:2376", "/run/sockwarden.sock", "[::]:2375"};
static const struct rulefile_env env = {listeners, 3, rulefile_preset_table, presets};

/* Strict UTF-8 without C0 controls or DEL. */
static bool clean_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x20 || c == 0x7f)
            return false;
        size_t n = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (n == 0)
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

/* Reads "fz:LINE:COL: " at the start of msg; the position must be inside the input. */
static void check_position(const char *msg, const char *in, size_t size, unsigned *line,
                           unsigned *col)
{
    REQUIRE(strncmp(msg, "fz:", 3) == 0);
    char *end;
    unsigned long l = strtoul(msg + 3, &end, 10);
    REQUIRE(*end == ':');
    unsigned long c = strtoul(end + 1, &end, 10);
    REQUIRE(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
    REQUIRE(l >= 1 && c >= 1);
    /* Find line l; an empty input has one empty line. */
    size_t start = 0;
    for (unsigned long k = 1; k < l; k++) {
        const char *nl = memchr(in + start, '\n', size - start);
        REQUIRE(nl != NULL);
        start = (size_t)(nl - in) + 1;
    }
    const char *nl = memchr(in + start, '\n', size - start);
    size_t len = (nl ? (size_t)(nl - in) : size) - start;
    REQUIRE(c <= len + 1);
    *line = (unsigned)l;
    *col = (unsigned)c;
}

static void check_src(const struct rule_src *s, const struct ruleset *rs, size_t lines)
{
    REQUIRE(s->file && s->line >= 1 && s->col >= 1);
    if (s->file == rs->filename)
        REQUIRE(s->line <= lines);
    else
        REQUIRE(strncmp(s->file, "preset ", 7) == 0);
}

static void check_str(struct rule_str s)
{
    REQUIRE(s.p && s.p[s.len] == '\0' && strlen(s.p) == s.len);
}

static void check_rule(const struct rule *r, const struct ruleset *rs, size_t lines)
{
    REQUIRE(r->verdict == RULE_ALLOW || r->verdict == RULE_DENY);
    REQUIRE(r->methods && (r->methods & ~(unsigned)RULE_M_ALL) == 0);
    REQUIRE((r->methods_written & ~r->methods) == 0);
    REQUIRE(!(r->methods & RULE_M_GET) || (r->methods & RULE_M_HEAD));
    REQUIRE(r->npaths >= 1 && r->paths);
    check_src(&r->src, rs, lines);
    check_src(&r->at, rs, lines);
    REQUIRE(r->at.file == rs->filename);
    for (size_t i = 0; i < r->npaths; i++) {
        const struct rule_path *p = &r->paths[i];
        check_str(p->text);
        REQUIRE(p->nsegs >= 1 && p->nsegs <= RULEFILE_MAX_SEGS && p->text.p[0] == '/');
        for (size_t k = 0; k < p->nsegs; k++) {
            check_str(p->segs[k].lit);
            REQUIRE(p->segs[k].lit.len > 0);
            REQUIRE(p->segs[k].kind != RULE_SEG_REST || k + 1 == p->nsegs);
        }
    }
    for (size_t i = 0; i < r->nconds; i++) {
        const struct rule_cond *c = &r->conds[i];
        check_str(c->key);
        bool list = c->kind == RULE_COND_VALUES || c->kind == RULE_COND_ONLY;
        REQUIRE(list ? c->nvals >= 1 && c->vals : c->nvals == 0);
        REQUIRE((c->kind == RULE_COND_ONLY) == (c->key.len == 0));
        for (size_t k = 0; k < c->nvals; k++)
            check_str(c->vals[k]);
    }
    const struct rule_grants *g = &r->grants;
    if (r->verdict == RULE_DENY)
        REQUIRE(!g->flags && !g->caps && !g->nbinds && !g->ndevices && !g->nruntimes);
    REQUIRE((g->caps & rule_cap_default) == 0);
    REQUIRE(!(g->flags & RULE_G_UNSAFE) ||
            (g->flags == RULE_G_UNSAFE && !g->caps && !g->nbinds && !g->ndevices && !g->nruntimes));
    for (size_t k = 0; k < g->nbinds; k++)
        REQUIRE(g->binds[k].path.p[0] == '/');
    for (size_t k = 0; k < g->ndevices; k++)
        REQUIRE(g->devices[k].path.p[0] == '/');
}

static void check_set(const struct ruleset *rs, size_t lines)
{
    REQUIRE(rs->nprofiles >= 1 && strcmp(rs->filename, "fz") == 0);
    REQUIRE(!rs->default_profile || (rs->default_profile >= rs->profiles &&
                                     rs->default_profile < rs->profiles + rs->nprofiles));
    size_t total = 0;
    for (size_t i = 0; i < rs->nprofiles; i++) {
        const struct rule_profile *p = &rs->profiles[i];
        check_str(p->name);
        REQUIRE(ruleset_profile(rs, p->name.p, p->name.len) == p);
        REQUIRE((unsigned)p->mode <= RULE_MODE_LEARN);
        REQUIRE(p->nrules <= RULEFILE_MAX_PROFILE_RULES);
        total += p->nrules;
        for (size_t k = 0; k < p->nmatches; k++) {
            check_str(p->matches[k].name);
            REQUIRE(p->matches[k].prefix <= 128);
            if (p->matches[k].kind == RULE_MATCH_LISTENER)
                REQUIRE(p->matches[k].listener < 3);
        }
        for (size_t k = 0; k < p->npresets; k++)
            REQUIRE(p->presets[k].first_rule + p->presets[k].nrules <= p->nrules);
        for (size_t k = 0; k < p->nrules; k++) {
            check_rule(&p->rules[k], rs, lines);
            for (size_t e = 0; e < k; e++)
                REQUIRE(p->rules[e].verdict == p->rules[k].verdict ||
                        !rule_covers(&p->rules[e], &p->rules[k]));
        }
        for (size_t k = 0; k < p->nvisible; k++)
            check_str(p->visible[k].value);
        for (size_t k = 0; k < p->nstamp; k++)
            check_str(p->stamp[k].key);
    }
    REQUIRE(total == rs->nrules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rule_diag d1, d2;
    if (size > MAX_IN)
        return 0;
    const char *in = (const char *)data;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += in[i] == '\n';
    struct ruleset *rs = (struct ruleset *)1, *again = (struct ruleset *)1;
    int rc = rulefile_parse("fz", in, size, &env, &rs, &d1);
    int rc2 = rulefile_parse("fz", in, size, &env, &again, &d2);
    REQUIRE(rc == 0 || rc == -1);
    REQUIRE(rc == rc2 && strcmp(d1.error, d2.error) == 0);
    REQUIRE(d1.nwarnings == d2.nwarnings && d1.nwarnings_total == d2.nwarnings_total);
    REQUIRE(d1.nwarnings <= RULE_DIAG_WARNINGS && d1.nwarnings <= d1.nwarnings_total);
    REQUIRE(d1.nwarnings == d1.nwarnings_total || d1.nwarnings == RULE_DIAG_WARNINGS);
    for (size_t i = 0; i < d1.nwarnings; i++) {
        unsigned l, c;
        REQUIRE(strcmp(d1.warnings[i], d2.warnings[i]) == 0 && clean_text(d1.warnings[i]));
        check_position(d1.warnings[i], in, size, &l, &c);
    }
    if (rc < 0) {
        unsigned l, c;
        REQUIRE(rs == NULL && again == NULL && clean_text(d1.error));
        check_position(d1.error, in, size, &l, &c);
        REQUIRE(l == d1.line && c == d1.col);
        return 0;
    }
    REQUIRE(rs && again && d1.error[0] == '\0' && d1.line == 0 && d1.col == 0);
    check_set(rs, lines);
    REQUIRE(rs->nprofiles == again->nprofiles && rs->nrules == again->nrules);
    ruleset_free(rs);
    ruleset_free(again);
    return 0;
}
