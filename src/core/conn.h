/* conn — one client connection and the engine connection it uses: the state machine that moves a
 * request to the engine and its answer back.
 *
 * Contract:
 *  - A connection has two sides (side.h): client and engine. Bytes read from a side wait in its
 *    buffer; `fwd` of them are cleared for the other side. The engine side is attached while the
 *    connection owns an engine connection (up), from the shared pool or a fresh connect.
 *  - A connection is driven by conn_pump(), called on every event and from the ready list; pump
 *    makes all the progress it can (read client → frame → write engine → read engine → frame →
 *    write client → finish) for at most CONN_PUMP_ROUNDS rounds, then queues itself, so one busy
 *    stream cannot starve the others and no readiness edge is lost.
 *  - Refusals and errors the proxy answers itself (canned answers) are written, then the client's
 *    write side is shut and its input read and discarded (linger) so the answer is not destroyed
 *    by a reset: at most LINGER_TURN_BYTES per turn, LINGER_MAX_BYTES in all and LINGER_MS long;
 *    then the connection closes.
 *  - Hold states: with ACT_INSPECT_BODY a request body is read whole (at most MAX_BODY_BYTES, else
 *    413 and nothing forwarded; chunked bodies are decoded), judged, then forwarded with a
 *    Content-Length, unchanged or replaced. With ACT_FILTER_RESPONSE a response body is read
 *    whole (Content-Length, chunked or close-delimited; at most MAX_BODY_BYTES, else 502),
 *    filtered and sent with a re-serialised head (new Content-Length, hop-by-hop headers dropped).
 *    Held bytes also count against the proxy-wide MAX_HELD_BYTES (503 past it).
 *
 * Legal (request, response) state pairs, checked by conn_check() after every pump round in
 * sanitizer builds (SW_INVARIANTS):
 *
 *   rq \ rs     IDLE  HEAD  BODY  HOLD  SEND  DONE  TUNNEL
 *   HEAD         x                                       waiting for / parsing a request head
 *   HOLD         x                                       reading a request body whole
 *   BODY               x     x     x     x     x         streaming a request body
 *   DONE               x     x     x     x     x         request sent (or answered by us)
 *   TUNNEL                                         x     both ways raw after a 101
 *
 *  RS_HEAD waits for the response head; RS_BODY relays a body; RS_HOLD reads one whole; RS_SEND
 *  writes a filtered response; RS_DONE: the engine's answer is complete (or canned, with RQ_DONE).
 *  Flags that matter per state (also checked): a canned answer or linger only in (DONE, DONE);
 *  linger only once the canned bytes are written and the client's write side is shut; an engine
 *  connection in HEAD/BODY/HOLD unless a canned answer replaced it; the forwarded request head
 *  (hbuf) is written to the engine only in RS_HEAD, and hbuf goes to the client only after it;
 *  a held body only in RQ_HOLD, RS_HOLD/RS_SEND, or while a held request body is written on; a pinned generation whenever a request is in
 *  flight (rq beyond HEAD, or rs beyond IDLE); a connection on the idle list only in (HEAD, IDLE)
 *  with nothing buffered.
 */
#ifndef SW_CONN_H
#define SW_CONN_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/loop.h"
#include "core/proxy.h"
#include "core/side.h"
#include "http/http.h"
#include "policy/policy.h"

#define CONN_PUMP_ROUNDS 64
#define LINGER_MS 10000
#define LINGER_TURN_BYTES 65536 /* discarded per pump turn; then other connections go first */
#define LINGER_MAX_BYTES 1048576 /* discarded in all; then the connection is closed */

/* State enums are packed (one byte each, as HAProxy's h1 states): a connection object is paid
 * for by every idle keep-alive client, and the compiler still checks the types and switches. */
#define CONN_PACKED __attribute__((packed))
enum CONN_PACKED rq_state { RQ_HEAD, RQ_HOLD, RQ_BODY, RQ_DONE, RQ_TUNNEL };
enum CONN_PACKED rs_state { RS_IDLE, RS_HEAD, RS_BODY, RS_HOLD, RS_SEND, RS_DONE, RS_TUNNEL };

