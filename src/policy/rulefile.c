/* rulefile — the rule-file reader: bytes and lines, words, the statements outside allow/deny, and
 * the finished set (see rulefile.h for the contract).
 *
 * One pass, line by line. A line's bytes are checked first (length, NUL, controls, UTF-8), then
 * cut into words, then its statement is parsed. A `preset` line reads the preset's text the same
 * way, in place, with ps->cur pointing at a struct rtext for it, so that every message can say
 * where in the file and where in the preset it is. The statements of all profiles go into a few
 * growable arrays, profile after profile (each profile is a slice of each), which are copied into
 * the set's arena once the whole file has been read.
 */
#include "policy/rulefile.h"
#include "base/util.h"
#include "policy/rule_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable arrays ----------------------------------------------------------------------- */

void *rvec_push(struct rvec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        char *p = realloc(v->p, cap * v->size);
        if (!p)
            return NULL;
        v->p = p;
        v->cap = cap;
    }
    void *e = v->p + v->n++ * v->size;
    memset(e, 0, v->size);
    return e;
}

void *rvec_at(const struct rvec *v, size_t i)
{
    return v->p + i * v->size;
}

/* ---- messages ------------------------------------------------------------------------------ */

int rp_qlen(const char *p, size_t len)
{
    size_t n = len;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

bool rp_is(struct rword w, const char *s)
{
    return w.len == strlen(s) && memcmp(w.p, s, w.len) == 0;
}

/* Appends to buf (cap > 0, always NUL-terminated); returns the new length, or cap - 1 once the
 * text had to be cut (then nothing more is appended). */
__attribute__((format(printf, 4, 0))) static size_t vappend(char *buf, size_t cap, size_t len,
                                                            const char *fmt, va_list ap)
{
    if (len + 1 >= cap)
        return len;
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    if (n < 0)
        return len;
    if ((size_t)n >= cap - len) {
        len = cap - 1; /* truncated: do not leave half a UTF-8 sequence at the end */
        size_t k = len;
        while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0)
            len = k - 1;
        buf[len] = '\0';
        return cap - 1; /* full: nothing more is appended */
    }
    return len + (size_t)n;
}

__attribute__((format(printf, 4, 5))) static size_t append(char *buf, size_t cap, size_t len,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    len = vappend(buf, cap, len, fmt, ap);
    va_end(ap);
    return len;
}

/* "FILE:LINE:COL: " for the file, then "preset NAME:LINE:COL: " for each preset being read. */
static size_t where(const struct rparse *ps, unsigned col, char *buf, size_t cap, unsigned *fline,
                    unsigned *fcol)
{
    const struct rtext *chain[RULEFILE_MAX_PRESET_DEPTH + 2];
    size_t n = 0, len = 0;
    for (const struct rtext *t = ps->cur; t && n < NELEM(chain); t = t->parent)
        chain[n++] = t;
    buf[0] = '\0';
    for (size_t i = n; i-- > 0;) {
        unsigned c = i == 0 ? col : chain[i]->at_col;
        if (i == n - 1) {
            *fline = chain[i]->line;
            *fcol = c;
        }
        len = append(buf, cap, len, "%s:%u:%u: ", chain[i]->file, chain[i]->line, c);
    }
    return len;
}

int rp_fail(struct rparse *ps, unsigned col, const char *fmt, ...)
{
    struct rule_diag *d = ps->diag;
    if (d->error[0])
        return -1;
    size_t len = where(ps, col, d->error, sizeof(d->error), &d->line, &d->col);
    va_list ap;
    va_start(ap, fmt);
    vappend(d->error, sizeof(d->error), len, fmt, ap);
    va_end(ap);
    return -1;
}

