/* Unit tests for confine: settings and name resolution (pure), the Landlock plan per ABI, and the
 * kernel's verdicts — each confined case runs in a forked child, because confinement is
 * irreversible: a forbidden syscall must kill the child with SIGSYS (or fail with the documented
 * errno), while the syscalls of the event loop keep working. Identity switches run when the test
 * runs as root. Seccomp cases are skipped under valgrind, which makes syscalls of its own. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fake_env.h"
#include "os/confine.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() false
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static char dir[64];         /* private temp dir */
static char engine_path[96]; /* a listening unix socket standing in for the engine */
static char other_path[96];  /* another listening unix socket, in another directory */
static int engine_fd = -1, other_fd = -1, tcp_fd = -1, tcp2_fd = -1, abstract_fd = -1;
static int tcp_port, tcp2_port;

/* ---- pure parts ------------------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_resolve_ids(void)
{
    char pw[128], gr[128];
    snprintf(pw, sizeof pw, "%s/passwd", dir);
    snprintf(gr, sizeof gr, "%s/group", dir);
    write_file(pw, "root:x:0:0:root:/root:/bin/sh\n# comment line\nbroken\n"
                   "alice:x:1001:1002::/home/alice:/bin/sh\nodd:x:notanumber:5::/:/bin/sh\n"
                   "nogid:x:1500\nhasgid:x:1600:60::/:/bin/sh\n");
    write_file(gr, "root:x:0:\nstaff:x:50:alice\ndocker:x:998:\nbad:x:z:\n");
    static const struct {
        const char *user, *group;
        int ok;
        unsigned uid, gid;
    } cases[] = {
        {"1000", NULL, 1, 1000, 1000}, /* no entry: gid = uid, never 0 */
        {"1600", NULL, 1, 1600, 60},   /* numeric uid with an entry: its gid */
        {"1000:2000", NULL, 1, 1000, 2000},
        {"65534:65534", NULL, 1, 65534, 65534},
        {"alice", NULL, 1, 1001, 1002},
        {"alice:staff", NULL, 1, 1001, 50},
        {"alice:77", NULL, 1, 1001, 77},
        {"alice", "docker", 1, 1001, 998},
        {"alice", "5", 1, 1001, 5},
        {"1000", "staff", 1, 1000, 50},
        {"root", NULL, 1, 0, 0},
        {"0", NULL, 1, 0, 0},
        {"4294967294", NULL, 1, 4294967294u, 4294967294u},
        {"bob", NULL, 0, 0, 0},        /* unknown name */
        {"odd", NULL, 0, 0, 0},        /* entry with a broken uid is skipped */
        {"nogid", NULL, 0, 0, 0},      /* entry without a gid is skipped */
        {"4294967295", NULL, 0, 0, 0}, /* (uid_t)-1 means "unchanged" */
        {"99999999999", NULL, 0, 0, 0},
        {"-1", NULL, 0, 0, 0},
        {"", NULL, 0, 0, 0},
        {"1000:", NULL, 0, 0, 0},
        {":1000", NULL, 0, 0, 0},
        {"1000:1:2", NULL, 0, 0, 0},
        {"1000:1", "2", 0, 0, 0}, /* group given twice */
        {"alice:nosuch", NULL, 0, 0, 0},
        {"alice", "nosuch", 0, 0, 0},
        {"alice", "bad", 0, 0, 0},
        {" 1000", NULL, 0, 0, 0},
        {"1000 ", NULL, 0, 0, 0},
        {"+5", NULL, 0, 0, 0},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uid_t u = 12345;
        gid_t g = 12345;
        char err[256] = "";
        int r = confine_resolve_ids(cases[i].user, cases[i].group, pw, gr, &u, &g, err, sizeof err);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "resolve '%s' '%s'", cases[i].user,
                 cases[i].group ? cases[i].group : "-");
        CHECK_INT(r, cases[i].ok ? 0 : -1, ctx);
        if (cases[i].ok && r == 0) {
            CHECK_INT(u, cases[i].uid, ctx);
            CHECK_INT(g, cases[i].gid, ctx);
        }
        if (!cases[i].ok)
            CHECK(err[0] != '\0', "%s: no error message", ctx);
    }
    /* No name files at all (a scratch image): numbers work, names fail with a hint. */
    uid_t u;
    gid_t g;
    char err[256];
    CHECK_INT(confine_resolve_ids("70:71", NULL, NULL, NULL, &u, &g, err, sizeof err), 0, "no f");
    CHECK(u == 70 && g == 71, "numbers without files: %u:%u", (unsigned)u, (unsigned)g);
    CHECK_INT(
        confine_resolve_ids("alice", NULL, "/nonexistent/passwd", NULL, &u, &g, err, sizeof err),
        -1, "name without passwd");
    CHECK(strstr(err, "numeric uid") != NULL, "hint missing: %s", err);
}