/* What happens when the deadline passes. */
enum CONN_PACKED dl_kind {
    DL_NONE,
    DL_FIRST,    /* connected, first request not complete: 408, or a silent close */
    DL_IDLE,     /* keep-alive idle between requests: close */
    DL_REQUEST,  /* request head (or held body) not complete: 408 */
    DL_CONNECT,  /* engine connect: 503 */
    DL_RESPONSE, /* response head: 504 */
    DL_STREAM,   /* STREAM_IDLE_TIMEOUT */
    DL_LINGER    /* after a canned answer */
};

/* A body held whole (conn.h, hold states), allocated only while one is held. */
struct conn_hold {
    struct buf buf;             /* the raw head (head bytes), then the decoded body */
    uint32_t head;              /* length of the raw head at the front */
    uint32_t sent;              /* body bytes already written on */
    struct chunk_decoder dec;   /* a chunked body's decoder */
    bool request;               /* a request body (else the engine's response) */
};

struct conn {
    struct loop_ev cev; /* the client socket's registration */
    struct loop_task task;
    struct proxy *px;
    struct side client;
    struct side engine; /* made from up (fd, ops, out_armed) while up, with the engine's bytes */
    struct upconn *up;
    struct gen *gen; /* pinned by the request in flight */
    struct conn *prev, *next;
    struct conn *idle_prev, *idle_next;
    struct buf hbuf; /* while rs == RS_HEAD: the request head forwarded to the engine (kept for a
                        retry); afterwards what the proxy itself writes to the client ahead of
                        the engine's bytes: a re-serialised response head, or a canned answer */
    struct conn_hold *hold; /* a held body, or NULL */
    uint64_t req_left, resp_left;
    struct chunk_state req_chunk, resp_chunk; /* streamed chunked bodies: the validator */
    uint64_t deadline, t_start, bytes_out;
    const char *decision, *rule, *section;
    const struct listener *lst;
    enum http_body req_body, resp_body;
    enum route_kind route;
    uint32_t hsent; /* bytes of hbuf already written */
    union {
        uint32_t uparse;    /* bytes at the front of engine.buf already framed */
        uint32_t discarded; /* linger (no engine any more): client bytes read and dropped */
    };
    uint32_t scanned; /* bytes of a pending request head already searched for a line end */
    unsigned actions;
    int status;
    union {
        struct sockaddr_in6 peer; /* TCP: from accept4; formatted only when a line is logged */
        struct {                  /* a unix listener's client (peer.sin6_family is AF_UNIX) */
            sa_family_t family;
            bool known; /* SO_PEERCRED answered */
            uid_t uid;
            gid_t gid;
            pid_t pid;
        } cred;
    };
    enum rq_state rq;
    enum rs_state rs;
    enum dl_kind dl;
    bool registered : 1; /* the client socket is in the epoll set */
    bool canned : 1;     /* hbuf holds an answer of the proxy's own, being written */
    bool connecting : 1, linger : 1, req_keepalive : 1, resp_keepalive : 1, is_head : 1;
    bool upgrade : 1, reused : 1, dead : 1, freed : 1, metrics : 1, moved : 1, on_idle : 1;
    bool http10 : 1;
    char method[16];
    char target[120];
};

/* A new connection for an accepted socket; served at once (the request is often there). */
void conn_new(struct proxy *px, int fd, const struct listener *l, const struct sockaddr_storage *peer,
              socklen_t plen);
void conn_pump(struct conn *c);
void conn_free(struct conn *c);
/* Periodic work: buffer release, registration of unwatched clients, deadlines. */
void conn_tick(struct conn *c, uint64_t now);
/* Drain: closes an idle or endless connection (returns true), else ends keep-alive. */
bool conn_drain(struct conn *c);
/* Evictable at MAX_CONNECTIONS: idle keep-alive, nothing in flight. */
bool conn_is_idle(const struct conn *c);
/* Releases freed connection objects (after a batch): kept for reuse up to SPARE_MAX. */
void conn_bury(struct proxy *px);
void conn_release_spares(struct proxy *px);
void conn_engine_event(struct conn *c, uint32_t events);
/* Checks the documented invariants; aborts with a message naming the broken one. */
void conn_check(const struct conn *c);

#endif
