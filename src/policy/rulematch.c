/* rulematch — `match` lines of a rule file (see rulefile.h for the contract, rules.h for the data).
 *
 * Each clause is parsed into a struct rule_match and compared with every clause already read, in
 * every profile: a clause claimed twice is an error, naming the profile and line that claimed it
 * first. Listeners are BIND_CONFIG's as the caller names them; addresses are kept as IPv6 (IPv4
 * mapped into ::ffff:0:0/96) so that 10.0.0.0/8 and ::ffff:10.0.0.0/104 are one claim.
 */
#include "base/util.h"
#include "policy/rule_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Decimal without sign or leading zero, at most max; false otherwise. */
static bool decimal(const char *p, size_t len, unsigned long long max, unsigned long long *out)
{
    if (len == 0 || len > 20 || (len > 1 && p[0] == '0'))
        return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* a.b.c.d, four decimal octets without leading zeros. */
static bool parse_v4(const char *p, size_t len, unsigned char out[4])
{
    size_t part = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && p[i] != '.')
            continue;
        unsigned long long v;
        if (part == 4 || !decimal(p + start, i - start, 255, &v))
            return false;
        out[part++] = (unsigned char)v;
        start = i + 1;
    }
    return part == 4;
}

static void mask(unsigned char a[16], unsigned prefix)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
        a[i] &= bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
    }
}

static int match_from(struct rparse *ps, struct rword w, struct rule_match *m)
{
    const char *slash = memchr(w.p, '/', w.len);
    size_t alen = slash ? (size_t)(slash - w.p) : w.len;
    bool v6 = memchr(w.p, ':', alen) != NULL;
    char buf[64];
    bool ok = alen < sizeof(buf);
    if (ok) {
        memcpy(buf, w.p, alen);
        buf[alen] = '\0';
        if (v6) {
            ok = inet_pton(AF_INET6, buf, m->addr) == 1;
        } else {
            memcpy(m->addr, v4mapped, sizeof(v4mapped));
            ok = parse_v4(buf, alen, m->addr + 12);
        }
    }
    if (!ok)
        return rp_fail(ps, w.col,
                       "expected an IPv4 or IPv6 address or network (CIDR) after "
                       "'match from', found " RP_Q,
                       RP_W(w));
    unsigned max = v6 ? 128 : 32;
    unsigned long long prefix = max;
    if (slash && !decimal(slash + 1, w.len - alen - 1, max, &prefix))
        return rp_fail(ps, w.col, "expected a prefix length from 0 to %u after '/', found " RP_Q,
                       max, RP_W(w));
    m->v4 = !v6;
    m->prefix = (unsigned)prefix + (v6 ? 0 : 96);
    unsigned char net[16];
    memcpy(net, m->addr, 16);
    mask(net, m->prefix);
    if (memcmp(net, m->addr, 16) != 0) {
        char canon[INET6_ADDRSTRLEN];
        if (v6)
            inet_ntop(AF_INET6, net, canon, sizeof(canon));
        else
            snprintf(canon, sizeof(canon), "%u.%u.%u.%u", net[12], net[13], net[14], net[15]);
        return rp_fail(ps, w.col,
                       "expected a network address with no host bits set (%s/%u), "
                       "found " RP_Q,
                       canon, (unsigned)prefix, RP_W(w));
    }
    return 0;
}

static int match_listener(struct rparse *ps, struct rword w, struct rule_match *m)
{
    const struct rulefile_env *env = ps->env;
    size_t n = env ? env->nlisteners : 0;
    for (size_t i = 0; i < n; i++) {
        if (env->listeners[i] && strlen(env->listeners[i]) == w.len &&
            memcmp(env->listeners[i], w.p, w.len) == 0) {
            m->listener = i;
            return 0;
        }
    }
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof(list); i++) {
        int k = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
                         env->listeners[i] ? env->listeners[i] : "");
        len = k < 0 ? sizeof(list) : len + (size_t)k;
    }
    if (len >= sizeof(list))
        memcpy(list + sizeof(list) - 5, "...", 4);
    return rp_fail(ps, w.col, "expected a listener of BIND_CONFIG (%s), found " RP_Q,
                   n ? list : "none given", RP_W(w));
}