static void test_opts_from_env(void)
{
    struct upstream_addr unix_up = {.kind = UP_UNIX, .path = "/var/run/docker.sock"};
    struct upstream_addr tcp_up = {.kind = UP_TCP, .host = "127.0.0.1", .port = 2376};
    static const struct {
        const char *env[4];
        int ok;
        enum confine_seccomp seccomp;
        bool landlock, switch_ids;
    } cases[] = {
        {{NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"SECCOMP=", "LANDLOCK=", NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"SECCOMP=1", NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"SECCOMP=0", NULL}, 1, CONFINE_SECCOMP_OFF, true, false},
        {{"SECCOMP=log", NULL}, 1, CONFINE_SECCOMP_LOG, true, false},
        {{"SECCOMP=LOG", NULL}, 1, CONFINE_SECCOMP_LOG, true, false},
        {{"SECCOMP=yes", NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"SECCOMP=off", NULL}, 1, CONFINE_SECCOMP_OFF, true, false},
        {{"SECCOMP=False", NULL}, 1, CONFINE_SECCOMP_OFF, true, false},
        {{"SECCOMP=2", NULL}, 0, 0, 0, 0},
        {{"SECCOMP=maybe", NULL}, 0, 0, 0, 0},
        {{"SECCOMP= 1", NULL}, 0, 0, 0, 0},
        {{"LANDLOCK=0", NULL}, 1, CONFINE_SECCOMP_KILL, false, false},
        {{"LANDLOCK=no", "SECCOMP=0", NULL}, 1, CONFINE_SECCOMP_OFF, false, false},
        {{"LANDLOCK=TRUE", NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"LANDLOCK=enabled", NULL}, 0, 0, 0, 0},
        {{"RUN_AS_USER=65534", NULL}, 1, CONFINE_SECCOMP_KILL, true, true},
        {{"RUN_AS_USER=65534:65534", "RUN_AS_GROUP=", NULL}, 1, CONFINE_SECCOMP_KILL, true, true},
        {{"RUN_AS_USER=", NULL}, 1, CONFINE_SECCOMP_KILL, true, false},
        {{"RUN_AS_GROUP=998", NULL}, 0, 0, 0, 0},
        {{"RUN_AS_USER=-5", NULL}, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct confine_opts o;
        char err[256] = "", ctx[64];
        snprintf(ctx, sizeof ctx, "env case %zu (%s)", i, cases[i].env[0] ? cases[i].env[0] : "");
        fake_env = cases[i].env;
        int r = confine_opts_from_env(&o, &unix_up, fake_getenv, err, sizeof err);
        CHECK_INT(r, cases[i].ok ? 0 : -1, ctx);
        if (!cases[i].ok) {
            CHECK(err[0] != '\0', "%s: no error message", ctx);
            continue;
        }
        CHECK_INT(o.seccomp, cases[i].seccomp, ctx);
        CHECK_INT(o.landlock, cases[i].landlock, ctx);
        CHECK_INT(o.switch_ids, cases[i].switch_ids, ctx);
        CHECK(o.keep_socket_group, "%s: socket group not kept by default", ctx);
        CHECK(o.upstream_path == unix_up.path && o.upstream_port == 0, "%s: upstream", ctx);
    }
    static const char *const ids[] = {"RUN_AS_USER=65534:65534", NULL};
    struct confine_opts o;
    char err[256];
    fake_env = ids;
    CHECK_INT(confine_opts_from_env(&o, &tcp_up, fake_getenv, err, sizeof err), 0, "tcp");
    CHECK(o.upstream_path == NULL && o.upstream_port == 2376, "tcp upstream");
    CHECK(o.uid == 65534 && o.gid == 65534, "ids %u:%u", (unsigned)o.uid, (unsigned)o.gid);
    fake_env = NULL;
}

static void test_landlock_plan(void)
{
    struct confine_opts unix_o = {.upstream_path = "/run/docker.sock"};
    struct confine_opts tcp_o = {.upstream_port = 2375};
    static const struct {
        int abi;
        uint64_t fs;
        uint64_t net;
        uint64_t scoped;
        size_t size;
    } cases[] = {
        {-38, 0, 0, 0, 0},     {0, 0, 0, 0, 0},        {1, 0x1fff, 0, 0, 8},
        {2, 0x3fff, 0, 0, 8},  {3, 0x7fff, 0, 0, 8},   {4, 0x7fff, 3, 0, 16},
        {5, 0xffff, 3, 0, 16}, {6, 0xffff, 3, 3, 24},  {7, 0xffff, 3, 3, 24},
        {8, 0xffff, 3, 3, 24}, {9, 0x1ffff, 3, 3, 24}, {12, 0x1ffff, 3, 3, 24},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "plan ABI %d", cases[i].abi);
        struct confine_landlock_plan pu, pt;
        confine_landlock_plan(cases[i].abi, &unix_o, &pu);
        confine_landlock_plan(cases[i].abi, &tcp_o, &pt);
        CHECK_INT(pu.handled_fs, cases[i].fs, ctx);
        CHECK_INT(pu.handled_net, cases[i].net, ctx);
        CHECK_INT(pu.scoped, cases[i].scoped, ctx);
        CHECK_INT(pu.attr_size, cases[i].size, ctx);
        CHECK_INT(pt.handled_fs, cases[i].fs, ctx);
        CHECK_INT(pu.tcp_connect_port, 0, ctx);
        CHECK_INT(pt.tcp_connect_port, cases[i].abi >= 4 ? 2375 : 0, ctx);
        CHECK_INT(pu.unix_dir_grant, cases[i].abi >= 9 ? 0x10000 : 0, ctx);
        CHECK_INT(pt.unix_dir_grant, 0, ctx);
    }
}

