/* conn_limits: what bounds a connection and the accepting: the linger after a refusal (B2), a
 * transient accept error that must not strand the listen queue (B1), accept pausing on
 * descriptor or buffer exhaustion, and eviction of idle connections at MAX_CONNECTIONS. */
#include "conn_harness.h"

static const char denied[] = "GET /images/json HTTP/1.1\r\nHost: d\r\n\r\n";

/* 10. A refused client that keeps writing: the 403 is written, then the proxy discards a
 * bounded amount (LINGER_MAX_BYTES) and closes; the client could never push many MiB. */
static void test_linger_bound(void)
{
    struct tc t;
    if (!tc_open(&t, NULL, NULL))
        return;
    struct h *h = &t.h;
    h_sends(h, t.c, denied);
    static char junk[65536];
    memset(junk, 'j', sizeof junk);
    size_t total = 0;
    uint32_t max_turn = 0, max_seen = 0;
    bool closed = false;
    uint64_t t0 = loop_now_ms();
    while (!closed && total < (64u << 20) && loop_now_ms() - t0 < WAIT_MS) {
        ssize_t w = send(t.c, junk, sizeof junk, MSG_NOSIGNAL);
        if (w > 0)
            total += (size_t)w;
        else if (errno != EAGAIN)
            closed = true;
        struct conn *c = h_conn(h);
        uint32_t before = c ? c->discarded : 0;
        proxy_step(&h->px, 1);
        if ((c = h_conn(h))) {
            max_turn = c->discarded - before > max_turn ? c->discarded - before : max_turn;
            max_seen = c->discarded > max_seen ? c->discarded : max_seen;
        }
    }
    int sndbuf = 0;
    socklen_t sl = sizeof sndbuf;
    getsockopt(t.c, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
    CHECK(closed, "the lingering connection still open after %zu junk bytes", total);
    CHECK(total <= LINGER_MAX_BYTES + 2 * (size_t)sndbuf + sizeof junk,
          "%zu junk bytes accepted before the close (LINGER_MAX_BYTES %d, SO_SNDBUF %d)", total,
          LINGER_MAX_BYTES, sndbuf);
    CHECK(max_turn <= 2 * LINGER_TURN_BYTES, "%u bytes discarded in one loop batch", max_turn);
    CHECK(max_seen <= LINGER_MAX_BYTES, "%u bytes discarded in all", max_seen);
    CHECK_INT(h->px.nconns, 0, "connections after the linger");
    /* The answer is intact for a client that reads only now. */
    size_t len, head_len;
    const char *page = errpage_403(&len, &head_len);
    acc_pull(&t.ca, t.c);
    CHECK(t.ca.n >= len && memcmp(t.ca.b, page, len) == 0, "the 403 after the linger: '%.*s'",
          (int)t.ca.n, t.ca.b ? t.ca.b : "");
    CHECK_INT(t.ca.n, len, "bytes after the 403");
    tc_close(&t);
}

/* The accept seam: fails `fails` times with `err`, then is accept4. */
static int fake_err, fake_fails, fake_calls;
static int fake_accept(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    fake_calls++;
    if (fake_fails > 0) {
        fake_fails--;
        errno = fake_err;
        return -1;
    }
    return accept4(fd, sa, len, flags);
}

/* n clients connect and send a refused request before the proxy runs a batch. */
static void dial_all(struct h *h, int *cs, int n, const char *req)
{
    for (int i = 0; i < n; i++) {
        cs[i] = unix_connect(h->lpath);
        CHECK(cs[i] >= 0, "connect to the proxy: %s", strerror(errno));
        if (cs[i] >= 0 && req)
            CHECK(send(cs[i], req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req), "send");
    }
}

/* Every client gets its 403 (so each was accepted and served). */
static void expect_all_refused(struct h *h, int *cs, int n, const char *ctx)
{
    size_t len, head_len;
    const char *page = errpage_403(&len, &head_len);
    struct acc a[8] = {{0}};
    for (int i = 0; i < n; i++) {
        WAIT(h, got_n(&a[i], cs[i], len), "%s: client %d answered", ctx, i);
        CHECK(a[i].n == len && memcmp(a[i].b, page, len) == 0, "%s: client %d got the 403", ctx, i);
        acc_free(&a[i]);
        close(cs[i]);
    }
}

/* A proxy listening with the accept seam failing once with err, three clients queued with a
 * refused request each, and one loop batch run. */
static bool start_accept(struct h *h, int err, int *cs)
{
    if (!h_init_ls(h, NULL, true))
        return false;
    h->px.accept = fake_accept;
    fake_err = err;
    fake_fails = 1;
    fake_calls = 0;
    dial_all(h, cs, 3, denied);
    proxy_step(&h->px, 100);
    return true;
}

/* B1: a transient error from accept4 skips that connection only; the queue behind it (which
 * raises no new edge) is served in the same batch. */
static void test_accept_transient(void)
{
    static const int errs[] = {ECONNABORTED, EPROTO, EPERM};
    for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
        struct h h;
        int cs[3];
        if (!start_accept(&h, errs[k], cs))
            return;
        CHECK_INT(h.px.nconns, 3, strerror(errs[k]));
        CHECK_INT(fake_calls, 5, "accept calls: the error, three clients, EAGAIN");
        CHECK(!h.px.accept_paused, "%s paused accepting", strerror(errs[k]));
        expect_all_refused(&h, cs, 3, strerror(errs[k]));
        WAIT(&h, h.px.nconns == 0, "connections closed");
        h_fini(&h);
    }
}

