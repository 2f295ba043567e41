/* rulecover — whether an earlier rule covers a later one, and the error or warning that follows
 * (see rulefile.h for the contract).
 *
 * "E covers L" means every request L matches, E matches too; it is reported only when that
 * surely holds, so a file is never refused for a coverage that is not there:
 *  - methods: E's mask holds all of L's (GET carrying HEAD on both sides);
 *  - paths: each of L's patterns is covered by one of E's, segment by segment: a literal covers
 *    the same literal; `*` covers any one-segment pattern (literal, {id}, *); {id} covers {id},
 *    and a literal only when L's pattern is all literals, the literal looks like an id
 *    ([A-Za-z0-9][A-Za-z0-9_.-]*) and is no fixed word there: putting another id in its place
 *    leaves the endpoint (endpoint.h) the same for every method of L — so `/networks/{id}`
 *    covers `GET /networks/create` (an inspect) but not `POST /networks/create`; {ref} covers
 *    {ref} with the same literal tail, and a run of literals that is plainly a reference
 *    (lower-case name components separated by '.', '_' or '-', a ":tag" on the last) under the
 *    same endpoint test; `**` covers one or more segments of anything; "/networks" (which also
 *    matches "/networks/") is covered only by "/networks";
 *  - query: every condition of E is implied by L's: E's KEY by L's KEY or KEY=…; E's !KEY by L's
 *    !KEY or an `only` of L without KEY; E's KEY=V… by L's KEY=W… with W ⊆ V; E's `only` by an
 *    `only` of L whose keys (less those L requires absent) E's lists too.
 * Body grants play no part: an allow that covers another decides first, with its own grants.
 */
#include "base/util.h"
#include "policy/rule_parse.h"

#include <stdio.h>
#include <string.h>

/* ---- paths --------------------------------------------------------------------------------- */

static bool alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool id_like(struct rule_str s)
{
    if (s.len == 0 || !alnum(s.p[0]))
        return false;
    for (size_t i = 1; i < s.len; i++)
        if (!alnum(s.p[i]) && s.p[i] != '_' && s.p[i] != '.' && s.p[i] != '-')
            return false;
    return true;
}

/* A reference's path component [a-z0-9]+([._-][a-z0-9]+)*, and on the last one an optional
 * ":TAG" ([A-Za-z0-9_][A-Za-z0-9_.-]*). */
static bool ref_like(struct rule_str s, bool last)
{
    const char *colon = last ? memchr(s.p, ':', s.len) : NULL;
    size_t n = colon ? (size_t)(colon - s.p) : s.len;
    bool sep = true; /* a separator may not start, end or repeat */
    for (size_t i = 0; i < n; i++) {
        bool is_sep = s.p[i] == '.' || s.p[i] == '_' || s.p[i] == '-';
        if (is_sep ? sep : !lower_alnum(s.p[i]))
            return false;
        sep = is_sep;
    }
    if (n == 0 || sep)
        return false;
    if (!colon)
        return true;
    const char *tag = colon + 1;
    size_t tlen = s.len - n - 1;
    if (tlen == 0 || !(alnum(tag[0]) || tag[0] == '_'))
        return false;
    for (size_t i = 1; i < tlen; i++)
        if (!alnum(tag[i]) && tag[i] != '_' && tag[i] != '.' && tag[i] != '-')
            return false;
    return true;
}

static bool all_literal(const struct rule_path *p)
{
    for (size_t i = 0; i < p->nsegs; i++)
        if (p->segs[i].kind != RULE_SEG_LITERAL)
            return false;
    return true;
}

static bool lit_eq(const struct rule_seg *a, const struct rule_seg *b)
{
    return a->kind == RULE_SEG_LITERAL && b->kind == RULE_SEG_LITERAL && a->lit.len == b->lit.len &&
           memcmp(a->lit.p, b->lit.p, a->lit.len) == 0;
}

/* p is all literals: is its endpoint, for each method of methods, the same once segments
 * [a, b) are replaced by one plain id? Then those segments are no fixed word of the route. */