/* ---- fixtures ---------------------------------------------------------------------------- */

/* A pathname or (abstract) an abstract unix address; returns its length. */
static socklen_t unix_addr(const char *path, bool abstract, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (!abstract) {
        snprintf(sa->sun_path, sizeof sa->sun_path, "%s", path);
        return sizeof *sa;
    }
    snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "%s", path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
}

static int listen_unix(const char *path, bool abstract)
{
    struct sockaddr_un sa;
    socklen_t len = unix_addr(path, abstract, &sa);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 64) < 0) {
        perror(path);
        exit(2);
    }
    return fd;
}

static int listen_tcp(int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        perror("tcp listener");
        exit(2);
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sw-confine.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    chmod(dir, 0755);
    char sub[96];
    snprintf(sub, sizeof sub, "%s/run", dir);
    mkdir(sub, 0755);
    snprintf(engine_path, sizeof engine_path, "%s/run/engine.sock", dir);
    snprintf(other_path, sizeof other_path, "%s/other.sock", dir);
    engine_fd = listen_unix(engine_path, false);
    fcntl(engine_fd, F_SETFL, O_NONBLOCK);
    other_fd = listen_unix(other_path, false);
    char abstract[64];
    snprintf(abstract, sizeof abstract, "sw-confine-test-%d", (int)getpid());
    abstract_fd = listen_unix(abstract, true);
    tcp_fd = listen_tcp(&tcp_port);
    tcp2_fd = listen_tcp(&tcp2_port);
    char victim[96];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    write_file(victim, "x");
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (strncmp(dir, "/tmp/sw-confine.", 16) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- children ---------------------------------------------------------------------------- */

static char notes[2048];

static void collect(const char *line)
{
    size_t n = strlen(notes);
    snprintf(notes + n, sizeof notes - n, "%s\n", line);
}

typedef int (*child_fn)(const void *arg);

/* Runs fn in a child; returns its wait status. The child ends with a raw exit_group: no atexit
 * handlers and no sanitizer exit hooks (which make syscalls of their own) inside a confined
 * process. */
static int run_child(child_fn fn, const void *arg)
{
    int old; /* earlier children leave connections queued: the next one must accept its own */
    while ((old = accept4(engine_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
        close(old);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        syscall(SYS_exit_group, fn(arg));
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static const char *describe(int st, char *buf, size_t cap)
{
    if (WIFSIGNALED(st))
        snprintf(buf, cap, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(buf, cap, "exit %d", WEXITSTATUS(st));
    return buf;
}

static int connect_unix(const char *path, bool abstract)
{
    struct sockaddr_un sa;
    socklen_t len = unix_addr(path, abstract, &sa);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int r = connect(fd, (struct sockaddr *)&sa, len) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static int connect_tcp(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int r = connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static int seccomp_on(enum confine_seccomp mode)
{
    char err[256];
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        confine_seccomp_install(mode, err, sizeof err) <= 0)
        return 90;
    return 0;
}

/* The event loop's own syscalls, after the filter: epoll, a unix connection accepted and echoed,
 * a TCP connection, a pipe, large allocations, clocks, signals blocked and read via signalfd. */
static int do_allowed_work(bool tcp)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", engine_path);
    if (ep < 0 || c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) < 0)
        return 10;
    int s = accept4(engine_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    struct epoll_event ee = {.events = EPOLLIN | EPOLLET, .data.fd = s}, got;
    if (s < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s, &ee) < 0)
        return 11;
    if (send(c, "ping", 4, MSG_NOSIGNAL) != 4 || epoll_wait(ep, &got, 1, 1000) != 1)
        return 12;
    char buf[16];
    if (read(s, buf, sizeof buf) != 4 || write(s, "pong", 4) != 4 || recv(c, buf, 4, 0) != 4)
        return 13;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int one = 1, err = 0;
    socklen_t el = sizeof err;
    if (getsockname(s, (struct sockaddr *)&ss, &sl) < 0 || (sl = sizeof ss) == 0 ||
        getpeername(c, (struct sockaddr *)&ss, &sl) < 0 ||
        setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0 ||
        getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || shutdown(c, SHUT_WR) < 0)
        return 14;
    if (tcp && connect_tcp(tcp_port) != 0)
        return 15;
    void *big = malloc(8 << 20);
    char *grown = big ? realloc(big, 16 << 20) : NULL;
    if (!grown)
        return 17;
    memset(grown, 1, 16 << 20);
    free(grown);
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0 || clock_gettime(CLOCK_REALTIME, &ts) < 0)
        return 18;
    struct stat st;
    if (stat(engine_path, &st) < 0 || getgroups(0, NULL) < 0 || getuid() == (uid_t)-2)
        return 19;
    close(s);
    close(c);
    close(ep);
    return 0;
}

static int child_allowed(const void *arg)
{
    int r = seccomp_on(CONFINE_SECCOMP_KILL);
    return r ? r : do_allowed_work(true);
}

struct forbidden {
    const char *name;
    long nr;
    long a0, a1, a2;
};

/* Arguments are chosen so that the call would fail harmlessly if the filter let it through. */
static const struct forbidden forbidden[] = {
    {"execve", SYS_execve, 0, 0, 0},
    {"execveat", SYS_execveat, -1, 0, 0},
    {"clone", SYS_clone, -1, 0, 0},
    {"ptrace", SYS_ptrace, 2 /* PTRACE_PEEKDATA */, -1, 0},
    {"ioctl", SYS_ioctl, -1, 0x5413 /* TIOCGWINSZ */, 0},
    {"prctl", SYS_prctl, 16 /* PR_GET_NAME */, 0, 0},
    {"bind", SYS_bind, -1, 0, 0},
    {"listen", SYS_listen, -1, 0, 0},
    {"socketpair", SYS_socketpair, -1, 0, 0},
    {"pipe2", SYS_pipe2, 0, 0, 0},
    {"splice", SYS_splice, -1, 0, -1},
    {"sendmsg", SYS_sendmsg, -1, 0, 0},
    {"setuid", SYS_setuid, 0, 0, 0},
    {"setresuid", SYS_setresuid, -1, -1, -1},
    {"chdir", SYS_chdir, 0, 0, 0},
    {"unlinkat", SYS_unlinkat, -1, 0, 0},
    {"mkdirat", SYS_mkdirat, -1, 0, 0},
    {"getppid", SYS_getppid, 0, 0, 0},
    {"uname", SYS_uname, 0, 0, 0},
    {"unshare", SYS_unshare, 0, 0, 0},
    {"mount", SYS_mount, 0, 0, 0},
    {"memfd_create", SYS_memfd_create, 0, 0, 0},
    {"bpf", SYS_bpf, -1, 0, 0},
    {"userfaultfd", SYS_userfaultfd, -1, 0, 0},
    {"io_uring_setup", SYS_io_uring_setup, 0, 0, 0},
    {"process_vm_readv", SYS_process_vm_readv, 0, 0, 0},
    {"pidfd_open", SYS_pidfd_open, -1, 0, 0},
    {"seccomp", SYS_seccomp, -1, 0, 0},
    {"landlock_create_ruleset", 444, 0, 0, -1},
    {"dup", SYS_dup, -1, 0, 0},
    {"lseek", SYS_lseek, -1, 0, 0},
    {"accept", SYS_accept, -1, 0, 0},
    {"pkey_mprotect", SYS_pkey_mprotect, 0, 0, 0},
#ifdef SYS_clone3
    {"clone3", SYS_clone3, 0, 0, 0},
#endif
#ifdef SYS_fork
    {"fork", SYS_fork, 0, 0, 0}, /* never survives the filter: a fork here would be a bug */
#endif
#if defined(__x86_64__)
    {"x32 getpid", 0x40000000 | 39, 0, 0, 0},
#endif
};

static int child_forbidden(const void *arg)
{
    const struct forbidden *f = arg;
    int r = seccomp_on(CONFINE_SECCOMP_KILL);
    if (r)
        return r;
    syscall(f->nr, f->a0, f->a1, f->a2, 0, 0, 0);
    return 77; /* survived */
}

static int child_execv(const void *arg)
{
    int r = seccomp_on(CONFINE_SECCOMP_KILL);
    if (r)
        return r;
    execl("/bin/true", "true", (char *)NULL);
    return 78;
}

/* Refused with an errno, not a kill: the process lives on. */
static int child_refusals(const void *arg)
{
    int r = seccomp_on(CONFINE_SECCOMP_KILL);
    if (r)
        return r;
    if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES)
        return 20;
    if (syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY) >= 0 || errno != EACCES)
        return 21;
    if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || errno != EAFNOSUPPORT)
        return 22;
    if (socket(AF_PACKET, SOCK_RAW, 0) >= 0 || errno != EAFNOSUPPORT)
        return 23;
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED || errno != EPERM)
        return 24;
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 25;
    if (mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0 || errno != EPERM)
        return 26;
    if (mprotect(m, 4096, PROT_READ) != 0 || munmap(m, 4096) != 0)
        return 27;
    if (kill(1, 0) == 0 || errno != EPERM || kill(0, 0) == 0 || errno != EPERM)
        return 28;
    if (syscall(SYS_tgkill, 1, 1, 0) == 0 || errno != EPERM)
        return 29;
    if (kill(getpid(), 0) != 0 || syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0) != 0)
        return 30;
    return 0;
}