/* Out of descriptors or buffers: accepting pauses, and the next tick resumes it. */
static void test_accept_exhausted(void)
{
    static const int errs[] = {EMFILE, ENFILE, ENOBUFS, ENOMEM};
    for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
        struct h h;
        int cs[3];
        if (!start_accept(&h, errs[k], cs))
            return;
        CHECK(h.px.accept_paused && h.px.nconns == 0 && fake_calls == 1,
              "%s: paused=%d conns=%u calls=%d", strerror(errs[k]), h.px.accept_paused, h.px.nconns,
              fake_calls);
        uint64_t t0 = loop_now_ms();
        WAIT(&h, h.px.nconns > 0, "%s: accepting resumed", strerror(errs[k]));
        CHECK(loop_now_ms() - t0 <= 2 * LOOP_TICK_MS, "%s: resumed after %llu ms",
              strerror(errs[k]), (unsigned long long)(loop_now_ms() - t0));
        expect_all_refused(&h, cs, 3, strerror(errs[k]));
        WAIT(&h, h.px.nconns == 0, "connections closed");
        h_fini(&h);
    }
}

/* A request from client fd c reaches engine connection e (whose bytes are collected in a). */
static void served(struct h *h, int c, int e, struct acc *a, const char *ctx)
{
    static const char req[] = "GET /version HTTP/1.1\r\nHost: d\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    expect_head(h, a, e, req, ctx);
    h_sends(h, e, resp);
    struct acc ca = {0};
    expect_bytes(h, &ca, c, resp, ctx);
    acc_free(&ca);
}

/* 11. At MAX_CONNECTIONS=3 the longest-idle keep-alive connection makes room; connections with
 * a request in flight are never closed for it: the fourth client waits until one is idle. */
static void test_eviction(void)
{
    static const char *const env[] = {"MAX_CONNECTIONS=3", NULL};
    static const char req[] = "GET /version HTTP/1.1\r\nHost: d\r\n\r\n";
    struct h h;
    if (!h_init_ls(&h, env, true))
        return;
    int cs[4], es[4];
    struct acc ea[4] = {{0}}, ca[4] = {{0}};
    for (int i = 0; i < 3; i++) {
        cs[i] = unix_connect(h.lpath);
        h_sends(&h, cs[i], req);
        es[i] = h_engine(&h);
        served(&h, cs[i], es[i], &ea[i], "one request each");
    }
    CHECK_INT(h.px.nconns, 3, "connections at the cap");
    cs[3] = unix_connect(h.lpath);
    h_sends(&h, cs[3], req);
    /* Client 0 was idle longest: closed; its engine connection (parked) serves client 3. */
    WAIT(&h, got_eof(&ca[0], cs[0]), "the longest-idle client closed");
    CHECK_INT(ca[0].n, 0, "bytes to the evicted client");
    served(&h, cs[3], es[0], &ea[0], "the fourth client on the freed engine connection");
    for (int i = 1; i < 3; i++)
        CHECK(!got_eof(&ca[i], cs[i]), "client %d closed too", i);
    CHECK_INT(h.px.nconns, 3, "connections after the eviction");

    /* Now all three have a request in flight: a new client waits in the listen queue. */
    int order[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        h_sends(&h, cs[order[i]], req);
        int e = order[i] == 3 ? es[0] : es[order[i]];
        acc_reset(&ea[order[i] == 3 ? 0 : order[i]]);
        WAIT(&h, got_str(&ea[order[i] == 3 ? 0 : order[i]], e, "\r\n\r\n"), "in flight %d", i);
    }
    int late = unix_connect(h.lpath);
    h_sends(&h, late, req);
    h_run(&h, 2 * LOOP_TICK_MS + 50);
    CHECK(h.px.accept_paused && h.px.nconns == 3, "busy connections evicted (paused=%d conns=%u)",
          h.px.accept_paused, h.px.nconns);
    CHECK(h_no_engine(&h), "an engine connection for the waiting client");
    for (int i = 1; i < 4; i++)
        CHECK(!got_eof(&ca[i], cs[i]), "client %d with a request in flight closed", i);
    /* Client 1's request finishes: it is idle now, so it makes room within a tick. */
    h_sends(&h, es[1], "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    WAIT(&h, got_eof(&ca[1], cs[1]), "the client that became idle closed for the waiting one");
    served(&h, late, es[1], &ea[1], "the waiting client served");
    CHECK(!got_eof(&ca[2], cs[2]) && !got_eof(&ca[3], cs[3]), "busy clients kept");
    close(late);
    for (int i = 0; i < 4; i++) {
        close(cs[i]);
        if (i < 3)
            close(es[i]);
        acc_free(&ea[i]);
        acc_free(&ca[i]);
    }
    WAIT(&h, h.px.nconns == 0, "every connection freed");
    h_fini(&h);
}

int main(void)
{
    log_init(SWLOG_EMERG, false);
    test_linger_bound();
    test_accept_transient();
    test_accept_exhausted();
    test_eviction();
    return TEST_SUMMARY("conn_limits");
}