static bool same_endpoint(const struct rule_path *p, size_t a, size_t b, unsigned methods)
{
    char other[RULEFILE_MAX_LINE + 8];
    size_t n = 0;
    for (size_t i = 0; i < p->nsegs; i++) {
        if (i >= a && i < b) {
            if (i == a) {
                memcpy(other + n, "/x0", 3);
                n += 3;
            }
            continue;
        }
        other[n++] = '/';
        memcpy(other + n, p->segs[i].lit.p, p->segs[i].lit.len);
        n += p->segs[i].lit.len;
    }
    struct path_segs s1, s2;
    endpoint_split((struct http_view){p->text.p, p->text.len}, &s1);
    endpoint_split((struct http_view){other, n}, &s2);
    for (unsigned m = METHOD_GET; m <= METHOD_DELETE; m++) {
        if (!(methods & RULE_METHOD_BIT(m)))
            continue;
        struct endpoint e1, e2;
        endpoint_classify((enum api_method)m, &s1, &e1);
        endpoint_classify((enum api_method)m, &s2, &e2);
        if (e1.id != e2.id)
            return false;
    }
    return true;
}

/* Segments [a, b) of the later pattern that a placeholder of the earlier one covers only if they
 * are no fixed word there: checked once the rest of the pattern matched (the cheap part first). */
struct pending {
    size_t a[RULEFILE_MAX_SEGS], b[RULEFILE_MAX_SEGS];
    size_t n;
};

/* {ref} at q->segs[qi] against p from pi on. */
static bool ref_covers(const struct rule_path *q, size_t qi, const struct rule_path *p, size_t pi,
                       struct pending *pd)
{
    size_t tail = q->nsegs - qi - 1, np = p->nsegs;
    if (np < pi + 1 + tail)
        return false;
    size_t pj = np - tail;
    for (size_t t = 0; t < tail; t++)
        if (!lit_eq(&q->segs[qi + 1 + t], &p->segs[pj + t]))
            return false;
    if (pj == pi + 1 && p->segs[pi].kind == RULE_SEG_REF)
        return true;
    if (!all_literal(p))
        return false;
    for (size_t t = pi; t < pj; t++)
        if (!ref_like(p->segs[t].lit, t + 1 == pj))
            return false;
    pd->a[pd->n] = pi;
    pd->b[pd->n++] = pj;
    return true;
}

static bool path_shape_covers(const struct rule_path *q, const struct rule_path *p,
                              struct pending *pd)
{
    if (p->networks_slash || q->networks_slash)
        return p->networks_slash && q->networks_slash;
    size_t pi = 0;
    for (size_t qi = 0; qi < q->nsegs; qi++, pi++) {
        const struct rule_seg *a = &q->segs[qi];
        if (a->kind == RULE_SEG_REST)
            return pi < p->nsegs;
        if (a->kind == RULE_SEG_REF)
            return ref_covers(q, qi, p, pi, pd);
        if (pi >= p->nsegs)
            return false;
        const struct rule_seg *b = &p->segs[pi];
        switch (a->kind) {
        case RULE_SEG_STAR:
            if (b->kind == RULE_SEG_REF || b->kind == RULE_SEG_REST)
                return false;
            break;
        case RULE_SEG_LITERAL:
            if (!lit_eq(a, b))
                return false;
            break;
        case RULE_SEG_ID:
            if (b->kind == RULE_SEG_ID)
                break;
            if (b->kind != RULE_SEG_LITERAL || !all_literal(p) || !id_like(b->lit))
                return false;
            pd->a[pd->n] = pi;
            pd->b[pd->n++] = pi + 1;
            break;
        default:
            return false;
        }
    }
    return pi == p->nsegs;
}

static bool path_covers(const struct rule_path *q, const struct rule_path *p, unsigned methods)
{
    struct pending pd;
    pd.n = 0;
    if (!path_shape_covers(q, p, &pd))
        return false;
    for (size_t i = 0; i < pd.n; i++)
        if (!same_endpoint(p, pd.a[i], pd.b[i], methods))
            return false;
    return true;
}

/* ---- query --------------------------------------------------------------------------------- */

