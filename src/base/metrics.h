/* metrics — counters for the Prometheus text endpoint (METRICS_BIND). Pure: no I/O.
 *
 * Contract: the proxy reports each finished request (decision, section, status, bytes, duration),
 * upstream failures by cause, and connection/tunnel/buffer gauges; metrics_render() writes the
 * Prometheus text exposition format (version 0.0.4). Label sets are bounded: the first
 * METRICS_MAX_SERIES - 1 distinct (decision, section, status) triples get a series each; every
 * later triple is counted in one more series, decision="other",section="other",status="other", so
 * memory stays bounded and no request goes uncounted (the series add up to all requests).
 * The counters are a value (struct metrics) owned by the caller: no global state. decision and
 * section must be static strings (they are kept, not copied).
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

struct metrics_series {
    const char *decision, *section;
    int status; /* METRICS_STATUS_OTHER in the overflow series */
    uint64_t count;
};
#define METRICS_STATUS_OTHER (-1)
#define METRICS_NBUCKETS 11

struct metrics {
    struct metrics_series series[METRICS_MAX_SERIES];
    size_t nseries;
    uint64_t bytes_total, conns_total, upstream_errors[UC_COUNT];
    uint64_t buckets[METRICS_NBUCKETS + 1], duration_sum_ms, duration_count;
};

struct metrics_gauges {
    uint64_t connections;     /* client connections open */
    uint64_t tunnels;         /* hijacked connections open */
    uint64_t buffers_in_use;  /* pooled buffers lent out */
    uint64_t buffer_bytes;    /* their total size (grown ones included) */
    uint64_t held_bytes;      /* bytes of bodies held whole (inspection, filtering) */
};

void metrics_request(struct metrics *m, const char *decision, const char *section, int status,
                     uint64_t bytes_out, uint64_t duration_ms);
void metrics_upstream_error(struct metrics *m, enum upstream_cause cause);
void metrics_connection_opened(struct metrics *m);
enum upstream_cause metrics_cause_from_errno(int e);

/* Returns the length written (≤ cap-1), or the length needed when cap is too small. */
size_t metrics_render(const struct metrics *m, char *buf, size_t cap,
                      const struct metrics_gauges *g);

#endif
