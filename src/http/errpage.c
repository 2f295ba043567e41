#include "http/errpage.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

#define HEAD_403                                                                                   \
    "HTTP/1.0 403 Forbidden\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
#define BODY_403                                                                                   \
    "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"             \
    "</body></html>\n\n"

const char *errpage_403(size_t *len, size_t *head_len)
{
    static const char page[] = HEAD_403 BODY_403;
    *len = sizeof page - 1;
    *head_len = sizeof HEAD_403 - 1;
    return page;
}

struct status_entry {
    int status;
    const char *text;
    const char *sentence; /* HAProxy's stock sentence where it has one */
};

static const struct status_entry statuses[] = {
    {400, "Bad Request", "Your browser sent an invalid request."},
    {403, "Forbidden", "Request forbidden by administrative rules."},
    {404, "Not Found", "Nothing is served at this path."},
    {408, "Request Time-out", "Your browser didn't send a complete request in time."},
    {413, "Payload Too Large", "The request body is too large."},
    {414, "URI Too Long", "The request line is too long."},
    {417, "Expectation Failed", "The Expect header is not supported."},
    {431, "Request Header Fields Too Large", "The request headers are too large."},
    {500, "Internal Server Error", "An internal server error occurred."},
    {501, "Not Implemented", "The request uses a feature this proxy does not implement."},
    {502, "Bad Gateway", "The server returned an invalid or incomplete response."},
    {503, "Service Unavailable", "No server is available to handle this request."},
    {504, "Gateway Time-out", "The server didn't respond in time."},
    {505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are supported."},
};

/* A status without an entry still gets a truthful status line: the class's generic text. */
static const struct status_entry client_error = {0, "Client Error", "The request cannot be served."};
static const struct status_entry server_error = {0, "Server Error", "The request cannot be served."};

static const struct status_entry *find(int status)
{
    for (size_t i = 0; i < NELEM(statuses); i++)
        if (statuses[i].status == status)
            return &statuses[i];
    return status >= 400 && status < 500 ? &client_error : &server_error;
}

const char *errpage_status_text(int status)
{
    return find(status)->text;
}

size_t errpage_format(char *buf, size_t cap, int status, const char *reason, bool head_only)
{
    const struct status_entry *e = find(status);
    int n;
    if (head_only)
        n = snprintf(buf, cap,
                     "HTTP/1.0 %d %s\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n",
                     status, e->text);
    else
        n = snprintf(buf, cap,
                     "HTTP/1.0 %d %s\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
                     "<html><body><h1>%d %s</h1>\n%s%s%s\n</body></html>\n",
                     status, e->text, status, e->text, e->sentence, reason ? " sockwarden: " : "",
                     reason ? reason : "");
    if (n < 0)
        return 0;
    return (size_t)n >= cap ? cap - 1 : (size_t)n;
}
