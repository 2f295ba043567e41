/* rulefile — the rule-file parser: text in, a struct ruleset (rules.h) or one error out. Pure: no
 * I/O; the only memory it keeps is the returned set.
 *
 * Contract:
 *  - rulefile_parse() reads the whole text as rules.md §2–3 define it and either returns 0 with
 *    *out set (free it with ruleset_free()) or -1 with *out NULL and diag->error holding one
 *    message "FILE:LINE:COL: what was expected, what was found". FILE is filename as given, LINE
 *    and COL are 1-based (COL in bytes) and point at the offending word, or just past the last
 *    word of the line when an argument is missing. The first error stops the parse. An error in
 *    a preset's text is reported at the `preset` statement of the file, followed by the place in
 *    the preset: "rules:7:10: preset traefik:3:7: …". Errors at the file as a whole (its size,
 *    no profile at all) are reported at 1:1.
 *  - Warnings (a rule covered by an earlier rule of the same profile with the same verdict) go to
 *    diag->warnings in the same format, the first RULE_DIAG_WARNINGS of them; nwarnings_total
 *    counts all. They are collected on success and on error alike.
 *  - Lexical rules: UTF-8 (strict: no overlong forms, surrogates or code points above U+10FFFF),
 *    no NUL, no control character other than tab (a CR only right before LF), lines end in LF or
 *    CRLF (the last one may lack it), '#' starts a comment anywhere, words are separated by spaces
 *    and tabs. The bytes of a line (its comment included) are checked before its words.
 *  - Strictness: every word is checked against rules.md; what the file says is what the set
 *    holds. Choices where rules.md is silent (docs/POLICY.md "Rule files" says the same):
 *     - a file with no profile is an error; `default` ends the profile before it, and only
 *       `profile` or `default` may follow it;
 *     - CIDRs must be written as the network (no host bits set; the message gives the canonical
 *       form); IPv4 octets and prefix lengths have no leading zeros; a bare address is /32 or
 *       /128; IPv4-mapped IPv6 networks are the same claim as the IPv4 network;
 *     - uid and gid: decimal digits, no sign or leading zero, 0 to 4294967294;
 *     - listener names are compared byte for byte with env->listeners;
 *     - client-cert names: any word; two profiles may not claim names equal up to ASCII case;
 *     - path literals are visible ASCII without '%', '?', '{', '}' or '*'; the first segment may
 *       not look like a version prefix (v followed by digits and dots); "/networks/" must be
 *       written "/networks", which covers it;
 *     - query keys are [A-Za-z0-9_.-]+; values are non-empty and separated by '|'; one condition
 *       per key and one `only` per rule; a condition that `only` contradicts is an error; the
 *       words `query`, `body` and `only` are keywords within a rule;
 *     - grants are each given once; `unsafe` is given alone; cap=*, device=* exclude named caps
 *       and devices; a capability of Docker's default set is not a grant (it needs none); bind
 *       and device paths are absolute and clean (no "//", ".", "..", trailing '/'), bind paths
 *       hold no ':' other than the ":ro" suffix; runtime names are [A-Za-z0-9][A-Za-z0-9_.-]*;
 *     - the same path twice in a rule, the same preset twice in a profile, a repeated `redact`,
 *       `visible` or `stamp` statement, two `visible` values for one key, two `stamp`s of one key;
 *     - a preset's text holds only allow, deny and preset statements (and comments); presets may
 *       nest up to RULEFILE_MAX_PRESET_DEPTH deep and never include themselves.
 *  - Coverage (rulecover.c): after preset expansion, a rule whose every request an earlier rule
 *    of the same profile matches is an error when their verdicts differ ("deny can never decide:
 *    allow at FILE:LINE covers every request it matches") and a warning when they agree. The
 *    check is conservative: it reports only what surely holds (rulecover.c says how).
 */
#ifndef SW_RULEFILE_H
#define SW_RULEFILE_H

#include <stddef.h>

#include "policy/rules.h"

/* Limits; each one exceeded is an error naming it. */
#define RULEFILE_MAX_BYTES (1024 * 1024) /* a rule file, and a preset's text */
#define RULEFILE_MAX_LINE 4096           /* bytes of a line, without its line end */
#define RULEFILE_MAX_WORDS 256           /* words on a line (comments excluded) */
#define RULEFILE_MAX_NAME 64             /* a profile or preset name */
#define RULEFILE_MAX_PROFILES 1024
#define RULEFILE_MAX_RULES 4096         /* in the whole set, presets expanded */
#define RULEFILE_MAX_PROFILE_RULES 1024 /* in one profile: bounds the pairwise coverage check */
#define RULEFILE_MAX_PATHS 8192         /* path patterns in the whole set */
#define RULEFILE_MAX_SEGS 32            /* segments of one path pattern */
#define RULEFILE_MAX_VALUES 64          /* values of one KEY=V1|V2 condition, keys of one `only` */
#define RULEFILE_MAX_MATCHES 4096       /* match statements in the whole set */
#define RULEFILE_MAX_PER_PROFILE 64     /* visible, stamp, and preset statements of a profile */
#define RULEFILE_MAX_PRESET_DEPTH 8     /* presets within presets */

#define RULE_DIAG_MSG 1024
#define RULE_DIAG_WARNINGS 16

struct rule_diag {
    char error[RULE_DIAG_MSG]; /* "" when the parse succeeded */
    unsigned line, col;        /* of the error in the rule file (0 when none) */
    char warnings[RULE_DIAG_WARNINGS][RULE_DIAG_MSG];
    size_t nwarnings;       /* stored in warnings[] */
    size_t nwarnings_total; /* found, stored or not */
};

/* A preset's rules as text (allow, deny and preset statements, one a line, as in a profile), or
 * NULL when there is no preset of that name. name is NUL-terminated; *len receives the length. */
typedef const char *(*rulefile_preset_fn)(const void *ctx, const char *name, size_t *len);

struct rulefile_env {
    const char *const *listeners; /* the listeners as written in BIND_CONFIG, in its order */
    size_t nlisteners;
    rulefile_preset_fn preset; /* NULL: no preset exists */
    const void *preset_ctx;
};

/* A table of presets, ended by a row whose name is NULL. */
struct rulefile_preset {
    const char *name;
    const char *text; /* NUL-terminated */
};

/* A rulefile_preset_fn over such a table (ctx points at its first row). */
const char *rulefile_preset_table(const void *ctx, const char *name, size_t *len);

/* env may be NULL (no listeners, no presets). diag must not be NULL. text need not be
 * NUL-terminated; len may be anything (larger than RULEFILE_MAX_BYTES is an error). filename must
 * not be NULL. Messages longer than RULE_DIAG_MSG - 1 bytes are cut on a UTF-8 boundary. */
int rulefile_parse(const char *filename, const char *text, size_t len,
                   const struct rulefile_env *env, struct ruleset **out, struct rule_diag *diag);

#endif
