#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

struct buf_block {
    struct buf_block *next;
};

int buf_get(struct buf_pool *bp, struct buf *b)
{
    if (b->p)
        return 0;
    char *p;
    if (bp->free) {
        p = (char *)bp->free;
        bp->free = bp->free->next;
        bp->nfree--;
    } else if (!(p = malloc(BUF_SIZE))) {
        return -1;
    }
    bp->in_use++;
    bp->bytes_lent += BUF_SIZE;
    b->p = p;
    b->off = b->len = 0;
    b->cap = BUF_SIZE;
    return 0;
}

int buf_grow(struct buf_pool *bp, struct buf *b, size_t min_cap)
{
    if (b->cap >= min_cap)
        return 0;
    buf_compact(b);
    char *p = malloc(min_cap);
    if (!p)
        return -1;
    memcpy(p, b->p, b->len);
    uint32_t len = b->len;
    buf_put(bp, b);
    bp->in_use++;
    bp->bytes_lent += min_cap;
    b->p = p;
    b->off = 0;
    b->len = len;
    b->cap = (uint32_t)min_cap;
    return 0;
}

void buf_put(struct buf_pool *bp, struct buf *b)
{
    if (!b->p)
        return;
    bp->in_use--;
    bp->bytes_lent -= b->cap;
    if (b->cap == BUF_SIZE && bp->nfree < BUF_POOL_KEEP) {
        struct buf_block *blk = (struct buf_block *)(void *)b->p;
        blk->next = bp->free;
        bp->free = blk;
        bp->nfree++;
    } else {
        free(b->p);
    }
    b->p = NULL;
    b->off = b->len = b->cap = 0;
}

void buf_pool_fini(struct buf_pool *bp)
{
    while (bp->free) {
        struct buf_block *blk = bp->free;
        bp->free = blk->next;
        free(blk);
    }
    bp->nfree = 0;
}

void buf_compact(struct buf *b)
{
    if (b->off && b->len)
        memmove(b->p, b->p + b->off, b->len);
    b->off = 0;
}

void buf_consume(struct buf *b, size_t n)
{
    b->off += (uint32_t)n;
    b->len -= (uint32_t)n;
    if (b->len == 0)
        b->off = 0;
}

size_t buf_pool_free_count(const struct buf_pool *bp)
{
    return bp->nfree;
}

size_t buf_bytes_lent(const struct buf_pool *bp)
{
    return bp->bytes_lent;
}

size_t buf_in_use(const struct buf_pool *bp)
{
    return bp->in_use;
}
