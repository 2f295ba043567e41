/* rules — a parsed rule file (docs: /work/shared/reference/rules.md, docs/POLICY.md) as plain data.
 *
 * Contract:
 *  - A struct ruleset is what rulefile_parse() (rulefile.h) returns: the optional default profile
 *    and the profiles in file order, each with its match clauses, mode, rules in order (presets
 *    already expanded in place) and response-filter statements. Nothing here decides a request:
 *    the matcher, profile selection and body inspection read these structures.
 *  - The set owns all of its memory (one arena); every pointer in it stays valid until
 *    ruleset_free(), which frees it all. Nothing in it is mutable after the parse; the set may be
 *    shared read-only (for example by the generations of a reload).
 *  - Every string is a struct rule_str: bytes and length, and also NUL-terminated (a rule file
 *    holds no NUL byte). Words are stored as written; there is no quoting or escaping.
 *  - Every profile, match, rule, path, condition and statement records where it was written
 *    (struct rule_src): the rule file's name as given to rulefile_parse(), or "preset NAME" for
 *    the rules a preset inserted, and the 1-based line and byte column of its first word. A rule
 *    also records `at`: the place in the rule file itself (the `preset` statement that brought it
 *    in, for a preset's rule; its own place otherwise), so logs can always point into the file.
 *  - Matching semantics the matcher must follow (rules.md §5), summed up where the data is:
 *    methods are a mask of RULE_M_* bits in which GET always carries HEAD; a path pattern is a
 *    list of segments (struct rule_seg) matched against the canonical path without its version
 *    prefix; all query conditions of a rule must hold, and a key repeated in the request fails
 *    every condition on that key (but not `only`); grants only ever widen what body inspection
 *    lets through on an allow rule.
 *  - Pure: no I/O, no mutable state beyond what the caller owns.
 */
#ifndef SW_RULES_H
#define SW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/endpoint.h"

/* ---- small types --------------------------------------------------------------------------- */

struct rule_str {
    const char *p; /* NUL-terminated; never NULL in a parsed set */
    size_t len;
};

struct rule_src {
    const char *file; /* the rule file's name, or "preset NAME" */
    unsigned line;    /* 1-based */
    unsigned col;     /* 1-based, in bytes, of the first byte of the word */
};

enum rule_verdict { RULE_ALLOW, RULE_DENY };

/* A profile's mode (rules.md §6); RULE_MODE_ENFORCE when the profile has no `mode`. */
enum rule_mode { RULE_MODE_ENFORCE, RULE_MODE_WARN, RULE_MODE_AUDIT, RULE_MODE_LEARN };

/* Method bits, one per enum api_method (endpoint.h): a request method m matches a rule when
 * rule->methods & RULE_METHOD_BIT(m). METHOD_OTHER has no bit and matches no rule. */
#define RULE_METHOD_BIT(m) (1u << (unsigned)(m))
enum rule_method_bits {
    RULE_M_GET = 1u << METHOD_GET,
    RULE_M_HEAD = 1u << METHOD_HEAD,
    RULE_M_POST = 1u << METHOD_POST,
    RULE_M_PUT = 1u << METHOD_PUT,
    RULE_M_DELETE = 1u << METHOD_DELETE,
    RULE_M_ALL = RULE_M_GET | RULE_M_HEAD | RULE_M_POST | RULE_M_PUT | RULE_M_DELETE,
};

/* ---- paths --------------------------------------------------------------------------------- */

enum rule_seg_kind {
    RULE_SEG_LITERAL, /* matches itself exactly (case-sensitive bytes) */
    RULE_SEG_ID,      /* {id}: one segment [A-Za-z0-9][A-Za-z0-9_.-]*, never a fixed word of the
                         method's own route (rules.md §5: POST /networks/create is not {id}).
                         rulecover.c takes a segment for a fixed word when putting another id
                         in its place changes endpoint_classify()'s answer: the matcher should
                         use the same test, so that coverage and matching agree */
    RULE_SEG_REF,     /* {ref}: one or more segments of an image or plugin reference; only literal
                         segments follow it in the pattern, and they anchor its end */
    RULE_SEG_STAR,    /* *: exactly one non-empty segment */
    RULE_SEG_REST,    /* **: one or more segments, the rest of the path; always the last segment */
};

