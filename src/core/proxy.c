/* proxy — accepting, connection caps and eviction, drain, signals, reload, the metrics endpoint,
 * and the loop's hooks (see proxy.h). */
#include "core/proxy.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/metrics.h"
#include "core/buf.h"
#include "core/conn.h"
#include "core/exchange.h"

/* ---- the metrics endpoint ----------------------------------------------------------------- */

/* The metrics listener answers GET /metrics and nothing else; it never reaches the engine. */
void proxy_serve_metrics(struct conn *c, const struct canon *cn)
{
    static const char head[] = "HTTP/1.0 200 OK\r\ncache-control: no-cache\r\n"
                               "content-type: text/plain; version=0.0.4\r\n\r\n";
    struct proxy *px = c->px;
    c->decision = "metrics";
    c->rule = "METRICS_BIND";
    bool get = !strcmp(c->method, "GET") || c->is_head;
    if (!get || strcmp(cn->path, "/metrics") != 0 || cn->version_len) {
        conn_answer(c, 404, "only GET /metrics is served here", "metrics", "METRICS_BIND");
        return;
    }
    struct metrics_gauges g = {px->nconns, px->ntunnels, buf_in_use(&px->bufs),
                               buf_bytes_lent(&px->bufs), px->held_bytes};
    size_t need = metrics_render(&px->metrics, NULL, 0, &g) + sizeof head + 64;
    char *p = malloc(need);
    if (!p) {
        conn_kill(c);
        return;
    }
    memcpy(p, head, sizeof head - 1);
    size_t n = sizeof head - 1;
    if (!c->is_head)
        n += metrics_render(&px->metrics, p + n, need - n, &g);
    conn_answer_bytes(c, 200, p, n, "metrics", "METRICS_BIND");
    free(p);
}

/* ---- accepting ---------------------------------------------------------------------------- */

/* Errors accept(2) passes through from a connection that failed while queued, or from the
 * network: that connection is lost, the rest of the queue is not (edge-triggered: no new event
 * would come for them). */
static bool accept_transient(int e)
{
    switch (e) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM: /* a firewall rule refused it */
        return true;
    default:
        return false;
    }
}

/* At the cap a new connection is still taken when an idle keep-alive connection can make room;
 * otherwise accepting pauses (and is logged, at most every CAP_LOG_INTERVAL_MS). */
static bool can_take(struct proxy *px, bool *full)
{
    *full = px->nconns >= px->max_conns;
    if (!*full || px->idle_head)
        return true;
    px->accept_paused = true;
    uint64_t t = loop_now_ms();
    if (t - px->last_cap_log > CAP_LOG_INTERVAL_MS || !px->last_cap_log) {
        log_msg(SWLOG_WARNING,
                "connection limit reached (MAX_CONNECTIONS=%u) with no idle connection to "
                "close: new connections wait in the listen queue",
                px->max_conns);
        px->last_cap_log = t;
    }
    return false;
}

static void accept_from(struct plistener *pl)
{
    struct proxy *px = pl->px;
    bool full;
    while (!px->draining && can_take(px, &full)) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd = px->accept(pl->l->fd, (struct sockaddr *)&peer, &plen,
                            SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            if (full) /* the longest-idle keep-alive connection makes room */
                conn_free(px->idle_head);
            conn_new(px, fd, pl->l, &peer, plen);
            continue;
        }
        if (errno == EAGAIN)
            return;
        if (accept_transient(errno))
            continue;
        /* Out of descriptors or memory: pause; a closing connection or the next tick resumes. */
        log_msg(SWLOG_ERR, "accept on %s: %s", pl->l->name, strerror(errno));
        px->accept_paused = true;
        return;
    }
}

static void listener_event(struct loop_ev *ev, uint32_t events)
{
    (void)events;
    accept_from((struct plistener *)(void *)ev);
}

static void try_accept(struct proxy *px)
{
    px->accept_paused = false;
    for (int i = 0; i < px->nlsts && !px->accept_paused; i++)
        if (px->lsts[i].l->fd >= 0)
            accept_from(&px->lsts[i]);
}

void proxy_conn_closed(struct proxy *px)
{
    if (px->accept_paused)
        px->accept_retry = true; /* after this batch: accepting here could nest without bound */
}

void proxy_adopt(struct proxy *px, int fd, const struct listener *l)
{
    conn_new(px, fd, l, NULL, 0);
}

/* ---- drain, signals, reload --------------------------------------------------------------- */

