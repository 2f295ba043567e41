/* conn: the connection state machine in process — round trips, keep-alive, pipelining, half-close,
 * tunnels, engine failures and the retry of a reused engine connection, configuration
 * generations and the documented state pairs. Clients are socketpair ends; the engine is a
 * scripted unix socket (conn_harness.h). Built with SW_INVARIANTS, conn_check() runs after every
 * pump round as well. Holds are in test_conn_hold.c, limits and accepting in test_conn_limits.c. */
#include <signal.h>
#include <sys/wait.h>

#include "conn_harness.h"

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
static const char get_version[] = "GET /version HTTP/1.1\r\nHost: docker\r\n\r\n";

/* 1. */
static void test_round_trip(void)
{
    struct tc t;
    if (!tc_open(&t, NULL, "GET /version HTTP/1.1\r\nHost: docker\r\nUser-Agent: t/1\r\n\r\n"))
        return;
    struct h *h = &t.h;
    CHECK_STR(t.ea.b, t.ea.n, "GET /version HTTP/1.1\r\nHost: docker\r\nUser-Agent: t/1\r\n\r\n",
              "first head");
    h_sends(h, t.e, ok_resp);
    expect_bytes(h, &t.ca, t.c, ok_resp, "first response");
    /* Keep-alive: the second request goes over the same engine connection. */
    acc_reset(&t.ca);
    h_sends(h, t.c, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n");
    expect_head(h, &t.ea, t.e, "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n", "second head");
    CHECK(h_no_engine(h), "the second request opened a new engine connection");
    h_sends(h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong");
    expect_bytes(h, &t.ca, t.c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong",
                 "second response");
    CHECK_INT(h->px.nconns, 1, "connections while keep-alive");
    close(t.c);
    t.c = -1;
    WAIT(h, h->px.nconns == 0, "the connection freed after the client closed");
    CHECK_INT(h->px.pool.nparked, 1, "the clean engine connection parked");
    tc_close(&t);
}

/* 2. */
static void test_pipelining(void)
{
    struct tc t;
    if (!tc_open(&t, NULL,
                 "GET /version HTTP/1.1\r\nHost: a\r\n\r\nGET /_ping HTTP/1.1\r\nHost: b\r\n\r\n"))
        return;
    struct h *h = &t.h;
    /* The second request waits until the first is answered: nothing more reaches the engine. */
    h_run(h, 30);
    acc_pull(&t.ea, t.e);
    CHECK_STR(t.ea.b, t.ea.n, "GET /version HTTP/1.1\r\nHost: a\r\n\r\n",
              "engine bytes before the first answer");
    h_sends(h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
    expect_head(h, &t.ea, t.e, "GET /_ping HTTP/1.1\r\nHost: b\r\n\r\n", "second pipelined head");
    h_sends(h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
    expect_bytes(h, &t.ca, t.c,
                 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo",
                 "pipelined answers in order");
    tc_close(&t);
}

/* 3. The client half-closes (SHUT_WR). After its answer: the connection closes and the clean
 * engine connection is parked. While its answer is pending: the core takes the FIN for a client
 * that left (it cannot tell a half-close from a close) and ends both connections rather than let
 * the engine work for nobody (request.c, RQ_DONE) — no bytes, no hang, nothing leaks. */
static void test_client_half_close(void)
{
    struct tc t;
    if (!tc_open(&t, NULL, get_version))
        return;
    struct h *h = &t.h;
    h_sends(h, t.e, ok_resp);
    expect_bytes(h, &t.ca, t.c, ok_resp, "answer");
    shutdown(t.c, SHUT_WR);
    WAIT(h, got_eof(&t.ca, t.c), "the end after a half-close between requests");
    CHECK_STR(t.ca.b, t.ca.n, ok_resp, "nothing after the answer");
    WAIT(h, h->px.nconns == 0, "the connection freed");
    CHECK_INT(h->px.pool.nparked, 1, "the engine connection parked");
    close(t.c);

    /* The pooled engine connection serves the next client, who half-closes too early. */
    acc_reset(&t.ca);
    acc_reset(&t.ea);
    t.c = h_client(h);
    h_sends(h, t.c, get_version);
    shutdown(t.c, SHUT_WR);
    WAIT(h, got_eof(&t.ca, t.c), "the end for a client that half-closed before its answer");
    CHECK_INT(t.ca.n, 0, "bytes to a client that left");
    WAIT(h, got_eof(&t.ea, t.e), "the engine connection closed");
    CHECK(h_no_engine(h), "no new engine connection");
    CHECK_INT(h->px.pool.nparked, 0, "no engine connection parked");
    tc_close(&t);
}

/* 4. A hijacked stream: 101, bytes both ways, each half-close forwarded, then freed.
 * client_first: the client half-closes first (else the engine does). */
static void tunnel_case(bool client_first)
{
    static const char *const env[] = {"CONTAINERS=1", "POST=1", NULL};
    static const char req[] = "POST /containers/x/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\n"
                              "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
    static const char up[] = "HTTP/1.1 101 UPGRADED\r\nContent-Type: "
                             "application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
                             "Upgrade: tcp\r\n\r\n";
    struct tc t;
    if (!tc_open(&t, env, req))
        return;
    struct h *h = &t.h;
    const char *ctx = client_first ? "tunnel, client closes first" : "tunnel, engine closes first";
    CHECK_STR(t.ea.b, t.ea.n, req, ctx);
    h_sends(h, t.e, up);
    expect_bytes(h, &t.ca, t.c, up, ctx);
    CHECK_INT(h->px.ntunnels, 1, "tunnels");
    CHECK(h_conn(h)->rq == RQ_TUNNEL && h_conn(h)->rs == RS_TUNNEL, "tunnel states");
    acc_reset(&t.ca);
    acc_reset(&t.ea);
    h_sends(h, t.c, "stdin-bytes");
    expect_bytes(h, &t.ea, t.e, "stdin-bytes", "client to engine in the tunnel");
    h_sends(h, t.e, "stdout-bytes");
    expect_bytes(h, &t.ca, t.c, "stdout-bytes", "engine to client in the tunnel");
    acc_reset(&t.ca);
    acc_reset(&t.ea);
    int first = client_first ? t.c : t.e, second = client_first ? t.e : t.c;
    struct acc *first_sees = client_first ? &t.ea : &t.ca;
    struct acc *second_sees = client_first ? &t.ca : &t.ea;
    shutdown(first, SHUT_WR);
    WAIT(h, got_eof(first_sees, second), "%s: the FIN forwarded", ctx);
    CHECK_INT(first_sees->n, 0, "bytes before the forwarded FIN");
    CHECK_INT(h->px.nconns, 1, "the tunnel lives on half-closed");
    h_sends(h, second, "late");
    expect_bytes(h, second_sees, first, "late", "the other direction after a half-close");
    shutdown(second, SHUT_WR);
    WAIT(h, got_eof(second_sees, first), "%s: the second FIN forwarded", ctx);
    WAIT(h, h->px.nconns == 0, "%s: the tunnel freed", ctx);
    CHECK_INT(h->px.ntunnels, 0, "tunnels after the end");
    tc_close(&t);
}

static void test_tunnel(void)
{
    tunnel_case(true);
    tunnel_case(false);
}

/* 5. The engine resets the connection in the middle of a body: the client sees the end. */
static void reset_case(const char *head, size_t body)
{
    struct tc t;
    if (!tc_open(&t, NULL, get_version))
        return;
    struct h *h = &t.h;
    h_sends(h, t.e, head);
    char *junk = malloc(body);
    memset(junk, 'x', body);
    h_send(h, t.e, junk, body);
    free(junk);
    WAIT(h, got_n(&t.ca, t.c, strlen(head) + body), "%s: the relayed part", head);
    close_rst(t.e);
    t.e = -1;
    WAIT(h, got_eof(&t.ca, t.c), "%s: the end after the reset", head);
    CHECK_INT(t.ca.n, strlen(head) + body, "bytes relayed before the end");
    WAIT(h, h->px.nconns == 0, "the connection freed");
    CHECK_INT(h->px.pool.nparked, 0, "a reset engine connection is not parked");
    tc_close(&t);
}

static void test_engine_reset(void)
{
    reset_case("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n", 40000);
    reset_case("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", 70000);
}

/* 6. The engine closes before any response: 502 with the reason, and no second try. */
static void test_engine_closes_early(void)
{
    struct tc t;
    if (!tc_open(&t, NULL, get_version))
        return;
    close(t.e);
    t.e = -1;
    expect_canned(&t.h, t.c, 502, "connection closed before a response", "fresh engine closed");
    CHECK(h_no_engine(&t.h), "a request on a fresh connection was sent again");
    tc_close(&t);
}

/* 6. A reused engine connection closed while the next request goes out: a GET is sent again
 * once on a fresh connection; a POST never is (it may have acted). */
static void retry_case(bool get)
{
    static const char *const env[] = {"CONTAINERS=1", "POST=1", NULL};
    struct tc t;
    if (!tc_open(&t, env, get_version))
        return;
    struct h *h = &t.h;
    h_sends(h, t.e, ok_resp);
    expect_bytes(h, &t.ca, t.c, ok_resp, "first answer");
    acc_reset(&t.ca);
    acc_reset(&t.ea);
    /* Both before the next batch: the request arrives, and the engine has closed. */
    const char *req = get ? "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
                          : "POST /containers/x/start HTTP/1.1\r\nHost: d\r\n\r\n";
    CHECK(send(t.c, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req), "send");
    close(t.e);
    t.e = -1;
    if (get) {
        t.e = h_engine(h);
        expect_head(h, &t.ea, t.e, req, "the retried GET");
        h_sends(h, t.e, ok_resp);
        expect_bytes(h, &t.ca, t.c, ok_resp, "the retried GET's answer");
    } else {
        expect_canned(h, t.c, 502, "connection closed before a response", "POST not retried");
        CHECK(h_no_engine(h), "a POST was sent again");
    }
    tc_close(&t);
}

static void test_retry_on_fresh(void)
{
    retry_case(true);
    retry_case(false);
}

/* 12. A reload while a request is in flight: it finishes under its generation, the next request
 * is judged by the new one (which allows /images), and each generation is freed with its last
 * reference (ASan and valgrind see a leak or a use after free). */
static void test_generations(void)
{
    struct tc t;
    if (!tc_open(&t, NULL, get_version))
        return;
    struct h *h = &t.h;
    struct conn *c = h_conn(h);
    struct gen *g1 = h->px.gen;
    CHECK(c->gen == g1, "the request pinned the current generation");
    CHECK_INT(g1->refs, 2, "generation 1 references (proxy, request)");
    struct config next = h->cfg;
    next.policy.section[SEC_IMAGES] = true;
    CHECK_INT(proxy_install(&h->px, &next), 0, "proxy_install");
    struct gen *g2 = h->px.gen;
    CHECK(g2 != g1 && g2->id == 2, "a new current generation");
    CHECK(c->gen == g1, "the request in flight keeps its generation");
    CHECK_INT(g1->refs, 1, "generation 1 held by the request alone");
    h_sends(h, t.e, ok_resp);
    expect_bytes(h, &t.ca, t.c, ok_resp, "answer under generation 1");
    CHECK(c->gen == NULL, "nothing pinned between requests");
    acc_reset(&t.ca);
    h_sends(h, t.c, "GET /images/json HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_head(h, &t.ea, t.e, "GET /images/json HTTP/1.1\r\nHost: d\r\n\r\n",
                "allowed under generation 2");
    CHECK(c->gen == g2, "the next request pinned generation 2");
    CHECK_INT(g2->refs, 2, "generation 2 references");
    h_sends(h, t.e, ok_resp);
    expect_bytes(h, &t.ca, t.c, ok_resp, "answer under generation 2");
    CHECK_INT(g2->refs, 1, "generation 2 after the request");
    tc_close(&t);
}

#define STATES(c, r, s, ctx)                                                                       \
    do {                                                                                           \
        CHECK((c)->rq == (r) && (c)->rs == (s), "%s: states rq=%d rs=%d", (ctx), (int)(c)->rq,     \
              (int)(c)->rs);                                                                       \
        conn_check(c);                                                                             \
    } while (0)

/* conn_check() on a deliberately broken state must abort: the checker can fail. */
static void expect_check_aborts(struct conn *c, enum rq_state rq, enum rs_state rs)
{
    pid_t pid = fork();
    if (pid == 0) {
        c->rq = rq;
        c->rs = rs;
        conn_check(c);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "conn_check accepted rq=%d rs=%d", (int)rq,
          (int)rs);
}

/* 13. The documented (request, response) pairs and flags along a scripted exchange. */
static void test_states(void)
{
    static const char *const env[] = {"CONTAINERS=1", "POST=1", NULL};
    struct tc t;
    if (!tc_open(&t, env, NULL))
        return;
    struct h *h = &t.h;
    struct conn *c = h_conn(h);
    STATES(c, RQ_HEAD, RS_IDLE, "new");
    CHECK(!c->gen && c->on_idle && c->dl == DL_FIRST, "new: nothing pinned, idle, first deadline");
    h_sends(h, t.c,
            "POST /containers/x/wait HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\nabcd");
    t.e = h_engine(h);
    WAIT(h, got_n(&t.ea, t.e, 4) && memmem(t.ea.b, t.ea.n, "abcd", 4), "head and 4 body bytes");
    STATES(c, RQ_BODY, RS_HEAD, "body streaming");
    CHECK(c->up && c->gen && c->hbuf.p && !c->on_idle, "streaming: engine, generation, head kept");
    h_sends(h, t.c, "efghij");
    WAIT(h, got_str(&t.ea, t.e, "abcdefghij"), "the whole body");
    STATES(c, RQ_DONE, RS_HEAD, "request sent");
    h_sends(h, t.e, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012");
    WAIT(h, got_str(&t.ca, t.c, "012"), "head and part of the body");
    STATES(c, RQ_DONE, RS_BODY, "response streaming");
    CHECK(!c->hbuf.p && c->gen, "the request head dropped once the answer started");
    expect_check_aborts(c, RQ_HEAD, RS_BODY);
    expect_check_aborts(c, RQ_TUNNEL, RS_BODY);
    h_sends(h, t.e, "3456789");
    WAIT(h, got_str(&t.ca, t.c, "0123456789"), "the whole response");
    STATES(c, RQ_HEAD, RS_IDLE, "keep-alive");
    CHECK(!c->gen && c->on_idle && c->up && c->dl == DL_IDLE,
          "idle: unpinned, listed, engine kept");
    acc_reset(&t.ca);
    h_sends(h, t.c, "GET /images/json HTTP/1.1\r\nHost: d\r\n\r\n");
    WAIT(h, got_eof(&t.ca, t.c), "the refusal and the end of the client's input");
    STATES(c, RQ_DONE, RS_DONE, "refused");
    CHECK(c->linger && !c->canned && c->client.shut && !c->up && c->gen && c->dl == DL_LINGER,
          "refused: lingering with the write side shut, no engine");
    expect_check_aborts(c, RQ_HEAD, RS_DONE);
    tc_close(&t);
}

int main(void)
{
    log_init(SWLOG_EMERG, false);
    test_round_trip();
    test_pipelining();
    test_client_half_close();
    test_tunnel();
    test_engine_reset();
    test_engine_closes_early();
    test_retry_on_fresh();
    test_generations();
    test_states();
    return TEST_SUMMARY("conn");
}