struct rule_seg {
    enum rule_seg_kind kind;
    struct rule_str lit; /* RULE_SEG_LITERAL: the segment; otherwise the placeholder as written */
};

struct rule_path {
    const struct rule_seg *segs;
    size_t nsegs;         /* ≥ 1; "/" alone is not a pattern */
    struct rule_str text; /* as written: "/containers/{id}/json" */
    bool networks_slash;  /* the pattern is exactly "/networks": it also matches "/networks/", the
                             alias dockerd routes to the list; no other pattern matches a trailing
                             slash */
    struct rule_src src;
};

/* ---- query conditions ---------------------------------------------------------------------- */

enum rule_cond_kind {
    RULE_COND_PRESENT, /* KEY: present (exactly once) */
    RULE_COND_ABSENT,  /* !KEY: absent */
    RULE_COND_VALUES,  /* KEY=V1|V2: present once and its decoded value is one of vals (exact) */
    RULE_COND_ONLY,    /* only K1,K2: no key outside vals is present (names only) */
};

struct rule_cond {
    enum rule_cond_kind kind;
    struct rule_str key;         /* PRESENT, ABSENT, VALUES: the decoded key; empty for ONLY */
    const struct rule_str *vals; /* VALUES: the values; ONLY: the keys; NULL otherwise */
    size_t nvals;                /* ≥ 1 for VALUES and ONLY */
    struct rule_src src;
};

/* ---- body grants (rules.md §5) -------------------------------------------------------------- */

enum rule_grant_flag {
    RULE_G_PRIVILEGED = 1u << 0,
    RULE_G_CAP_ALL = 1u << 1,     /* cap=* or cap=ALL */
    RULE_G_DEVICE_ALL = 1u << 2,  /* device=*: every Devices entry and DeviceCgroupRules */
    RULE_G_DEVICES_GPU = 1u << 3, /* DeviceRequests */
    RULE_G_HOST_NETWORK = 1u << 4,
    RULE_G_HOST_PID = 1u << 5,
    RULE_G_HOST_IPC = 1u << 6,
    RULE_G_HOST_UTS = 1u << 7,
    RULE_G_HOST_USERNS = 1u << 8,
    RULE_G_HOST_CGROUPNS = 1u << 9,
    RULE_G_JOIN = 1u << 10, /* VolumesFrom, container:REF modes */
    RULE_G_SECURITY_OPT = 1u << 11,
    RULE_G_SYSCTL = 1u << 12,
    RULE_G_UNSAFE = 1u << 13, /* no inspection at all; never combined with another grant */
};

/* Linux capabilities by number (capability.h order), CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40.
 */
#define RULE_CAP_COUNT 41
#define RULE_CAP_BIT(n) ((uint64_t)1 << (n))
/* Docker's default capability set (moby oci/caps/defaults.go): adding one back needs no grant. */
extern const uint64_t rule_cap_default;

struct rule_hostpath {
    struct rule_str path; /* absolute and clean (no "//", ".", "..", trailing '/' except "/") */
    bool ro;              /* bind=PATH:ro: only read-only binds under PATH */
    struct rule_src src;
};

struct rule_grants {
    unsigned flags;                    /* enum rule_grant_flag bits */
    uint64_t caps;                     /* cap=NAME: RULE_CAP_BIT(n); never a default capability */
    const struct rule_hostpath *binds; /* bind=PATH[:ro], each path once */
    size_t nbinds;
    const struct rule_hostpath *devices; /* device=PATH (ro unused), each path once */
    size_t ndevices;
    const struct rule_str *runtimes; /* runtime=NAME, each name once */
    size_t nruntimes;
};

/* ---- rules and profiles -------------------------------------------------------------------- */

