/*
 * wf-delayer: one-way delay and jitter for the field lab, in user space.
 *
 * The kernel on the lab machine has no netem, so a router namespace sends
 * every forwarded packet to an NFQUEUE (iptables -j NFQUEUE --queue-bypass)
 * and this program holds each one until its release time, then accepts it.
 *
 *   wf-delayer --queue N --delay-ms D [--jitter-ms J] [--seed S]
 *
 * Release time = max(previous release, arrival + D + uniform(-J, +J)), so
 * delay varies but packets never overtake each other (no reordering).
 *
 * Build: cc -O2 -Wall -Wextra -o wf-delayer delayer.c -lnetfilter_queue
 */
#define _GNU_SOURCE /* getopt_long, timerfd, signalfd, SO_RCVBUFFORCE */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define QUEUE_MAXLEN 20000u        /* kernel-side cap on packets held at once */
#define RCVBUF_BYTES (8 << 20)     /* room for bursts before the kernel says ENOBUFS */
#define MAX_DRAIN 1024             /* messages read per wake-up before releasing again */
#define GRACE_NS 50000000u         /* undelayed pass-through after SIGTERM, before unbinding */

/* One held packet: the kernel's id for the verdict and when it may leave. */
struct held {
    uint32_t id;
    uint64_t release_ns;
};

/* FIFO of held packets. Release times never decrease, so the head is always
 * the next one due and a ring buffer is all we need. It grows if ever full. */
static struct held *ring;
static size_t ring_cap, ring_head, ring_len;

static uint64_t delay_ns, jitter_ns, last_release_ns;
static uint64_t rng_state;
static uint64_t n_packets, n_enobufs;
static size_t max_held;
static uint32_t last_seen_id;
static int seen_any;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* monotonic: wall-clock steps must not stall packets */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, seedable, good enough to spread jitter evenly. */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void ring_push(uint32_t id, uint64_t release_ns)
{
    if (ring_len == ring_cap) {
        /* Grow and unwrap so the FIFO restarts at index 0. */
        size_t cap = ring_cap ? ring_cap * 2 : 1024;
        struct held *r = malloc(cap * sizeof *r);
        if (!r) {
            fprintf(stderr, "wf-delayer: out of memory\n");
            exit(1);
        }
        for (size_t i = 0; i < ring_len; i++)
            r[i] = ring[(ring_head + i) % ring_cap];
        free(ring);
        ring = r;
        ring_cap = cap;
        ring_head = 0;
    }
    ring[(ring_head + ring_len) % ring_cap] = (struct held){ id, release_ns };
    ring_len++;
    if (ring_len > max_held)
        max_held = ring_len;
}

/* Called by libnetfilter_queue for each queued packet: stamp it, hold it. */
static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
                     struct nfq_data *nfa, void *data)
{
    (void)qh; (void)msg; (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph)
        return 0;
    uint32_t id = ntohl(ph->packet_id);

    int64_t d = (int64_t)delay_ns;
    if (jitter_ns) {
        /* uniform in [-J, +J): 53 random bits scaled to 2J, shifted by -J */
        double u = (double)(rng_next() >> 11) / 9007199254740992.0;
        d += (int64_t)(u * 2.0 * (double)jitter_ns) - (int64_t)jitter_ns;
    }
    if (d < 0)
        d = 0; /* jitter larger than the delay cannot send a packet back in time */

    /* Arrival is when we read it: if we are ever starved of CPU, the stall
     * adds to the delay rather than being hidden. */
    uint64_t release = now_ns() + (uint64_t)d;
    if (release < last_release_ns)
        release = last_release_ns; /* never overtake the packet ahead: keeps FIFO order */
    last_release_ns = release;

    ring_push(id, release);
    last_seen_id = id;
    seen_any = 1;
    n_packets++;
    return 0;
}

/* Accept every held packet due by `until`. Ids rise in arrival order and the
 * due ones are a prefix of the FIFO, so one batch verdict ("all ids up to X")
 * covers them in one syscall instead of one per packet. */
