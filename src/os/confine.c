/* confine — self-confinement after start-up (see confine.h for what is applied and why).
 *
 * The kernel interfaces are declared here rather than taken from <linux/...>: the static build
 * uses musl-gcc, which sees no kernel headers, and Debian's headers lag the Landlock ABI anyway.
 * All values below are kernel ABI and never change.
 */
#include "os/confine.h"
#include "base/errmsg.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SW_UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef SW_UNDER_VALGRIND
#define SW_UNDER_VALGRIND() false
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define SW_SANITIZED 1
#endif
#endif
#ifndef SW_SANITIZED
#define SW_SANITIZED 0
#endif

#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif

/* ---- Landlock ABI (include/uapi/linux/landlock.h) ----------------------------------------- */

#ifndef SYS_landlock_create_ruleset /* the same numbers on every architecture */
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_FS_ABI1 ((1ULL << 13) - 1)   /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER (1ULL << 13)        /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)     /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)    /* ABI 5 */
#define LL_FS_RESOLVE_UNIX (1ULL << 16) /* ABI 9 */
#define LL_NET_BIND_TCP (1ULL << 0)     /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct __attribute__((packed)) ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
};

struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

/* ---- seccomp and classic BPF (linux/seccomp.h, linux/filter.h, linux/audit.h) -------------- */

struct sf_insn {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};

struct sf_prog {
    unsigned short len;
    struct sf_insn *filter;
};

#define BPF_LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_JGE_K 0x35    /* BPF_JMP | BPF_JGE | BPF_K */
#define BPF_JSET_K 0x45   /* BPF_JMP | BPF_JSET | BPF_K */
#define BPF_RET_K 0x06    /* BPF_RET | BPF_K */

#define SECCOMP_SET_MODE_FILTER_ 1
#define SECCOMP_GET_ACTION_AVAIL_ 2
#define SECCOMP_FILTER_FLAG_TSYNC_ 1U
#define RET_KILL_PROCESS 0x80000000U
#define RET_KILL_THREAD 0x00000000U
#define RET_ERRNO(e) (0x00050000U | ((uint32_t)(e)&0xffffU))
#define RET_LOG 0x7ffc0000U
#define RET_ALLOW 0x7fff0000U

/* struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
#define SD_NR 0
#define SD_ARCH 4
#define SD_ARG_LO(i) (16 + 8 * (i)) /* low 32 bits (little-endian): every checked arg is an int */

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "confine: the seccomp argument offsets assume a little-endian machine"
#endif

#if defined(__x86_64__) && !defined(__ILP32__)
#define SW_AUDIT_ARCH 0xC000003EU /* AUDIT_ARCH_X86_64 */
#define SW_X32_BIT 0x40000000U    /* x32 syscalls reach the same table: refuse them */
#elif defined(__aarch64__)
#define SW_AUDIT_ARCH 0xC00000B7U /* AUDIT_ARCH_AARCH64 */
#endif

/* ---- small helpers ------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void notef(confine_note_fn note, const char *fmt, ...)
{
    if (!note)
        return;
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    note(line);
}

/* Decimal id, 0 .. 2^32-2: (uid_t)-1 means "unchanged" to setresuid and must never be accepted. */
static bool parse_id(const char *s, size_t n, unsigned *out)
{
    unsigned long long v = 0;
    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v >= 0xffffffffULL)
        return false;
    *out = (unsigned)v;
    return true;
}

/* 1/0 and their usual spellings; -1 for anything else. */
static int parse_switch(const char *v)
{
    static const char *const on[] = {"1", "true", "yes", "on"};
    static const char *const off[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, on[i]) == 0)
            return 1;
        if (strcasecmp(v, off[i]) == 0)
            return 0;
    }
    return -1;
}

/* ---- names → ids ---------------------------------------------------------------------------- */

/* Splits a passwd/group line into at most nf ':'-separated fields (in place). */
static size_t split_fields(char *line, char **f, size_t nf)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < nf) {
        f[n++] = line;
        char *c = strchr(line, ':');
        if (!c)
            break;
        *c = '\0';
        line = c + 1;
    }
    return n;
}

/* Finds the entry whose name is `name` (or, when name is NULL, whose id field is id) in a
 * passwd-style file; returns its id field (field 2) and, for passwd, the gid (field 3). */