struct rule {
    enum rule_verdict verdict;
    unsigned methods;         /* RULE_M_* bits as matched: GET carries HEAD; never 0 */
    unsigned methods_written; /* the bits as written ("GET" → RULE_M_GET alone; "*" → all) */
    const struct rule_path *paths;
    size_t npaths; /* ≥ 1; a request matches the rule when it matches any one of them */
    const struct rule_cond *conds;
    size_t nconds;             /* 0 or more; all must hold */
    struct rule_grants grants; /* all zero on a deny rule and on an allow without `body` */
    struct rule_src src;       /* the verdict word */
    struct rule_src at;        /* in the rule file: src itself, or the including `preset` */
};

/* A `preset NAME` statement: the expansion point of the rules it inserted, kept so that tools
 * can say "preset traefik" instead of listing its rules. */
struct rule_preset_use {
    struct rule_str name;
    size_t first_rule; /* index into the profile's rules */
    size_t nrules;     /* how many rules it inserted (nested presets included) */
    struct rule_src src;
};

enum rule_match_kind {
    RULE_MATCH_LISTENER, /* match listener ADDR */
    RULE_MATCH_FROM,     /* match from CIDR */
    RULE_MATCH_UID,      /* match uid N */
    RULE_MATCH_GID,      /* match gid N */
    RULE_MATCH_CERT,     /* match client-cert NAME */
};

struct rule_match {
    enum rule_match_kind kind;
    struct rule_str name;   /* LISTENER: the name as written; CERT: the name; FROM: the CIDR as
                               written; UID, GID: the digits */
    size_t listener;        /* LISTENER: index into rulefile_env.listeners (BIND_CONFIG order) */
    unsigned char addr[16]; /* FROM: network address, IPv6; IPv4 as ::ffff:a.b.c.d */
    unsigned prefix;        /* FROM: 0..128; an IPv4 /n is stored as /n+96 */
    bool v4;                /* FROM: written as an IPv4 address */
    uid_t uid;              /* UID */
    gid_t gid;              /* GID */
    struct rule_src src;    /* the word `match` */
};

enum rule_redact { RULE_REDACT_ENV = 1u << 0, RULE_REDACT_PATHS = 1u << 1 };

struct rule_label {
    struct rule_str key;   /* non-empty, no '=' */
    struct rule_str value; /* may be empty */
    struct rule_src src;
};

struct rule_profile {
    struct rule_str name; /* [a-z0-9][a-z0-9_-]* */
    struct rule_src src;  /* the word `profile` */
    enum rule_mode mode;
    bool mode_set; /* the profile has a `mode` statement (at mode_src) */
    struct rule_src mode_src;
    const struct rule_match *matches;
    size_t nmatches;
    const struct rule *rules;
    size_t nrules;
    const struct rule_preset_use *presets;
    size_t npresets;
    const struct rule_label *visible; /* visible label K=V: a container is visible with all */
    size_t nvisible;
    const struct rule_label *stamp; /* stamp label K=V: each key once */
    size_t nstamp;
    unsigned redact; /* enum rule_redact bits */
};

struct rule_arena;

struct ruleset {
    const char *filename; /* as given to rulefile_parse() */
    const struct rule_profile *profiles;
    size_t nprofiles;                           /* ≥ 1 */
    const struct rule_profile *default_profile; /* `default NAME`, or NULL */
    struct rule_src default_src;                /* where `default` was written (line 0: none) */
    size_t nrules;                              /* all profiles' rules together */
    struct rule_arena *arena;                   /* owns everything above; private */
};

/* Frees everything the set owns; NULL is fine. */
void ruleset_free(struct ruleset *rs);

/* The profile called name, or NULL. */
const struct rule_profile *ruleset_profile(const struct ruleset *rs, const char *name, size_t len);

/* Names for logs and tools: "enforce", "allow", "GET", "privileged", "NET_ADMIN" (no CAP_ prefix;
 * NULL for a number ≥ RULE_CAP_COUNT). */
const char *rule_mode_name(enum rule_mode m);
const char *rule_verdict_name(enum rule_verdict v);
const char *rule_method_name(enum api_method m);
const char *rule_grant_name(enum rule_grant_flag f);
const char *rule_cap_name(unsigned n);

#endif
