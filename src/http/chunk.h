/* chunk — the chunked transfer coding: an incremental validator and an incremental decoder. Pure:
 * no I/O, no allocation.
 *
 * Contract:
 *  - Both accept one strict, canonical grammar: 1*16HEXDIG CRLF data CRLF ... "0"-size CRLF CRLF.
 *    No chunk extensions, no trailer fields, no whitespace, CR and LF only as CRLF. Any other byte
 *    is CHUNK_ERROR. Because the grammar is canonical, every byte the validator consumes may be
 *    forwarded verbatim.
 *  - Results, consumed totals and decoded output never depend on how the input is split across
 *    calls (nor, for the decoder, on how the output room is given).
 *  - CHUNK_DONE is returned once the final "0\r\n\r\n" is consumed; bytes after it are not
 *    consumed. CHUNK_ERROR stops just before the offending byte (what was consumed is a valid
 *    prefix of a chunked body). Both are final: later calls consume nothing and return them again.
 *  - The decoder consumes exactly what the validator consumes and returns the same result, except
 *    that it may stop earlier: when its output room is full (CHUNK_MORE with input left over), or
 *    with CHUNK_TOO_BIG when a chunk-size line declares data that would take the decoded total past
 *    the decoder's limit (that size line is consumed, none of its data is produced; final).
 *    A body of exactly `limit` data bytes is accepted. The validator never returns CHUNK_TOO_BIG.
 */
#ifndef SW_CHUNK_H
#define SW_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum chunk_result { CHUNK_MORE, CHUNK_DONE, CHUNK_ERROR, CHUNK_TOO_BIG };

enum chunk_phase {
    CHUNK_SIZE,    /* hex digits of a chunk size */
    CHUNK_SIZE_LF, /* LF after the size line's CR */
    CHUNK_DATA,    /* chunk data, remaining bytes left */
    CHUNK_DATA_CR, /* CRLF after chunk data */
    CHUNK_DATA_LF,
    CHUNK_LAST_CR, /* the empty line after "0" CRLF: no trailers */
    CHUNK_LAST_LF,
    CHUNK_END,    /* the whole body was consumed */
    CHUNK_BROKEN, /* a grammar error (or a misuse of chunk_skip_data) */
};

/* Chunked body validator. */
struct chunk_state {
    uint64_t remaining; /* data bytes left in the current chunk */
    enum chunk_phase st;
    unsigned digits; /* hex digits seen in the current size line */
};
void chunk_init(struct chunk_state *cs);
/* Consumes bytes from buf; *consumed says how many (all forwardable as is). */
enum chunk_result chunk_feed(struct chunk_state *cs, const char *buf, size_t len, size_t *consumed);
/* Data bytes of the current chunk that may be passed through without inspection (for splice). */
uint64_t chunk_data_pending(const struct chunk_state *cs);
/* Records that n data bytes were passed through directly; n must be ≤ chunk_data_pending(cs).
 * A larger n, or n > 0 outside chunk data, puts cs in the error state. */
void chunk_skip_data(struct chunk_state *cs, uint64_t n);

/* Chunked body decoder: chunked bytes in, data bytes out, at most `limit` data bytes in all. */
struct chunk_decoder {
    struct chunk_state cs;
    uint64_t decoded; /* data bytes produced so far */
    uint64_t limit;   /* a body with more data bytes than this is CHUNK_TOO_BIG */
    bool too_big;     /* CHUNK_TOO_BIG was returned (final) */
};
/* limit: the largest body accepted (UINT64_MAX: no limit beyond the grammar's). */
void chunk_decoder_init(struct chunk_decoder *d, uint64_t limit);
/* Decodes in[0, in_len) into out[0, out_cap): *consumed input bytes were read, *produced data bytes
 * written to out. out may alias in when out <= in (decoding in place, compacting towards the front
 * of the caller's buffer: out + *produced never passes in + *consumed); otherwise the two ranges
 * must not overlap. out may be NULL when out_cap is 0. */
enum chunk_result chunk_decode(struct chunk_decoder *d, const char *in, size_t in_len,
                               size_t *consumed, char *out, size_t out_cap, size_t *produced);

#endif