static int child_abort(const void *arg)
{
    int r = seccomp_on(CONFINE_SECCOMP_KILL);
    if (r)
        return r;
    if (SANITIZED) /* the sanitizers' abort path calls sigaltstack first */
        raise(SIGABRT);
    abort(); /* must end in SIGABRT, not SIGSYS: raise() on the own pid is allowed */
}

static int child_log_mode(const void *arg)
{
    int r = seccomp_on(CONFINE_SECCOMP_LOG);
    if (r)
        return r;
    return syscall(SYS_getppid) > 0 ? 0 : 31; /* unlisted, but only logged */
}

static void test_seccomp(void)
{
    char d[64];
    int st = run_child(child_allowed, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "event-loop syscalls under the filter: %s",
          describe(st, d, sizeof d));
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
        st = run_child(child_forbidden, &forbidden[i]);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: %s", forbidden[i].name,
              describe(st, d, sizeof d));
    }
    st = run_child(child_execv, NULL);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "execv(/bin/true): %s",
          describe(st, d, sizeof d));
    st = run_child(child_refusals, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "errno refusals: %s", describe(st, d, sizeof d));
    st = run_child(child_abort, NULL);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort(): %s", describe(st, d, sizeof d));
    st = run_child(child_log_mode, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SECCOMP=log: %s", describe(st, d, sizeof d));
}

