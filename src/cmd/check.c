/* check — explains the policy's verdict for requests given on the command line or on stdin.
 * It runs what the proxy runs, in the same order: http_parse_request() on the request line
 * "METHOD TARGET HTTP/1.1" (with the configured limits), canon_target(), request_facts_from_target()
 * and policy_decide(), so what it prints, reasons included, is what the proxy would do with the same
 * request line. */
#include "cmd/check.h"

#include <string.h>

#include "http/canon.h"
#include "http/http.h"
#include "policy/policy.h"

#define LINE_MAX_BYTES 16384
#define HEAD_SUFFIX " HTTP/1.1\r\nHost: docker\r\n\r\n"

/* Client bytes are echoed with anything outside visible ASCII (and '\') shown as \xHH. */
static void put_escaped(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch > 0x20 && ch < 0x7f && ch != '\\')
            fputc(ch, out);
        else
            fprintf(out, "\\x%02X", ch);
    }
}

static int refuse(FILE *out, const char *m, size_t mlen, const char *t, size_t tlen,
                  const char *reason, int status)
{
    fputs("error ", out);
    put_escaped(out, m, mlen);
    fputc(' ', out);
    put_escaped(out, t, tlen);
    fprintf(out, "  reason=%s (the proxy answers %d)\n", reason, status);
    return 2;
}

/* The proxy's parser on "METHOD TARGET HTTP/1.1" plus a Host header: 0, or -1 with err set. A
 * line the parser reads differently from the two fields given (a blank or CR/LF inside one) is
 * refused as the parser would refuse it, or as a malformed request line. */
static int parse_line(const struct http_limits *lim, const char *m, size_t mlen, const char *t,
                      size_t tlen, struct http_error *err)
{
    struct http_request req; /* about 8 KiB, on the stack for the line being checked */
    char head[LINE_MAX_BYTES + 2 + sizeof(HEAD_SUFFIX)];
    if (mlen + tlen + 1 > LINE_MAX_BYTES + 1) {
        *err = (struct http_error){414, "request line too long"};
        return -1;
    }
    memcpy(head, m, mlen);
    head[mlen] = ' ';
    memcpy(head + mlen + 1, t, tlen);
    memcpy(head + mlen + 1 + tlen, HEAD_SUFFIX, sizeof(HEAD_SUFFIX) - 1);
    size_t len = mlen + 1 + tlen + sizeof(HEAD_SUFFIX) - 1;
    int r = http_parse_request(head, len, lim, &req, err);
    if (r < 0)
        return -1;
    if (r != (int)len || req.method.p != head || req.method.len != mlen ||
        req.target.p != head + mlen + 1 || req.target.len != tlen) {
        *err = (struct http_error){400, "malformed request line"};
        return -1;
    }
    return 0;
}

/* Prints one verdict line; returns 0 allow, 1 deny, 2 unparsable. */
static int explain(const struct config *cfg, const char *m, size_t mlen, const char *t,
                   size_t tlen, FILE *out)
{
    struct canon c; /* about 8 KiB, as above */
    const char *reason = NULL;
    struct http_error err;
    if (parse_line(&cfg->limits, m, mlen, t, tlen, &err) < 0)
        return refuse(out, m, mlen, t, tlen, err.reason, err.status);
    if (canon_target(t, tlen, &c, &reason) < 0)
        return refuse(out, m, mlen, t, tlen, reason, 400);
    struct request_facts f;
    request_facts_from_target(&f, (struct http_view){m, mlen}, &c, &client_unknown);
    struct verdict v = policy_decide(&cfg->policy, &f);

    /* The canonical path alone, percent-encoded as it is forwarded. */
    char path[3 * CANON_PATH_MAX + 1];
    struct canon bare = c;
    bare.version_len = 0;
    bare.query = NULL;
    if (canon_format_target(&bare, path, sizeof(path)) < 0)
        return refuse(out, m, mlen, t, tlen, "path too long", 400);

    fprintf(out, "%-5s ", v.allow ? "allow" : "deny");
    put_escaped(out, m, mlen);
    fputc(' ', out);
    put_escaped(out, t, tlen);
    fprintf(out, "  rule=%s  canonical=%s version=%s route=%s\n", v.rule, path,
            c.version_len ? c.version : "-", route_name(v.route));
    return v.allow ? 0 : 1;
}

static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* Splits "METHOD TARGET" on blanks; false unless there are exactly two fields. */
static bool two_fields(char *line, const char **m, size_t *mlen, const char **t, size_t *tlen)
{
    const char *f[2] = {NULL, NULL};
    size_t len[2] = {0, 0}, n = 0;
    for (char *s = line; *s;) {
        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        if (n == 2)
            return false;
        f[n] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        len[n] = (size_t)(s - f[n]);
        n++;
    }
    if (n != 2)
        return false;
    *m = f[0];
    *mlen = len[0];
    *t = f[1];
    *tlen = len[1];
    return true;
}

/* Reads one line without its end-of-line; -1 at EOF, 1 if it was too long (rest discarded). */
static int read_line(FILE *in, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, in))
        return -1;
    size_t n = strlen(buf);
    bool complete = n > 0 && buf[n - 1] == '\n';
    if (!complete && !feof(in)) {
        int ch;
        while ((ch = fgetc(in)) != EOF && ch != '\n')
            ;
        return 1;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

static int check_lines(const struct config *p, FILE *in, FILE *out)
{
    char line[LINE_MAX_BYTES + 2];
    int rc = 0, r;
    for (unsigned long no = 1; (r = read_line(in, line, sizeof(line))) >= 0; no++) {
        const char *m, *t;
        size_t mlen, tlen;
        if (r == 1) {
            fprintf(out, "error line %lu: longer than %d bytes\n", no, LINE_MAX_BYTES);
            rc = 2;
            continue;
        }
        size_t lead = strspn(line, " \t");
        if (line[lead] == '\0' || line[lead] == '#')
            continue;
        if (!two_fields(line, &m, &mlen, &t, &tlen)) {
            fprintf(out, "error line %lu: expected \"METHOD TARGET\"\n", no);
            rc = 2;
            continue;
        }
        rc = worse(rc, explain(p, m, mlen, t, tlen, out));
    }
    return rc;
}

int check_main(const struct config *c, int argc, char **argv, FILE *in, FILE *out)
{
    if (argc == 1 && strcmp(argv[0], "-") == 0)
        return check_lines(c, in, out);
    if (argc == 2)
        return explain(c, argv[0], strlen(argv[0]), argv[1], strlen(argv[1]), out);
    fputs("usage: sockwarden check METHOD TARGET   (e.g. check GET /v1.41/containers/json)\n"
          "       sockwarden check -               (one \"METHOD TARGET\" per line on stdin)\n"
          "exit status: 0 allowed, 1 denied, 2 usage error or unparsable request\n",
          out);
    return 2;
}
