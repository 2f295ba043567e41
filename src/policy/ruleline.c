/* ruleline — one `allow`/`deny` line: METHODS PATH… [query COND…] [body GRANT…] (see rulefile.h
 * for the contract, rules.h for what each part means to the matcher).
 *
 * The words of the line are in ps->w; every array of the rule is allocated in the arena once its
 * size is known from the words (at most one element a word), so nothing is resized.
 */
#include "base/util.h"
#include "policy/rule_parse.h"

#include <string.h>
#include <strings.h>

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};

/* A part of a word (a method of a list, a segment of a path, a key of `only`) as a word. */
static struct rword part(struct rword w, size_t off, size_t len)
{
    return (struct rword){w.p + off, len, w.col + (unsigned)off};
}

/* ---- methods ------------------------------------------------------------------------------- */

static int parse_methods(struct rparse *ps, struct rword w, struct rule *r)
{
    static const char expect[] = "expected a method (GET, HEAD, POST, PUT, DELETE; several "
                                 "comma-separated) or *";
    if (rp_is(w, "*")) {
        r->methods_written = r->methods = RULE_M_ALL;
        return 0;
    }
    for (size_t s = 0; s <= w.len;) {
        const char *comma = memchr(w.p + s, ',', w.len - s);
        size_t e = comma ? (size_t)(comma - w.p) : w.len;
        struct rword m = part(w, s, e - s);
        if (m.len == 0)
            return rp_fail(ps, m.col, "%s, found an empty one in " RP_Q, expect, RP_W(w));
        if (rp_is(m, "*"))
            return rp_fail(ps, m.col,
                           "expected * alone (it means all five methods), found it in " RP_Q,
                           RP_W(w));
        size_t i = 0;
        while (i < NELEM(method_names) && !rp_is(m, method_names[i]))
            i++;
        if (i == NELEM(method_names)) {
            bool nocase = false;
            for (size_t k = 0; k < NELEM(method_names); k++)
                nocase |= m.len == strlen(method_names[k]) &&
                          strncasecmp(m.p, method_names[k], m.len) == 0;
            return rp_fail(ps, m.col, "%s, found " RP_Q "%s", expect, RP_W(m),
                           nocase ? " (method names are case-sensitive)" : "");
        }
        if (r->methods_written & (1u << i))
            return rp_fail(ps, m.col, "expected each method once, found %s again in " RP_Q,
                           method_names[i], RP_W(w));
        r->methods_written |= 1u << i;
        if (!comma)
            break;
        s = e + 1;
    }
    r->methods = r->methods_written | (r->methods_written & RULE_M_GET ? RULE_M_HEAD : 0);
    return 0;
}

/* ---- paths --------------------------------------------------------------------------------- */

