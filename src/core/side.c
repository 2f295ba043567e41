#include "core/side.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static ssize_t plain_recv(struct side *s, void *p, size_t n)
{
    return recv(s->fd, p, n, 0);
}

/* send(2) for the usual single piece: sockets skip the VFS layers a writev(2) goes through.
 * (sendmsg(2) would cover both but stays outside the seccomp allow-list: it passes fds.) */
static ssize_t plain_send(struct side *s, const void *p, size_t n)
{
    return send(s->fd, p, n, MSG_NOSIGNAL);
}

static ssize_t plain_writev(struct side *s, const struct iovec *iov, int n)
{
    return writev(s->fd, iov, n);
}

static int plain_shutdown_wr(struct side *s)
{
    return shutdown(s->fd, SHUT_WR);
}

static void plain_close(struct side *s)
{
    close(s->fd);
}

const struct sock_ops sock_plain = {
    .recv = plain_recv,
    .send = plain_send,
    .writev = plain_writev,
    .shutdown_wr = plain_shutdown_wr,
    .close = plain_close,
};

void side_open(struct side *s, int fd, bool rd, bool wr)
{
    *s = (struct side){.fd = fd, .ops = &sock_plain, .rd = rd, .wr = wr};
}

void side_close(struct side *s, struct buf_pool *bp)
{
    if (s->fd >= 0)
        s->ops->close(s);
    buf_put(bp, &s->buf);
    *s = (struct side){.fd = -1, .ops = &sock_plain};
}

void side_event(struct side *s, uint32_t events)
{
    s->rd |= (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    s->wr |= (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
    s->hup |= (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
}

bool side_read(struct side *s, struct buf_pool *bp, size_t limit)
{
    struct buf *b = &s->buf;
    if (!s->rd || s->eof)
        return false;
    if (!b->p && buf_get(bp, b) < 0)
        return false;
    if (b->off && buf_space(b) == 0)
        buf_compact(b);
    if (buf_space(b) == 0 && b->cap < limit)
        buf_grow(bp, b, b->cap * 2 < limit ? b->cap * 2 : limit);
    size_t room = b->len < limit ? limit - b->len : 0;
    if (buf_space(b) < room)
        room = buf_space(b);
    if (room == 0)
        return false;
    ssize_t n = s->ops->recv(s, buf_tail(b), room);
    if (n > 0) {
        b->len += (uint32_t)n;
        /* A read that filled the whole buffer means a bulk stream: read it in larger pieces
         * (up to the limit), since every read and write costs a system call and a wake-up. */
        if ((size_t)n == room && buf_space(b) == 0 && b->cap < limit)
            buf_grow(bp, b, b->cap * 4 < limit ? b->cap * 4 : limit);
        /* A short read emptied the socket: the next byte brings a new edge, so skip the read
         * that would only say EAGAIN. Not once the FIN is signalled: that edge has passed. */
        if ((size_t)n < room && !s->hup)
            s->rd = false;
        return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        s->eof = true;
        return true;
    }
    if (errno == EAGAIN)
        s->rd = false;
    return false;
}

ssize_t side_send(struct side *s, const struct iovec *iov, int n)
{
    ssize_t w = n == 1 ? s->ops->send(s, iov[0].iov_base, iov[0].iov_len)
                       : s->ops->writev(s, iov, n);
    if (w >= 0)
        return w;
    if (errno == EAGAIN) {
        s->wr = false;
        return 0;
    }
    return errno == EINTR ? 0 : -1;
}

ssize_t side_discard(struct side *s, size_t max)
{
    char sink[4096];
    size_t total = 0;
    while (s->rd && total < max) {
        size_t want = max - total < sizeof sink ? max - total : sizeof sink;
        ssize_t n = s->ops->recv(s, sink, want);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            s->eof = true;
            return -1;
        }
        if (n < 0) {
            if (errno == EAGAIN)
                s->rd = false;
            continue;
        }
        total += (size_t)n;
    }
    return (ssize_t)total;
}

void side_shutdown(struct side *s)
{
    s->ops->shutdown_wr(s);
    s->shut = true;
}
