/* confine — the running proxy confines itself once its listeners are open.
 *
 * Contract: confine_opts_from_env() reads the settings (below) and resolves user and group names;
 * confine_apply() then applies, in this order, and never partly: a failure returns -1 with err
 * filled, and the caller must exit (a half-confined proxy must not serve).
 *
 *  1. Identity (RUN_AS_USER / RUN_AS_GROUP), only when asked. From root: setgroups, setresgid,
 *     setresuid, so every capability is gone and none can come back (checked: setuid(0) must fail).
 *     When the engine is a unix socket, that socket's group (stat at this moment) is kept as the
 *     only supplementary group, because the proxy connects anew for every request; afterwards the
 *     socket is checked to be writable (connect(2) needs write permission), else -1. Not root
 *     and asked for another identity: -1. Running as root with no RUN_AS_USER: one note.
 *  2. prctl(PR_SET_NO_NEW_PRIVS): no execve could ever gain privileges (and step 4 needs it).
 *  3. Landlock (LANDLOCK=1, default), where the kernel has it; otherwise one note and on.
 *     What it covers here: every filesystem right the running kernel knows is handled and none is
 *     granted, so nothing can be opened, created, removed, renamed, linked, truncated or executed
 *     (stdout, the listeners and the sockets already open stay usable: Landlock checks at open).
 *     From ABI 4 TCP bind is denied everywhere and TCP connect is allowed only to the engine's port
 *     when the engine is TCP (any address: Landlock matches ports only). From ABI 6 abstract unix
 *     sockets and signals outside the proxy's own domain are scoped away.
 *     What it does not cover: connect(2) to a pathname unix socket is no filesystem access before
 *     ABI 9 (Linux 7.1), so the engine socket stays reachable (as it must) but so would any other
 *     socket the process's uid may write; from ABI 9 LANDLOCK_ACCESS_FS_RESOLVE_UNIX is handled and
 *     granted beneath the engine socket's directory only (the directory, not the file: an engine
 *     restart replaces the socket inode). stat(2) and path lookups are not governed by Landlock.
 *  4. seccomp (SECCOMP=1, default): a raw classic-BPF allow-list of the syscalls the event loop
 *     makes, measured with strace on the glibc and the static musl builds. Raw BPF, not
 *     libseccomp: the static musl binary in a scratch image would have to link libseccomp
 *     statically (Debian ships it for glibc only), and some 150 instructions of BPF are easier
 *     to review than a library. The architecture is checked (x86_64, aarch64; x32 numbers on
 *     x86_64 are refused); a mismatch kills. Unlisted syscalls kill the process
 *     (SECCOMP_RET_KILL_PROCESS: SIGSYS, exit 159 in a shell; the kernel logs the syscall number
 *     as an audit record of type 1326, see dmesg). A few listed ones are refused with an errno
 *     instead, because a library may try them harmlessly: open/openat/openat2/creat fail with
 *     EACCES (glibc loads /etc/localtime lazily), socket() of families other than unix/IPv4/IPv6
 *     fails with EAFNOSUPPORT, mmap and mprotect asking for PROT_EXEC fail with EPERM, and
 *     kill/tkill/tgkill work on the proxy's own pid only (abort() still raises SIGABRT).
 *     SECCOMP=log allows everything unlisted but has the kernel log it, to find a missing
 *     syscall. The filter is synchronised to all threads (SECCOMP_FILTER_FLAG_TSYNC).
 *
 * Settings (environment): RUN_AS_USER = "UID", "UID:GID", "NAME" or "NAME:GROUP" (default unset:
 * no switch); RUN_AS_GROUP = "GID" or "NAME" (overrides the group of RUN_AS_USER). Names are looked
 * up in /etc/passwd and /etc/group when those files exist (a static binary has no NSS); a numeric
 * user with no passwd entry and no group gets gid = uid (never gid 0 by accident). SECCOMP = 1
 * (default), 0, or log. LANDLOCK = 1 (default) or 0. Booleans accept 1/0, true/false, yes/no,
 * on/off; anything else is an error (these are security settings: no guessing).
 *
 * Sanitizer builds (ASan/TSan/MSan, which need syscalls of their own) and runs under valgrind skip
 * steps 3 and 4 with one note each; step 1 and 2 still apply.
 */
#ifndef SW_CONFINE_H
#define SW_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

enum confine_seccomp { CONFINE_SECCOMP_OFF, CONFINE_SECCOMP_KILL, CONFINE_SECCOMP_LOG };

struct confine_opts {
    bool switch_ids; /* RUN_AS_USER or RUN_AS_GROUP was given */
    uid_t uid;       /* target identity, resolved (valid when switch_ids) */
    gid_t gid;
    bool keep_socket_group; /* keep the engine socket's group as a supplementary group (default) */
    const char *upstream_path;    /* engine unix socket, or NULL when the engine is TCP */
    int upstream_port;            /* engine TCP port, or 0 */
    enum confine_seccomp seccomp; /* SECCOMP */
    bool landlock;                /* LANDLOCK */
};

typedef const char *(*confine_getenv_fn)(const char *name);
typedef void (*confine_note_fn)(const char *line);

/* Fills o from the environment and the engine address (up is kept by pointer: it must outlive
 * confine_apply()). Returns 0, or -1 with a message naming the variable in err. */
int confine_opts_from_env(struct confine_opts *o, const struct upstream_addr *up,
                          confine_getenv_fn getenv_fn, char *err, size_t errlen);

/* Steps 1-4 above. note() gets one line per step taken or skipped. Returns 0 or -1. */
int confine_apply(const struct confine_opts *o, char *err, size_t errlen, confine_note_fn note);

/* ---- building blocks, exposed for the tests ---------------------------------------------- */

/* RUN_AS_USER / RUN_AS_GROUP → ids, names looked up in the given files (NULL or missing: numbers
 * only). group may be NULL. Returns 0 or -1. */
int confine_resolve_ids(const char *user, const char *group, const char *passwd_path,
                        const char *group_path, uid_t *uid, gid_t *gid, char *err, size_t errlen);

/* The Landlock ruleset for a kernel ABI version (pure). */
struct confine_landlock_plan {
    uint64_t handled_fs, handled_net, scoped;
    size_t attr_size;        /* bytes of struct landlock_ruleset_attr this ABI understands */
    uint64_t unix_dir_grant; /* rights granted beneath the engine socket's directory (ABI ≥ 9) */
    int tcp_connect_port;    /* TCP connect allowed to this port only; 0 = none */
};
void confine_landlock_plan(int abi, const struct confine_opts *o, struct confine_landlock_plan *p);

/* The running kernel's Landlock ABI version (≥ 1), or -errno when Landlock is unavailable. */
int confine_landlock_abi(void);

/* Step 3 alone (no_new_privs must already be set). 0 also when Landlock is unavailable (noted). */
int confine_landlock(const struct confine_opts *o, char *err, size_t errlen, confine_note_fn note);

/* Step 4 alone (no_new_privs must already be set), whatever the build. Returns the installed
 * filter's length in instructions (0 when mode is off), or -1. */
int confine_seccomp_install(enum confine_seccomp mode, char *err, size_t errlen);

#endif
