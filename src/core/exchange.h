/* exchange — the parts of the connection state machine shared by conn.c (lifecycle, writing,
 * the pump, deadlines), request.c (the client's request: head, decision, body) and response.c
 * (the engine's answer: head, body, tunnel, end of a transaction). Internal to src/core/conn*:
 * nothing outside the connection module includes it. The contract is conn.h's.
 */
#ifndef SW_EXCHANGE_H
#define SW_EXCHANGE_H

#include "core/conn.h"

/* The settings of the pinned generation, else the current one's. */
static inline const struct config *conn_cfg(const struct conn *c)
{
    return c->gen ? &c->gen->cfg : &c->px->gen->cfg;
}

/* conn.c */
void conn_kill(struct conn *c);
void conn_ready(struct conn *c);
void conn_set_deadline(struct conn *c, enum dl_kind k, unsigned ms);
void conn_answer(struct conn *c, int status, const char *reason, const char *decision,
                 const char *rule);
void conn_answer_bytes(struct conn *c, int status, const char *bytes, size_t len,
                       const char *decision, const char *rule);
void conn_log_transaction(struct conn *c);
bool conn_nothing_sent(const struct conn *c);
void conn_pin(struct conn *c);
void conn_unpin(struct conn *c);
/* Held-body accounting against MAX_HELD_BYTES: grows c->held to hold n more bytes. */
bool conn_hold_room(struct conn *c, size_t n);
void conn_hold_release(struct conn *c);
void conn_attach_engine(struct conn *c, struct upconn *u, bool rd, bool wr);
void conn_close_engine(struct conn *c);
void conn_park_engine(struct conn *c);
/* Sends iov to side s (the client or the engine); handles would-block and failure. Returns the
 * bytes written, 0 when nothing could be written now, -1 when the side failed. */
ssize_t conn_send(struct conn *c, struct side *s, const struct iovec *iov, int n);

/* request.c */
bool req_read(struct conn *c);
bool req_process(struct conn *c);
bool req_write(struct conn *c);
void req_start_engine(struct conn *c);
void req_response_deadline(struct conn *c);
void req_engine_failed(struct conn *c, int e);
void req_mark_unparsed(struct conn *c);

/* response.c */
bool resp_read(struct conn *c);
bool resp_process(struct conn *c);
bool resp_write(struct conn *c);
bool resp_finish(struct conn *c);
void resp_tunnel_check_end(struct conn *c);

/* Shared framing: clears *used bytes of p (at most avail) for forwarding. */
enum chunk_result conn_frame_body(enum http_body kind, uint64_t *left, struct chunk_state *cs,
                                  const char *p, uint32_t avail, uint32_t *used);
/* The tunnel, written once for both directions: passes from's bytes on and forwards its FIN. */
bool conn_tunnel_pass(struct side *from);
bool conn_tunnel_fin(struct conn *c, struct side *from, struct side *to);

/* proxy.c */
void proxy_serve_metrics(struct conn *c, const struct canon *cn);

#endif