static int lookup_entry(const char *path, const char *name, unsigned id, unsigned *id_out,
                        unsigned *gid_out)
{
    FILE *f = path ? fopen(path, "re") : NULL;
    if (!f)
        return -1;
    char line[1024];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        char *fld[4];
        unsigned v, g = 0;
        size_t n = split_fields(line, fld, 4);
        if (n < 3 || !parse_id(fld[2], strlen(fld[2]), &v))
            continue;
        if (name ? strcmp(fld[0], name) != 0 : v != id)
            continue;
        if (gid_out && (n < 4 || !parse_id(fld[3], strlen(fld[3]), &g)))
            continue;
        *id_out = v;
        if (gid_out)
            *gid_out = g;
        found = 0;
    }
    fclose(f);
    return found;
}

static int resolve_group(const char *g, size_t n, const char *group_path, gid_t *gid, char *err,
                         size_t errlen)
{
    unsigned v;
    char name[64];
    if (parse_id(g, n, &v)) {
        *gid = v;
        return 0;
    }
    if (n == 0 || n >= sizeof name)
        return errmsg_fail(err, errlen, "RUN_AS_GROUP: '%.*s' is not a group id or name", (int)n, g);
    memcpy(name, g, n);
    name[n] = '\0';
    if (lookup_entry(group_path, name, 0, &v, NULL) < 0)
        return errmsg_fail(err, errlen,
                    "RUN_AS_GROUP: no group '%s' in %s (the image has no name service: give a "
                    "numeric gid)",
                    name, group_path ? group_path : "(none)");
    *gid = v;
    return 0;
}

int confine_resolve_ids(const char *user, const char *group, const char *passwd_path,
                        const char *group_path, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
    const char *colon = strchr(user, ':');
    size_t un = colon ? (size_t)(colon - user) : strlen(user);
    unsigned v, pw_gid;
    bool have_pw_gid = false;
    char name[64];
    if (colon && group)
        return errmsg_fail(err, errlen, "RUN_AS_USER has a group and RUN_AS_GROUP is set: give it once");
    if (parse_id(user, un, &v)) {
        unsigned same;
        have_pw_gid = lookup_entry(passwd_path, NULL, v, &same, &pw_gid) == 0;
    } else {
        if (un == 0 || un >= sizeof name)
            return errmsg_fail(err, errlen, "RUN_AS_USER: '%s' is not a user id or name", user);
        memcpy(name, user, un);
        name[un] = '\0';
        if (lookup_entry(passwd_path, name, 0, &v, &pw_gid) < 0)
            return errmsg_fail(err, errlen,
                        "RUN_AS_USER: no user '%s' in %s (the image has no name service: give a "
                        "numeric uid, e.g. 65534:65534)",
                        name, passwd_path ? passwd_path : "(none)");
        have_pw_gid = true;
    }
    *uid = v;
    if (colon)
        return resolve_group(colon + 1, strlen(colon + 1), group_path, gid, err, errlen);
    if (group)
        return resolve_group(group, strlen(group), group_path, gid, err, errlen);
    *gid = have_pw_gid ? pw_gid : v; /* never gid 0 by default */
    return 0;
}

/* ---- settings ------------------------------------------------------------------------------- */

static const char *env(confine_getenv_fn getenv_fn, const char *name)
{
    const char *v = getenv_fn ? getenv_fn(name) : NULL;
    return v && *v ? v : NULL;
}

int confine_opts_from_env(struct confine_opts *o, const struct upstream_addr *up,
                          confine_getenv_fn getenv_fn, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->keep_socket_group = true;
    o->seccomp = CONFINE_SECCOMP_KILL;
    o->landlock = true;
    if (up->kind == UP_UNIX)
        o->upstream_path = up->path;
    else
        o->upstream_port = up->port;

    const char *user = env(getenv_fn, "RUN_AS_USER"), *group = env(getenv_fn, "RUN_AS_GROUP");
    if (group && !user)
        return errmsg_fail(err, errlen, "RUN_AS_GROUP is set without RUN_AS_USER");
    if (user) {
        if (confine_resolve_ids(user, group, "/etc/passwd", "/etc/group", &o->uid, &o->gid, err,
                                errlen) < 0)
            return -1;
        o->switch_ids = true;
    }

    const char *s = env(getenv_fn, "SECCOMP");
    if (s) {
        int b = strcasecmp(s, "log") == 0 ? 2 : parse_switch(s);
        if (b < 0)
            return errmsg_fail(err, errlen, "SECCOMP: '%s' is not 1, 0 or log", s);
        o->seccomp = b == 2 ? CONFINE_SECCOMP_LOG : b ? CONFINE_SECCOMP_KILL : CONFINE_SECCOMP_OFF;
    }
    const char *l = env(getenv_fn, "LANDLOCK");
    if (l) {
        int b = parse_switch(l);
        if (b < 0)
            return errmsg_fail(err, errlen, "LANDLOCK: '%s' is not 1 or 0", l);
        o->landlock = b;
    }
    return 0;
}

