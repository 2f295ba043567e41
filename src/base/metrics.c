#include "base/metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Upper bounds in milliseconds; streams land in +Inf. */
static const unsigned bucket_ms[METRICS_NBUCKETS] = {1,   5,   10,   25,   50,   100,
                                                     250, 500, 1000, 5000, 30000};

static const char *const cause_name[UC_COUNT] = {"no_socket",
                                                 "permission_denied",
                                                 "connection_refused",
                                                 "connect_timeout",
                                                 "response_timeout",
                                                 "bad_response",
                                                 "other"};

static struct metrics_series *find_series(struct metrics *m, const char *decision,
                                          const char *section, int status)
{
    size_t named = m->nseries < METRICS_MAX_SERIES ? m->nseries : METRICS_MAX_SERIES - 1;
    for (size_t i = 0; i < named; i++) {
        struct metrics_series *x = &m->series[i];
        /* The labels are static strings: the same pointer is the common case, strcmp the rest. */
        if (x->status == status && (x->decision == decision || !strcmp(x->decision, decision)) &&
            (x->section == section || !strcmp(x->section, section)))
            return x;
    }
    if (m->nseries < METRICS_MAX_SERIES - 1) {
        m->series[m->nseries] = (struct metrics_series){decision, section, status, 0};
        return &m->series[m->nseries++];
    }
    /* The table is full: the last slot counts every other triple. */
    struct metrics_series *other = &m->series[METRICS_MAX_SERIES - 1];
    if (m->nseries < METRICS_MAX_SERIES) {
        *other = (struct metrics_series){"other", "other", METRICS_STATUS_OTHER, 0};
        m->nseries = METRICS_MAX_SERIES;
    }
    return other;
}

void metrics_request(struct metrics *m, const char *decision, const char *section, int status,
                     uint64_t bytes_out, uint64_t duration_ms)
{
    find_series(m, decision, section, status)->count++;
    m->bytes_total += bytes_out;
    size_t b = 0;
    while (b < METRICS_NBUCKETS && duration_ms > bucket_ms[b])
        b++;
    m->buckets[b]++;
    m->duration_sum_ms += duration_ms;
    m->duration_count++;
}

void metrics_upstream_error(struct metrics *m, enum upstream_cause cause)
{
    m->upstream_errors[cause < UC_COUNT ? cause : UC_OTHER]++;
}

void metrics_connection_opened(struct metrics *m)
{
    m->conns_total++;
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

static void render_requests(const struct metrics *m, struct out *o)
{
    emit(o, "# HELP sockwarden_requests_total Requests by decision, API section and status.\n"
            "# TYPE sockwarden_requests_total counter\n");
    for (size_t i = 0; i < m->nseries; i++) {
        const struct metrics_series *x = &m->series[i];
        char status[16];
        if (x->status == METRICS_STATUS_OTHER)
            snprintf(status, sizeof status, "other");
        else
            snprintf(status, sizeof status, "%d", x->status);
        emit(o, "sockwarden_requests_total{decision=\"%s\",section=\"%s\",status=\"%s\"} %llu\n",
             x->decision, x->section, status, (unsigned long long)x->count);
    }
    emit(o,
         "# HELP sockwarden_response_bytes_total Bytes sent to clients.\n"
         "# TYPE sockwarden_response_bytes_total counter\n"
         "sockwarden_response_bytes_total %llu\n",
         (unsigned long long)m->bytes_total);
}

static void render_duration(const struct metrics *m, struct out *o)
{
    emit(o, "# HELP sockwarden_request_duration_seconds Time from request head to last byte.\n"
            "# TYPE sockwarden_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < METRICS_NBUCKETS; b++) {
        cum += m->buckets[b];
        emit(o, "sockwarden_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
             bucket_ms[b] / 1000.0, (unsigned long long)cum);
    }
    cum += m->buckets[METRICS_NBUCKETS];
    emit(o, "sockwarden_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
         (unsigned long long)cum);
    emit(o, "sockwarden_request_duration_seconds_sum %.3f\n", m->duration_sum_ms / 1000.0);
    emit(o, "sockwarden_request_duration_seconds_count %llu\n",
         (unsigned long long)m->duration_count);
}

size_t metrics_render(const struct metrics *m, char *buf, size_t cap,
                      const struct metrics_gauges *g)
{
    struct out o = {buf, 0, cap};
    render_requests(m, &o);
    render_duration(m, &o);
    emit(&o, "# HELP sockwarden_upstream_errors_total Failures talking to the engine, by cause.\n"
             "# TYPE sockwarden_upstream_errors_total counter\n");
    for (int i = 0; i < UC_COUNT; i++)
        emit(&o, "sockwarden_upstream_errors_total{cause=\"%s\"} %llu\n", cause_name[i],
             (unsigned long long)m->upstream_errors[i]);
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
         "sockwarden_buffer_bytes %llu\n"
         "# HELP sockwarden_held_bytes Bytes of bodies held whole for inspection or filtering.\n"
         "# TYPE sockwarden_held_bytes gauge\n"
         "sockwarden_held_bytes %llu\n",
         (unsigned long long)m->conns_total, (unsigned long long)g->connections,
         (unsigned long long)g->tunnels, (unsigned long long)g->buffers_in_use,
         (unsigned long long)g->buffer_bytes, (unsigned long long)g->held_bytes);
    if (o.len < cap)
        return o.len;
    if (cap)
        buf[cap - 1] = '\0';
    return o.len;
}
