/* conn_hold: the hold states, driven through the proxy's hooks (no policy uses them yet):
 * ACT_INSPECT_BODY (a request body read whole, decoded, judged, then forwarded with a
 * Content-Length), ACT_FILTER_RESPONSE (a response body read whole and filtered, then sent with
 * a re-serialised head) and the limits MAX_BODY_BYTES, REQUEST_TIMEOUT and MAX_HELD_BYTES. */
#include "conn_harness.h"

struct hooks {
    const char *path; /* requests to this path get actions */
    unsigned actions;
    int status;          /* the judge's or filter's refusal, 0 for none */
    const char *replace; /* its replacement body, NULL for none */
    char seen[4096];     /* the last body the judge or filter saw */
    size_t seen_len;
    int calls, seen_status;
};

static struct verdict decide(void *ctx, const struct gen *g, const struct request_facts *f)
{
    struct hooks *x = ctx;
    struct verdict v = policy_decide(&g->cfg.policy, f);
    if (x->path && f->segs.path.len == strlen(x->path) &&
        memcmp(f->segs.path.p, x->path, f->segs.path.len) == 0)
        v.actions = x->actions;
    return v;
}

static void judge(struct hooks *x, const char *body, size_t len, struct hold_result *out)
{
    x->calls++;
    x->seen_len = len < sizeof x->seen ? len : sizeof x->seen;
    memcpy(x->seen, body, x->seen_len);
    out->status = x->status;
    out->reason = x->status ? "refused by the test judge" : NULL;
    if (x->replace) {
        out->replace = strdup(x->replace);
        out->replace_len = strlen(x->replace);
    }
}

static void judge_body(void *ctx, const struct conn *c, const char *body, size_t len,
                       struct hold_result *out)
{
    judge(ctx, body, len, out);
}

static void filter_response(void *ctx, const struct conn *c, int status, const char *body,
                            size_t len, struct hold_result *out)
{
    ((struct hooks *)ctx)->seen_status = status;
    judge(ctx, body, len, out);
}

static void set_hooks(struct h *h, struct hooks *x)
{
    h->px.hooks = (struct proxy_hooks){
        .ctx = x, .decide = decide, .judge_body = judge_body, .filter_response = filter_response};
}

static const char *const env[] = {"CONTAINERS=1", "POST=1", "MAX_BODY_BYTES=1024",
                                  "REQUEST_TIMEOUT=300ms", NULL};
static const char created[] = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";

/* Opens a test whose requests to /containers/create hold their body. */
static bool open_hold(struct tc *t, struct hooks *x, const char *const *e)
{
    if (!tc_open(t, e ? e : env, NULL))
        return false;
    *x = (struct hooks){.path = "/containers/create", .actions = ACT_INSPECT_BODY};
    set_hooks(&t->h, x);
    return true;
}

/* Sends the pieces with loop turns between them; the engine must see nothing before the last. */
static void send_pieces(struct tc *t, const char *const *pieces)
{
    for (; *pieces; pieces++) {
        h_sends(&t->h, t->c, *pieces);
        h_run(&t->h, 10);
        if (pieces[1]) {
            CHECK(h_no_engine(&t->h), "an engine connection before the held body was complete");
            CHECK(h_conn(&t->h)->rq == RQ_HOLD && h_conn(&t->h)->rs == RS_IDLE, "holding states");
        }
    }
}

/* The engine gets want_head then want_body exactly; the client gets the engine's answer. */
static void expect_forwarded(struct tc *t, const char *want_head, const char *want_body,
                             const char *ctx)
{
    t->e = h_engine(&t->h);
    if (t->e < 0)
        return;
    char want[2048];
    snprintf(want, sizeof want, "%s%s", want_head, want_body);
    expect_bytes(&t->h, &t->ea, t->e, want, ctx);
    h_sends(&t->h, t->e, created);
    expect_bytes(&t->h, &t->ca, t->c, created, ctx);
}

/* 7. */
static void test_hold_length(void)
{
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, NULL))
        return;
    static const char *const pieces[] = {
        "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
        "Content-Length: 11\r\n\r\n{\"Im",
        "age\":1}", NULL};
    send_pieces(&t, pieces);
    expect_forwarded(&t,
                     "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: "
                     "application/json\r\nContent-Length: 11\r\n\r\n",
                     "{\"Image\":1}", "held Content-Length body");
    CHECK_INT(x.calls, 1, "judge calls");
    CHECK_STR(x.seen, x.seen_len, "{\"Image\":1}", "the judged body");
    CHECK_INT(t.h.px.held_bytes, 0, "held bytes once forwarded");
    tc_close(&t);
}

static void test_hold_chunked(void)
{
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, NULL))
        return;
    static const char *const pieces[] = {
        "POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n5\r",
        "\nhel",
        "lo\r\n6\r\n wor",
        "ld\r\n0\r\n",
        "\r\n",
        NULL};
    send_pieces(&t, pieces);
    expect_forwarded(&t,
                     "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 11\r\n\r\n",
                     "hello world", "held chunked body, decoded");
    CHECK_STR(x.seen, x.seen_len, "hello world", "the judged body");
    tc_close(&t);
}