static void release_due(struct nfq_q_handle *qh, uint64_t until)
{
    uint32_t last_id = 0;
    int any = 0;
    while (ring_len && ring[ring_head].release_ns <= until) {
        last_id = ring[ring_head].id;
        any = 1;
        ring_head = (ring_head + 1) % ring_cap;
        ring_len--;
    }
    if (any && nfq_set_verdict_batch(qh, last_id, NF_ACCEPT) < 0)
        fprintf(stderr, "wf-delayer: verdict for id %" PRIu32 " failed: %s\n",
                last_id, strerror(errno));
}

/* Read whatever the kernel has queued for us, without blocking. */
static void drain(struct nfq_handle *h, int fd)
{
    /* Meta-only messages are a few hundred bytes; 64 KiB takes any one. */
    static char buf[65536] __attribute__((aligned));
    for (int i = 0; i < MAX_DRAIN; i++) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == ENOBUFS) {
                /* Our socket buffer overflowed: the kernel could not tell us
                 * about some packets and dropped them (its user_dropped
                 * counter). Nothing is left half-queued, so count it and
                 * keep going rather than die mid-test. */
                n_enobufs++;
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                fprintf(stderr, "wf-delayer: recv: %s\n", strerror(errno));
            return;
        }
        nfq_handle_packet(h, buf, (int)n);
    }
}

/* Point the timer at `at` (monotonic ns; 0 disarms). With nothing held it
 * stays disarmed and the process sleeps in poll(), using no CPU. */
static void arm_timer(int tfd, uint64_t at)
{
    static uint64_t armed_for; /* 0 = disarmed */
    if (at == armed_for)
        return;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = (time_t)(at / 1000000000u);
    its.it_value.tv_nsec = (long)(at % 1000000000u);
    if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
        fprintf(stderr, "wf-delayer: timerfd_settime: %s\n", strerror(errno));
        exit(1);
    }
    armed_for = at;
}

/* The kernel's own drop counters for our queue (queue full; could not
 * notify us), from /proc/net/netfilter/nfnetlink_queue of our namespace. */
static void kernel_drops(unsigned queue, unsigned long *queue_dropped,
                         unsigned long *user_dropped)
{
    *queue_dropped = *user_dropped = 0;
    FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");
    if (!f)
        return;
    unsigned q, portid, total, mode, range;
    unsigned long qd, ud;
    while (fscanf(f, "%u %u %u %u %u %lu %lu %*[^\n]", &q, &portid, &total,
                  &mode, &range, &qd, &ud) == 7) {
        if (q == queue) {
            *queue_dropped = qd;
            *user_dropped = ud;
        }
    }
    fclose(f);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: wf-delayer --queue N --delay-ms D [--jitter-ms J] [--seed S]\n"
            "  holds every packet of NFQUEUE N for D ms (+/- uniform J ms), keeping order\n");
    exit(2);
}