/* ---- step 1: identity ----------------------------------------------------------------------- */

static int check_socket_writable(const char *path, char *err, size_t errlen)
{
    if (access(path, W_OK) == 0)
        return 0;
    int e = errno;
    struct stat st;
    int ng = getgroups(0, NULL);
    if (stat(path, &st) < 0)
        return errmsg_fail(err, errlen, "RUN_AS_USER: as uid %u the engine socket %s is out of reach: %s",
                    (unsigned)getuid(), path, strerror(e));
    return errmsg_fail(err, errlen,
                "RUN_AS_USER: as uid %u gid %u (%d supplementary group(s)) the engine socket %s "
                "(uid %u gid %u mode %03o) is not writable: %s",
                (unsigned)getuid(), (unsigned)getgid(), ng, path, (unsigned)st.st_uid,
                (unsigned)st.st_gid, (unsigned)(st.st_mode & 0777), strerror(e));
}

static int not_root_identity(const struct confine_opts *o, char *err, size_t errlen,
                             confine_note_fn note)
{
    if (getuid() == o->uid && geteuid() == o->uid && getgid() == o->gid && getegid() == o->gid) {
        notef(note, "identity: already running as uid %u gid %u", (unsigned)o->uid,
              (unsigned)o->gid);
        return 0;
    }
    return errmsg_fail(err, errlen,
                "RUN_AS_USER: cannot switch to uid %u gid %u: sockwarden runs as uid %u, not root "
                "(drop RUN_AS_USER, or start it as root)",
                (unsigned)o->uid, (unsigned)o->gid, (unsigned)geteuid());
}

static int switch_identity(const struct confine_opts *o, char *err, size_t errlen,
                           confine_note_fn note)
{
    if (!o->switch_ids) {
        if (geteuid() == 0)
            notef(note, "identity: running as root; set RUN_AS_USER (e.g. 65534) to drop it once "
                        "the listeners are open");
        return 0;
    }
    if (geteuid() != 0)
        return not_root_identity(o, err, errlen, note);

    gid_t groups[1];
    size_t ng = 0;
    if (o->keep_socket_group && o->upstream_path) {
        struct stat st;
        if (stat(o->upstream_path, &st) < 0)
            return errmsg_fail(err, errlen,
                        "RUN_AS_USER: cannot read the group of the engine socket %s, which the "
                        "proxy must keep to reach it: %s",
                        o->upstream_path, strerror(errno));
        if (st.st_gid != o->gid)
            groups[ng++] = st.st_gid;
    }
    if (setgroups(ng, groups) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 ||
        setresuid(o->uid, o->uid, o->uid) < 0)
        return errmsg_fail(err, errlen, "RUN_AS_USER: switching to uid %u gid %u failed: %s",
                    (unsigned)o->uid, (unsigned)o->gid, strerror(errno));

    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 || r != o->uid || e != o->uid ||
        s != o->uid || rg != o->gid || eg != o->gid || sg != o->gid ||
        (o->uid != 0 && setuid(0) == 0))
        return errmsg_fail(err, errlen, "RUN_AS_USER: the switch to uid %u did not stick",
                    (unsigned)o->uid);
    if (o->upstream_path && check_socket_writable(o->upstream_path, err, errlen) < 0)
        return -1;
    if (ng)
        notef(note, "identity: now uid %u gid %u, keeping group %u of %s", (unsigned)o->uid,
              (unsigned)o->gid, (unsigned)groups[0], o->upstream_path);
    else
        notef(note, "identity: now uid %u gid %u, no supplementary groups", (unsigned)o->uid,
              (unsigned)o->gid);
    return 0;
}

/* ---- step 3: Landlock ----------------------------------------------------------------------- */

int confine_landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return v < 0 ? -errno : (int)v;
}