void rp_warn(struct rparse *ps, unsigned col, const char *fmt, ...)
{
    struct rule_diag *d = ps->diag;
    if (d->nwarnings_total++ >= RULE_DIAG_WARNINGS)
        return;
    char *buf = d->warnings[d->nwarnings++];
    unsigned line, c;
    size_t len = where(ps, col, buf, RULE_DIAG_MSG, &line, &c);
    va_list ap;
    va_start(ap, fmt);
    vappend(buf, RULE_DIAG_MSG, len, fmt, ap);
    va_end(ap);
}

int rp_oom(struct rparse *ps, unsigned col)
{
    return rp_fail(ps, col, "expected memory for the rule set, found none left");
}

struct rule_src rp_src(const struct rparse *ps, unsigned col)
{
    return (struct rule_src){ps->cur->file, ps->cur->line, col};
}

struct rule_str rp_str(struct rparse *ps, const char *p, size_t len)
{
    char *s = rule_arena_alloc(ps->arena, len + 1);
    if (!s)
        return (struct rule_str){NULL, 0};
    memcpy(s, p, len);
    s[len] = '\0';
    return (struct rule_str){s, len};
}

/* The column just past the last word: where a missing argument was expected. */
static unsigned end_col(const struct rparse *ps)
{
    const struct rword *w = &ps->w[ps->nw - 1];
    return w->col + (unsigned)w->len;
}

/* Exactly n words, else an error: `what` was expected after word n-1, or the end of the line. */
static int words(struct rparse *ps, size_t n, const char *what)
{
    if (ps->nw < n)
        return rp_fail(ps, end_col(ps), "expected %s after " RP_Q ", found the end of the line",
                       what, RP_W(ps->w[ps->nw - 1]));
    if (ps->nw > n)
        return rp_fail(ps, ps->w[n].col, "expected the end of the line after " RP_Q ", found " RP_Q,
                       RP_W(ps->w[n - 1]), RP_W(ps->w[n]));
    return 0;
}

/* ---- bytes, lines, words ------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (strict: shortest form, no surrogates, at most
 * U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp, min;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Checks the line at s; *len is its length without the line end, *next the offset of the next. */
static int check_line(struct rparse *ps, const char *text, size_t avail, size_t *len, size_t *next)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0;;) {
        if (i == avail || s[i] == '\n' || (s[i] == '\r' && i + 1 < avail && s[i + 1] == '\n')) {
            *len = i;
            *next = i == avail ? i : i + 1 + (s[i] == '\r');
            return 0;
        }
        unsigned col = (unsigned)i + 1;
        if (i >= RULEFILE_MAX_LINE)
            return rp_fail(ps, col, "expected a line of at most %d bytes, found a longer one",
                           RULEFILE_MAX_LINE);
        unsigned c = s[i];
        if (c == '\r')
            return rp_fail(ps, col,
                           "expected a line end (LF or CRLF), found a carriage return "
                           "alone");
        if (c == 0)
            return rp_fail(ps, col, "expected text, found a NUL byte");
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return rp_fail(ps, col, "expected text, found the control character 0x%02X", c);
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_len(s + i, avail - i);
        if (n == 0)
            return rp_fail(ps, col, "expected UTF-8 text, found the byte 0x%02X", c);
        if (n == 3 && c == 0xEF && s[i + 1] == 0xBB && s[i + 2] == 0xBF)
            return rp_fail(ps, col,
                           "expected text, found the invisible U+FEFF (a byte-order "
                           "mark)");
        if (c == 0xC2 && s[i + 1] < 0xA0)
            return rp_fail(ps, col, "expected text, found the control character U+%04X",
                           s[i + 1] & 0xFFu);
        i += n;
    }
}

static int split_words(struct rparse *ps, const char *s, size_t len)
{
    ps->nw = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        if (s[i] == '#')
            break;
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '#')
            i++;
        if (ps->nw == RULEFILE_MAX_WORDS)
            return rp_fail(ps, (unsigned)start + 1,
                           "expected at most %d words on a line, found more", RULEFILE_MAX_WORDS);
        ps->w[ps->nw++] = (struct rword){s + start, i - start, (unsigned)start + 1};
    }
    return 0;
}

