/* Unit tests for src/http/chunk.c: the chunked validator (table, splits, skip) and the decoder
 * (same answers as the validator, the decoded bytes, in place, output room, the size limit). */
#include "check.h"
#include "http/chunk.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define R(s) s, sizeof(s) - 1

/* ---- chunked ------------------------------------------------------------------------------------
 */

struct ck {
    const char *raw;
    size_t len;
    enum chunk_result res;
    size_t consumed; /* total over the whole input */
    uint64_t pending;
};

#define CK(s, res, used, pend)                                                                     \
    {                                                                                              \
        R(s), res, used, pend                                                                      \
    }

static const struct ck ck_cases[] = {
    CK("0\r\n\r\n", CHUNK_DONE, 5, 0),
    CK("5\r\nhello\r\n0\r\n\r\n", CHUNK_DONE, 15, 0),
    CK("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", CHUNK_DONE, 15, 0),
    CK("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", CHUNK_DONE, 23, 0),
    CK("A\r\n0123456789\r\n0\r\n\r\n", CHUNK_DONE, 20, 0),
    CK("a\r\n0123456789\r\n0\r\n\r\n", CHUNK_DONE, 20, 0),
    CK("0005\r\nhello\r\n0\r\n\r\n", CHUNK_DONE, 18, 0),
    CK("000\r\n\r\n", CHUNK_DONE, 7, 0),
    CK("0000000000000005\r\nhello\r\n0\r\n\r\n", CHUNK_DONE, 30, 0),
    CK("3\r\n\r\n\0\r\n0\r\n\r\n", CHUNK_DONE, 13, 0),
    CK("2\r\n\r\n\r\n0\r\n\r\n", CHUNK_DONE, 12, 0),
    CK("00000000000000005\r\n", CHUNK_ERROR, 16, 0),
    CK("FFFFFFFFFFFFFFFF\r\n", CHUNK_MORE, 18, UINT64_MAX),
    CK("ffffffffffffffff\r\nab", CHUNK_MORE, 20, UINT64_MAX - 2),
    CK("10000000000000000\r\n", CHUNK_ERROR, 16, 0),
    CK("5;ext=1\r\nhello\r\n0\r\n\r\n", CHUNK_ERROR, 1, 0),
    CK("5 \r\n", CHUNK_ERROR, 1, 0),
    CK(" 5\r\n", CHUNK_ERROR, 0, 0),
    CK("\t5\r\n", CHUNK_ERROR, 0, 0),
    CK("5\n", CHUNK_ERROR, 1, 0),
    CK("\r\n", CHUNK_ERROR, 0, 0),
    CK("-5\r\n", CHUNK_ERROR, 0, 0),
    CK("+5\r\n", CHUNK_ERROR, 0, 0),
    CK("0x5\r\n", CHUNK_ERROR, 1, 0),
    CK("g\r\n", CHUNK_ERROR, 0, 0),
    CK("5\r\r\n", CHUNK_ERROR, 2, 0),
    CK("5\r\nhello\n0\r\n\r\n", CHUNK_ERROR, 8, 0),
    CK("5\r\nhelloX\r\n", CHUNK_ERROR, 8, 0),
    CK("5\r\nhello\r0", CHUNK_ERROR, 9, 0),
    CK("5\r\nhello\r\n\r\n", CHUNK_ERROR, 10, 0),
    CK("5\r\nhello\r\n0\r\nTrailer: x\r\n\r\n", CHUNK_ERROR, 13, 0),
    CK("0\r\nX: y\r\n\r\n", CHUNK_ERROR, 3, 0),
    CK("0\r\n\n", CHUNK_ERROR, 3, 0),
    CK("0\r\n\r\r", CHUNK_ERROR, 4, 0),
    CK("0\n\r\n", CHUNK_ERROR, 1, 0),
    CK("0;\r\n\r\n", CHUNK_ERROR, 1, 0),
    CK("5\r\nhel", CHUNK_MORE, 6, 2),
    CK("5\r\nhello", CHUNK_MORE, 8, 0),
    CK("5\r\nhello\r", CHUNK_MORE, 9, 0),
    CK("", CHUNK_MORE, 0, 0),
    CK("5", CHUNK_MORE, 1, 0),
    CK("5\r", CHUNK_MORE, 2, 0),
    CK("5\r\n", CHUNK_MORE, 3, 5),
    CK("0\r\n", CHUNK_MORE, 3, 0),
    CK("0\r\n\r", CHUNK_MORE, 4, 0),
};

