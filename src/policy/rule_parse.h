/* rule_parse — what the rule-file parser's modules share; not an interface for anyone else.
 *
 * Contract: rules.c owns the arena (ruleset memory: zeroed, aligned blocks, freed at once);
 * rulefile.c reads the text (lines, bytes, words), the top-level and profile statements, and
 * builds the set; rulematch.c parses `match` lines; ruleline.c parses one allow/deny line (methods,
 * paths, query, body grants) into a struct rule; rulecover.c decides whether an earlier rule covers
 * a later one and reports it. All of them report through rp_fail()/rp_warn(), which prefix
 * "FILE:LINE:COL: " (and the preset chain) to the message. rp_fail() returns -1, so a parser can
 * `return rp_fail(…)`.
 */
#ifndef SW_RULE_PARSE_H
#define SW_RULE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/rulefile.h"
#include "policy/rules.h"

/* ---- the arena (rules.c) ------------------------------------------------------------------- */

struct rule_arena *rule_arena_new(void);
void *rule_arena_alloc(struct rule_arena *a, size_t n); /* zeroed; NULL when out of memory */
void rule_arena_free(struct rule_arena *a);

/* ---- growable arrays (rulefile.c) ---------------------------------------------------------- */

struct rvec {
    char *p;
    size_t n, cap, size; /* size: of one element */
};

void *rvec_push(struct rvec *v); /* a zeroed new last element, or NULL when out of memory */
void *rvec_at(const struct rvec *v, size_t i);

/* ---- the parse ----------------------------------------------------------------------------- */

struct rword {
    const char *p;
    size_t len;
    unsigned col;
};

/* One text being read: the rule file, or a preset's text inserted by a `preset` line. */
struct rtext {
    const char *file; /* arena copy: the file name, or "preset NAME" */
    const char *name; /* the preset's name (NUL-terminated); NULL for the file */
    const char *p;
    size_t len;
    unsigned line;   /* the line being read */
    unsigned at_col; /* while a preset named on this line is read: the column of its name */
    const struct rtext *parent;
};

/* A profile being built: its statements are slices of the parse's vectors. */
struct rprofile {
    struct rule_profile p; /* name, src, mode, redact; the arrays are filled at the end */
    size_t match0, rule0, preset0, visible0, stamp0;
};

struct rparse {
    const char *filename;
    const struct rulefile_env *env;
    struct rule_diag *diag;
    struct rule_arena *arena;
    struct rtext *cur;
    struct rword w[RULEFILE_MAX_WORDS];
    size_t nw;
    struct rvec profiles;       /* struct rprofile */
    struct rvec matches;        /* struct rule_match, profile by profile */
    struct rvec rules;          /* struct rule */
    struct rvec presets;        /* struct rule_preset_use */
    struct rvec visible, stamp; /* struct rule_label */
    bool in_profile;            /* statements now belong to the last profile */
    size_t npaths;              /* path patterns so far */
    struct rule_str default_name;
    struct rule_src default_src;
    unsigned default_name_col;
};

__attribute__((format(printf, 3, 4))) int rp_fail(struct rparse *ps, unsigned col, const char *fmt,
                                                  ...);
__attribute__((format(printf, 3, 4))) void rp_warn(struct rparse *ps, unsigned col, const char *fmt,
                                                   ...);
int rp_oom(struct rparse *ps, unsigned col);

/* Where a word of the current line is. */
struct rule_src rp_src(const struct rparse *ps, unsigned col);

/* An arena copy (NUL-terminated); .p is NULL when out of memory. */
struct rule_str rp_str(struct rparse *ps, const char *p, size_t len);

/* A word quoted for a message, cut at 60 bytes on a UTF-8 boundary: printf RP_Q with RP_W(w). */
#define RP_Q "'%.*s%s'"
#define RP_W(w)                                                                                    \
    rp_qlen((w).p, (w).len), (w).p, (size_t)rp_qlen((w).p, (w).len) < (w).len ? "..." : ""
int rp_qlen(const char *p, size_t len);

/* Whether a word is s. */
bool rp_is(struct rword w, const char *s);

/* ---- match lines (rulematch.c) ------------------------------------------------------------ */

/* ps->w holds "match listener|from|uid|gid|client-cert VALUE"; adds it to the current profile
 * after checking that no profile claims it already. Returns 0 or -1. */
int rulematch_parse(struct rparse *ps);

/* ---- one rule line (ruleline.c) ------------------------------------------------------------ */

/* ps->w holds "allow|deny METHODS PATH… [query COND…] [body GRANT…]"; fills *r (src, at and
 * everything else) with its arrays in the arena. Returns 0 or rp_fail()'s -1. */
int ruleline_parse(struct rparse *ps, struct rule *r);

/* ---- coverage (rulecover.c) ---------------------------------------------------------------- */

/* Every request `later` matches, `earlier` matches too (methods, paths, query; conservative). */
bool rule_covers(const struct rule *earlier, const struct rule *later);

/* The last of rules[0..n) against the ones before it: an error when one with the opposite verdict
 * covers it, a warning when one with the same verdict does. Returns 0 or -1. */
int rulecover_check(struct rparse *ps, const struct rule *rules, size_t n);

#endif