/* ---- Landlock ---------------------------------------------------------------------------- */

static int landlock_on(const struct confine_opts *o)
{
    char err[256];
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || confine_landlock(o, err, sizeof err, NULL))
        return 90;
    return 0;
}

static int fs_denied(int abi)
{
    char p[128];
    if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES)
        return 40;
    snprintf(p, sizeof p, "%s/new", dir);
    if (open(p, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EACCES)
        return 41;
    snprintf(p, sizeof p, "%s/victim", dir);
    if (unlink(p) == 0 || errno != EACCES || (abi >= 3 && (truncate(p, 0) == 0 || errno != EACCES)))
        return 42;
    snprintf(p, sizeof p, "%s/newdir", dir);
    if (mkdir(p, 0700) == 0 || errno != EACCES)
        return 43;
    if (open(dir, O_RDONLY | O_DIRECTORY) >= 0 || errno != EACCES)
        return 44;
    struct stat st;
    if (stat(engine_path, &st) != 0) /* not governed: the permission diagnostic keeps working */
        return 45;
    return 0;
}

static int child_landlock_unix(const void *arg)
{
    int abi = *(const int *)arg;
    struct confine_opts o = {.upstream_path = engine_path};
    int r = landlock_on(&o);
    if (r || (r = fs_denied(abi)))
        return r;
    if (connect_unix(engine_path, false) != 0) /* the engine must stay reachable */
        return 50;
    if (connect_unix(other_path, false) != (abi >= 9 ? -EACCES : 0))
        return 51;
    if (abi >= 4) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno != EACCES)
            return 52;
        if (connect_tcp(tcp_port) != -EACCES)
            return 53;
    }
    if (abi >= 6) {
        char name[64];
        snprintf(name, sizeof name, "sw-confine-test-%d", (int)getppid());
        if (connect_unix(name, true) != -EPERM)
            return 54;
        if (kill(getppid(), 0) == 0 || errno != EPERM)
            return 55;
    }
    return 0;
}