/* Feeds raw in pieces: split(i) gives the size of the next piece. A piece stops early after a
 * final result; the totals are what the caller would have forwarded. */
static enum chunk_result feed_split(const char *raw, size_t len, size_t (*split)(size_t, size_t),
                                    size_t *total, struct chunk_state *cs)
{
    enum chunk_result res = CHUNK_MORE;
    size_t pos = 0, piece = 0;
    chunk_init(cs);
    *total = 0;
    do {
        size_t n = split(piece++, len - pos);
        size_t used = 0;
        res = chunk_feed(cs, raw + pos, n, &used);
        CHECK(used <= n, "consumed within piece");
        *total += used;
        pos += n;
    } while (res == CHUNK_MORE && pos < len);
    return res;
}

static size_t split_all(size_t i, size_t left)
{
    return left;
}

static size_t split_one(size_t i, size_t left)
{
    return left ? 1 : 0;
}

static uint32_t lcg = 12345;
static size_t split_random(size_t i, size_t left)
{
    lcg = lcg * 1103515245u + 12345u;
    size_t n = (lcg >> 16) % 7;
    return n < left ? n : left;
}

static void test_chunked_table(void)
{
    size_t (*splits[])(size_t, size_t) = {split_all, split_one, split_random, split_random,
                                          split_random};
    for (size_t i = 0; i < sizeof ck_cases / sizeof ck_cases[0]; i++) {
        const struct ck *c = &ck_cases[i];
        char ctx[96];
        for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
            struct chunk_state cs;
            size_t total;
            snprintf(ctx, sizeof ctx, "chunk #%zu split %zu '%.20s'", i, s, c->raw);
            enum chunk_result res = feed_split(c->raw, c->len, splits[s], &total, &cs);
            CHECK_INT(res, c->res, ctx);
            CHECK_INT(total, c->consumed, ctx);
            CHECK(chunk_data_pending(&cs) == c->pending, "%s: pending %llu", ctx,
                  (unsigned long long)chunk_data_pending(&cs));
            size_t more = 99;
            enum chunk_result again = chunk_feed(&cs, "0\r\n\r\n", 5, &more);
            if (res != CHUNK_MORE)
                CHECK(again == res && more == 0, "%s: final state sticks", ctx);
        }
    }
    printf("chunked table: %zu cases\n", sizeof ck_cases / sizeof ck_cases[0]);
}

static void test_chunk_skip(void)
{
    struct chunk_state cs;
    size_t used;
    const char body[] = "a\r\n0123456789\r\n0\r\n\r\n";
    chunk_init(&cs);
    CHECK_INT(chunk_feed(&cs, body, 5, &used), CHUNK_MORE, "skip: size + 2 data");
    CHECK_INT(chunk_data_pending(&cs), 8, "skip: pending");
    chunk_skip_data(&cs, 0);
    CHECK_INT(chunk_data_pending(&cs), 8, "skip: 0 is a no-op");
    chunk_skip_data(&cs, 5);
    CHECK_INT(chunk_data_pending(&cs), 3, "skip: pending after skip");
    chunk_skip_data(&cs, 3);
    CHECK_INT(chunk_data_pending(&cs), 0, "skip: chunk drained");
    CHECK_INT(chunk_feed(&cs, body + 13, sizeof body - 1 - 13, &used), CHUNK_DONE, "skip: rest");
    CHECK_INT(used, sizeof body - 1 - 13, "skip: rest consumed");

    chunk_init(&cs);
    chunk_feed(&cs, "4\r\n", 3, &used);
    chunk_skip_data(&cs, 5);
    CHECK_INT(chunk_feed(&cs, "x", 1, &used), CHUNK_ERROR, "skip past chunk: error");
    CHECK_INT(used, 0, "skip past chunk: nothing consumed");
    chunk_init(&cs);
    chunk_skip_data(&cs, 1);
    CHECK_INT(chunk_feed(&cs, "0\r\n\r\n", 5, &used), CHUNK_ERROR, "skip outside data: error");
    chunk_init(&cs);
    chunk_skip_data(&cs, 0);
    CHECK_INT(chunk_feed(&cs, "0\r\n\r\n", 5, &used), CHUNK_DONE, "skip 0 outside data: fine");
}