static bool same_claim(const struct rule_match *a, const struct rule_match *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case RULE_MATCH_LISTENER:
        return a->listener == b->listener;
    case RULE_MATCH_FROM:
        return a->prefix == b->prefix && memcmp(a->addr, b->addr, 16) == 0;
    case RULE_MATCH_UID:
        return a->uid == b->uid;
    case RULE_MATCH_GID:
        return a->gid == b->gid;
    case RULE_MATCH_CERT:
        return a->name.len == b->name.len && strncasecmp(a->name.p, b->name.p, a->name.len) == 0;
    }
    return false;
}

static const char *const kinds[] = {"listener", "from", "uid", "gid", "client-cert"};

/* The clause already read that m repeats: error, naming the profile that claims it. */
static int check_claim(struct rparse *ps, const struct rule_match *m, unsigned col)
{
    size_t cur = ps->profiles.n - 1, owner = 0;
    for (size_t i = 0; i < ps->matches.n; i++) {
        const struct rule_match *o = rvec_at(&ps->matches, i);
        while (owner + 1 < ps->profiles.n &&
               ((const struct rprofile *)rvec_at(&ps->profiles, owner + 1))->match0 <= i)
            owner++;
        if (!same_claim(o, m))
            continue;
        const struct rprofile *p = rvec_at(&ps->profiles, owner);
        if (owner == cur)
            return rp_fail(ps, col,
                           "expected each match once in a profile, found 'match "
                           "%s %s' again (first at line %u)",
                           kinds[m->kind], m->name.p, o->src.line);
        return rp_fail(ps, col,
                       "expected a match no other profile claims, found 'match "
                       "%s %s', which profile %s claims at line %u",
                       kinds[m->kind], m->name.p, p->p.name.p, o->src.line);
    }
    return 0;
}

int rulematch_parse(struct rparse *ps)
{
    static const char *const what[] = {"an address of BIND_CONFIG", "an address or network (CIDR)",
                                       "a uid", "a gid", "a certificate name"};
    if (ps->nw < 2)
        return rp_fail(ps, ps->w[0].col + 5,
                       "expected listener, from, uid, gid or client-cert "
                       "after 'match', found the end of the line");
    struct rule_match m;
    memset(&m, 0, sizeof(m));
    size_t k = 0;
    while (k < NELEM(kinds) && !rp_is(ps->w[1], kinds[k]))
        k++;
    if (k == NELEM(kinds))
        return rp_fail(ps, ps->w[1].col,
                       "expected listener, from, uid, gid or client-cert after "
                       "'match', found " RP_Q,
                       RP_W(ps->w[1]));
    m.kind = (enum rule_match_kind)k;
    if (ps->nw < 3)
        return rp_fail(ps, ps->w[1].col + (unsigned)ps->w[1].len,
                       "expected %s after 'match %s', "
                       "found the end of the line",
                       what[k], kinds[k]);
    if (ps->nw > 3)
        return rp_fail(ps, ps->w[3].col,
                       "expected the end of the line after 'match %s' and its "
                       "value, found " RP_Q,
                       kinds[k], RP_W(ps->w[3]));
    struct rword v = ps->w[2];
    m.src = rp_src(ps, ps->w[0].col);
    m.name = rp_str(ps, v.p, v.len);
    if (!m.name.p)
        return rp_oom(ps, v.col);
    unsigned long long id;
    int rc = 0;
    switch (m.kind) {
    case RULE_MATCH_LISTENER:
        rc = match_listener(ps, v, &m);
        break;
    case RULE_MATCH_FROM:
        rc = match_from(ps, v, &m);
        break;
    case RULE_MATCH_UID:
    case RULE_MATCH_GID:
        /* (uid_t)-1 means "no change" to the kernel's set*id calls: never an identity. */
        if (!decimal(v.p, v.len, 4294967294ull, &id))
            return rp_fail(ps, v.col,
                           "expected %s (a decimal number from 0 to 4294967294), found " RP_Q,
                           what[k], RP_W(v));
        if (m.kind == RULE_MATCH_UID)
            m.uid = (uid_t)id;
        else
            m.gid = (gid_t)id;
        break;
    case RULE_MATCH_CERT:
        break;
    }
    if (rc < 0 || check_claim(ps, &m, v.col) < 0)
        return -1;
    if (ps->matches.n == RULEFILE_MAX_MATCHES)
        return rp_fail(ps, ps->w[0].col, "expected at most %d match lines, found more",
                       RULEFILE_MAX_MATCHES);
    struct rule_match *slot = rvec_push(&ps->matches);
    if (!slot)
        return rp_oom(ps, ps->w[0].col);
    *slot = m;
    return 0;
}