void confine_landlock_plan(int abi, const struct confine_opts *o, struct confine_landlock_plan *p)
{
    memset(p, 0, sizeof *p);
    if (abi < 1)
        return;
    p->handled_fs = LL_FS_ABI1;
    p->attr_size = sizeof(uint64_t);
    if (abi >= 2)
        p->handled_fs |= LL_FS_REFER;
    if (abi >= 3)
        p->handled_fs |= LL_FS_TRUNCATE;
    if (abi >= 4) {
        p->handled_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        p->attr_size = 2 * sizeof(uint64_t);
        if (!o->upstream_path && o->upstream_port > 0)
            p->tcp_connect_port = o->upstream_port;
    }
    if (abi >= 5)
        p->handled_fs |= LL_FS_IOCTL_DEV;
    if (abi >= 6) {
        p->scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
        p->attr_size = sizeof(struct ll_ruleset_attr);
    }
    if (abi >= 9) {
        p->handled_fs |= LL_FS_RESOLVE_UNIX;
        if (o->upstream_path)
            p->unix_dir_grant = LL_FS_RESOLVE_UNIX;
    }
}

/* The directory holding the engine socket, opened O_PATH for a path-beneath rule. */
static int open_socket_dir(const char *path)
{
    char dir[CONFIG_PATH_MAX + 1];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int add_rules(int rfd, const struct confine_opts *o, const struct confine_landlock_plan *p)
{
    if (p->tcp_connect_port) {
        struct ll_net_port_attr np = {LL_NET_CONNECT_TCP, (uint64_t)p->tcp_connect_port};
        if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np, 0) < 0)
            return -1;
    }
    if (p->unix_dir_grant) {
        struct ll_path_beneath_attr pb = {p->unix_dir_grant, open_socket_dir(o->upstream_path)};
        if (pb.parent_fd < 0)
            return -1;
        long r = syscall(SYS_landlock_add_rule, rfd, LL_RULE_PATH_BENEATH, &pb, 0);
        int e = errno;
        close(pb.parent_fd);
        errno = e;
        if (r < 0)
            return -1;
    }
    return 0;
}

static void note_landlock(confine_note_fn note, int abi, const struct confine_landlock_plan *p)
{
    char tcp[64] = "not governed (ABI < 4)";
    if (p->handled_net && p->tcp_connect_port)
        snprintf(tcp, sizeof tcp, "no bind, connect to port %d only", p->tcp_connect_port);
    else if (p->handled_net)
        snprintf(tcp, sizeof tcp, "no bind, no connect");
    notef(note,
          "landlock: ABI %d: no file may be opened, created or removed; unix sockets: %s; "
          "TCP: %s%s",
          abi,
          p->unix_dir_grant ? "connect beneath the engine socket's directory only"
                            : "not governed (ABI < 9)",
          tcp, p->scoped ? "; abstract sockets and signals scoped" : "");
}

int confine_landlock(const struct confine_opts *o, char *err, size_t errlen, confine_note_fn note)
{
    int abi = confine_landlock_abi();
    if (abi < 0) {
        notef(note, "landlock: unavailable here (%s); skipped",
              abi == -ENOSYS       ? "not in this kernel"
              : abi == -EOPNOTSUPP ? "disabled at boot"
                                   : strerror(-abi)); /* EPERM: a container's seccomp profile */
        return 0;
    }
    struct confine_landlock_plan p;
    confine_landlock_plan(abi, o, &p);
    struct ll_ruleset_attr attr = {p.handled_fs, p.handled_net, p.scoped};
    int rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, p.attr_size, 0);
    if (rfd < 0)
        return errmsg_fail(err, errlen, "landlock: creating the ruleset failed: %s (set LANDLOCK=0)",
                    strerror(errno));
    int r = add_rules(rfd, o, &p);
    if (r == 0)
        r = (int)syscall(SYS_landlock_restrict_self, rfd, 0);
    int e = errno;
    close(rfd);
    if (r < 0)
        return errmsg_fail(err, errlen, "landlock: enforcing the ruleset failed: %s (set LANDLOCK=0)",
                    strerror(e));
    note_landlock(note, abi, &p);
    return 0;
}

/* ---- step 4: seccomp ------------------------------------------------------------------------ */


#ifdef SW_AUDIT_ARCH

/* Allowed outright. Measured (tests/confine/measure.sh: strace -f through drive.py, glibc and
 * musl): the event loop, the engine connection, logging, malloc, the signal set-up proxy_run()
 * does after confinement, exit. Added where the measurement cannot reach: the engine-error
 * diagnostic (stat, ids, groups), other libc spellings of the same operations, the vDSO fallbacks
 * of the clocks, signal delivery, abort(). */