/* Random valid bodies: every split gives the same answer as one call. */
static void test_chunk_random_bodies(void)
{
    static char body[4096];
    int bad = 0;
    for (int round = 0; round < 300 && !bad; round++) {
        size_t n = 0;
        int chunks = (int)((lcg = lcg * 1103515245u + 12345u) >> 16) % 6;
        for (int c = 0; c < chunks; c++) {
            size_t sz = 1 + ((lcg = lcg * 1103515245u + 12345u) >> 16) % 300;
            n += (size_t)snprintf(body + n, sizeof body - n, c % 2 ? "%zx\r\n" : "%zX\r\n", sz);
            memset(body + n, 'a' + c, sz);
            n += sz;
            memcpy(body + n, "\r\n", 2);
            n += 2;
        }
        n += (size_t)snprintf(body + n, sizeof body - n, "0\r\n\r\nNEXT");
        size_t t1, t2, t3;
        struct chunk_state cs;
        enum chunk_result r1 = feed_split(body, n, split_all, &t1, &cs);
        enum chunk_result r2 = feed_split(body, n, split_one, &t2, &cs);
        enum chunk_result r3 = feed_split(body, n, split_random, &t3, &cs);
        bad = r1 != CHUNK_DONE || r2 != r1 || r3 != r1 || t1 != n - 4 || t2 != t1 || t3 != t1;
    }
    CHECK(!bad, "random chunked bodies: split-invariant");
}

/* ---- decoder -------------------------------------------------------------------------------- */

struct dk {
    const char *raw;
    size_t len;
    enum chunk_result res;
    size_t consumed;
    const char *data; /* the decoded bytes */
    size_t data_len;
};

#define DK(s, res, used, d)                                                                        \
    {                                                                                              \
        R(s), res, used, R(d)                                                                      \
    }

static const struct dk dk_cases[] = {
    DK("0\r\n\r\n", CHUNK_DONE, 5, ""),
    DK("5\r\nhello\r\n0\r\n\r\n", CHUNK_DONE, 15, "hello"),
    DK("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", CHUNK_DONE, 15, "hello"),
    DK("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", CHUNK_DONE, 23, "helloabc"),
    DK("A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n", CHUNK_DONE, 26, "0123456789x"),
    DK("3\r\n\r\n\0\r\n0\r\n\r\n", CHUNK_DONE, 13, "\r\n\0"),
    DK("2\r\n\r\n\r\n0\r\n\r\n", CHUNK_DONE, 12, "\r\n"),
    DK("5\r\nhel", CHUNK_MORE, 6, "hel"),
    DK("5\r\nhello\r\n3\r\nab", CHUNK_MORE, 15, "helloab"),
    DK("5\r\nhelloX\r\n", CHUNK_ERROR, 8, "hello"),
    DK("3\r\nabc\r\n3;x\r\ndef\r\n", CHUNK_ERROR, 9, "abc"),
    DK("3\r\nabc\r\n0\r\nT: x\r\n\r\n", CHUNK_ERROR, 11, "abc"),
    DK("00000000000000005\r\n", CHUNK_ERROR, 16, ""),
};

/* Decodes raw in input pieces of `step` bytes (0: all at once) into out, with at most `room`
 * bytes of output room per call (0: unlimited), re-offering unconsumed input as a caller would. */
