#include "core/upstream.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "os/net.h"

static void parked_event(struct upstream_pool *p, struct upconn *u, uint32_t events)
{
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        return;
    for (int i = 0; i < p->nparked; i++)
        if (p->park[i] == u) {
            p->park[i] = p->park[--p->nparked];
            upstream_close(p, u);
            return;
        }
}

static void upconn_event(struct loop_ev *ev, uint32_t events)
{
    struct upconn *u = (struct upconn *)(void *)ev;
    if (u->dead)
        return;
    if (!u->owner)
        parked_event(u->pool, u, events);
    else
        u->pool->owner_event(u->owner, events);
}

void upstream_pool_init(struct upstream_pool *p, struct loop *l, struct buf_pool *bufs,
                        const struct upstream_addr *a, void (*owner_event)(struct conn *, uint32_t))
{
    *p = (struct upstream_pool){.loop = l, .bufs = bufs, .addr = a, .owner_event = owner_event};
}

struct upconn *upstream_connect(struct upstream_pool *p, struct conn *owner, bool *in_progress,
                                int *err)
{
    int inp;
    int fd = net_upstream_connect(p->addr, &inp);
    if (fd < 0) {
        *err = -fd;
        return NULL;
    }
    struct upconn *u = calloc(1, sizeof *u);
    if (!u) {
        close(fd);
        *err = ENOMEM;
        return NULL;
    }
    *u = (struct upconn){.ev.fn = upconn_event, .owner = owner, .pool = p};
    u->fd = fd;
    u->ops = &sock_plain;
    u->out_armed = inp != 0;
    if (loop_watch(p->loop, fd, &u->ev, inp != 0) < 0) {
        *err = errno;
        upstream_close(p, u);
        return NULL;
    }
    *in_progress = inp != 0;
    return u;
}

void upstream_park(struct upstream_pool *p, struct upconn *u, bool keep)
{
    if (keep && p->nparked < PARK_MAX) {
        u->owner = NULL;
        p->park[p->nparked++] = u;
        return;
    }
    upstream_close(p, u);
}

struct upconn *upstream_take(struct upstream_pool *p, struct conn *owner)
{
    if (p->nparked == 0)
        return NULL;
    struct upconn *u = p->park[--p->nparked];
    u->owner = owner;
    return u;
}

void upstream_close(struct upstream_pool *p, struct upconn *u)
{
    struct side s = {.fd = u->fd, .ops = u->ops}; /* no buffer: an owner's is its own */
    side_close(&s, p->bufs);
    u->fd = -1;
    u->dead = true;
    u->owner = NULL;
    u->next = p->graveyard;
    p->graveyard = u;
}

void upstream_close_parked(struct upstream_pool *p)
{
    while (p->nparked > 0)
        upstream_close(p, p->park[--p->nparked]);
}

void upstream_bury(struct upstream_pool *p)
{
    while (p->graveyard) {
        struct upconn *u = p->graveyard;
        p->graveyard = u->next;
        free(u);
    }
}