static int child_landlock_tcp(const void *arg)
{
    int abi = *(const int *)arg;
    struct confine_opts o = {.upstream_port = tcp_port};
    int r = landlock_on(&o);
    if (r || (r = fs_denied(abi)))
        return r;
    if (connect_tcp(tcp_port) != 0)
        return 60;
    if (abi >= 4 && connect_tcp(tcp2_port) != -EACCES)
        return 61;
    return 0;
}

/* A kernel without Landlock, or a container profile refusing it: landlock_create_ruleset fails
 * with errno e (a one-rule filter fakes it); the step is skipped with exactly one note. */
static int child_landlock_missing(const void *arg)
{
    int e = *(const int *)arg;
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 444 /* landlock_create_ruleset */, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)e),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog fp = {sizeof f / sizeof f[0], f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, 2, &fp) < 0)
        return 90;
    struct confine_opts o = {.upstream_path = engine_path};
    char err[256];
    notes[0] = '\0';
    if (confine_landlock(&o, err, sizeof err, collect) != 0)
        return 91;
    const char *want = e == ENOSYS       ? "(not in this kernel); skipped\n"
                       : e == EOPNOTSUPP ? "(disabled at boot); skipped\n"
                                         : "(Operation not permitted); skipped\n";
    if (strncmp(notes, "landlock: unavailable here ", 27) != 0 || strcmp(notes + 27, want) != 0)
        return fprintf(stderr, "notes: %s", notes), 92;
    int fd = open("/etc/hostname", O_RDONLY); /* and nothing was restricted */
    return fd >= 0 ? 0 : 93;
}

