/* proxy — the process's one context: listeners, accepting, connection caps, drain and signals,
 * around the loop (loop.h), the connections (conn.h) and the engine pool (upstream.h).
 *
 * Contract: proxy_run() serves the listeners until SIGTERM/SIGINT/SIGUSR1, then stops accepting,
 * lets requests in flight finish for up to the grace period, closes the rest and returns 0.
 * SIGHUP never stops the proxy: with nothing to reload it says so in one log line and goes on.
 * Each client request is parsed (http), canonicalised (canon), judged (policy, through the decide
 * hook), re-serialised (forward) and sent to the engine; the response is relayed as it arrives,
 * with framing tracked so keep-alive, pipelining and refusals stay in order.
 *  - Accepting: edge-triggered, until EAGAIN. Transient accept errors (a connection aborted in
 *    the queue, pending network errors) are skipped so the rest of the queue is not stranded;
 *    descriptor or memory exhaustion pauses accepting until a connection closes or the next tick.
 *  - At MAX_CONNECTIONS a new client is still served: the longest-idle keep-alive connections
 *    (never one with a request in flight, a stream or a tunnel) are closed to make room; only when
 *    none is idle does accepting pause.
 *  - All mutable state is in struct proxy; nothing is file-scope. proxy_init()/proxy_step()/
 *    proxy_fini() let tests drive the loop a batch at a time, in process.
 */
#ifndef SW_PROXY_H
#define SW_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/metrics.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/gen.h"
#include "core/loop.h"
#include "core/upstream.h"
#include "http/canon.h"
#include "http/http.h"
#include "os/net.h"
#include "policy/policy.h"

#define SPARE_MAX 64          /* freed connection objects kept for reuse */
#define CAP_LOG_INTERVAL_MS 10000

struct conn;
struct proxy;

/* A proxy listener: the socket and its registration. */
struct plistener {
    struct loop_ev ev;
    struct listener *l;
    struct proxy *px;
};

/* What a body judge or a response filter decides about a held body. */
struct hold_result {
    int status;         /* 0: go on; else refuse with this status and reason */
    const char *reason; /* static */
    char *replace;      /* NULL: unchanged; else malloc'd bytes replacing the body (taken over) */
    size_t replace_len;
};

/* The seams through which decisions reach the connection core. The default decides with the
 * policy of the request's generation, whose verdicts ask for no action; tests (and later the
 * rules engine) set others. A verdict's actions (policy.h) ask the connection to hold a body:
 * ACT_INSPECT_BODY reads the whole request body and gives it to judge_body before anything is
 * forwarded; ACT_FILTER_RESPONSE reads the whole response body and gives it to filter_response. */
struct proxy_hooks {
    void *ctx;
    struct verdict (*decide)(void *ctx, const struct gen *g, const struct request_facts *f);
    void (*judge_body)(void *ctx, const struct conn *c, const char *body, size_t len,
                       struct hold_result *out);
    void (*filter_response)(void *ctx, const struct conn *c, int status, const char *body,
                            size_t len, struct hold_result *out);
};

struct proxy {
    struct loop loop;
    const struct config *boot;  /* start-up settings: listeners, engine, limits that size things */
    struct gen *gen;            /* the current generation (one reference held here) */
    uint64_t next_gen_id;
    struct upstream_pool pool;
    struct buf_pool bufs;
    struct metrics metrics;
    struct proxy_hooks hooks;
    int (*accept)(int fd, struct sockaddr *sa, socklen_t *len, int flags); /* accept4 */
    struct conn *conns;                 /* every client connection */
    struct conn *idle_head, *idle_tail; /* idle keep-alive connections, longest idle first */
    struct conn *graveyard, *spare;
    unsigned nspare, nconns;
    uint64_t ntunnels;
    uint64_t held_bytes;        /* bytes of bodies held whole, all connections together */
    uint64_t held_cap;          /* MAX_HELD_BYTES */
    unsigned max_conns;         /* MAX_CONNECTIONS (main derives it when unset) */
    struct plistener *lsts;
    int nlsts;
    bool accept_paused, accept_retry, draining, stopped;
    uint64_t drain_deadline, last_cap_log;
    /* Large parse results, used synchronously by one connection at a time (about 8 KiB each). */
    struct http_request scratch_req;
    struct http_response scratch_resp;
    struct canon scratch_canon;
};

int proxy_run(const struct config *c, struct listener *ls, int nls);

/* For in-process tests: set up (listeners may be 0), one loop batch, tear down. */
int proxy_init(struct proxy *px, const struct config *c, struct listener *ls, int nls);
int proxy_step(struct proxy *px, int timeout_ms);
void proxy_fini(struct proxy *px);
/* Serves an already connected client socket as if accepted on listener l (NULL: a plain one). */
void proxy_adopt(struct proxy *px, int fd, const struct listener *l);
/* Installs c as the current generation (a reload); requests in flight keep theirs. */
int proxy_install(struct proxy *px, const struct config *c);
void proxy_begin_drain(struct proxy *px, int sig);
/* Called by conn when a connection closed: accepting may resume. */
void proxy_conn_closed(struct proxy *px);

#endif
