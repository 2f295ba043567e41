#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

/* Free blocks are kept up to this count; more go back to malloc so a burst does not pin memory. */
#define POOL_KEEP 32

struct block {
    struct block *next;
};

static struct block *pool;
static size_t pool_n, in_use, bytes_lent;

int buf_get(struct buf *b)
{
    if (b->p)
        return 0;
    char *p;
    if (pool) {
        p = (char *)pool;
        pool = pool->next;
        pool_n--;
    } else if (!(p = malloc(BUF_SIZE))) {
        return -1;
    }
    in_use++;
    bytes_lent += BUF_SIZE;
    b->p = p;
    b->off = b->len = 0;
    b->cap = BUF_SIZE;
    return 0;
}

int buf_grow(struct buf *b, size_t min_cap)
{
    if (b->cap >= min_cap)
        return 0;
    buf_compact(b);
    char *p = malloc(min_cap);
    if (!p)
        return -1;
    memcpy(p, b->p, b->len);
    uint32_t len = b->len;
    buf_put(b);
    in_use++;
    bytes_lent += min_cap;
    b->p = p;
    b->off = 0;
    b->len = len;
    b->cap = (uint32_t)min_cap;
    return 0;
}

void buf_put(struct buf *b)
{
    if (!b->p)
        return;
    in_use--;
    bytes_lent -= b->cap;
    if (b->cap == BUF_SIZE && pool_n < POOL_KEEP) {
        struct block *blk = (struct block *)(void *)b->p;
        blk->next = pool;
        pool = blk;
        pool_n++;
    } else {
        free(b->p);
    }
    b->p = NULL;
    b->off = b->len = b->cap = 0;
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

size_t buf_pool_free_count(void)
{
    return pool_n;
}

size_t buf_bytes_lent(void)
{
    return bytes_lent;
}

size_t buf_in_use(void)
{
    return in_use;
}