static const long allowed[] = {
    /* event loop, sockets, logging (proxy.c, net.c, log.c) */
    SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_pwait,
#ifdef SYS_epoll_wait
    SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait2
    SYS_epoll_pwait2,
#endif
    SYS_accept4, SYS_connect, SYS_shutdown, SYS_getsockopt, SYS_setsockopt, SYS_getsockname,
    SYS_getpeername, SYS_sendto, SYS_recvfrom, SYS_read, SYS_readv, SYS_write, SYS_writev,
    SYS_close, SYS_fcntl,
    /* clocks: normally served by the vDSO */
    SYS_clock_gettime, SYS_gettimeofday,
    /* memory: malloc/realloc/free (mmap and mprotect are checked below) */
    SYS_brk, SYS_munmap, SYS_mremap, SYS_madvise,
    /* signals: proxy_run() blocks them and opens its signalfd after confinement */
    SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_rt_sigreturn, SYS_signalfd4, SYS_restart_syscall,
#ifdef SYS_signalfd
    SYS_signalfd,
#endif
    /* the permission diagnostic of net_upstream_diagnose() */
    SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getgroups, SYS_fstat, SYS_statx,
    SYS_newfstatat,
#ifdef SYS_stat
    SYS_stat, SYS_lstat,
#endif
    /* libc internals, abort(), exit */
    SYS_getpid, SYS_gettid, SYS_futex, SYS_getrandom, SYS_exit, SYS_exit_group};

/* Refused with EACCES rather than a kill: libraries may try them (glibc reads /etc/localtime). */
static const long refused_open[] = {
    SYS_openat,
#ifdef SYS_open
    SYS_open,
    SYS_creat,
#endif
#ifdef SYS_openat2
    SYS_openat2,
#endif
};

#define PROG_MAX 256

struct prog {
    struct sf_insn f[PROG_MAX];
    unsigned n;
};

static unsigned emit(struct prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (p->n < PROG_MAX)
        p->f[p->n] = (struct sf_insn){code, jt, jf, k};
    return p->n++;
}

/* "if nr == k then <block>": returns the index of the jump, to be closed by end_block(). */
static unsigned begin_block(struct prog *p, long nr)
{
    return emit(p, BPF_JEQ_K, (uint32_t)nr, 0, 0);
}

static void end_block(struct prog *p, unsigned jump)
{
    if (p->n <= PROG_MAX)
        p->f[jump].jf = (uint8_t)(p->n - jump - 1);
}

static void nr_returns(struct prog *p, long nr, uint32_t action)
{
    unsigned j = begin_block(p, nr);
    emit(p, BPF_RET_K, action, 0, 0);
    end_block(p, j);
}

/* Allowed when the int argument `arg` is one of vals[], else errno e. */
static void nr_arg_in(struct prog *p, long nr, int arg, const uint32_t *vals, unsigned nv, int e)
{
    unsigned j = begin_block(p, nr);
    emit(p, BPF_LD_W_ABS, SD_ARG_LO(arg), 0, 0);
    for (unsigned i = 0; i < nv; i++)
        emit(p, BPF_JEQ_K, vals[i], (uint8_t)(nv - i), 0);
    emit(p, BPF_RET_K, RET_ERRNO(e), 0, 0);
    emit(p, BPF_RET_K, RET_ALLOW, 0, 0);
    end_block(p, j);
}

/* Allowed unless PROT_EXEC is asked for (argument 2 of mmap and mprotect). */
static void nr_no_exec(struct prog *p, long nr)
{
    unsigned j = begin_block(p, nr);
    emit(p, BPF_LD_W_ABS, SD_ARG_LO(2), 0, 0);
    emit(p, BPF_JSET_K, 0x4 /* PROT_EXEC */, 0, 1);
    emit(p, BPF_RET_K, RET_ERRNO(EPERM), 0, 0);
    emit(p, BPF_RET_K, RET_ALLOW, 0, 0);
    end_block(p, j);
}

