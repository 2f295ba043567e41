/* chunk — chunked-body validator and decoder (see chunk.h for the contract).
 *
 * One state machine serves both: chunk_step() walks the grammar bytes one at a time, chunk data is
 * taken in runs. The decoder is the validator plus a copy of each data run and the size limit.
 */
#include "http/chunk.h"

#include "http/http.h"

#include <string.h>

#define CHUNK_DIGITS_MAX 16 /* a 16-hex-digit size always fits in uint64_t */

void chunk_init(struct chunk_state *cs)
{
    cs->st = CHUNK_SIZE;
    cs->remaining = 0;
    cs->digits = 0;
}

/* Advances over one grammar byte (never chunk data); returns false on a grammar error. */
static bool chunk_step(struct chunk_state *cs, unsigned char c)
{
    int h;
    switch (cs->st) {
    case CHUNK_SIZE:
        if (c == '\r' && cs->digits > 0) {
            cs->st = CHUNK_SIZE_LF;
            return true;
        }
        if ((h = http_hex_digit(c)) < 0 || cs->digits == CHUNK_DIGITS_MAX)
            return false;
        cs->remaining = cs->remaining << 4 | (uint64_t)h;
        cs->digits++;
        return true;
    case CHUNK_SIZE_LF:
        cs->st = cs->remaining ? CHUNK_DATA : CHUNK_LAST_CR;
        return c == '\n';
    case CHUNK_DATA_CR:
        cs->st = CHUNK_DATA_LF;
        return c == '\r';
    case CHUNK_LAST_CR:
        cs->st = CHUNK_LAST_LF;
        return c == '\r';
    case CHUNK_DATA_LF:
        chunk_init(cs);
        return c == '\n';
    case CHUNK_LAST_LF:
        cs->st = CHUNK_END;
        return c == '\n';
    case CHUNK_DATA:
    case CHUNK_END:
    case CHUNK_BROKEN:
        break;
    }
    return false;
}

void chunk_skip_data(struct chunk_state *cs, uint64_t n)
{
    if (n == 0)
        return;
    if (cs->st != CHUNK_DATA || n > cs->remaining) {
        cs->st = CHUNK_BROKEN; /* misuse fails closed */
        return;
    }
    cs->remaining -= n;
    if (cs->remaining == 0)
        cs->st = CHUNK_DATA_CR;
}

static enum chunk_result result_of(const struct chunk_state *cs)
{
    if (cs->st == CHUNK_BROKEN)
        return CHUNK_ERROR;
    return cs->st == CHUNK_END ? CHUNK_DONE : CHUNK_MORE;
}

/* Takes one grammar byte; false (and the error state) when it does not fit the grammar. */
static bool grammar_byte(struct chunk_state *cs, unsigned char c)
{
    if (chunk_step(cs, c))
        return true;
    cs->st = CHUNK_BROKEN;
    return false;
}

enum chunk_result chunk_feed(struct chunk_state *cs, const char *buf, size_t len, size_t *consumed)
{
    size_t i = 0;
    while (i < len && cs->st != CHUNK_END && cs->st != CHUNK_BROKEN) {
        if (cs->st == CHUNK_DATA) {
            uint64_t n = len - i < cs->remaining ? len - i : cs->remaining;
            chunk_skip_data(cs, n);
            i += (size_t)n;
        } else if (grammar_byte(cs, (unsigned char)buf[i])) {
            i++;
        }
    }
    *consumed = i;
    return result_of(cs);
}

uint64_t chunk_data_pending(const struct chunk_state *cs)
{
    return cs->st == CHUNK_DATA ? cs->remaining : 0;
}

void chunk_decoder_init(struct chunk_decoder *d, uint64_t limit)
{
    chunk_init(&d->cs);
    d->decoded = 0;
    d->limit = limit;
    d->too_big = false;
}

enum chunk_result chunk_decode(struct chunk_decoder *d, const char *in, size_t in_len,
                               size_t *consumed, char *out, size_t out_cap, size_t *produced)
{
    struct chunk_state *cs = &d->cs;
    size_t i = 0, o = 0;
    while (!d->too_big && i < in_len && cs->st != CHUNK_END && cs->st != CHUNK_BROKEN) {
        if (cs->st == CHUNK_DATA) {
            size_t room = out_cap - o;
            uint64_t n = in_len - i < cs->remaining ? in_len - i : cs->remaining;
            if (n > room)
                n = room;
            if (n == 0)
                break; /* the output is full */
            memmove(out + o, in + i, (size_t)n);
            chunk_skip_data(cs, n);
            d->decoded += n;
            i += (size_t)n;
            o += (size_t)n;
        } else if (grammar_byte(cs, (unsigned char)in[i])) {
            i++;
            /* The size line just ended: refuse a chunk that would pass the limit before any of
             * its data arrives. */
            d->too_big = cs->st == CHUNK_DATA && cs->remaining > d->limit - d->decoded;
        }
    }
    *consumed = i;
    *produced = o;
    return d->too_big ? CHUNK_TOO_BIG : result_of(cs);
}