static enum chunk_result decode_split(struct chunk_decoder *d, const char *raw, size_t len,
                                      size_t step, size_t room, char *out, size_t out_cap,
                                      size_t *consumed, size_t *produced)
{
    enum chunk_result r = CHUNK_MORE;
    size_t pos = 0, o = 0;
    for (int guard = 0; r == CHUNK_MORE && pos < len && guard < 100000; guard++) {
        size_t n = step && step < len - pos ? step : len - pos;
        size_t cap = room && room < out_cap - o ? room : out_cap - o;
        size_t used = 0, made = 0;
        r = chunk_decode(d, raw + pos, n, &used, out + o, cap, &made);
        CHECK(used <= n && made <= cap && made <= used, "decode within bounds");
        pos += used;
        o += made;
    }
    *consumed = pos;
    *produced = o;
    return r;
}

static void test_decode_table(void)
{
    static const size_t steps[] = {0, 1, 2, 3, 7};
    static const size_t rooms[] = {0, 1, 2, 5};
    for (size_t i = 0; i < sizeof dk_cases / sizeof dk_cases[0]; i++) {
        const struct dk *c = &dk_cases[i];
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            for (size_t m = 0; m < sizeof rooms / sizeof rooms[0]; m++) {
                char out[64], ctx[96];
                struct chunk_decoder d;
                size_t used, made;
                snprintf(ctx, sizeof ctx, "decode #%zu step %zu room %zu", i, steps[s], rooms[m]);
                chunk_decoder_init(&d, UINT64_MAX);
                enum chunk_result r = decode_split(&d, c->raw, c->len, steps[s], rooms[m], out,
                                                   sizeof out, &used, &made);
                CHECK_INT(r, c->res, ctx);
                CHECK_INT(used, c->consumed, ctx);
                CHECK(made == c->data_len && memcmp(out, c->data, made) == 0, "%s: data '%.*s'",
                      ctx, (int)made, out);
                CHECK_INT(d.decoded, made, ctx);
            }
        }
    }
    printf("decode table: %zu cases\n", sizeof dk_cases / sizeof dk_cases[0]);
}

/* Every validator row gives the decoder the same result and consumed total. */
static void test_decode_matches_validator(void)
{
    for (size_t i = 0; i < sizeof ck_cases / sizeof ck_cases[0]; i++) {
        const struct ck *c = &ck_cases[i];
        static char out[64];
        struct chunk_decoder d;
        size_t used, made;
        char ctx[96];
        snprintf(ctx, sizeof ctx, "decode = validate #%zu '%.20s'", i, c->raw);
        chunk_decoder_init(&d, UINT64_MAX);
        enum chunk_result r = decode_split(&d, c->raw, c->len, 1, 0, out, sizeof out, &used, &made);
        CHECK_INT(r, c->res, ctx);
        CHECK_INT(used, c->consumed, ctx);
        CHECK(chunk_data_pending(&d.cs) == c->pending, "%s: pending", ctx);
        size_t more = 99, more_out = 99;
        if (r != CHUNK_MORE)
            CHECK(chunk_decode(&d, "0\r\n\r\n", 5, &more, out, sizeof out, &more_out) == r &&
                      more == 0 && more_out == 0,
                  "%s: final state sticks", ctx);
    }
}

