/* rules — the rule set's memory and names (see rules.h for the contract).
 *
 * The arena is a list of blocks, each at least 64 KiB, handed out front to back; an allocation
 * larger than a block gets a block of its own. Nothing is freed before ruleset_free().
 */
#include "policy/rules.h"
#include "base/util.h"
#include "policy/rule_parse.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

struct rule_arena {
    struct arena_block *head;
};

struct rule_arena *rule_arena_new(void)
{
    return calloc(1, sizeof(struct rule_arena));
}

void *rule_arena_alloc(struct rule_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = calloc(1, sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void rule_arena_free(struct rule_arena *a)
{
    if (!a)
        return;
    for (struct arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void ruleset_free(struct ruleset *rs)
{
    if (rs)
        rule_arena_free(rs->arena); /* the set itself lives in its arena */
}

const struct rule_profile *ruleset_profile(const struct ruleset *rs, const char *name, size_t len)
{
    for (size_t i = 0; rs && i < rs->nprofiles; i++) {
        const struct rule_profile *p = &rs->profiles[i];
        if (p->name.len == len && memcmp(p->name.p, name, len) == 0)
            return p;
    }
    return NULL;
}

/* ---- names --------------------------------------------------------------------------------- */

static const char *const cap_names[RULE_CAP_COUNT] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

/* CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE
 * SYS_CHROOT KILL AUDIT_WRITE */
const uint64_t rule_cap_default =
    RULE_CAP_BIT(0) | RULE_CAP_BIT(1) | RULE_CAP_BIT(4) | RULE_CAP_BIT(3) | RULE_CAP_BIT(27) |
    RULE_CAP_BIT(13) | RULE_CAP_BIT(6) | RULE_CAP_BIT(7) | RULE_CAP_BIT(31) | RULE_CAP_BIT(8) |
    RULE_CAP_BIT(10) | RULE_CAP_BIT(18) | RULE_CAP_BIT(5) | RULE_CAP_BIT(29);

const char *rule_cap_name(unsigned n)
{
    return n < RULE_CAP_COUNT ? cap_names[n] : NULL;
}

const char *rule_mode_name(enum rule_mode m)
{
    static const char *const names[] = {"enforce", "warn", "audit", "learn"};
    return (unsigned)m < NELEM(names) ? names[m] : "enforce";
}

const char *rule_verdict_name(enum rule_verdict v)
{
    return v == RULE_DENY ? "deny" : "allow";
}

const char *rule_method_name(enum api_method m)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};
    return (unsigned)m < NELEM(names) ? names[m] : "OTHER";
}

const char *rule_grant_name(enum rule_grant_flag f)
{
    static const char *const names[] = {
        "privileged", "cap=*",        "device=*", "devices-gpu", "host-network",
        "host-pid",   "host-ipc",     "host-uts", "host-userns", "host-cgroupns",
        "join",       "security-opt", "sysctl",   "unsafe",
    };
    for (unsigned i = 0; i < NELEM(names); i++)
        if ((unsigned)f == 1u << i)
            return names[i];
    return "unknown";
}