static void test_landlock(void)
{
    if (UNDER_VALGRIND()) { /* valgrind does not know the Landlock syscalls */
        printf("confine: under valgrind: Landlock cases skipped\n");
        return;
    }
    int abi = confine_landlock_abi();
    if (abi < 0) {
        printf("confine: Landlock unavailable here (%s): Landlock cases skipped\n", strerror(-abi));
        return;
    }
    printf("confine: Landlock ABI %d\n", abi);
    char d[64];
    static const int missing[] = {ENOSYS, EOPNOTSUPP, EPERM};
    for (size_t i = 0; i < 3; i++) {
        int st = run_child(child_landlock_missing, &missing[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "landlock missing (errno %d): %s", missing[i],
              describe(st, d, sizeof d));
    }
    int st = run_child(child_landlock_unix, &abi);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "landlock, unix engine: %s",
          describe(st, d, sizeof d));
    st = run_child(child_landlock_tcp, &abi);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "landlock, TCP engine: %s",
          describe(st, d, sizeof d));
}

/* ---- confine_apply: identity, notes, all steps --------------------------------------------- */

struct apply_case {
    struct confine_opts o;
    int want;             /* confine_apply's result */
    const char *want_msg; /* in err (failure) or the notes (success) */
    bool pre_drop;        /* become uid/gid 65534 before the call */
    bool check_socket;    /* afterwards the engine must still be connectable */
};

static int child_apply(const void *arg)
{
    const struct apply_case *c = arg;
    char err[512] = "";
    notes[0] = '\0';
    if (c->pre_drop && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                        setresuid(65534, 65534, 65534) < 0))
        return 70;
    int r = confine_apply(&c->o, err, sizeof err, collect);
    if (r != c->want)
        return fprintf(stderr, "confine_apply: %d (%s) notes: %s\n", r, err, notes), 71;
    if (c->want_msg && !strstr(r ? err : notes, c->want_msg))
        return fprintf(stderr, "missing '%s' in: %s\n", c->want_msg, r ? err : notes), 72;
    if (r == 0 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        return 73;
    if (c->check_socket && connect_unix(engine_path, false) != 0)
        return 74;
    if (c->o.switch_ids && r == 0 && c->o.uid != 0 && (setuid(0) == 0 || getuid() != c->o.uid))
        return 75;
    return 0;
}

