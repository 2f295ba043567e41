#include "base/log.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"emerg",   "alert",  "crit", "err",
                                          "warning", "notice", "info", "debug"};

const char *log_level_name(enum log_level l)
{
    if ((unsigned)l >= NELEM(level_names))
        return "unknown";
    return level_names[l];
}

int log_level_from_name(const char *name, enum log_level *out)
{
    for (size_t i = 0; i < NELEM(level_names); i++)
        if (!strcmp(name, level_names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    return -1;
}

static enum log_level threshold = SWLOG_INFO;
static bool as_json;

void log_init(enum log_level t, bool json)
{
    threshold = t;
    as_json = json;
}

bool log_enabled(enum log_level level)
{
    return level <= threshold;
}

static size_t put(char *out, size_t len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (len + 1 >= cap)
        return len;
    if (len + n >= cap)
        n = cap - 1 - len;
    memcpy(out + len, s, n);
    out[len + n] = '\0';
    return len + n;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c >= 0xc2 && c <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4
                                                                                          : 0;
    }
    return 0;
}

size_t log_escape(char *out, size_t len, size_t cap, const char *s, bool json)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p && len + 7 < cap; p++) {
        unsigned char ch = *p;
        size_t u;
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
            out[len++] = (char)ch;
        } else if (json && ch < 0x80) {
            len += (size_t)snprintf(out + len, cap - len, "\\u%04x", ch);
        } else if (json && (u = utf8_len(p)) > 0) {
            /* JSON strings carry UTF-8 as it is (the check never reads past the NUL: a
             * continuation byte is never 0). */
            memcpy(out + len, p, u);
            len += u;
            p += u - 1;
        } else {
            /* Text logs, and bytes that are not UTF-8 in JSON logs: the four characters \xHH
             * (in JSON the backslash itself escaped), so one event stays one line and a JSON
             * line stays valid JSON whatever the value holds. */
            out[len++] = '\\';
            if (json)
                out[len++] = '\\';
            out[len++] = 'x';
            out[len++] = hex[ch >> 4];
            out[len++] = hex[ch & 15];
        }
    }
    out[len] = '\0';
    return len;
}

static size_t timestamp(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(out + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return n;
}

static void emit(const char *line, size_t len)
{
    /* One write per line: lines from a single process never interleave. */
    while (len > 0) {
        ssize_t w = write(STDOUT_FILENO, line, len);
        if (w <= 0)
            return;
        line += w;
        len -= (size_t)w;
    }
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[1024], line[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ts[40];
    timestamp(ts, sizeof ts);
    size_t n = 0;
    if (as_json) {
        n = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                             log_level_name(level));
        n = log_escape(line, n, sizeof line - 3, msg, true);
        n = put(line, n, sizeof line, "\"}\n");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %s ", ts, log_level_name(level));
        n = log_escape(line, n, sizeof line - 2, msg, false);
        n = put(line, n, sizeof line, "\n");
    }
    emit(line, n);
}

void log_access(const struct access_entry *e)
{
    if (!log_enabled(SWLOG_INFO))
        return;
    char line[1400], ts[40];
    timestamp(ts, sizeof ts);
    size_t n;
    if (as_json) {
        n = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"info\",\"client\":\"",
                             ts);
        n = log_escape(line, n, sizeof line, e->client, true);
        n = put(line, n, sizeof line, "\",\"method\":\"");
        n = log_escape(line, n, sizeof line, e->method, true);
        n = put(line, n, sizeof line, "\",\"path\":\"");
        n = log_escape(line, n, sizeof line, e->target, true);
        n += (size_t)snprintf(line + n, sizeof line - n,
                              "\",\"status\":%d,\"bytes\":%llu,\"duration_ms\":%llu,"
                              "\"decision\":\"%s\",\"rule\":\"",
                              e->status, (unsigned long long)e->bytes_out,
                              (unsigned long long)e->duration_ms, e->decision);
        n = log_escape(line, n, sizeof line - 3, e->rule, true);
        n = put(line, n, sizeof line, "\"}\n");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s info ", ts);
        n = log_escape(line, n, sizeof line, e->client, false);
        n = put(line, n, sizeof line, " \"");
        n = log_escape(line, n, sizeof line, e->method, false);
        n = put(line, n, sizeof line, " ");
        n = log_escape(line, n, sizeof line, e->target, false);
        n += (size_t)snprintf(line + n, sizeof line - n, "\" %d %llu %llums %s rule=", e->status,
                              (unsigned long long)e->bytes_out, (unsigned long long)e->duration_ms,
                              e->decision);
        n = log_escape(line, n, sizeof line - 2, e->rule, false);
        n = put(line, n, sizeof line, "\n");
    }
    emit(line, n);
}
