/* main — command-line entry: serve (default), check, healthcheck, --help, --version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/check.h"
#include "config/config.h"
#include "os/confine.h"
#include "cmd/health.h"
#include "base/log.h"
#include "os/net.h"
#include "core/proxy.h"
#include "base/util.h"

static const char usage[] =
    "usage: sockwarden [--NAME=VALUE ...]     run the proxy\n"
    "       sockwarden check METHOD PATH      explain the decision for one request\n"
    "       sockwarden check -                ... for 'METHOD PATH' lines on stdin\n"
    "       sockwarden healthcheck            exit 0 if the proxy and engine answer\n"
    "       sockwarden --help | --version\n"
    "Settings are environment variables (Tecnativa's names) or options:\n"
    "--containers=1 is CONTAINERS=1, --socket-path=/x is SOCKET_PATH=/x.\n"
    "  SOCKET_PATH   engine: /var/run/docker.sock, unix:///path or tcp://IP:PORT\n"
    "  BIND_CONFIG   listeners: [::]:2375 (default), IP:PORT, :PORT, /path mode 660\n"
    "  DISABLE_IPV6  1/true/yes: default listener 0.0.0.0:2375\n"
    "  METRICS_BIND  listeners for GET /metrics (Prometheus); none by default\n"
    "  LOG_LEVEL     emerg ... debug (default info)    LOG_FORMAT  text or json\n"
    "Sections (0/1): AUTH BUILD COMMIT CONFIGS CONTAINERS DISTRIBUTION EVENTS(1)\n"
    "  EXEC GRPC IMAGES INFO NETWORKS NODES PING(1) PLUGINS SECRETS SERVICES\n"
    "  SESSION SWARM SYSTEM TASKS VERSION(1) VOLUMES; POST=1: also POST PUT DELETE\n"
    "Verbs even with POST=0: ALLOW_START ALLOW_STOP ALLOW_RESTARTS ALLOW_PAUSE\n"
    "  ALLOW_UNPAUSE.  Reads: ALLOW_ARCHIVE ALLOW_EXPORT (0), ALLOW_LOGS ALLOW_TOP\n"
    "  ALLOW_CHANGES ALLOW_STATS (1).  Durations: 250ms, 10s, 5m, 1h.\n"
    "  REQUEST_TIMEOUT(10s) CONNECT_TIMEOUT(10s) RESPONSE_TIMEOUT(10m)\n"
    "  KEEPALIVE_TIMEOUT(10s) STREAM_IDLE_TIMEOUT(0=never) SHUTDOWN_GRACE(10s)\n"
    "  MAX_CONNECTIONS MAX_HEADER_BYTES MAX_REQUEST_LINE MAX_HEADER_COUNT ...\n"
    "SIGTERM/SIGINT/SIGUSR1: drain for SHUTDOWN_GRACE, exit 0. Exit 1: runtime\n"
    "failure or check: denied; 2: bad configuration or usage. See sockwarden(8).\n";

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static void warn_line(const char *msg)
{
    log_msg(SWLOG_WARNING, "%s", msg);
}

static void report_line(int level, const char *line)
{
    log_msg((enum log_level)level, "%s", line);
}

static int load(struct config *c, int argc, char **argv)
{
    char err[512];
    if (config_load(c, argc, argv, env_lookup, warn_line, err, sizeof err) < 0) {
        fprintf(stderr, "sockwarden: %s\n", err);
        return -1;
    }
    log_init(c->log_level, c->log_json);
    return 0;
}

/* Each client can need two descriptors; a 1024 soft limit would cap the proxy near 500 clients.
 * Returns the soft limit in force afterwards (0 when it cannot be read). */
static unsigned long long raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? ~0ULL : (unsigned long long)rl.rlim_cur;
}

/* Variables of LinuxServer's image that sockwarden does not implement: say so once each, rather
 * than silently ignoring a setting the operator believes is in force. */
static void warn_foreign_vars(void)
{
    extern char **environ;
    static const char *const foreign[] = {"LIBPOD_", "PROXY_READ_TIMEOUT=", "ADVANCED="};
    for (char **e = environ; *e; e++)
        for (size_t i = 0; i < NELEM(foreign); i++)
            if (!strncmp(*e, foreign[i], strlen(foreign[i]))) {
                const char *eq = strchr(*e, '=');
                int len = eq ? (int)(eq - *e) : (int)strlen(*e);
                log_msg(SWLOG_WARNING, "%.*s is set but sockwarden does not implement it; ignored",
                        len, *e);
            }
}

static void confine_note(const char *line)
{
    log_msg(SWLOG_NOTICE, "%s", line);
}

static int serve(int argc, char **argv)
{
    struct config c;
    if (load(&c, argc, argv) < 0)
        return 2;
    struct confine_opts co;
    char cerr[512];
    if (confine_opts_from_env(&co, &c.upstream, env_lookup, cerr, sizeof cerr) < 0) {
        fprintf(stderr, "sockwarden: %s\n", cerr);
        return 2;
    }
    unsigned long long nofile = raise_fd_limit();
    warn_foreign_vars();
    struct listener ls[2 * CONFIG_MAX_BINDS];
    char err[512];
    int n = net_listen(c.binds, c.nbinds, c.bind_default, ls, err, sizeof err);
    int m = n < 0 ? -1 : net_listen(c.metrics_binds, c.nmetrics, false, ls + n, err, sizeof err);
    if (n < 0 || m < 0) {
        for (int i = 0; i < n; i++)
            close(ls[i].fd);
        log_msg(SWLOG_ERR, "%s", err);
        fprintf(stderr, "sockwarden: %s\n", err);
        return 1;
    }
    for (int i = n; i < n + m; i++)
        ls[i].metrics = 1;
    if (!c.max_connections) {
        c.max_connections = config_max_connections_for(nofile ? nofile : 1024, (size_t)(n + m));
        log_msg(SWLOG_NOTICE,
                "connections: up to %u at once (MAX_CONNECTIONS unset: derived from the descriptor "
                "limit %llu, two descriptors a client)",
                c.max_connections, nofile);
    } else {
        log_msg(SWLOG_NOTICE, "connections: up to %u at once (MAX_CONNECTIONS)", c.max_connections);
    }
    log_msg(SWLOG_NOTICE, "sockwarden %s starting; engine at %s%s", SW_VERSION,
            c.upstream.kind == UP_UNIX ? "" : "tcp://",
            c.upstream.kind == UP_UNIX ? c.upstream.path : c.upstream.host);
    for (int i = 0; i < n + m; i++)
        log_msg(SWLOG_NOTICE, "listening on %s%s", ls[i].name, ls[i].metrics ? " (metrics)" : "");
    config_report(&c, report_line);
    /* Listeners are open and the configuration checked: from here on the process needs no file
     * system, no new privileges and only the system calls of the event loop. */
    if (confine_apply(&co, cerr, sizeof cerr, confine_note) < 0) {
        log_msg(SWLOG_ERR, "%s", cerr);
        fprintf(stderr, "sockwarden: %s\n", cerr);
        return 1;
    }
    return proxy_run(&c, ls, n + m);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("sockwarden %s\n", SW_VERSION);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "check")) {
        struct config c;
        if (load(&c, 0, NULL) < 0)
            return 2;
        return check_main(&c, argc - 2, argv + 2, stdin, stdout);
    }
    if (argc > 1 && !strcmp(argv[1], "healthcheck")) {
        struct config c;
        if (load(&c, 0, NULL) < 0)
            return 2;
        return health_check(&c, stdout);
    }
    return serve(argc - 1, argv + 1);
}
