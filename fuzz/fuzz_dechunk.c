/* Fuzzes the chunked decoder: it consumes exactly what the validator consumes with the same result,
 * its output equals an independent whole-buffer reference decoder's, and neither depends on how
 * input and output room are split (split points from the fuzz input), on decoding in place, or,
 * below the limit, on the size limit. The first 5 bytes choose the splits and the limit. */
#include "http/chunk.h"
#include "http_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: reads 1*16HEXDIG CRLF data CRLF ... "0" CRLF CRLF from the whole buffer and copies
 * the data into out (room for n bytes). Returns 1 done, 0 more, -1 error. */
static int reference(const uint8_t *p, size_t n, uint8_t *out, size_t *out_len)
{
    size_t i = 0;
    *out_len = 0;
    for (;;) {
        uint64_t sz = 0;
        int d = 0;
        while (i < n && d < 16 && hexval(p[i]) >= 0)
            sz = sz << 4 | (uint64_t)hexval(p[i++]), d++;
        if (i == n)
            return 0;
        if (d == 0 || p[i] != '\r')
            return -1;
        if (++i == n)
            return 0;
        if (p[i++] != '\n')
            return -1;
        if (sz == 0)
            break;
        size_t take = n - i < sz ? n - i : (size_t)sz;
        memcpy(out + *out_len, p + i, take);
        *out_len += take;
        i += take;
        if (take < sz)
            return 0;
        for (int k = 0; k < 2; k++, i++) {
            if (i == n)
                return 0;
            if (p[i] != (k ? '\n' : '\r'))
                return -1;
        }
    }
    for (int k = 0; k < 2; k++, i++) {
        if (i == n)
            return 0;
        if (p[i] != (k ? '\n' : '\r'))
            return -1;
    }
    return 1;
}

static uint32_t next(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

struct run {
    enum chunk_result res;
    size_t consumed, produced;
};

/* Decodes in pieces of input and output room chosen by seed (1..8 bytes each), or in one call
 * when seed is 0. Each call makes progress until a final result, so the loop ends. */
static struct run decode(const uint8_t *in, size_t n, uint64_t limit, uint32_t seed, uint8_t *out)
{
    struct chunk_decoder d;
    struct run r = {CHUNK_MORE, 0, 0};
    chunk_decoder_init(&d, limit);
    do {
        size_t left = n - r.consumed, space = n - r.produced;
        size_t piece = seed ? 1 + next(&seed) % 8 : left;
        size_t room = seed ? 1 + next(&seed) % 8 : space;
        piece = piece < left ? piece : left;
        room = room < space ? room : space;
        size_t used = 99, made = 99;
        r.res = chunk_decode(&d, (const char *)in + r.consumed, piece, &used,
                             (char *)out + r.produced, room, &made);
        must(used <= piece && made <= room && made <= used);
        must(r.res != CHUNK_MORE || used > 0 || piece == 0);
        r.consumed += used;
        r.produced += made;
        must(d.decoded == r.produced);
    } while (r.res == CHUNK_MORE && r.consumed < n);
    if (r.res != CHUNK_MORE) {
        size_t used = 1, made = 1;
        must(chunk_decode(&d, "0\r\n\r\n", 5, &used, (char *)out, 0, &made) == r.res && used == 0 &&
             made == 0);
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    uint32_t seed = (uint32_t)data[0] << 16 | (uint32_t)data[1] << 8 | data[2] | 1u;
    uint8_t lim_sel = data[3], pick = data[4];
    data += 5;
    size -= 5;
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    uint8_t *want = malloc(size ? size : 1), *got = malloc(size ? size : 1);
    size_t want_len;
    int ref = reference(copy, size, want, &want_len);

    struct chunk_state cs;
    size_t vconsumed;
    chunk_init(&cs);
    enum chunk_result vres = chunk_feed(&cs, (const char *)copy, size, &vconsumed);
    must(vres == (ref > 0 ? CHUNK_DONE : ref < 0 ? CHUNK_ERROR : CHUNK_MORE));

    /* Unlimited, one call, separate output: the validator's answer and the reference's data. */
    struct run whole = decode(copy, size, UINT64_MAX, 0, got);
    must(whole.res == vres && whole.consumed == vconsumed);
    must(whole.produced == want_len && memcmp(got, want, want_len) == 0);

    /* Split input and output room, separate output or in place (checked below by content). */
    struct run split = decode(copy, size, UINT64_MAX, seed, got);
    must(split.res == vres && split.consumed == vconsumed && split.produced == want_len &&
         memcmp(got, want, want_len) == 0);
    uint8_t *inplace = malloc(size ? size : 1);
    memcpy(inplace, copy, size);
    {
        struct chunk_decoder d;
        size_t used, made;
        chunk_decoder_init(&d, UINT64_MAX);
        enum chunk_result r =
            chunk_decode(&d, (const char *)inplace, size, &used, (char *)inplace, size, &made);
        must(r == vres && used == vconsumed && made == want_len &&
             memcmp(inplace, want, want_len) == 0);
    }
    free(inplace);

    /* A limit: below it nothing changes; above it CHUNK_TOO_BIG after a valid prefix. */
    uint64_t limit = lim_sel < 128                        ? lim_sel
                     : want_len > (size_t)(lim_sel - 128) ? want_len - (size_t)(lim_sel - 128)
                                                          : 0;
    struct run lim = decode(copy, size, limit, pick & 1 ? seed ^ 0x5bd1e995u : 0, got);
    if (lim.res == CHUNK_TOO_BIG) {
        must(lim.produced <= limit && lim.produced <= want_len &&
             memcmp(got, want, lim.produced) == 0);
        struct chunk_state pre;
        size_t pc;
        chunk_init(&pre);
        must(chunk_feed(&pre, (const char *)copy, lim.consumed, &pc) == CHUNK_MORE &&
             pc == lim.consumed);
        must(chunk_data_pending(&pre) > limit - lim.produced);
        must(lim.consumed <= vconsumed);
    } else {
        must(lim.res == vres && lim.consumed == vconsumed && lim.produced == want_len &&
             want_len <= limit && memcmp(got, want, want_len) == 0);
    }
    free(copy);
    free(want);
    free(got);
    return 0;
}
