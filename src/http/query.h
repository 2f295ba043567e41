/* query — the raw query string of a request target, read the way dockerd reads it. Pure: no I/O,
 * no allocation, no mutable state.
 *
 * dockerd's handlers call r.ParseForm() and read values with r.Form.Get / r.FormValue (the first
 * value of a key) or r.URL.Query()[key] (all values, in order). Both come from Go's
 * net/url.ParseQuery (Go 1.17 and later), which this module mirrors byte for byte:
 *   - the query is cut at every '&'; an empty piece is skipped;
 *   - a piece containing ';' is an error ("invalid semicolon separator in query") and is dropped;
 *   - a piece is cut at its first '=' into key and value (no '=': the value is empty);
 *   - key and value are unescaped once: "%HH" is the byte 0xHH, '+' is a space, a '%' not
 *     followed by two hex digits is an error ("invalid URL escape") and drops the piece;
 *   - every other byte stands for itself; repeated keys are all kept, in order;
 *   - parsing continues after an error, but the first error is the one Go reports, and dockerd
 *     answers 400 to any ParseForm error.
 *
 * Contract:
 *  - query_scan() validates a whole query in one pass; QUERY_OK or the first error Go would report,
 *    with *reason set to a static string. It never allocates or copies.
 *  - query_next() iterates over the pairs Go keeps (pieces with an error are skipped, as Go skips
 *    them), as raw (still escaped) views into the query.
 *  - query_unescape() decodes one raw key or value into out; it returns the decoded length, or -1
 *    for a bad escape or when out is too small (*reason says which). The decoded form is never
 *    longer than the raw one, so cap == raw.len always suffices.
 *  - query_get() is url.Values.Get: the first value of key, decoded; it also counts how many
 *    values the key has, so a caller can refuse a repeated key.
 *  - query_escape() is url.QueryEscape: the inverse of query_unescape() on any bytes.
 */
#ifndef SW_QUERY_H
#define SW_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

enum query_status { QUERY_OK, QUERY_SEMICOLON, QUERY_BAD_ESCAPE };

enum query_status query_scan(const char *q, size_t len, const char **reason);

struct query_iter {
    const char *p;
    size_t len, pos;
};

struct query_pair {
    struct http_view key, value; /* raw: still escaped */
};

void query_iter_init(struct query_iter *it, const char *q, size_t len);

/* Returns true with the next pair Go keeps, false at the end. */
bool query_next(struct query_iter *it, struct query_pair *out);

/* Returns the decoded length, or -1 with *reason ("invalid URL escape in query" or "decoded query
 * component too long"). */
int query_unescape(struct http_view raw, char *out, size_t cap, const char **reason);

/* First value of key (compared with the decoded keys): 1 found (value decoded into out, length in
 * *out_len), 0 absent, -1 the value does not fit in cap. *count (if not NULL) is the number of
 * values the key has. */
int query_get(const char *q, size_t len, const char *key, size_t key_len, char *out, size_t cap,
              size_t *out_len, size_t *count);

/* url.QueryEscape: unreserved bytes (A-Z a-z 0-9 - _ . ~) as is, ' ' as '+', others as %XX.
 * Returns the length written, or -1 if cap is too small (3 * len always suffices). */
int query_escape(const char *s, size_t len, char *out, size_t cap);

#endif