static void test_hold_replace(void)
{
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, NULL))
        return;
    x.replace = "{\"Image\":\"alpine\"}";
    h_sends(&t.h, t.c,
            "POST /containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\n{}\r\n0\r\n\r\n");
    expect_forwarded(&t,
                     "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 18\r\n\r\n",
                     "{\"Image\":\"alpine\"}", "replaced body");
    CHECK_STR(x.seen, x.seen_len, "{}", "the judged body");
    tc_close(&t);
}

static void test_hold_refused(void)
{
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, NULL))
        return;
    x.status = 403;
    x.replace = "ignored";
    h_sends(&t.h, t.c,
            "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}");
    expect_canned(&t.h, t.c, 403, NULL, "judge refused");
    CHECK(h_no_engine(&t.h), "a refused body reached the engine");
    CHECK_INT(x.calls, 1, "judge calls");
    tc_close(&t);
}

/* Too large, announced or found while decoding: 413, and the engine is never contacted. */
static void test_hold_too_large(void)
{
    static char big[1200 + 256];
    for (int i = 0; i < 2; i++) {
        struct tc t;
        struct hooks x;
        if (!open_hold(&t, &x, NULL))
            return;
        if (i == 0) {
            h_sends(&t.h, t.c,
                    "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 1025\r\n\r\n");
        } else {
            int n = snprintf(big, sizeof big,
                             "POST /containers/create HTTP/1.1\r\nHost: d\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n%x\r\n",
                             1100);
            memset(big + n, 'a', 1100);
            h_sends(&t.h, t.c, big);
        }
        expect_canned(&t.h, t.c, 413, "request body larger than MAX_BODY_BYTES",
                      i ? "chunked body over MAX_BODY_BYTES"
                        : "Content-Length over MAX_BODY_BYTES");
        CHECK(h_no_engine(&t.h), "an engine connection for a body over the limit");
        CHECK_INT(x.calls, 0, "judge calls");
        tc_close(&t);
    }
}

static void test_hold_timeout(void)
{
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, NULL))
        return;
    uint64_t t0 = loop_now_ms();
    h_sends(&t.h, t.c,
            "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 20\r\n\r\n{\"Ima");
    expect_canned(&t.h, t.c, 408, "request body not complete in time (REQUEST_TIMEOUT)",
                  "slow held body");
    uint64_t took = loop_now_ms() - t0;
    CHECK(took >= 300 && took < 1500, "408 after %llu ms (REQUEST_TIMEOUT=300ms)",
          (unsigned long long)took);
    CHECK(h_no_engine(&t.h), "a timed-out body reached the engine");
    tc_close(&t);
}

/* 8. MAX_HELD_BYTES across connections: the body that would pass it gets 503; the other one
 * goes on; the gauge returns to 0. */
static void test_held_cap(void)
{
    static const char *const cap_env[] = {"CONTAINERS=1", "POST=1", "MAX_BODY_BYTES=60000",
                                          "MAX_HELD_BYTES=65536", NULL};
    static char body[40000];
    struct tc t;
    struct hooks x;
    if (!open_hold(&t, &x, cap_env))
        return;
    struct h *h = &t.h;
    memset(body, 'b', sizeof body);
    h_sends(h, t.c, "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 40010\r\n\r\n");
    h_send(h, t.c, body, sizeof body);
    h_run(h, 20);
    CHECK(h->px.held_bytes > 40000 && h->px.held_bytes <= 65536, "held bytes of the first: %llu",
          (unsigned long long)h->px.held_bytes);
    int c2 = h_client(h);
    h_sends(h, c2,
            "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n12345");
    expect_canned(h, c2, 503, "too many bodies held at once (MAX_HELD_BYTES)", "over the cap");
    close(c2);
    h_sends(h, t.c, "0123456789");
    t.e = h_engine(h);
    WAIT(h, got_n(&t.ea, t.e, 40010) && got_str(&t.ea, t.e, "bbbb0123456789"),
         "the first body forwarded whole");
    CHECK(h_no_engine(h), "the refused body reached the engine");
    h_sends(h, t.e, created);
    expect_bytes(h, &t.ca, t.c, created, "the first one answered");
    WAIT(h, h->px.nconns == 1, "the refused connection closed");
    CHECK_INT(h->px.held_bytes, 0, "held bytes after both");
    tc_close(&t);
}

