/* loop — the event loop: one epoll set, a ready list, a periodic tick, signals through a
 * signalfd and an end-of-batch hook. It knows nothing of HTTP, clients or engines (like Redis's
 * ae.c): callers register a struct loop_ev with a handler and get called back.
 *
 * Contract:
 *  - Sockets are watched edge-triggered for input and the peer's FIN (EPOLLIN | EPOLLRDHUP |
 *    EPOLLET); output (EPOLLOUT) only once loop_arm_out() asks for it, and then for as long as the
 *    registration lives (a full send buffer is rare; re-arming per write would cost a system call).
 *    A registration is made once per socket; the handler receives the epoll event mask.
 *  - loop_ready() queues a task to run after the current batch, once however often it is queued;
 *    a task queued while the ready list runs runs in the next turn (no unbounded nesting).
 *  - While a batch of more than one event is being dispatched, loop_hold_writes() is true: a
 *    writer queues itself with loop_ready() instead of writing, so a peer is woken once for
 *    several answers. Ready tasks always run with it false.
 *  - After every batch (events, tick, ready list) the after_batch hook runs: the place where
 *    objects freed during the batch are really released, since the batch may still hold events
 *    for them.
 *  - The tick hook runs every LOOP_TICK_MS (checked after each batch; never early).
 *  - Signals in the set given to loop_init() are blocked and delivered to the signal hook, one
 *    call per signal, from the loop (never asynchronously).
 *  - loop_step() waits at most timeout_ms (0 when ready tasks wait) and returns the number of
 *    events dispatched, or -1 on a failed epoll_wait other than EINTR.
 * No global state: everything lives in struct loop, owned by its caller.
 */
#ifndef SW_LOOP_H
#define SW_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define LOOP_TICK_MS 250   /* deadlines, buffer release, registration of unwatched clients */
#define LOOP_BATCH 256     /* epoll events taken per epoll_wait */

struct loop_ev;
typedef void (*loop_handler)(struct loop_ev *ev, uint32_t events);

/* Embedded in every watched object; ptr of the epoll registration points here. */
struct loop_ev {
    loop_handler fn;
};

struct loop_task;
typedef void (*loop_task_fn)(struct loop_task *t);
struct loop_task {
    loop_task_fn fn;
    struct loop_task *next;
    bool queued;
};

struct loop_hooks {
    void *ctx;
    void (*tick)(void *ctx);
    void (*after_batch)(void *ctx);
    void (*on_signal)(void *ctx, int signo);
};

struct loop {
    int ep;
    int sfd;
    struct loop_ev sig_ev;
    struct loop_task *ready;
    bool hold_writes;
    uint64_t next_tick;
    struct loop_hooks hooks;
};

/* Creates the epoll set and the signalfd for sigs. Returns 0, or -1 with errno set. */
int loop_init(struct loop *l, const sigset_t *sigs, const struct loop_hooks *hooks);
void loop_fini(struct loop *l);

/* Adds fd (edge-triggered input + FIN, and output when out). Returns 0 or -1 (errno). */
int loop_watch(struct loop *l, int fd, struct loop_ev *ev, bool out);
/* Adds EPOLLOUT to fd's registration unless *armed; sets *armed. Returns 0 or -1. */
int loop_arm_out(struct loop *l, int fd, struct loop_ev *ev, bool *armed);
/* Listening sockets: edge-triggered input only. */
int loop_watch_listener(struct loop *l, int fd, struct loop_ev *ev);
void loop_unwatch(struct loop *l, int fd);

void loop_ready(struct loop *l, struct loop_task *t);
static inline bool loop_hold_writes(const struct loop *l)
{
    return l->hold_writes;
}

int loop_step(struct loop *l, int timeout_ms);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t loop_now_ms(void);

#endif