static bool str_eq(struct rule_str a, struct rule_str b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static bool listed(const struct rule_cond *c, struct rule_str s)
{
    for (size_t i = 0; i < c->nvals; i++)
        if (str_eq(c->vals[i], s))
            return true;
    return false;
}

static const struct rule_cond *cond_on(const struct rule *r, struct rule_str key)
{
    for (size_t i = 0; i < r->nconds; i++)
        if (r->conds[i].kind != RULE_COND_ONLY && str_eq(r->conds[i].key, key))
            return &r->conds[i];
    return NULL;
}

static const struct rule_cond *only_of(const struct rule *r)
{
    for (size_t i = 0; i < r->nconds; i++)
        if (r->conds[i].kind == RULE_COND_ONLY)
            return &r->conds[i];
    return NULL;
}

/* Every request that meets l's conditions meets e. */
static bool implied(const struct rule_cond *e, const struct rule *l)
{
    const struct rule_cond *c = e->kind == RULE_COND_ONLY ? NULL : cond_on(l, e->key);
    const struct rule_cond *only = only_of(l);
    switch (e->kind) {
    case RULE_COND_PRESENT:
        return c && (c->kind == RULE_COND_PRESENT || c->kind == RULE_COND_VALUES);
    case RULE_COND_ABSENT:
        return (c && c->kind == RULE_COND_ABSENT) || (only && !listed(only, e->key));
    case RULE_COND_VALUES:
        if (!c || c->kind != RULE_COND_VALUES)
            return false;
        for (size_t i = 0; i < c->nvals; i++)
            if (!listed(e, c->vals[i]))
                return false;
        return true;
    case RULE_COND_ONLY:
        if (!only)
            return false;
        for (size_t i = 0; i < only->nvals; i++) {
            const struct rule_cond *k = cond_on(l, only->vals[i]);
            if (!listed(e, only->vals[i]) && !(k && k->kind == RULE_COND_ABSENT))
                return false;
        }
        return true;
    }
    return false;
}

/* ---- rules --------------------------------------------------------------------------------- */

bool rule_covers(const struct rule *e, const struct rule *l)
{
    if ((e->methods & l->methods) != l->methods)
        return false;
    for (size_t i = 0; i < e->nconds; i++)
        if (!implied(&e->conds[i], l))
            return false;
    for (size_t i = 0; i < l->npaths; i++) {
        bool covered = false;
        for (size_t k = 0; k < e->npaths && !covered; k++)
            covered = path_covers(&e->paths[k], &l->paths[i], l->methods);
        if (!covered)
            return false;
    }
    return true;
}

static bool has_grants(const struct rule_grants *g)
{
    return g->flags || g->caps || g->nbinds || g->ndevices || g->nruntimes;
}

int rulecover_check(struct rparse *ps, const struct rule *rules, size_t n)
{
    const struct rule *l = &rules[n - 1];
    const struct rule *same = NULL;
    for (size_t k = 0; k + 1 < n; k++) {
        const struct rule *e = &rules[k];
        if (!rule_covers(e, l))
            continue;
        if (e->verdict == l->verdict) {
            same = same ? same : e;
            continue;
        }
        char at[RULE_DIAG_MSG / 2] = "";
        if (e->src.file != e->at.file)
            snprintf(at, sizeof(at), " (%s:%u)", e->at.file, e->at.line);
        return rp_fail(ps, l->src.col,
                       "%s can never decide: %s at %s:%u%s covers every request "
                       "it matches",
                       rule_verdict_name(l->verdict), rule_verdict_name(e->verdict), e->src.file,
                       e->src.line, at);
    }
    if (same) {
        char at[RULE_DIAG_MSG / 2] = "";
        if (same->src.file != same->at.file)
            snprintf(at, sizeof(at), " (%s:%u)", same->at.file, same->at.line);
        rp_warn(ps, l->src.col,
                "%s can never decide: %s at %s:%u%s covers every request it "
                "matches%s",
                rule_verdict_name(l->verdict), rule_verdict_name(same->verdict), same->src.file,
                same->src.line, at,
                has_grants(&l->grants) ? " (so its body grants never apply)" : "");
    }
    return 0;
}