static void test_apply(void)
{
    char missing[128];
    snprintf(missing, sizeof missing, "%s/run/gone.sock", dir);
    bool root = geteuid() == 0;
    if (root) { /* the engine socket: root:4242 0660, as dockerd makes it (root:docker) */
        chown(engine_path, 0, 4242);
        chmod(engine_path, 0660);
    }
    const struct apply_case cases[] = {
        {{.upstream_path = engine_path}, 0, root ? "running as root" : NULL, false, true},
        {{.switch_ids = true,
          .uid = 65534,
          .gid = 65534,
          .keep_socket_group = true,
          .upstream_path = engine_path},
         0,
         "keeping group 4242",
         false,
         true},
        {{.switch_ids = true, .uid = 65534, .gid = 65534, .upstream_path = engine_path},
         -1,
         "is not writable",
         false,
         false},
        {{.switch_ids = true,
          .uid = 65534,
          .gid = 65534,
          .keep_socket_group = true,
          .upstream_path = missing},
         -1,
         "cannot read the group",
         false,
         false},
        {{.switch_ids = true, .uid = 65534, .gid = 65534, .upstream_port = 2375},
         0,
         "no supplementary groups",
         false,
         false},
        {{.switch_ids = true, .uid = 1000, .gid = 1000, .upstream_port = 2375},
         -1,
         "not root",
         true,
         false},
        {{.switch_ids = true, .uid = 65534, .gid = 65534, .upstream_port = 2375},
         0,
         "already running as uid 65534",
         true,
         false},
        {{.switch_ids = true,
          .uid = 65534,
          .gid = 4242,
          .keep_socket_group = true,
          .upstream_path = engine_path},
         0,
         "no supplementary groups",
         false,
         true},
    };
    char d[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!root && (i > 0)) {
            printf("confine: not root: identity case %zu skipped\n", i);
            continue;
        }
        int st = run_child(child_apply, &cases[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "apply case %zu: %s", i,
              describe(st, d, sizeof d));
    }
}

/* Everything at once, as the proxy does it: then the event loop still works, execve still dies. */
static int child_apply_all(const void *arg)
{
    struct confine_opts o = {
        .upstream_path = engine_path, .seccomp = CONFINE_SECCOMP_KILL, .landlock = true};
    char err[256];
    notes[0] = '\0';
    int r = confine_apply(&o, err, sizeof err, collect);
    if (r != 0)
        return 80;
    bool skipped = strstr(notes, "seccomp: skipped") != NULL;
    if (skipped != (SANITIZED || UNDER_VALGRIND()) || (!skipped && !strstr(notes, "kill")))
        return fprintf(stderr, "notes: %s", notes), 81;
    if ((r = do_allowed_work(false)) != 0) /* Landlock: no TCP connect, the engine is unix */
        return r;
    if (arg) /* second run: the forbidden call */
        syscall(SYS_getppid);
    return 0;
}

static void test_apply_all(void)
{
    char d[64];
    int st = run_child(child_apply_all, NULL);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "apply all: %s", describe(st, d, sizeof d));
    if (SANITIZED || UNDER_VALGRIND())
        return;
    st = run_child(child_apply_all, "then getppid");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "apply all, then getppid: %s",
          describe(st, d, sizeof d));
}

int main(void)
{
    setup();
    test_resolve_ids();
    test_opts_from_env();
    test_landlock_plan();
    if (UNDER_VALGRIND())
        printf("confine: under valgrind: seccomp cases skipped\n");
    else
        test_seccomp();
    test_landlock();
    test_apply();
    test_apply_all();
    teardown();
    return TEST_SUMMARY("confine");
}