static bool version_like(struct rword s)
{
    if (s.len < 2 || s.p[0] != 'v')
        return false;
    for (size_t i = 1; i < s.len; i++)
        if (!((s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '.'))
            return false;
    return true;
}

static int path_chars(struct rparse *ps, struct rword w)
{
    for (size_t i = 0; i < w.len; i++) {
        unsigned char c = (unsigned char)w.p[i];
        unsigned col = w.col + (unsigned)i;
        if (c < 0x21 || c > 0x7e)
            return rp_fail(ps, col, "expected a path of visible ASCII characters, found " RP_Q,
                           RP_W(w));
        if (c == '%')
            return rp_fail(ps, col,
                           "expected a decoded path (rules match the path as dockerd "
                           "decodes it: no percent-escapes), found " RP_Q,
                           RP_W(w));
        if (c == '?')
            return rp_fail(ps, col,
                           "expected a path without a query (write query COND after "
                           "the paths), found " RP_Q,
                           RP_W(w));
    }
    if (w.len > 1 && w.p[w.len - 1] == '/')
        return rp_fail(ps, w.col + (unsigned)w.len - 1,
                       rp_is(w, "/networks/")
                           ? "expected /networks (it matches /networks/ too), found " RP_Q
                           : "expected a path without a trailing slash, found " RP_Q,
                       RP_W(w));
    return 0;
}

static int parse_segment(struct rparse *ps, struct rword w, struct rword s, size_t idx,
                         struct rule_seg *seg)
{
    if (s.len == 0)
        return rp_fail(ps, s.col,
                       "expected a segment between two slashes, found an empty one in " RP_Q,
                       RP_W(w));
    if (rp_is(s, ".") || rp_is(s, ".."))
        return rp_fail(ps, s.col, "expected a path without . or .. segments, found " RP_Q, RP_W(w));
    if (idx == 0 && version_like(s))
        return rp_fail(ps, s.col,
                       "expected a path without the API version (a rule matches "
                       "/vN.NN/… too), found " RP_Q,
                       RP_W(w));
    seg->kind = rp_is(s, "{id}")    ? RULE_SEG_ID
                : rp_is(s, "{ref}") ? RULE_SEG_REF
                : rp_is(s, "*")     ? RULE_SEG_STAR
                : rp_is(s, "**")    ? RULE_SEG_REST
                                    : RULE_SEG_LITERAL;
    if (seg->kind == RULE_SEG_LITERAL) {
        if (memchr(s.p, '{', s.len) || memchr(s.p, '}', s.len))
            return rp_fail(ps, s.col, "expected {id} or {ref}, found " RP_Q, RP_W(s));
        if (memchr(s.p, '*', s.len))
            return rp_fail(ps, s.col, "expected * or ** as a whole segment, found " RP_Q, RP_W(s));
    }
    seg->lit = rp_str(ps, s.p, s.len);
    return seg->lit.p ? 0 : rp_oom(ps, s.col);
}

static int parse_path(struct rparse *ps, struct rword w, struct rule_path *out)
{
    if (w.p[0] != '/')
        return rp_fail(ps, w.col,
                       "expected a path starting with '/' (or query, or body), found " RP_Q,
                       RP_W(w));
    if (w.len == 1)
        return rp_fail(ps, w.col, "expected a path with at least one segment, found '/'");
    if (path_chars(ps, w) < 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < w.len; i++)
        n += w.p[i] == '/';
    if (n > RULEFILE_MAX_SEGS)
        return rp_fail(ps, w.col, "expected a path of at most %d segments, found " RP_Q,
                       RULEFILE_MAX_SEGS, RP_W(w));
    struct rule_seg *segs = rule_arena_alloc(ps->arena, n * sizeof(*segs));
    if (!segs)
        return rp_oom(ps, w.col);
    unsigned rest_col = 0, ref_col = 0;
    for (size_t i = 0, s = 1; i < n; i++) {
        const char *slash = memchr(w.p + s, '/', w.len - s);
        size_t e = slash ? (size_t)(slash - w.p) : w.len;
        struct rword sw = part(w, s, e - s);
        if (parse_segment(ps, w, sw, i, &segs[i]) < 0)
            return -1;
        if (rest_col)
            return rp_fail(ps, rest_col, "expected ** only as the last segment, found " RP_Q,
                           RP_W(w));
        if (ref_col && segs[i].kind != RULE_SEG_LITERAL)
            return rp_fail(ps, sw.col,
                           "expected only literal segments after {ref} (they anchor "
                           "its end), found " RP_Q,
                           RP_W(sw));
        if (segs[i].kind == RULE_SEG_REST)
            rest_col = sw.col;
        if (segs[i].kind == RULE_SEG_REF)
            ref_col = sw.col;
        s = e + 1;
    }
    out->segs = segs;
    out->nsegs = n;
    out->text = rp_str(ps, w.p, w.len);
    out->networks_slash = rp_is(w, "/networks");
    out->src = rp_src(ps, w.col);
    return out->text.p ? 0 : rp_oom(ps, w.col);
}

/* ---- query conditions ---------------------------------------------------------------------- */

static bool key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static int check_key(struct rparse *ps, struct rword k, struct rword w)
{
    bool ok = k.len > 0;
    for (size_t i = 0; ok && i < k.len; i++)
        ok = key_char(k.p[i]);
    if (!ok)
        return rp_fail(ps, k.col, "expected a query key ([A-Za-z0-9_.-]+), found " RP_Q, RP_W(w));
    return 0;
}

/* Splits w into keys (`only`, sep ',') or values (sep '|') and stores them in c->vals. */
static int split_list(struct rparse *ps, struct rword w, char sep, bool keys, struct rule_cond *c)
{
    size_t n = 1;
    for (size_t i = 0; i < w.len; i++)
        n += w.p[i] == sep;
    if (n > RULEFILE_MAX_VALUES)
        return rp_fail(ps, w.col, "expected at most %d %s, found " RP_Q, RULEFILE_MAX_VALUES,
                       keys ? "keys after 'only'" : "values of a key", RP_W(w));
    struct rule_str *vals = rule_arena_alloc(ps->arena, n * sizeof(*vals));
    if (!vals)
        return rp_oom(ps, w.col);
    for (size_t i = 0, s = 0; i < n; i++) {
        const char *e = memchr(w.p + s, sep, w.len - s);
        size_t end = e ? (size_t)(e - w.p) : w.len;
        struct rword v = part(w, s, end - s);
        if (v.len == 0)
            return rp_fail(ps, v.col,
                           "expected a %s between separators, found an empty one in " RP_Q,
                           keys ? "key" : "value", RP_W(w));
        if (keys && check_key(ps, v, v) < 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (vals[k].len == v.len && memcmp(vals[k].p, v.p, v.len) == 0)
                return rp_fail(ps, v.col, "expected each %s once, found " RP_Q " again in " RP_Q,
                               keys ? "key" : "value", RP_W(v), RP_W(w));
        vals[i] = rp_str(ps, v.p, v.len);
        if (!vals[i].p)
            return rp_oom(ps, v.col);
        s = end + 1;
    }
    c->vals = vals;
    c->nvals = n;
    return 0;
}

static bool has_val(const struct rule_cond *c, struct rule_str s)
{
    for (size_t i = 0; i < c->nvals; i++)
        if (c->vals[i].len == s.len && memcmp(c->vals[i].p, s.p, s.len) == 0)
            return true;
    return false;
}

/* Whether two conditions on one key can never hold together. */
static bool contradict(const struct rule_cond *a, const struct rule_cond *b)
{
    if ((a->kind == RULE_COND_ABSENT) != (b->kind == RULE_COND_ABSENT))
        return true;
    if (a->kind != RULE_COND_VALUES || b->kind != RULE_COND_VALUES)
        return false;
    for (size_t i = 0; i < a->nvals; i++)
        if (has_val(b, a->vals[i]))
            return false;
    return true;
}

static int parse_cond(struct rparse *ps, struct rword w, struct rule_cond *c)
{
    c->src = rp_src(ps, w.col);
    const char *eq = memchr(w.p, '=', w.len);
    struct rword k = w;
    if (w.p[0] == '!') {
        c->kind = RULE_COND_ABSENT;
        k = part(w, 1, w.len - 1);
    } else if (eq) {
        c->kind = RULE_COND_VALUES;
        k = part(w, 0, (size_t)(eq - w.p));
    } else {
        c->kind = RULE_COND_PRESENT;
    }
    if (check_key(ps, k, w) < 0)
        return -1;
    c->key = rp_str(ps, k.p, k.len);
    if (!c->key.p)
        return rp_oom(ps, w.col);
    if (c->kind != RULE_COND_VALUES)
        return 0;
    struct rword vals = part(w, k.len + 1, w.len - k.len - 1);
    if (vals.len == 0)
        return rp_fail(ps, w.col,
                       "expected KEY=VALUE or KEY=V1|V2 (values are not empty), found " RP_Q,
                       RP_W(w));
    return split_list(ps, vals, '|', false, c);
}

/* words[from, to) are the conditions after `query`. */
static int parse_query(struct rparse *ps, size_t from, size_t to, struct rule *r)
{
    if (from == to)
        return rp_fail(ps, to < ps->nw ? ps->w[to].col : ps->w[to - 1].col + 5,
                       "expected a query condition after 'query', found %s",
                       to < ps->nw ? "'body'" : "the end of the line");
    struct rule_cond *conds = rule_arena_alloc(ps->arena, (to - from) * sizeof(*conds));
    struct rword cw[RULEFILE_MAX_WORDS];
    if (!conds)
        return rp_oom(ps, ps->w[from].col);
    size_t n = 0;
    const struct rule_cond *only = NULL;
    for (size_t i = from; i < to; i++, n++) {
        struct rword w = ps->w[i];
        struct rule_cond *c = &conds[n];
        cw[n] = w;
        if (rp_is(w, "query"))
            return rp_fail(ps, w.col, "expected one 'query' in a rule, found a second");
        if (rp_is(w, "only")) {
            if (only)
                return rp_fail(ps, w.col,
                               "expected one 'only' in a rule, found a second (the "
                               "first is at col %u)",
                               only->src.col);
            if (i + 1 == to)
                return rp_fail(ps, w.col + 4, "expected KEY,KEY,… after 'only', found %s",
                               to < ps->nw ? "'body'" : "the end of the line");
            c->kind = RULE_COND_ONLY;
            c->key = rp_str(ps, "", 0);
            c->src = rp_src(ps, w.col);
            if (!c->key.p)
                return rp_oom(ps, w.col);
            if (split_list(ps, ps->w[++i], ',', true, c) < 0)
                return -1;
            only = c;
            continue;
        }
        if (parse_cond(ps, w, c) < 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            const struct rule_cond *o = &conds[k];
            if (o->kind == RULE_COND_ONLY || o->key.len != c->key.len ||
                memcmp(o->key.p, c->key.p, c->key.len) != 0)
                continue;
            return rp_fail(ps, w.col,
                           contradict(o, c)
                               ? "expected query conditions that can hold together, found " RP_Q
                                 ", which contradicts " RP_Q " (col %u)"
                               : "expected one condition on a query key, found " RP_Q " after " RP_Q
                                 " (col %u)",
                           RP_W(w), RP_W(cw[k]), o->src.col);
        }
    }
    for (size_t k = 0; only && k < n; k++) {
        const struct rule_cond *c = &conds[k];
        if ((c->kind == RULE_COND_PRESENT || c->kind == RULE_COND_VALUES) && !has_val(only, c->key))
            return rp_fail(ps, c->src.col,
                           "expected query conditions that can hold together, "
                           "found " RP_Q ", a key that 'only' (col %u) excludes",
                           RP_W(cw[k]), only->src.col);
    }
    r->conds = conds;
    r->nconds = n;
    return 0;
}

/* ---- body grants --------------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum rule_grant_flag flag;
} flag_grants[] = {
    {"privileged", RULE_G_PRIVILEGED},
    {"devices-gpu", RULE_G_DEVICES_GPU},
    {"host-network", RULE_G_HOST_NETWORK},
    {"host-pid", RULE_G_HOST_PID},
    {"host-ipc", RULE_G_HOST_IPC},
    {"host-uts", RULE_G_HOST_UTS},
    {"host-userns", RULE_G_HOST_USERNS},
    {"host-cgroupns", RULE_G_HOST_CGROUPNS},
    {"join", RULE_G_JOIN},
    {"security-opt", RULE_G_SECURITY_OPT},
    {"sysctl", RULE_G_SYSCTL},
    {"unsafe", RULE_G_UNSAFE},
};

static bool prefix_is(struct rword w, const char *pre)
{
    size_t n = strlen(pre);
    return w.len >= n && memcmp(w.p, pre, n) == 0;
}

/* Absolute and clean: "/" or "/a/b", no empty, "." or ".." segment, no trailing '/'. */
static bool clean_abs(const char *p, size_t len)
{
    if (len == 0 || p[0] != '/')
        return false;
    if (len == 1)
        return true;
    for (size_t s = 1; s <= len;) {
        const char *e = memchr(p + s, '/', len - s);
        size_t end = e ? (size_t)(e - p) : len;
        size_t n = end - s;
        if (n == 0 || (n == 1 && p[s] == '.') || (n == 2 && p[s] == '.' && p[s + 1] == '.'))
            return false;
        if (!e)
            break;
        s = end + 1;
    }
    return true;
}

static int grant_cap(struct rparse *ps, struct rword w, struct rule_grants *g)
{
    struct rword n = part(w, 4, w.len - 4);
    if (rp_is(n, "*") || (n.len == 3 && strncasecmp(n.p, "ALL", 3) == 0)) {
        if (g->flags & RULE_G_CAP_ALL)
            return rp_fail(ps, w.col,
                           "expected each grant once, found " RP_Q " after cap=* or "
                           "cap=ALL",
                           RP_W(w));
        if (g->caps)
            return rp_fail(ps, w.col,
                           "expected " RP_Q " alone (it grants every capability), "
                           "found it after named capabilities",
                           RP_W(w));
        g->flags |= RULE_G_CAP_ALL;
        return 0;
    }
    if (n.len > 4 && strncasecmp(n.p, "CAP_", 4) == 0)
        n = part(n, 4, n.len - 4);
    unsigned i = 0;
    while (i < RULE_CAP_COUNT &&
           !(strlen(rule_cap_name(i)) == n.len && strncasecmp(rule_cap_name(i), n.p, n.len) == 0))
        i++;
    if (i == RULE_CAP_COUNT)
        return rp_fail(ps, w.col,
                       "expected a Linux capability after 'cap=' (such as NET_ADMIN; "
                       "ALL or * for all), found " RP_Q,
                       RP_W(w));
    if (rule_cap_default & RULE_CAP_BIT(i))
        return rp_fail(ps, w.col,
                       "expected a capability outside Docker's default set (%s needs "
                       "no grant), found " RP_Q,
                       rule_cap_name(i), RP_W(w));
    if (g->flags & RULE_G_CAP_ALL)
        return rp_fail(ps, w.col,
                       "expected no named capability after cap=* (it grants every "
                       "one), found " RP_Q,
                       RP_W(w));
    if (g->caps & RULE_CAP_BIT(i))
        return rp_fail(ps, w.col, "expected each capability once, found %s again in " RP_Q,
                       rule_cap_name(i), RP_W(w));
    g->caps |= RULE_CAP_BIT(i);
    return 0;
}

/* bind=PATH[:ro] and device=PATH into list (capacity: one a grant word). */
static int grant_path(struct rparse *ps, struct rword w, bool bind, struct rule_hostpath *list,
                      size_t *n)
{
    size_t off = bind ? 5 : 7;
    struct rword p = part(w, off, w.len - off);
    bool ro = bind && p.len > 3 && memcmp(p.p + p.len - 3, ":ro", 3) == 0;
    if (ro)
        p.len -= 3;
    if (memchr(p.p, ':', p.len))
        return rp_fail(ps, w.col,
                       bind ? "expected bind=PATH or bind=PATH:ro, found " RP_Q
                            : "expected device=PATH (a host path) or device=*, found " RP_Q,
                       RP_W(w));
    if (!clean_abs(p.p, p.len))
        return rp_fail(ps, w.col,
                       "expected a clean absolute host path after '%s' (no //, . or "
                       ".. segments, no trailing /), found " RP_Q,
                       bind ? "bind=" : "device=", RP_W(w));
    for (size_t i = 0; i < *n; i++)
        if (list[i].path.len == p.len && memcmp(list[i].path.p, p.p, p.len) == 0)
            return rp_fail(ps, w.col,
                           "expected each %s path once, found " RP_Q " after " RP_Q " (col %u)",
                           bind ? "bind" : "device", RP_W(w), RP_W(p), list[i].src.col);
    struct rule_hostpath *h = &list[(*n)++];
    h->path = rp_str(ps, p.p, p.len);
    h->ro = ro;
    h->src = rp_src(ps, w.col);
    return h->path.p ? 0 : rp_oom(ps, w.col);
}

static int grant_runtime(struct rparse *ps, struct rword w, struct rule_str *list, size_t *n)
{
    struct rword r = part(w, 8, w.len - 8);
    bool ok = r.len > 0 && key_char(r.p[0]) && r.p[0] != '_' && r.p[0] != '.' && r.p[0] != '-';
    for (size_t i = 1; ok && i < r.len; i++)
        ok = key_char(r.p[i]);
    if (!ok)
        return rp_fail(ps, w.col, "expected runtime=NAME ([A-Za-z0-9][A-Za-z0-9_.-]*), found " RP_Q,
                       RP_W(w));
    for (size_t i = 0; i < *n; i++)
        if (list[i].len == r.len && memcmp(list[i].p, r.p, r.len) == 0)
            return rp_fail(ps, w.col, "expected each runtime once, found " RP_Q " again", RP_W(w));
    list[*n] = rp_str(ps, r.p, r.len);
    return list[(*n)++].p ? 0 : rp_oom(ps, w.col);
}

static int grant_flag(struct rparse *ps, struct rword w, struct rule_grants *g, size_t seen)
{
    for (size_t i = 0; i < NELEM(flag_grants); i++) {
        if (!rp_is(w, flag_grants[i].name))
            continue;
        if (g->flags & flag_grants[i].flag)
            return rp_fail(ps, w.col, "expected each grant once, found " RP_Q " again", RP_W(w));
        if (flag_grants[i].flag == RULE_G_UNSAFE && seen)
            return rp_fail(ps, w.col,
                           "expected 'unsafe' alone (it turns body inspection off), "
                           "found it after other grants");
        g->flags |= flag_grants[i].flag;
        return 0;
    }
    return rp_fail(ps, w.col,
                   "expected a grant (privileged, cap=NAME, bind=PATH[:ro], "
                   "device=PATH, devices-gpu, host-network, host-pid, host-ipc, host-uts, "
                   "host-userns, host-cgroupns, join, security-opt, sysctl, runtime=NAME, unsafe), "
                   "found " RP_Q "%s",
                   RP_W(w), rp_is(w, "query") ? " (query conditions come before body)" : "");
}

/* words[from, nw) are the grants after `body`. */
static int parse_body(struct rparse *ps, size_t from, struct rule *r)
{
    size_t n = ps->nw - from;
    if (n == 0)
        return rp_fail(ps, ps->w[from - 1].col + 4,
                       "expected a grant after 'body', found the end "
                       "of the line");
    struct rule_grants *g = &r->grants;
    struct rule_hostpath *binds = rule_arena_alloc(ps->arena, n * sizeof(*binds));
    struct rule_hostpath *devs = rule_arena_alloc(ps->arena, n * sizeof(*devs));
    struct rule_str *rts = rule_arena_alloc(ps->arena, n * sizeof(*rts));
    if (!binds || !devs || !rts)
        return rp_oom(ps, ps->w[from].col);
    for (size_t i = from; i < ps->nw; i++) {
        struct rword w = ps->w[i];
        int rc;
        if (g->flags & RULE_G_UNSAFE)
            return rp_fail(ps, w.col,
                           "expected 'unsafe' alone (it turns body inspection off), "
                           "found " RP_Q " after it",
                           RP_W(w));
        if (prefix_is(w, "cap="))
            rc = grant_cap(ps, w, g);
        else if (prefix_is(w, "bind="))
            rc = grant_path(ps, w, true, binds, &g->nbinds);
        else if (rp_is(w, "device=*"))
            rc = g->flags & RULE_G_DEVICE_ALL || g->ndevices
                     ? rp_fail(ps, w.col,
                               "expected device=* alone (it grants every device), "
                               "found it after other device grants")
                     : (g->flags |= RULE_G_DEVICE_ALL, 0);
        else if (prefix_is(w, "device="))
            rc = g->flags & RULE_G_DEVICE_ALL
                     ? rp_fail(ps, w.col,
                               "expected no device path after device=* (it grants "
                               "every device), found " RP_Q,
                               RP_W(w))
                     : grant_path(ps, w, false, devs, &g->ndevices);
        else if (prefix_is(w, "runtime="))
            rc = grant_runtime(ps, w, rts, &g->nruntimes);
        else
            rc = grant_flag(ps, w, g, i - from);
        if (rc < 0)
            return -1;
    }
    g->binds = g->nbinds ? binds : NULL;
    g->devices = g->ndevices ? devs : NULL;
    g->runtimes = g->nruntimes ? rts : NULL;
    return 0;
}

/* ---- the line ------------------------------------------------------------------------------ */

int ruleline_parse(struct rparse *ps, struct rule *r)
{
    struct rword v = ps->w[0];
    r->verdict = rp_is(v, "deny") ? RULE_DENY : RULE_ALLOW;
    if (ps->nw < 2)
        return rp_fail(ps, v.col + (unsigned)v.len,
                       "expected methods (GET, HEAD, POST, PUT, "
                       "DELETE, comma-separated, or *) after " RP_Q ", found the end of the line",
                       RP_W(v));
    if (parse_methods(ps, ps->w[1], r) < 0)
        return -1;
    size_t q = 2;
    while (q < ps->nw && !rp_is(ps->w[q], "query") && !rp_is(ps->w[q], "body"))
        q++;
    if (q == 2)
        return rp_fail(ps, q < ps->nw ? ps->w[q].col : ps->w[1].col + (unsigned)ps->w[1].len,
                       "expected a path after the methods, found %s",
                       q < ps->nw ? (rp_is(ps->w[q], "query") ? "'query'" : "'body'")
                                  : "the end of the line");
    size_t np = q - 2;
    if (ps->npaths + np > RULEFILE_MAX_PATHS)
        return rp_fail(ps, v.col, "expected at most %d paths in all rules, found more",
                       RULEFILE_MAX_PATHS);
    struct rule_path *paths = rule_arena_alloc(ps->arena, np * sizeof(*paths));
    if (!paths)
        return rp_oom(ps, v.col);
    for (size_t i = 0; i < np; i++) {
        struct rword w = ps->w[2 + i];
        if (parse_path(ps, w, &paths[i]) < 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (paths[k].text.len == w.len && memcmp(paths[k].text.p, w.p, w.len) == 0)
                return rp_fail(ps, w.col, "expected each path once in a rule, found " RP_Q " again",
                               RP_W(w));
    }
    ps->npaths += np;
    r->paths = paths;
    r->npaths = np;
    size_t b = q;
    if (q < ps->nw && rp_is(ps->w[q], "query")) {
        b = q + 1;
        while (b < ps->nw && !rp_is(ps->w[b], "body"))
            b++;
        if (parse_query(ps, q + 1, b, r) < 0)
            return -1;
    }
    if (b < ps->nw) {
        if (r->verdict == RULE_DENY)
            return rp_fail(ps, ps->w[b].col,
                           "expected no body grants on a deny rule (a deny "
                           "refuses the request whatever its body), found 'body'");
        return parse_body(ps, b + 1, r);
    }
    return 0;
}
