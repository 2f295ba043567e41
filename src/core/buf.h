/* buf — byte buffers lent to connections from a pool, and returned as soon as they are empty, so an
 * idle connection owns no buffer at all.
 *
 * Contract: a struct buf with p == NULL owns nothing. buf_get() attaches a block of BUF_SIZE bytes
 * from the pool; buf_grow() enlarges one (for a long request head, a fast stream, a held body);
 * buf_put() returns it: a BUF_SIZE block to the pool (up to BUF_POOL_KEEP kept, so a burst does
 * not pin memory), a grown one to malloc. Bytes live in p[off, off+len). The pool is a value owned
 * by its user (the proxy's context): no global state; buf_pool_fini() frees what it keeps.
 */
#ifndef SW_BUF_H
#define SW_BUF_H

#include <stddef.h>
#include <stdint.h>

#define BUF_SIZE 16384
#define BUF_POOL_KEEP 32 /* free blocks kept */

struct buf {
    char *p;
    uint32_t off, len, cap;
};

struct buf_block;
struct buf_pool {
    struct buf_block *free;
    size_t nfree, in_use, bytes_lent;
};

int buf_get(struct buf_pool *bp, struct buf *b);                  /* 0, or -1 when out of memory */
int buf_grow(struct buf_pool *bp, struct buf *b, size_t min_cap); /* 0, or -1 */
void buf_put(struct buf_pool *bp, struct buf *b); /* releases (no-op when p == NULL) */
void buf_pool_fini(struct buf_pool *bp);
void buf_compact(struct buf *b);             /* moves the bytes to the start */
void buf_consume(struct buf *b, size_t n);   /* drops n bytes from the front; empties reset off */
static inline size_t buf_space(const struct buf *b)
{
    return b->cap - b->off - b->len;
}
static inline char *buf_tail(struct buf *b)
{
    return b->p + b->off + b->len;
}
static inline char *buf_head(struct buf *b)
{
    return b->p + b->off;
}

/* Pool statistics for the metrics gauges and tests. */
size_t buf_pool_free_count(const struct buf_pool *bp);
size_t buf_in_use(const struct buf_pool *bp);
size_t buf_bytes_lent(const struct buf_pool *bp); /* total capacity of the buffers lent out */

#endif