/* In place: out == in, and compaction (out before in) as a hold buffer decodes its tail. */
static void test_decode_in_place(void)
{
    char buf[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nrest";
    struct chunk_decoder d;
    size_t used, made;
    chunk_decoder_init(&d, UINT64_MAX);
    CHECK_INT(chunk_decode(&d, buf, sizeof buf - 1, &used, buf, sizeof buf - 1, &made), CHUNK_DONE,
              "in place: done");
    CHECK_INT(used, sizeof buf - 1 - 4, "in place: consumed");
    CHECK_STR(buf, made, "hello world", "in place: data");

    /* The raw bytes arrive in pieces behind the decoded ones; each call decodes the raw tail to
     * the end of the decoded front. */
    const char raw[] = "3\r\nabc\r\n4\r\ndefg\r\n1\r\nh\r\n0\r\n\r\n";
    char hold[sizeof raw];
    size_t dec = 0, raw_at = 0, len = 0;
    chunk_decoder_init(&d, UINT64_MAX);
    enum chunk_result r = CHUNK_MORE;
    for (size_t fed = 0; fed < sizeof raw - 1 && r == CHUNK_MORE;) {
        size_t n = sizeof raw - 1 - fed < 4 ? sizeof raw - 1 - fed : 4;
        memcpy(hold + len, raw + fed, n); /* what a read would append */
        len += n;
        fed += n;
        r = chunk_decode(&d, hold + raw_at, len - raw_at, &used, hold + dec, len - dec, &made);
        raw_at += used;
        dec += made;
        CHECK(dec <= raw_at, "compaction: decoded front stays before the raw tail");
        memmove(hold + dec, hold + raw_at, len - raw_at); /* drop the consumed raw bytes */
        len -= raw_at - dec;
        raw_at = dec;
    }
    CHECK_INT(r, CHUNK_DONE, "compaction: done");
    CHECK_STR(hold, dec, "abcdefgh", "compaction: data");
}

static void test_decode_limit(void)
{
    static const struct {
        const char *raw;
        uint64_t limit;
        enum chunk_result res;
        size_t consumed;
        const char *data;
    } lim[] = {
        {"5\r\nhello\r\n0\r\n\r\n", 5, CHUNK_DONE, 15, "hello"},
        {"5\r\nhello\r\n0\r\n\r\n", 4, CHUNK_TOO_BIG, 3, ""},
        {"5\r\nhello\r\n0\r\n\r\n", 0, CHUNK_TOO_BIG, 3, ""},
        {"0\r\n\r\n", 0, CHUNK_DONE, 5, ""},
        {"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 5, CHUNK_DONE, 20, "abcde"},
        {"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 5, CHUNK_TOO_BIG, 11, "abc"},
        {"FFFFFFFFFFFFFFFF\r\n", UINT64_MAX - 1, CHUNK_TOO_BIG, 18, ""},
        {"FFFFFFFFFFFFFFFF\r\n", UINT64_MAX, CHUNK_MORE, 18, ""},
        {"3\r\nabc\r\n3;\r\ndef\r\n", 5, CHUNK_ERROR, 9, "abc"}, /* grammar before size */
        {"3\r\nabc\r\n3", 5, CHUNK_MORE, 9, "abc"},              /* size line not complete yet */
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        for (size_t step = 0; step < 3; step++) {
            char out[64], ctx[64];
            struct chunk_decoder d;
            size_t used, made, len = strlen(lim[i].raw);
            snprintf(ctx, sizeof ctx, "limit #%zu step %zu", i, step);
            chunk_decoder_init(&d, lim[i].limit);
            enum chunk_result r =
                decode_split(&d, lim[i].raw, len, step, 0, out, sizeof out, &used, &made);
            CHECK_INT(r, lim[i].res, ctx);
            CHECK_INT(used, lim[i].consumed, ctx);
            CHECK_STR(out, made, lim[i].data, ctx);
            if (r == CHUNK_TOO_BIG)
                CHECK(chunk_decode(&d, "0\r\n\r\n", 5, &used, out, sizeof out, &made) ==
                              CHUNK_TOO_BIG &&
                          used == 0 && made == 0,
                      "%s: too big sticks", ctx);
        }
    }
}

/* No output room: input is consumed up to chunk data, then nothing more until room is given. */
static void test_decode_no_room(void)
{
    struct chunk_decoder d;
    size_t used, made;
    char out[8];
    chunk_decoder_init(&d, UINT64_MAX);
    CHECK_INT(chunk_decode(&d, "4\r\nabcd\r\n0\r\n\r\n", 15, &used, NULL, 0, &made), CHUNK_MORE,
              "no room: more");
    CHECK(used == 3 && made == 0, "no room: size line only (%zu, %zu)", used, made);
    CHECK_INT(chunk_decode(&d, "abcd\r\n0\r\n\r\n", 12, &used, out, sizeof out, &made), CHUNK_DONE,
              "room given: done");
    CHECK_STR(out, made, "abcd", "room given: data");
}

int main(void)
{
    test_chunked_table();
    test_chunk_skip();
    test_chunk_random_bodies();
    test_decode_table();
    test_decode_matches_validator();
    test_decode_in_place();
    test_decode_limit();
    test_decode_no_room();
    return TEST_SUMMARY("chunk");
}
