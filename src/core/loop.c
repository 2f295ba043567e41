#include "core/loop.h"

#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

uint64_t loop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct loop *loop_of_sig(struct loop_ev *ev)
{
    return (struct loop *)(void *)((char *)ev - offsetof(struct loop, sig_ev));
}

static void signals_ready(struct loop_ev *ev, uint32_t events)
{
    (void)events;
    struct loop *l = loop_of_sig(ev);
    struct signalfd_siginfo si;
    while (read(l->sfd, &si, sizeof si) == (ssize_t)sizeof si)
        if (l->hooks.on_signal)
            l->hooks.on_signal(l->hooks.ctx, (int)si.ssi_signo);
}

int loop_init(struct loop *l, const sigset_t *sigs, const struct loop_hooks *hooks)
{
    *l = (struct loop){.ep = -1, .sfd = -1, .hooks = *hooks};
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    if (l->ep < 0)
        return -1;
    l->next_tick = loop_now_ms() + LOOP_TICK_MS;
    if (!sigs)
        return 0;
    if (sigprocmask(SIG_BLOCK, sigs, NULL) < 0)
        return -1;
    l->sfd = signalfd(-1, sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    l->sig_ev.fn = signals_ready;
    struct epoll_event ee = {.events = EPOLLIN, .data.ptr = &l->sig_ev};
    if (l->sfd < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->sfd, &ee) < 0)
        return -1;
    return 0;
}

void loop_fini(struct loop *l)
{
    if (l->sfd >= 0)
        close(l->sfd);
    if (l->ep >= 0)
        close(l->ep);
    l->sfd = l->ep = -1;
}

static int watch(struct loop *l, int op, int fd, struct loop_ev *ev, bool out)
{
    struct epoll_event ee = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0),
                             .data.ptr = ev};
    return epoll_ctl(l->ep, op, fd, &ee);
}

int loop_watch(struct loop *l, int fd, struct loop_ev *ev, bool out)
{
    return watch(l, EPOLL_CTL_ADD, fd, ev, out);
}

/* Writability is not watched until a write would block: otherwise every request the engine reads
 * raises an event. The kernel reports current readiness on a modify, so space freed between the
 * EAGAIN and this call is not missed. */
int loop_arm_out(struct loop *l, int fd, struct loop_ev *ev, bool *armed)
{
    if (*armed)
        return 0;
    if (watch(l, EPOLL_CTL_MOD, fd, ev, true) < 0)
        return -1;
    *armed = true;
    return 0;
}

int loop_watch_listener(struct loop *l, int fd, struct loop_ev *ev)
{
    struct epoll_event ee = {.events = EPOLLIN | EPOLLET, .data.ptr = ev};
    return epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ee);
}

void loop_unwatch(struct loop *l, int fd)
{
    epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
}

void loop_ready(struct loop *l, struct loop_task *t)
{
    if (t->queued)
        return;
    t->queued = true;
    t->next = l->ready;
    l->ready = t;
}

static void run_ready(struct loop *l)
{
    struct loop_task *list = l->ready;
    l->ready = NULL;
    while (list) {
        struct loop_task *t = list;
        list = t->next;
        t->queued = false;
        t->fn(t);
    }
}

int loop_step(struct loop *l, int timeout_ms)
{
    struct epoll_event evs[LOOP_BATCH];
    uint64_t now = loop_now_ms();
    int until_tick = l->next_tick > now ? (int)(l->next_tick - now) : 0;
    if (l->ready)
        timeout_ms = 0;
    else if (timeout_ms < 0 || timeout_ms > until_tick)
        timeout_ms = until_tick;
    int n = epoll_wait(l->ep, evs, LOOP_BATCH, timeout_ms);
    if (n < 0 && errno != EINTR)
        return -1;
    l->hold_writes = n > 1;
    for (int i = 0; i < n; i++) {
        struct loop_ev *ev = evs[i].data.ptr;
        ev->fn(ev, evs[i].events);
    }
    if (loop_now_ms() >= l->next_tick) {
        if (l->hooks.tick)
            l->hooks.tick(l->hooks.ctx);
        l->next_tick = loop_now_ms() + LOOP_TICK_MS;
    }
    l->hold_writes = false;
    run_ready(l);
    if (l->hooks.after_batch)
        l->hooks.after_batch(l->hooks.ctx);
    return n < 0 ? 0 : n;
}