static void build_filter(struct prog *p, uint32_t dflt, uint32_t kill)
{
    p->n = 0;
    emit(p, BPF_LD_W_ABS, SD_ARCH, 0, 0);
    emit(p, BPF_JEQ_K, SW_AUDIT_ARCH, 1, 0);
    emit(p, BPF_RET_K, kill, 0, 0);
    emit(p, BPF_LD_W_ABS, SD_NR, 0, 0);
#ifdef SW_X32_BIT
    emit(p, BPF_JGE_K, SW_X32_BIT, 0, 1);
    emit(p, BPF_RET_K, kill, 0, 0);
#endif
    for (size_t i = 0; i < NELEM(allowed); i++)
        nr_returns(p, allowed[i], RET_ALLOW);
    for (size_t i = 0; i < NELEM(refused_open); i++)
        nr_returns(p, refused_open[i], RET_ERRNO(EACCES));
    nr_no_exec(p, SYS_mmap);
    nr_no_exec(p, SYS_mprotect);
    static const uint32_t families[] = {1 /* AF_UNIX */, 2 /* AF_INET */, 10 /* AF_INET6 */};
    nr_arg_in(p, SYS_socket, 0, families, 3, EAFNOSUPPORT);
    const uint32_t self[] = {(uint32_t)getpid()}; /* single-threaded: tid == pid */
    nr_arg_in(p, SYS_tgkill, 0, self, 1, EPERM);
    nr_arg_in(p, SYS_tkill, 0, self, 1, EPERM);
    nr_arg_in(p, SYS_kill, 0, self, 1, EPERM);
    emit(p, BPF_RET_K, dflt, 0, 0);
}

static bool action_available(uint32_t action)
{
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL_, 0, &action) == 0;
}

int confine_seccomp_install(enum confine_seccomp mode, char *err, size_t errlen)
{
    if (mode == CONFINE_SECCOMP_OFF)
        return 0;
    uint32_t kill = action_available(RET_KILL_PROCESS) ? RET_KILL_PROCESS : RET_KILL_THREAD;
    if (mode == CONFINE_SECCOMP_LOG && !action_available(RET_LOG))
        return errmsg_fail(err, errlen, "seccomp: this kernel cannot log (SECCOMP=log); use 1 or 0");
    struct prog p; /* about 2 KiB, once */
    build_filter(&p, mode == CONFINE_SECCOMP_LOG ? RET_LOG : kill, kill);
    if (p.n > PROG_MAX)
        return errmsg_fail(err, errlen, "seccomp: filter too long (%u instructions)", p.n);
    struct sf_prog fp = {(unsigned short)p.n, p.f};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER_, SECCOMP_FILTER_FLAG_TSYNC_, &fp);
    if (r != 0)
        return errmsg_fail(err, errlen, "seccomp: installing the filter failed: %s (set SECCOMP=0)",
                    r > 0 ? "another thread could not be synchronised" : strerror(errno));
    return (int)p.n;
}

#else /* no filter for this architecture */

int confine_seccomp_install(enum confine_seccomp mode, char *err, size_t errlen)
{
    if (mode == CONFINE_SECCOMP_OFF)
        return 0;
    return errmsg_fail(err, errlen, "seccomp: no filter for this architecture (set SECCOMP=0)");
}

#endif

/* ---- all steps ------------------------------------------------------------------------------ */

static const char *skip_reason(void)
{
    if (SW_SANITIZED)
        return "this is a sanitizer build";
    if (SW_UNDER_VALGRIND())
        return "running under valgrind";
    return NULL;
}

int confine_apply(const struct confine_opts *o, char *err, size_t errlen, confine_note_fn note)
{
    if (switch_identity(o, err, errlen, note) < 0)
        return -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return errmsg_fail(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s", strerror(errno));
    const char *skip = skip_reason();
    if (!o->landlock)
        notef(note, "landlock: off (LANDLOCK=0)");
    else if (skip)
        notef(note, "landlock: skipped: %s", skip);
    else if (confine_landlock(o, err, errlen, note) < 0)
        return -1;
    if (o->seccomp == CONFINE_SECCOMP_OFF) {
        notef(note, "seccomp: off (SECCOMP=0)");
    } else if (skip) {
        notef(note, "seccomp: skipped: %s", skip);
    } else {
        int n = confine_seccomp_install(o->seccomp, err, errlen);
        if (n < 0)
            return -1;
        notef(note, "seccomp: %s; %d-instruction allow-list filter installed",
              o->seccomp == CONFINE_SECCOMP_LOG ? "log mode: unlisted syscalls are only logged"
                                                : "unlisted syscalls kill the process",
              n);
    }
    return 0;
}
