/* buf — byte buffers lent to connections from a pool, and returned as soon as they are empty, so an
 * idle connection owns no buffer at all.
 *
 * Contract: a struct buf with p == NULL owns nothing. buf_get() attaches a pooled block of BUF_SIZE
 * bytes; buf_grow() enlarges one (for a long request head) up to a limit; buf_put() returns it.
 * Bytes live in p[off, off+len).
 */
#ifndef SW_BUF_H
#define SW_BUF_H

#include <stddef.h>
#include <stdint.h>

#define BUF_SIZE 16384

struct buf {
    char *p;
    uint32_t off, len, cap;
};

int buf_get(struct buf *b);                  /* 0, or -1 when out of memory */
int buf_grow(struct buf *b, size_t min_cap); /* 0, or -1 */
void buf_put(struct buf *b);                 /* releases (no-op when p == NULL) */
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

/* Pool statistics for benchmarks and tests. */
size_t buf_pool_free_count(void);
size_t buf_in_use(void);
size_t buf_bytes_lent(void); /* total capacity of the buffers lent out */

#endif
