/* errpage — responses the proxy generates itself. Pure.
 *
 * Contract: errpage_403() is byte-identical to Tecnativa's deny answer (HAProxy's stock page) so
 * clients that match on it keep working. Other statuses use the same shape (HTTP/1.0, no-cache,
 * text/html, connection closed afterwards) with a body naming the reason. HEAD gets headers only.
 */
#ifndef SW_ERRPAGE_H
#define SW_ERRPAGE_H

#include <stdbool.h>
#include <stddef.h>

/* Static 403 bytes (head + body), and the length of the head part alone. */
const char *errpage_403(size_t *len, size_t *head_len);

/* Writes a complete response for status (400, 404, 408, 413, 414, 417, 431, 500, 501, 502, 503,
 * 504, 505 have their own text) into buf. Any other status gets its class's generic text ("Client
 * Error" for 4xx, "Server Error" otherwise), never another status's. reason may be NULL (the stock
 * sentence is used). Returns the length (≤ cap-1). */
size_t errpage_format(char *buf, size_t cap, int status, const char *reason, bool head_only);

const char *errpage_status_text(int status);

#endif