static int statement(struct rparse *ps);
static int preset_statement(struct rparse *ps);

/* Reads every line of t; t becomes ps->cur meanwhile. */
static int read_text(struct rparse *ps, struct rtext *t)
{
    struct rtext *outer = ps->cur;
    int rc = 0;
    ps->cur = t;
    t->line = 1;
    if (t->len > RULEFILE_MAX_BYTES)
        rc = rp_fail(ps, 1, "expected at most %d bytes, found %zu", RULEFILE_MAX_BYTES, t->len);
    for (size_t off = 0; rc == 0 && off < t->len; t->line++) {
        size_t len = 0, next = 0;
        rc = check_line(ps, t->p + off, t->len - off, &len, &next);
        if (rc == 0)
            rc = split_words(ps, t->p + off, len);
        if (rc == 0 && ps->nw > 0)
            rc = t->parent ? preset_statement(ps) : statement(ps);
        off += next;
        if (rc == 0 && off == t->len)
            break; /* keep t->line at the last line */
    }
    ps->cur = outer;
    return rc;
}

/* ---- profiles, default, mode --------------------------------------------------------------- */

static struct rprofile *cur_profile(const struct rparse *ps)
{
    return rvec_at(&ps->profiles, ps->profiles.n - 1);
}

/* [a-z0-9][a-z0-9_-]*, at most RULEFILE_MAX_NAME bytes: profile and preset names. */
static bool valid_name(struct rword w)
{
    if (w.len == 0 || w.len > RULEFILE_MAX_NAME)
        return false;
    for (size_t i = 0; i < w.len; i++) {
        char c = w.p[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}

static int name_word(struct rparse *ps, const char *what)
{
    int rc = words(ps, 2, what);
    if (rc == 0 && !valid_name(ps->w[1]))
        rc = rp_fail(ps, ps->w[1].col,
                     "expected %s ([a-z0-9][a-z0-9_-]*, at most %d bytes), found " RP_Q, what,
                     RULEFILE_MAX_NAME, RP_W(ps->w[1]));
    return rc;
}

static int st_profile(struct rparse *ps)
{
    if (name_word(ps, "a profile name") < 0)
        return -1;
    struct rword n = ps->w[1];
    for (size_t i = 0; i < ps->profiles.n; i++) {
        const struct rprofile *p = rvec_at(&ps->profiles, i);
        if (p->p.name.len == n.len && memcmp(p->p.name.p, n.p, n.len) == 0)
            return rp_fail(ps, n.col,
                           "expected a new profile name, found " RP_Q
                           ", already a profile at line %u",
                           RP_W(n), p->p.src.line);
    }
    if (ps->profiles.n == RULEFILE_MAX_PROFILES)
        return rp_fail(ps, ps->w[0].col, "expected at most %d profiles, found more",
                       RULEFILE_MAX_PROFILES);
    struct rprofile *p = rvec_push(&ps->profiles);
    if (!p)
        return rp_oom(ps, ps->w[0].col);
    p->p.name = rp_str(ps, n.p, n.len);
    if (!p->p.name.p)
        return rp_oom(ps, n.col);
    p->p.src = rp_src(ps, ps->w[0].col);
    p->p.mode = RULE_MODE_ENFORCE;
    p->match0 = ps->matches.n;
    p->rule0 = ps->rules.n;
    p->preset0 = ps->presets.n;
    p->visible0 = ps->visible.n;
    p->stamp0 = ps->stamp.n;
    ps->in_profile = true;
    return 0;
}

static int st_default(struct rparse *ps)
{
    if (name_word(ps, "a profile name") < 0)
        return -1;
    if (ps->default_src.line)
        return rp_fail(ps, ps->w[0].col,
                       "expected one default line, found a second (the first is "
                       "at line %u)",
                       ps->default_src.line);
    ps->default_name = rp_str(ps, ps->w[1].p, ps->w[1].len);
    if (!ps->default_name.p)
        return rp_oom(ps, ps->w[1].col);
    ps->default_src = rp_src(ps, ps->w[0].col);
    ps->default_name_col = ps->w[1].col;
    ps->in_profile = false;
    return 0;
}

static int st_mode(struct rparse *ps)
{
    static const char *const modes[] = {"enforce", "warn", "audit", "learn"};
    if (words(ps, 2, "enforce, warn, audit or learn") < 0)
        return -1;
    struct rprofile *p = cur_profile(ps);
    if (p->p.mode_set)
        return rp_fail(ps, ps->w[0].col,
                       "expected one mode line in profile %s, found a second "
                       "(the first is at line %u)",
                       p->p.name.p, p->p.mode_src.line);
    for (size_t i = 0; i < NELEM(modes); i++) {
        if (rp_is(ps->w[1], modes[i])) {
            p->p.mode = (enum rule_mode)i;
            p->p.mode_set = true;
            p->p.mode_src = rp_src(ps, ps->w[0].col);
            return 0;
        }
    }
    return rp_fail(ps, ps->w[1].col,
                   "expected enforce, warn, audit or learn after 'mode', found " RP_Q,
                   RP_W(ps->w[1]));
}

/* ---- response filtering: visible, stamp, redact -------------------------------------------- */

static int st_label(struct rparse *ps, bool stamp)
{
    const char *kw = stamp ? "stamp" : "visible";
    if (ps->nw >= 2 && !rp_is(ps->w[1], "label"))
        return rp_fail(ps, ps->w[1].col, "expected 'label' after '%s', found " RP_Q, kw,
                       RP_W(ps->w[1]));
    if (words(ps, 3, ps->nw < 2 ? "'label'" : "KEY=VALUE") < 0)
        return -1;
    struct rword kv = ps->w[2];
    const char *eq = memchr(kv.p, '=', kv.len);
    if (!eq || eq == kv.p)
        return rp_fail(ps, kv.col, "expected KEY=VALUE after '%s label', found " RP_Q, kw,
                       RP_W(kv));
    size_t klen = (size_t)(eq - kv.p), vlen = kv.len - klen - 1;
    struct rprofile *p = cur_profile(ps);
    struct rvec *v = stamp ? &ps->stamp : &ps->visible;
    size_t first = stamp ? p->stamp0 : p->visible0;
    for (size_t i = first; i < v->n; i++) {
        const struct rule_label *l = rvec_at(v, i);
        if (l->key.len != klen || memcmp(l->key.p, kv.p, klen) != 0)
            continue;
        bool same = l->value.len == vlen && memcmp(l->value.p, eq + 1, vlen) == 0;
        if (same)
            return rp_fail(ps, kv.col,
                           "expected each %s label once in a profile, found " RP_Q
                           " again (first at line %u)",
                           kw, RP_W(kv), l->src.line);
        return rp_fail(ps, kv.col,
                       stamp ? "expected one stamp value for label %s, found " RP_Q
                               " and %s=%s at line %u"
                             : "expected one visible value for label %s (no container "
                               "carries two), found " RP_Q " and %s=%s at line %u",
                       l->key.p, RP_W(kv), l->key.p, l->value.p, l->src.line);
    }
    if (v->n - first == RULEFILE_MAX_PER_PROFILE)
        return rp_fail(ps, ps->w[0].col, "expected at most %d %s lines in a profile, found more",
                       RULEFILE_MAX_PER_PROFILE, kw);
    struct rule_label *l = rvec_push(v);
    if (!l)
        return rp_oom(ps, kv.col);
    l->key = rp_str(ps, kv.p, klen);
    l->value = rp_str(ps, eq + 1, vlen);
    l->src = rp_src(ps, ps->w[0].col);
    return l->key.p && l->value.p ? 0 : rp_oom(ps, kv.col);
}

static int st_redact(struct rparse *ps)
{
    if (words(ps, 2, "env or paths") < 0)
        return -1;
    unsigned bit = rp_is(ps->w[1], "env")     ? RULE_REDACT_ENV
                   : rp_is(ps->w[1], "paths") ? RULE_REDACT_PATHS
                                              : 0;
    if (!bit)
        return rp_fail(ps, ps->w[1].col, "expected env or paths after 'redact', found " RP_Q,
                       RP_W(ps->w[1]));
    struct rprofile *p = cur_profile(ps);
    if (p->p.redact & bit)
        return rp_fail(ps, ps->w[1].col,
                       "expected each redact line once in a profile, found "
                       "'redact %s' again",
                       bit == RULE_REDACT_ENV ? "env" : "paths");
    p->p.redact |= bit;
    return 0;
}

/* ---- rules and presets --------------------------------------------------------------------- */

/* Where the current line is in the rule file itself: the outermost `preset` line, or col. */
static struct rule_src file_src(const struct rparse *ps, unsigned col)
{
    const struct rtext *t = ps->cur;
    if (!t->parent)
        return rp_src(ps, col);
    while (t->parent)
        t = t->parent;
    return (struct rule_src){t->file, t->line, t->at_col};
}

static int st_rule(struct rparse *ps)
{
    if (ps->rules.n == RULEFILE_MAX_RULES)
        return rp_fail(ps, ps->w[0].col, "expected at most %d rules (presets included), found more",
                       RULEFILE_MAX_RULES);
    const struct rprofile *p = cur_profile(ps);
    if (ps->rules.n - p->rule0 == RULEFILE_MAX_PROFILE_RULES)
        return rp_fail(ps, ps->w[0].col,
                       "expected at most %d rules in a profile (presets "
                       "included), found more",
                       RULEFILE_MAX_PROFILE_RULES);
    struct rule r;
    memset(&r, 0, sizeof(r));
    r.src = rp_src(ps, ps->w[0].col);
    r.at = file_src(ps, ps->w[0].col);
    if (ruleline_parse(ps, &r) < 0)
        return -1;
    struct rule *slot = rvec_push(&ps->rules);
    if (!slot)
        return rp_oom(ps, ps->w[0].col);
    *slot = r;
    return rulecover_check(ps, rvec_at(&ps->rules, p->rule0), ps->rules.n - p->rule0);
}

static int st_preset(struct rparse *ps)
{
    if (name_word(ps, "a preset name") < 0)
        return -1;
    struct rword n = ps->w[1];
    struct rprofile *p = cur_profile(ps);
    size_t depth = 0;
    for (const struct rtext *t = ps->cur; t->parent; t = t->parent) {
        depth++;
        if (t->name && strlen(t->name) == n.len && memcmp(t->name, n.p, n.len) == 0)
            return rp_fail(ps, n.col, "expected a preset that does not include itself, found " RP_Q,
                           RP_W(n));
    }
    for (size_t i = p->preset0; i < ps->presets.n; i++) {
        const struct rule_preset_use *u = rvec_at(&ps->presets, i);
        if (u->name.len == n.len && memcmp(u->name.p, n.p, n.len) == 0)
            return rp_fail(ps, n.col,
                           "expected each preset once in a profile, found " RP_Q
                           " again (first at %s:%u)",
                           RP_W(n), u->src.file, u->src.line);
    }
    if (depth == RULEFILE_MAX_PRESET_DEPTH)
        return rp_fail(ps, n.col, "expected presets nested at most %d deep, found " RP_Q " deeper",
                       RULEFILE_MAX_PRESET_DEPTH, RP_W(n));
    if (ps->presets.n - p->preset0 == RULEFILE_MAX_PER_PROFILE)
        return rp_fail(ps, ps->w[0].col, "expected at most %d presets in a profile, found more",
                       RULEFILE_MAX_PER_PROFILE);
    struct rule_str name = rp_str(ps, n.p, n.len);
    char *file = rule_arena_alloc(ps->arena, n.len + sizeof("preset "));
    if (!name.p || !file)
        return rp_oom(ps, n.col);
    snprintf(file, n.len + sizeof("preset "), "preset %s", name.p);
    size_t len = 0;
    const char *text =
        ps->env && ps->env->preset ? ps->env->preset(ps->env->preset_ctx, name.p, &len) : NULL;
    if (!text)
        return rp_fail(ps, n.col,
                       "expected the name of a preset (sockwarden presets lists them), "
                       "found " RP_Q,
                       RP_W(n));
    struct rule_preset_use *u = rvec_push(&ps->presets);
    if (!u)
        return rp_oom(ps, n.col);
    size_t idx = ps->presets.n - 1;
    u->name = name;
    u->first_rule = ps->rules.n - p->rule0;
    u->src = rp_src(ps, ps->w[0].col);
    struct rtext child = {file, name.p, text, len, 0, 0, ps->cur};
    ps->cur->at_col = n.col;
    if (read_text(ps, &child) < 0)
        return -1;
    u = rvec_at(&ps->presets, idx);
    u->nrules = ps->rules.n - cur_profile(ps)->rule0 - u->first_rule;
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static int statement(struct rparse *ps)
{
    struct rword k = ps->w[0];
    if (rp_is(k, "profile"))
        return st_profile(ps);
    if (rp_is(k, "default"))
        return st_default(ps);
    if (!ps->in_profile)
        return rp_fail(ps, k.col,
                       ps->profiles.n ? "expected profile or default (a default line "
                                        "ends the profile before it), found " RP_Q
                                      : "expected profile or default before the first "
                                        "profile, found " RP_Q,
                       RP_W(k));
    if (rp_is(k, "match"))
        return rulematch_parse(ps);
    if (rp_is(k, "mode"))
        return st_mode(ps);
    if (rp_is(k, "preset"))
        return st_preset(ps);
    if (rp_is(k, "allow") || rp_is(k, "deny"))
        return st_rule(ps);
    if (rp_is(k, "visible") || rp_is(k, "stamp"))
        return st_label(ps, rp_is(k, "stamp"));
    if (rp_is(k, "redact"))
        return st_redact(ps);
    return rp_fail(ps, k.col,
                   "expected a statement (match, mode, preset, allow, deny, visible, "
                   "stamp, redact, profile or default), found " RP_Q,
                   RP_W(k));
}

static int preset_statement(struct rparse *ps)
{
    struct rword k = ps->w[0];
    if (rp_is(k, "allow") || rp_is(k, "deny"))
        return st_rule(ps);
    if (rp_is(k, "preset"))
        return st_preset(ps);
    return rp_fail(ps, k.col, "expected allow, deny or preset in a preset, found " RP_Q, RP_W(k));
}

const char *rulefile_preset_table(const void *ctx, const char *name, size_t *len)
{
    for (const struct rulefile_preset *p = ctx; p && p->name; p++) {
        if (strcmp(p->name, name) == 0) {
            *len = strlen(p->text);
            return p->text;
        }
    }
    return NULL;
}

/* ---- the finished set ---------------------------------------------------------------------- */

/* A copy of v's elements [first, end) in the arena; NULL for none. */
static const void *slice(struct rparse *ps, const struct rvec *v, size_t first, size_t end,
                         bool *oom)
{
    if (end <= first)
        return NULL;
    void *p = rule_arena_alloc(ps->arena, (end - first) * v->size);
    if (!p) {
        *oom = true;
        return NULL;
    }
    memcpy(p, rvec_at(v, first), (end - first) * v->size);
    return p;
}

static int finish(struct rparse *ps, struct rtext *root, struct ruleset *rs)
{
    ps->cur = root;
    if (ps->profiles.n == 0) {
        root->line = 1;
        return rp_fail(ps, 1, "expected at least one profile, found none");
    }
    struct rule_profile *profiles =
        rule_arena_alloc(ps->arena, ps->profiles.n * sizeof(struct rule_profile));
    if (!profiles)
        return rp_oom(ps, 1);
    bool oom = false;
    for (size_t i = 0; i < ps->profiles.n; i++) {
        const struct rprofile *b = rvec_at(&ps->profiles, i);
        const struct rprofile *nx = i + 1 < ps->profiles.n ? rvec_at(&ps->profiles, i + 1) : NULL;
        struct rule_profile *p = &profiles[i];
        *p = b->p;
        size_t m1 = nx ? nx->match0 : ps->matches.n, r1 = nx ? nx->rule0 : ps->rules.n;
        size_t s1 = nx ? nx->preset0 : ps->presets.n, v1 = nx ? nx->visible0 : ps->visible.n;
        size_t t1 = nx ? nx->stamp0 : ps->stamp.n;
        p->matches = slice(ps, &ps->matches, b->match0, m1, &oom);
        p->nmatches = m1 - b->match0;
        p->rules = slice(ps, &ps->rules, b->rule0, r1, &oom);
        p->nrules = r1 - b->rule0;
        p->presets = slice(ps, &ps->presets, b->preset0, s1, &oom);
        p->npresets = s1 - b->preset0;
        p->visible = slice(ps, &ps->visible, b->visible0, v1, &oom);
        p->nvisible = v1 - b->visible0;
        p->stamp = slice(ps, &ps->stamp, b->stamp0, t1, &oom);
        p->nstamp = t1 - b->stamp0;
    }
    if (oom)
        return rp_oom(ps, 1);
    rs->profiles = profiles;
    rs->nprofiles = ps->profiles.n;
    rs->nrules = ps->rules.n;
    if (ps->default_src.line) {
        rs->default_profile = ruleset_profile(rs, ps->default_name.p, ps->default_name.len);
        rs->default_src = ps->default_src;
        if (!rs->default_profile) {
            root->line = ps->default_src.line;
            return rp_fail(ps, ps->default_name_col,
                           "expected the name of a profile of this "
                           "file after 'default', found '%s'",
                           ps->default_name.p);
        }
    }
    return 0;
}

int rulefile_parse(const char *filename, const char *text, size_t len,
                   const struct rulefile_env *env, struct ruleset **out, struct rule_diag *diag)
{
    memset(diag, 0, sizeof(*diag));
    *out = NULL;
    struct rparse *ps = calloc(1, sizeof(*ps));
    struct rule_arena *arena = rule_arena_new();
    size_t flen = strlen(filename);
    char *fname = arena ? rule_arena_alloc(arena, flen + 1) : NULL;
    struct ruleset *rs = fname ? rule_arena_alloc(arena, sizeof(*rs)) : NULL;
    if (!ps || !rs) {
        snprintf(diag->error, sizeof(diag->error),
                 "%s:1:1: expected memory for the rule set, "
                 "found none left",
                 filename);
        diag->line = diag->col = 1;
        free(ps);
        rule_arena_free(arena);
        return -1;
    }
    memcpy(fname, filename, flen + 1);
    rs->filename = fname;
    rs->arena = arena;
    ps->filename = fname;
    ps->env = env;
    ps->diag = diag;
    ps->arena = arena;
    ps->profiles.size = sizeof(struct rprofile);
    ps->matches.size = sizeof(struct rule_match);
    ps->rules.size = sizeof(struct rule);
    ps->presets.size = sizeof(struct rule_preset_use);
    ps->visible.size = ps->stamp.size = sizeof(struct rule_label);

    struct rtext root = {fname, NULL, text, len, 0, 0, NULL};
    int rc = read_text(ps, &root);
    if (rc == 0)
        rc = finish(ps, &root, rs);
    struct rvec *vecs[] = {&ps->profiles, &ps->matches, &ps->rules,
                           &ps->presets,  &ps->visible, &ps->stamp};
    for (size_t i = 0; i < NELEM(vecs); i++)
        free(vecs[i]->p);
    free(ps);
    if (rc < 0) {
        rule_arena_free(arena);
        return -1;
    }
    *out = rs;
    return 0;
}