/* 9. Response holds. */
static bool open_filter(struct tc *t, struct hooks *x)
{
    if (!tc_open(t, env, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n"))
        return false;
    *x = (struct hooks){.path = "/version", .actions = ACT_FILTER_RESPONSE};
    set_hooks(&t->h, x);
    return true;
}

/* The hooks are set after the first request was decided: a second request uses them. */
static void next_request(struct tc *t)
{
    h_sends(&t->h, t->e, "HTTP/1.1 204 No Content\r\n\r\n");
    WAIT(&t->h, got_str(&t->ca, t->c, "\r\n\r\n"), "the first answer");
    acc_reset(&t->ca);
    h_sends(&t->h, t->c, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_head(&t->h, &t->ea, t->e, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n",
                "filtered request");
}

static void test_filter_length(void)
{
    struct tc t;
    struct hooks x;
    if (!open_filter(&t, &x))
        return;
    next_request(&t);
    x.replace = "HELLO!!";
    h_sends(&t.h, t.e,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\n"
            "Keep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nhel");
    h_run(&t.h, 10);
    CHECK(h_conn(&t.h)->rq == RQ_DONE && h_conn(&t.h)->rs == RS_HOLD, "response holding states");
    CHECK_INT(t.ca.n, 0, "bytes to the client before the held body is complete");
    h_sends(&t.h, t.e, "lo");
    expect_bytes(&t.h, &t.ca, t.c,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nHELLO!!",
                 "filtered Content-Length response");
    CHECK_STR(x.seen, x.seen_len, "hello", "the filtered body");
    CHECK_INT(x.seen_status, 200, "status given to the filter");
    /* Keep-alive goes on after a held response, on the same engine connection. */
    x.replace = NULL;
    acc_reset(&t.ca);
    h_sends(&t.h, t.c, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_head(&t.h, &t.ea, t.e, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n", "after a hold");
    h_sends(&t.h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
    expect_bytes(&t.h, &t.ca, t.c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                 "unchanged body after a hold");
    CHECK_INT(t.h.px.held_bytes, 0, "held bytes after the response");
    tc_close(&t);
}

static void test_filter_chunked(void)
{
    struct tc t;
    struct hooks x;
    if (!open_filter(&t, &x))
        return;
    next_request(&t);
    h_sends(&t.h, t.e,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n5\r\nhel");
    h_run(&t.h, 10);
    h_sends(&t.h, t.e, "lo\r\n6\r\n world\r\n0\r\n\r\n");
    expect_bytes(&t.h, &t.ca, t.c, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
                 "filtered chunked response");
    CHECK_STR(x.seen, x.seen_len, "hello world", "the decoded body");
    tc_close(&t);
}

static void test_filter_close_delimited(void)
{
    struct tc t;
    struct hooks x;
    if (!open_filter(&t, &x))
        return;
    next_request(&t);
    h_sends(&t.h, t.e, "HTTP/1.1 200 OK\r\nConnection: close\r\nX-A: 1\r\n\r\nuntil the end");
    h_run(&t.h, 10);
    CHECK_INT(t.ca.n, 0, "bytes to the client before the engine closed");
    close(t.e);
    t.e = -1;
    /* Sent with a Content-Length, the filtered body no longer needs the close: the engine's
     * connection ends, the client's stays open for its next request. */
    expect_bytes(&t.h, &t.ca, t.c,
                 "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 13\r\n\r\nuntil the end",
                 "filtered close-delimited response");
    CHECK_STR(x.seen, x.seen_len, "until the end", "the body up to the close");
    h_run(&t.h, 20);
    CHECK(!got_eof(&t.ca, t.c), "the client connection ended after a length-framed answer");
    acc_reset(&t.ca);
    x.actions = 0;
    h_sends(&t.h, t.c, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n");
    t.e = h_engine(&t.h); /* a fresh engine connection: the old one was closed */
    CHECK(t.e >= 0, "no engine connection for the next request");
    if (t.e >= 0) {
        expect_head(&t.h, &t.ea, t.e, "GET /version HTTP/1.1\r\nHost: d\r\n\r\n",
                    "the next request on the same client connection");
        h_sends(&t.h, t.e, "HTTP/1.1 204 No Content\r\n\r\n");
        expect_bytes(&t.h, &t.ca, t.c, "HTTP/1.1 204 No Content\r\n\r\n", "its answer");
    }
    tc_close(&t);
}

/* Over MAX_BODY_BYTES (announced, or found while decoding): 502, nothing of the body relayed. */
static void test_filter_too_large(void)
{
    static char big[1100];
    memset(big, 'z', sizeof big);
    for (int i = 0; i < 2; i++) {
        struct tc t;
        struct hooks x;
        if (!open_filter(&t, &x))
            return;
        next_request(&t);
        if (i == 0) {
            h_sends(&t.h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n");
        } else {
            h_sends(&t.h, t.e, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n44c\r\n");
            h_send(&t.h, t.e, big, sizeof big);
        }
        expect_canned(&t.h, t.c, 502, "response larger than MAX_BODY_BYTES",
                      i ? "chunked response over the limit" : "announced response over the limit");
        CHECK_INT(x.calls, 0, "filter calls");
        tc_close(&t);
    }
}

int main(void)
{
    log_init(SWLOG_EMERG, false);
    test_hold_length();
    test_hold_chunked();
    test_hold_replace();
    test_hold_refused();
    test_hold_too_large();
    test_hold_timeout();
    test_held_cap();
    test_filter_length();
    test_filter_chunked();
    test_filter_close_delimited();
    test_filter_too_large();
    return TEST_SUMMARY("conn_hold");
}
