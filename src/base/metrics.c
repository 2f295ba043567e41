#include "base/metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct series {
    const char *decision; /* static strings from the proxy */
    const char *section;
    int status;
    uint64_t count;
};

/* Upper bounds in milliseconds; streams land in +Inf. */
static const unsigned bucket_ms[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30000};
#define NBUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])

static struct series series[METRICS_MAX_SERIES];
static size_t nseries;
static uint64_t bytes_total, conns_total, upstream_errors[UC_COUNT];
static uint64_t buckets[NBUCKETS + 1], duration_sum_ms, duration_count;

static const char *const cause_name[UC_COUNT] = {
    "no_socket", "permission_denied", "connection_refused", "connect_timeout",
    "response_timeout", "bad_response", "other"};

void metrics_reset(void)
{
    memset(series, 0, sizeof series);
    nseries = 0;
    bytes_total = conns_total = duration_sum_ms = duration_count = 0;
    memset(upstream_errors, 0, sizeof upstream_errors);
    memset(buckets, 0, sizeof buckets);
}

static struct series *find_series(const char *decision, const char *section, int status)
{
    for (size_t i = 0; i < nseries; i++)
        if (series[i].status == status && !strcmp(series[i].decision, decision) &&
            !strcmp(series[i].section, section))
            return &series[i];
    if (nseries < METRICS_MAX_SERIES - 1) {
        series[nseries] = (struct series){decision, section, status, 0};
        return &series[nseries++];
    }
    /* The last slot absorbs everything once the table is full: memory stays bounded. */
    series[METRICS_MAX_SERIES - 1] = (struct series){"other", "other", 0,
                                                     series[METRICS_MAX_SERIES - 1].count};
    nseries = METRICS_MAX_SERIES;
    return &series[METRICS_MAX_SERIES - 1];
}

void metrics_request(const char *decision, const char *section, int status, uint64_t bytes_out,
                     uint64_t duration_ms)
{
    find_series(decision, section, status)->count++;
    bytes_total += bytes_out;
    size_t b = 0;
    while (b < NBUCKETS && duration_ms > bucket_ms[b])
        b++;
    buckets[b]++;
    duration_sum_ms += duration_ms;
    duration_count++;
}

void metrics_upstream_error(enum upstream_cause cause)
{
    upstream_errors[cause < UC_COUNT ? cause : UC_OTHER]++;
}

void metrics_connection_opened(void)
{
    conns_total++;
}

enum upstream_cause metrics_cause_from_errno(int e)
{
    switch (e) {
    case ENOENT:
        return UC_NO_SOCKET;
    case EACCES:
    case EPERM:
        return UC_PERMISSION;
    case ECONNREFUSED:
        return UC_REFUSED;
    default:
        return UC_OTHER;
    }
}

struct out {
    char *p;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void emit(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->len < o->cap ? o->p + o->len : NULL, o->len < o->cap ? o->cap - o->len : 0,
                      fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void render_requests(struct out *o)
{
    emit(o, "# HELP sockwarden_requests_total Requests by decision, API section and status.\n"
            "# TYPE sockwarden_requests_total counter\n");
    for (size_t i = 0; i < nseries; i++)
        emit(o, "sockwarden_requests_total{decision=\"%s\",section=\"%s\",status=\"%d\"} %llu\n",
             series[i].decision, series[i].section, series[i].status,
             (unsigned long long)series[i].count);
    emit(o, "# HELP sockwarden_response_bytes_total Bytes sent to clients.\n"
            "# TYPE sockwarden_response_bytes_total counter\n"
            "sockwarden_response_bytes_total %llu\n",
         (unsigned long long)bytes_total);
}

static void render_duration(struct out *o)
{
    emit(o, "# HELP sockwarden_request_duration_seconds Time from request head to last byte.\n"
            "# TYPE sockwarden_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += buckets[b];
        emit(o, "sockwarden_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
             bucket_ms[b] / 1000.0, (unsigned long long)cum);
    }
    cum += buckets[NBUCKETS];
    emit(o, "sockwarden_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
         (unsigned long long)cum);
    emit(o, "sockwarden_request_duration_seconds_sum %.3f\n", duration_sum_ms / 1000.0);
    emit(o, "sockwarden_request_duration_seconds_count %llu\n",
         (unsigned long long)duration_count);
}

size_t metrics_render(char *buf, size_t cap, const struct metrics_gauges *g)
{
    struct out o = {buf, 0, cap};
    render_requests(&o);
    render_duration(&o);
    emit(&o, "# HELP sockwarden_upstream_errors_total Failures talking to the engine, by cause.\n"
             "# TYPE sockwarden_upstream_errors_total counter\n");
    for (int i = 0; i < UC_COUNT; i++)
        emit(&o, "sockwarden_upstream_errors_total{cause=\"%s\"} %llu\n", cause_name[i],
             (unsigned long long)upstream_errors[i]);
    emit(&o,
         "# HELP sockwarden_connections_total Client connections accepted.\n"
         "# TYPE sockwarden_connections_total counter\n"
         "sockwarden_connections_total %llu\n"
         "# HELP sockwarden_connections_active Client connections open.\n"
         "# TYPE sockwarden_connections_active gauge\n"
         "sockwarden_connections_active %llu\n"
         "# HELP sockwarden_tunnels_active Hijacked (attach/exec) connections open.\n"
         "# TYPE sockwarden_tunnels_active gauge\n"
         "sockwarden_tunnels_active %llu\n"
         "# HELP sockwarden_buffers_in_use Pooled I/O buffers lent to connections.\n"
         "# TYPE sockwarden_buffers_in_use gauge\n"
         "sockwarden_buffers_in_use %llu\n"
         "# HELP sockwarden_buffer_bytes Bytes of I/O buffers lent to connections.\n"
         "# TYPE sockwarden_buffer_bytes gauge\n"
         "sockwarden_buffer_bytes %llu\n",
         (unsigned long long)conns_total, (unsigned long long)g->connections,
         (unsigned long long)g->tunnels, (unsigned long long)g->buffers_in_use,
         (unsigned long long)g->buffer_bytes);
    if (o.len < cap)
        return o.len;
    if (cap)
        buf[cap - 1] = '\0';
    return o.len;
}
