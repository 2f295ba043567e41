/* check — explains the policy's verdict for requests given on the command line or on stdin.
 * It runs the same canon_target() and policy_decide() as the proxy, so what it prints is what
 * the proxy would do with the same request line. */
#include "policy/check.h"

#include <string.h>

#include "http/canon.h"
#include "policy/policy.h"

#define LINE_MAX_BYTES 16384

static const char *const route_names[] = {"plain", "hijack", "events"};

/* RFC 9110 tchar: the proxy's parser answers 400 to any other byte in a method. */
static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && (ch == 0 || !strchr("!#$%&'*+-.^_`|~", ch)))
            return false;
    }
    return true;
}

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
                  const char *reason)
{
    fputs("error ", out);
    put_escaped(out, m, mlen);
    fputc(' ', out);
    put_escaped(out, t, tlen);
    fprintf(out, "  reason=%s (the proxy answers 400)\n", reason);
    return 2;
}

/* Prints one verdict line; returns 0 allow, 1 deny, 2 unparsable. */
static int explain(const struct policy *p, const char *m, size_t mlen, const char *t, size_t tlen,
                   FILE *out)
{
    struct canon c;
    const char *reason = NULL;
    if (!is_token(m, mlen))
        return refuse(out, m, mlen, t, tlen, "invalid method token");
    if (canon_target(t, tlen, &c, &reason) < 0)
        return refuse(out, m, mlen, t, tlen, reason);
    struct verdict v = policy_decide(p, m, mlen, &c);

    /* The canonical path alone, percent-encoded as it is forwarded. */
    char path[3 * CANON_PATH_MAX + 1];
    struct canon bare = c;
    bare.version_len = 0;
    bare.query = NULL;
    if (canon_format_target(&bare, path, sizeof(path)) < 0)
        return refuse(out, m, mlen, t, tlen, "path too long");

    fprintf(out, "%-5s ", v.allow ? "allow" : "deny");
    put_escaped(out, m, mlen);
    fputc(' ', out);
    put_escaped(out, t, tlen);
    fprintf(out, "  rule=%s  canonical=%s version=%s route=%s\n", v.rule, path,
            c.version_len ? c.version : "-", route_names[v.route]);
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

static int check_lines(const struct policy *p, FILE *in, FILE *out)
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
        return check_lines(&c->policy, in, out);
    if (argc == 2)
        return explain(&c->policy, argv[0], strlen(argv[0]), argv[1], strlen(argv[1]), out);
    fputs("usage: sockwarden check METHOD TARGET   (e.g. check GET /v1.41/containers/json)\n"
          "       sockwarden check -               (one \"METHOD TARGET\" per line on stdin)\n"
          "exit status: 0 allowed, 1 denied, 2 usage error or unparsable request\n",
          out);
    return 2;
}
