/* upstream — engine connections: connecting, and the shared pool of clean idle ones.
 *
 * Contract:
 *  - struct upconn is one engine socket. It is registered with the loop once, when it is made, and
 *    keeps that registration while it moves between clients and the pool: no epoll_ctl per reuse.
 *    Its events go to the owner's handler (pool->owner_event) while it has an owner; a parked
 *    one that becomes readable or hangs up (the engine closed it, or wrote to an idle connection)
 *    is closed. A writability edge alone changes nothing.
 *  - upstream_connect() starts a non-blocking connect to the engine and returns the new upconn
 *    owned by owner, or NULL with *err set to an errno (the caller diagnoses it). *in_progress says
 *    whether the connect is still under way (then EPOLLOUT is armed: writability ends it).
 *  - upstream_park() takes a clean connection (nothing unread, no EOF or FIN seen) into the pool
 *    when there is room, else closes it; upstream_take() hands one out, or NULL.
 *  - The socket is closed through its operations table (side.h), like every other socket.
 *  - upstream_close() closes the socket at once; the object is freed by upstream_bury(), after the
 *    current epoll batch (which may still hold an event for it).
 * All state lives in struct upstream_pool, owned by the proxy.
 */
#ifndef SW_UPSTREAM_H
#define SW_UPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/addr.h"
#include "core/loop.h"
#include "core/side.h"

#define PARK_MAX 32 /* idle engine connections kept for reuse */

struct conn;

struct upconn {
    struct loop_ev ev;
    int fd;                     /* the socket; an owner works on a struct side made from it */
    bool out_armed;             /* EPOLLOUT is in the registration (persists across owners) */
    bool dead;                  /* closed; freed after the current epoll batch */
    const struct sock_ops *ops; /* the I/O seam of this socket (side.h) */
    struct conn *owner;         /* NULL while parked */
    struct upconn *next;        /* graveyard link */
    struct upstream_pool *pool;
};

struct upstream_pool {
    struct loop *loop;
    struct buf_pool *bufs;
    const struct upstream_addr *addr;
    void (*owner_event)(struct conn *owner, uint32_t events);
    struct upconn *park[PARK_MAX];
    int nparked;
    struct upconn *graveyard;
};

void upstream_pool_init(struct upstream_pool *p, struct loop *l, struct buf_pool *bufs,
                        const struct upstream_addr *a,
                        void (*owner_event)(struct conn *, uint32_t));
struct upconn *upstream_connect(struct upstream_pool *p, struct conn *owner, bool *in_progress,
                                int *err);
/* keep: the connection is clean and reuse is allowed. */
void upstream_park(struct upstream_pool *p, struct upconn *u, bool keep);
struct upconn *upstream_take(struct upstream_pool *p, struct conn *owner);
void upstream_close(struct upstream_pool *p, struct upconn *u);
void upstream_close_parked(struct upstream_pool *p);
void upstream_bury(struct upstream_pool *p);

#endif
