/* Fuzzes the chunked validator against an independent whole-buffer reference of the same grammar,
 * and checks that the answer does not depend on how the input is split across chunk_feed calls
 * or on whether chunk data is passed through with chunk_skip_data. */
#include "http/http.h"
#include "http_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Expects the two bytes a, b at *i. */
static int expect2(const uint8_t *p, size_t n, size_t *i, uint8_t a, uint8_t b,
                   enum chunk_result *res)
{
    for (int k = 0; k < 2; k++, (*i)++) {
        if (*i == n) {
            *res = CHUNK_MORE;
            return 0;
        }
        if (p[*i] != (k ? b : a)) {
            *res = CHUNK_ERROR;
            return 0;
        }
    }
    return 1;
}

/* Reference: whole-buffer reading of 1*16HEXDIG CRLF data CRLF ... "0" CRLF CRLF. *off is where
 * it stopped: the end (MORE), after the final CRLF (DONE) or the offending byte (ERROR). */
static enum chunk_result reference(const uint8_t *p, size_t n, size_t *off, uint64_t *pending)
{
    enum chunk_result res = CHUNK_MORE;
    size_t i = 0;
    *pending = 0;
    for (;;) {
        uint64_t sz = 0;
        int d = 0;
        while (i < n && d < 16 && hexval(p[i]) >= 0)
            sz = sz << 4 | (uint64_t)hexval(p[i++]), d++;
        if (i < n && d == 0) {
            *off = i;
            return CHUNK_ERROR;
        }
        if (!expect2(p, n, &i, '\r', '\n', &res))
            break;
        if (sz == 0) {
            if (expect2(p, n, &i, '\r', '\n', &res))
                res = CHUNK_DONE;
            break;
        }
        if (n - i < sz) {
            *pending = sz - (n - i);
            i = n;
            break;
        }
        i += (size_t)sz;
        if (!expect2(p, n, &i, '\r', '\n', &res))
            break;
    }
    *off = i;
    return res;
}

struct run {
    enum chunk_result res;
    size_t total;
    uint64_t pending;
};

/* Size of the next piece: mode 0 all at once, 1 byte by byte, else 1..9 bytes from a PRNG. */
static size_t piece(int mode, uint32_t *seed, size_t left)
{
    size_t n = left;
    if (mode == 1) {
        n = 1;
    } else if (mode > 1) {
        *seed = *seed * 1103515245u + 12345u;
        n = 1 + (*seed >> 16) % 9;
    }
    return n < left ? n : left;
}

/* Feeds data in pieces (see piece()). With skip set, chunk data is passed over with
 * chunk_skip_data as a splicing caller would. */
static struct run feed(const uint8_t *data, size_t size, int mode, uint32_t seed, int skip)
{
    struct chunk_state cs;
    struct run r = {CHUNK_MORE, 0, 0};
    size_t pos = 0;
    chunk_init(&cs);
    while (pos < size && r.res == CHUNK_MORE) {
        size_t n = piece(mode, &seed, size - pos);
        uint64_t pend = chunk_data_pending(&cs);
        if (skip && pend > 0) {
            size_t k = pend < n ? (size_t)pend : n;
            chunk_skip_data(&cs, k);
            must(chunk_data_pending(&cs) == pend - k);
            pos += k;
            r.total += k;
            continue;
        }
        size_t used = 0;
        r.res = chunk_feed(&cs, (const char *)data + pos, n, &used);
        must(used <= n);
        must(r.res != CHUNK_MORE || used == n);
        pos += used;
        r.total += used;
        if (r.res == CHUNK_MORE)
            continue;
        size_t again = 1;
        must(chunk_feed(&cs, "0\r\n\r\n", 5, &again) == r.res && again == 0);
    }
    r.pending = chunk_data_pending(&cs);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    size_t off;
    uint64_t pending;
    enum chunk_result want = reference(copy, size, &off, &pending);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ copy[i]) * 16777619u;
    for (int mode = 0; mode < 4; mode++) {
        for (int skip = 0; skip < 2; skip++) {
            struct run r = feed(copy, size, mode, h + (uint32_t)mode, skip);
            must(r.res == want && r.total == off);
            if (want == CHUNK_MORE)
                must(r.pending == pending);
        }
    }
    free(copy);
    return 0;
}