static unsigned long long parse_num(const char *s, const char *what,
                                    unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr, "wf-delayer: bad %s: '%s'\n", what, s);
        usage();
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "queue", required_argument, NULL, 'q' },
        { "delay-ms", required_argument, NULL, 'd' },
        { "jitter-ms", required_argument, NULL, 'j' },
        { "seed", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long long queue = -1, delay_ms = -1;
    unsigned long long jitter_ms = 0, seed = 0;
    int have_seed = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'q': queue = (long long)parse_num(optarg, "--queue", 65535); break;
        case 'd': delay_ms = (long long)parse_num(optarg, "--delay-ms", 600000); break;
        case 'j': jitter_ms = parse_num(optarg, "--jitter-ms", 600000); break;
        case 's': seed = parse_num(optarg, "--seed", UINT64_MAX); have_seed = 1; break;
        default: usage();
        }
    }
    if (optind != argc || queue < 0 || delay_ms < 0)
        usage();
    delay_ns = (uint64_t)delay_ms * 1000000u;
    jitter_ns = (uint64_t)jitter_ms * 1000000u;
    rng_state = have_seed ? (uint64_t)seed : now_ns() ^ ((uint64_t)getpid() << 32);

    /* Take SIGTERM/SIGINT through a signalfd so shutdown happens in the main
     * loop, where it is safe to issue verdicts for everything still held. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (sfd < 0 || tfd < 0) {
        fprintf(stderr, "wf-delayer: signalfd/timerfd: %s\n", strerror(errno));
        return 1;
    }

    struct nfq_handle *h = nfq_open();
    if (!h) {
        fprintf(stderr, "wf-delayer: cannot open nfnetlink: %s (root or CAP_NET_ADMIN needed)\n",
                strerror(errno));
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
    if (!qh) {
        fprintf(stderr, "wf-delayer: cannot bind NFQUEUE %lld: %s "
                "(another process holds it, or no CAP_NET_ADMIN)\n", queue, strerror(errno));
        nfq_close(h);
        return 1;
    }
    /* Metadata only: we never look at the payload, so don't copy it. */
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
        fprintf(stderr, "wf-delayer: cannot set copy mode on NFQUEUE %lld: %s\n",
                queue, strerror(errno));
        return 1;
    }
    /* The kernel's default maxlen is 1024 packets: 20 Mbit/s held for 100 ms
     * is already ~180, and larger delays or rates must not drop. */
    if (nfq_set_queue_maxlen(qh, QUEUE_MAXLEN) < 0)
        fprintf(stderr, "wf-delayer: cannot set queue maxlen: %s\n", strerror(errno));
    /* GSO: take unsegmented super-packets; segmenting them only to delay every
     * piece identically is wasted work. Deliberately not FAIL_OPEN: a full
     * queue should drop like a full router buffer, not skip the delay (which
     * would reorder). An older kernel may refuse the flag; that is fine. */
    nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);

    int nfd = nfq_fd(h);
    /* A big socket buffer absorbs bursts; FORCE goes past rmem_max as root.
     * (Set directly: libnfnetlink's helper would need another -l flag.) */
    int rcvbuf = RCVBUF_BYTES;
    if (setsockopt(nfd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(nfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

    printf("ready\n");
    fflush(stdout);

    struct pollfd pfd[3] = {
        { .fd = nfd, .events = POLLIN },
        { .fd = tfd, .events = POLLIN },
        { .fd = sfd, .events = POLLIN },
    };
    uint64_t stop_at = 0; /* set once SIGTERM/SIGINT arrives */
    for (;;) {
        if (poll(pfd, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "wf-delayer: poll: %s\n", strerror(errno));
            break;
        }
        if (pfd[2].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) < 0)
                fprintf(stderr, "wf-delayer: signalfd read: %s\n", strerror(errno));
            if (!stop_at) {
                /* Let everything held go now, then pass packets through
                 * undelayed for a short grace before unbinding. Unbinding
                 * makes the kernel drop whatever is still queued to us, and
                 * what arrives right after a release is often the replies to
                 * the packets just released (an echo reply over veth is back
                 * in ~0.1 ms); the grace lets those through too. */
                release_due(qh, UINT64_MAX);
                delay_ns = jitter_ns = 0;
                last_release_ns = 0;
                stop_at = now_ns() + GRACE_NS;
            }
        }
        if (pfd[1].revents) {
            uint64_t ticks;
            if (read(tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
                fprintf(stderr, "wf-delayer: timerfd read: %s\n", strerror(errno));
        }
        if (pfd[0].revents)
            drain(h, nfd);
        uint64_t now = now_ns();
        release_due(qh, now);
        if (stop_at && now >= stop_at)
            break;
        arm_timer(tfd, stop_at ? stop_at : ring_len ? ring[ring_head].release_ns : 0);
    }

    /* Final sweep: pick up anything already queued and let it all go. A
     * packet arriving between this verdict and the unbind below is dropped
     * by the kernel (a window of microseconds); with --queue-bypass every
     * later packet flows undelayed. */
    unsigned long qd, ud;
    kernel_drops((unsigned)queue, &qd, &ud); /* gone from /proc once unbound */
    drain(h, nfd);
    if (seen_any && nfq_set_verdict_batch(qh, last_seen_id, NF_ACCEPT) < 0)
        fprintf(stderr, "wf-delayer: final verdict failed: %s\n", strerror(errno));
    nfq_destroy_queue(qh);
    nfq_close(h);
    fprintf(stderr, "wf-delayer: queue %lld packets %" PRIu64 " max_held %zu enobufs %" PRIu64
            " kernel_queue_dropped %lu kernel_user_dropped %lu\n",
            queue, n_packets, max_held, n_enobufs, qd, ud);
    return 0;
}
