/* metrics — counters for the Prometheus text endpoint (METRICS_BIND). Pure: no I/O.
 *
 * Contract: the proxy reports each finished request (decision, section, status, bytes, duration),
 * upstream failures by cause, and connection/tunnel gauges; metrics_render() writes the Prometheus
 * text exposition format (version 0.0.4). Label sets are bounded: at most METRICS_MAX_SERIES
 * distinct (decision, section, status) triples; later ones are counted under status="other".
 */
#ifndef SW_METRICS_H
#define SW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_SERIES 192

enum upstream_cause {
    UC_NO_SOCKET, UC_PERMISSION, UC_REFUSED, UC_CONNECT_TIMEOUT, UC_RESPONSE_TIMEOUT,
    UC_BAD_RESPONSE, UC_OTHER, UC_COUNT
};

struct metrics_gauges {
    uint64_t connections;     /* client connections open */
    uint64_t tunnels;         /* hijacked connections open */
    uint64_t buffers_in_use;  /* pooled buffers lent out */
    uint64_t buffer_bytes;    /* their total size (grown ones included) */
};

void metrics_request(const char *decision, const char *section, int status, uint64_t bytes_out,
                     uint64_t duration_ms);
void metrics_upstream_error(enum upstream_cause cause);
void metrics_connection_opened(void);
enum upstream_cause metrics_cause_from_errno(int e);

/* Returns the length written (≤ cap-1), or the length needed when cap is too small. */
size_t metrics_render(char *buf, size_t cap, const struct metrics_gauges *g);

void metrics_reset(void); /* for tests */

#endif
