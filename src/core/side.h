/* side — one direction's socket of a proxied connection (the client's, or the engine's), and the
 * I/O seam every read, write, shutdown and close goes through.
 *
 * Contract:
 *  - A struct side is a socket (fd), its operations table (ops), the bytes read from it (buf; fwd of them are cleared for the other side) and
 *    its state: rd/wr (readiness as the last operation or event left it), hup (the peer's FIN was
 *    signalled: read until EOF, not just once), eof (the peer closed, or the socket failed), shut
 *    (our write side is shut down) and out_armed (EPOLLOUT is in the registration).
 *  - Everything that touches the socket goes through ops: plain sockets use sock_plain (recv/send
 *    with MSG_NOSIGNAL, writev, shutdown(SHUT_WR), close), so TLS can later supply its own table
 *    without the connection state machine changing. An operation reports "would block" as -1 with
 *    errno EAGAIN, like the system calls.
 *  - side_read() reads into buf while it holds fewer than limit bytes, growing a buffer that a
 *    read filled (16 → 64 → 256 KiB, never past limit); it returns true on progress (bytes or
 *    EOF). A short read clears rd (the socket is empty; the next byte brings a new edge) unless the
 *    FIN was signalled.
 *  - side_send() writes up to n pieces and returns the bytes written, 0 when the socket would block
 *    (rd stays, wr is cleared: the caller arms EPOLLOUT), or -1 when the socket failed.
 */
#ifndef SW_SIDE_H
#define SW_SIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "core/buf.h"
#include "core/loop.h"

struct side;

struct sock_ops {
    ssize_t (*recv)(struct side *s, void *p, size_t n);
    ssize_t (*send)(struct side *s, const void *p, size_t n);
    ssize_t (*writev)(struct side *s, const struct iovec *iov, int n);
    int (*shutdown_wr)(struct side *s);
    void (*close)(struct side *s);
};

extern const struct sock_ops sock_plain;

struct side {
    int fd;
    uint32_t fwd;
    const struct sock_ops *ops;
    struct buf buf;
    bool rd, wr, hup, eof, shut, out_armed;
};

/* A side for fd, nothing read yet, readiness as given. */
void side_open(struct side *s, int fd, bool rd, bool wr);
/* Closes the socket (if open) and returns its buffer; the side owns nothing afterwards. */
void side_close(struct side *s, struct buf_pool *bp);
/* Folds an epoll event mask into rd/wr/hup. */
void side_event(struct side *s, uint32_t events);

bool side_read(struct side *s, struct buf_pool *bp, size_t limit);
ssize_t side_send(struct side *s, const struct iovec *iov, int n);
/* Reads and drops at most max bytes. Returns the bytes dropped, or -1 once the peer closed or the
 * socket failed. Clears rd when the socket is empty. */
ssize_t side_discard(struct side *s, size_t max);
void side_shutdown(struct side *s);

#endif