void proxy_begin_drain(struct proxy *px, int sig)
{
    if (px->draining)
        return;
    px->draining = true;
    px->drain_deadline = loop_now_ms() + px->boot->grace_ms;
    log_msg(SWLOG_NOTICE,
            "signal %d: no longer accepting; draining %u connection(s) for up to %u ms", sig,
            px->nconns, px->boot->grace_ms);
    upstream_close_parked(&px->pool);
    for (int i = 0; i < px->nlsts; i++) {
        if (px->lsts[i].l->fd < 0)
            continue;
        loop_unwatch(&px->loop, px->lsts[i].l->fd);
        close(px->lsts[i].l->fd);
        px->lsts[i].l->fd = -1;
    }
    struct conn *next;
    for (struct conn *c = px->conns; c; c = next) {
        next = c->next;
        conn_drain(c);
    }
}

int proxy_install(struct proxy *px, const struct config *c)
{
    struct gen *g = gen_new(c, ++px->next_gen_id);
    if (!g)
        return -1;
    gen_unref(px->gen);
    px->gen = g;
    return 0;
}

static void on_signal(void *ctx, int signo)
{
    struct proxy *px = ctx;
    if (signo == SIGHUP) {
        /* Nothing can be reloaded yet: the settings come from the environment, which a running
         * process cannot be given anew. Say so, and go on serving. */
        log_msg(SWLOG_NOTICE,
                "SIGHUP: nothing to reload (settings come from the environment; restart to "
                "change them); still serving under configuration generation %llu",
                (unsigned long long)px->gen->id);
        return;
    }
    proxy_begin_drain(px, signo);
}

/* ---- the loop's hooks --------------------------------------------------------------------- */

static void on_tick(void *ctx)
{
    struct proxy *px = ctx;
    uint64_t t = loop_now_ms();
    struct conn *next;
    for (struct conn *c = px->conns; c; c = next) {
        next = c->next;
        conn_tick(c, t);
    }
    if (px->accept_paused)
        px->accept_retry = true;
}

static void after_batch(void *ctx)
{
    struct proxy *px = ctx;
    if (px->accept_retry) {
        px->accept_retry = false;
        try_accept(px);
    }
    conn_bury(px);
}

static void engine_event(struct conn *owner, uint32_t events)
{
    conn_engine_event(owner, events);
}

int proxy_init(struct proxy *px, const struct config *c, struct listener *ls, int nls)
{
    memset(px, 0, sizeof *px);
    px->boot = c;
    px->accept = accept4;
    px->held_cap = c->max_held_bytes;
    px->max_conns = c->max_connections ? c->max_connections : config_max_connections_for(1024, 0);
    px->gen = gen_new(c, ++px->next_gen_id);
    if (!px->gen)
        return -1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    struct loop_hooks hooks = {
        .ctx = px, .tick = on_tick, .after_batch = after_batch, .on_signal = on_signal};
    if (loop_init(&px->loop, nls ? &set : NULL, &hooks) < 0)
        return -1;
    upstream_pool_init(&px->pool, &px->loop, &px->bufs, &c->upstream, engine_event);
    px->lsts = calloc((size_t)(nls ? nls : 1), sizeof *px->lsts);
    if (!px->lsts)
        return -1;
    px->nlsts = nls;
    for (int i = 0; i < nls; i++) {
        px->lsts[i] = (struct plistener){.ev.fn = listener_event, .l = &ls[i], .px = px};
        if (loop_watch_listener(&px->loop, ls[i].fd, &px->lsts[i].ev) < 0)
            return -1;
    }
    return 0;
}

int proxy_step(struct proxy *px, int timeout_ms)
{
    return loop_step(&px->loop, timeout_ms);
}

void proxy_fini(struct proxy *px)
{
    while (px->conns)
        conn_free(px->conns);
    upstream_close_parked(&px->pool);
    conn_bury(px);
    conn_release_spares(px);
    buf_pool_fini(&px->bufs);
    for (int i = 0; i < px->nlsts; i++)
        if (px->lsts[i].l->fd >= 0)
            close(px->lsts[i].l->fd);
    free(px->lsts);
    px->lsts = NULL;
    gen_unref(px->gen);
    px->gen = NULL;
    loop_fini(&px->loop);
}

int proxy_run(const struct config *c, struct listener *ls, int nls)
{
    struct proxy *px = malloc(sizeof *px);
    if (!px || proxy_init(px, c, ls, nls) < 0) {
        log_msg(SWLOG_ERR, "event loop set-up failed: %s", strerror(errno));
        free(px);
        return 1;
    }
    while (!px->draining || (px->nconns > 0 && loop_now_ms() < px->drain_deadline))
        if (proxy_step(px, -1) < 0) {
            log_msg(SWLOG_ERR, "epoll_wait: %s", strerror(errno));
            break;
        }
    if (px->nconns)
        log_msg(SWLOG_WARNING, "grace period over: closing %u connection(s)", px->nconns);
    proxy_fini(px);
    free(px);
    log_msg(SWLOG_NOTICE, "stopped");
    return 0;
}
