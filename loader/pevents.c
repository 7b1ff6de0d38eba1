/* pevents.c: see pevents.h. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "identity.h"
#include "log.h"
#include "pevents.h"
#include "procs.h"
#include "ring.h"
#include "stamp.h"

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)
/* How long a lookup waits for a process event the kernel is still
 * writing (reserved, not yet committed: it holds back the rest). */
#define SETTLE_SPINS 2000

int tpl_no_process_events;

static struct {
	tpl_event_sink sink;
	int started;     /* programs attached */
	int seeded;      /* tpl_pev_seed_begin said whether to seed */
	int ring_fd, lost_fd;
	int *links;
	int nlinks;
	struct tpl_rings *rb;
	unsigned long long malformed;
	/* exits read, printed after the policies' ring buffers */
	struct pexit {
		struct tpl_proc *p;
		tpc_u64 ktime;
		tpc_u32 code;
	} *exits;
	size_t nexits, cap;
	uint64_t next_gc;
} pev = { .ring_fd = -1, .lost_fd = -1 };

static uint64_t boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void tpl_pev_init(tpl_event_sink sink)
{
	char node[256];
	pev.sink = sink;
	tpl_node_name(node, sizeof(node));
	tpl_pcache_init(node);
}

int tpl_pev_wanted(void)
{
	return !pev.started;
}

/* ---- records ---- */

static void queue_exit(struct tpl_proc *p, tpc_u64 ktime, tpc_u32 code)
{
	if (pev.nexits == pev.cap) {
		size_t cap = pev.cap ? pev.cap * 2 : 64;
		struct pexit *n = realloc(pev.exits, cap * sizeof(*n));
		if (!n)
			return; /* out of memory: this exit is not printed */
		pev.exits = n;
		pev.cap = cap;
	}
	tpl_proc_get(p);
	pev.exits[pev.nexits++] = (struct pexit){ p, ktime, code };
}

static void flush_exits(void)
{
	for (size_t i = 0; i < pev.nexits; i++) {
		struct pexit *x = &pev.exits[i];
		struct tpl_event e = {
			.kind = TPL_EV_EXIT,
			.proc = x->p,
			.parent = x->p->parent,
			.tid = x->p->pid,
			.uid = x->p->uid,
			.ktime_ns = x->ktime,
			.code = x->code,
		};
		/* a process tp-load knows nothing of (it began before the
		 * process events and ended before /proc was read, and made no
		 * event): an exit with no binary joins nothing; not printed */
		int unknown = (x->p->flags & TPL_PF_MISS) && !x->p->binary[0];
		if (!tpl_no_process_events && !unknown)
			pev.sink(&e);
		tpl_proc_put(x->p);
	}
	pev.nexits = 0;
}

static void malformed(const char *why)
{
	if (pev.malformed++ < 10)
		tpl_err("dropped a malformed process event: %s", why);
}

static int on_pevent(void *ctx, void *data, size_t size)
{
	struct tpc_pevent h;
	(void)ctx;
	if (size < sizeof(h)) {
		malformed("shorter than its header");
		return 0;
	}
	memcpy(&h, data, sizeof(h));
	if (h.abi != TPC_ABI_VERSION || h.size < sizeof(h) || h.size > size) {
		malformed("bad abi or size");
		return 0;
	}
	struct tpl_proc_info x = {
		.pid = h.pid,
		.nspid = h.nspid,
		.uid = h.uid,
		.auid = h.auid,
		.ppid = h.ppid,
		.start_ns = h.start_ns,
		.exec_seq = h.exec_seq,
		.ktime = h.ktime_ns,
		.pstart_ns = h.pstart_ns,
		.pexec_seq = h.pexec_seq,
	};
	switch (h.kind) {
	case TPC_PEV_EXEC: {
		struct tpc_value r[TPC_PEV_RECS];
		size_t off = ALIGN8(sizeof(h));
		if (h.nrecs != TPC_PEV_RECS) {
			malformed("an exec without its records");
			return 0;
		}
		for (int i = 0; i < TPC_PEV_RECS; i++)
			if (tpc_record_take(data, h.size, &off, &r[i])) {
				malformed("a record out of bounds");
				return 0;
			}
		x.binary = r[0].data;
		x.binary_len = r[0].len;
		if (r[0].flags & TPC_ARGF_TRUNCATED)
			x.flags |= TPL_PF_TRUNC_FILENAME;
		if (r[0].flags & TPC_ARGF_FAULT)
			x.flags |= TPL_PF_ERROR_FILENAME;
		x.argv = r[1].data;
		x.argv_len = r[1].len;
		if (r[1].flags & TPC_ARGF_TRUNCATED)
			x.flags |= TPL_PF_TRUNC_ARGS;
		if (r[1].flags & TPC_ARGF_FAULT)
			x.flags |= TPL_PF_ERROR_ARGS;
		x.cwd = r[2].data;
		x.cwd_len = r[2].len;
		if (r[2].flags & TPC_ARGF_FAULT)
			x.flags |= TPL_PF_ERROR_CWD;
		x.cgroup = r[3].data;
		x.cgroup_len = r[3].len;
		struct tpl_proc *p = tpl_pcache_exec(&x);
		if (p && !tpl_no_process_events) {
			struct tpl_event e = {
				.kind = TPL_EV_EXEC,
				.proc = p,
				.parent = p->parent,
				.tid = h.pid,
				.uid = p->uid,
				.ktime_ns = h.ktime_ns,
			};
			pev.sink(&e);
		}
		break;
	}
	case TPC_PEV_FORK:
		tpl_pcache_fork(&x);
		break;
	case TPC_PEV_EXIT: {
		struct tpl_proc *p = tpl_pcache_find(h.pid, h.start_ns, h.exec_seq, 1);
		if (!p)
			p = tpl_pcache_missing(h.pid, h.start_ns, h.exec_seq, 0, "", 0);
		if (p) {
			tpl_pcache_exited(p, h.ktime_ns);
			queue_exit(p, h.ktime_ns, h.code);
		}
		break;
	}
	default:
		malformed("unknown kind");
	}
	return 0;
}

/* ---- reading the process ring buffer ---- */

static int pump(void)
{
	return pev.rb ? tpl_rings_consume(pev.rb) : 0;
}

/* Everything committed is read; a record the kernel is still writing
 * holds back those after it: wait for it, briefly. */
static void pump_settled(void)
{
	if (!pev.rb)
		return;
	pump();
	for (int i = 0; i < SETTLE_SPINS; i++) {
		if (!tpl_rings_pending(pev.rb))
			return;
		sched_yield();
		pump();
	}
}

void tpl_event_of_hook(const struct tpc_ev *ev, const char *policy, struct tpl_event *e)
{
	const struct tpc_event *h = &ev->h;
	struct tpl_proc *p = tpl_pcache_find(h->pid, h->start_ns, h->exec_seq, 0);
	if (!p) {
		/* its exec or fork may not have been read yet */
		pump_settled();
		p = tpl_pcache_find(h->pid, h->start_ns, h->exec_seq, 0);
	}
	if (!p) {
		/* a process older than tp-load: /proc does not show which exec
		 * it was at, every exec since is read: this event's is the one */
		p = tpl_pcache_find(h->pid, h->start_ns, h->exec_seq, 1);
		if (p && (p->flags & TPL_PF_PROCFS) && !p->seq_known) {
			p->exec_seq = h->exec_seq;
			p->seq_known = 1;
		}
	}
	if (!p)
		p = tpl_pcache_missing(h->pid, h->start_ns, h->exec_seq, h->ppid, ev->bin.data,
				       tpc_value_strlen(&ev->bin));
	memset(e, 0, sizeof(*e));
	e->kind = TPL_EV_HOOK;
	e->proc = p;
	e->parent = p ? p->parent : NULL;
	e->tid = h->tid;
	e->uid = h->uid;
	e->ktime_ns = h->ktime_ns;
	e->ev = ev;
	e->policy = policy;
}

static void gc(void)
{
	uint64_t now = boot_ns();
	if (now < pev.next_gc)
		return;
	pev.next_gc = now + 1000000000ULL;
	tpl_pcache_gc(now);
}

int tpl_events_poll(struct tpl_rings *rb, int ms)
{
	int n = 0, err;
	gc();
	err = pump();
	if (err < 0 && err != -EINTR)
		return err;
	if (err > 0)
		n += err;
	if (rb) {
		err = tpl_rings_poll(rb, ms);
		/* events below the wakeup mark raise no epoll event: read them */
		if (err == 0)
			err = tpl_rings_consume(rb);
	} else if (pev.rb) {
		err = tpl_rings_poll(pev.rb, ms);
	} else {
		err = poll(NULL, 0, ms) < 0 ? -errno : 0;
	}
	if (err > 0)
		n += err;
	/* exits after the events their processes made before they ended */
	if (pev.nexits)
		n += (int)pev.nexits;
	flush_exits();
	return err < 0 ? err : n;
}

int tpl_events_drain(struct tpl_rings *rb)
{
	int err = 0;
	pump();
	if (rb)
		err = tpl_rings_consume(rb);
	pump();
	flush_exits();
	return err < 0 ? err : 0;
}

/* ---- the programs ---- */

int tpl_pev_adopt(const char *path, int ring_fd, int lost_fd, const int *links, int nlinks)
{
	pev.links = malloc(sizeof(int) * (size_t)(nlinks ? nlinks : 1));
	if (!pev.links) {
		tpl_err("out of memory");
		return -1;
	}
	memcpy(pev.links, links, sizeof(int) * (size_t)nlinks);
	pev.nlinks = nlinks;
	pev.ring_fd = ring_fd;
	pev.lost_fd = lost_fd;
	pev.started = 1;
	pev.rb = tpl_rings_new();
	int err = pev.rb ? tpl_rings_add(pev.rb, ring_fd, on_pevent, NULL) : -errno;
	if (err) {
		tpl_err("%s: cannot open ring buffer %s: %s", path, TPC_MAP_PEVENTS, strerror(-err));
		return -1;
	}
	return 0;
}

int tpl_pev_seed_begin(void)
{
	/* processes older than tp-load: from /proc, once the kernel reports
	 * every exec, fork and exit (what changes meanwhile is in the ring).
	 * Only where /proc shows the pids the kernel reports: not from a
	 * container of its own pid namespace. */
	if (!pev.started || pev.seeded)
		return 0;
	pev.seeded = 1;
	if (!tpl_host_tgid || tpl_host_tgid != (unsigned int)getpid()) {
		tpl_info("note: /proc shows another pid namespace than the kernel's: processes older than tp-load "
			 "are named by what their events carry");
		return 0;
	}
	/* an exec the ring reports from before this instant is already what
	 * the walk, which starts after it, reads */
	tpl_pcache_set_seed_time(boot_ns());
	return 1;
}

void tpl_pev_detach(void)
{
	for (int i = pev.nlinks - 1; i >= 0; i--)
		close(pev.links[i]);
	pev.nlinks = 0;
}

unsigned long long tpl_pev_lost(void)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	tpc_u32 key = 0;
	if (pev.lost_fd < 0 || ncpus <= 0)
		return 0;
	tpc_u64 *v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(pev.lost_fd, &key, v) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum + pev.malformed;
}

void tpl_pev_fini(void)
{
	tpl_pev_detach();
	flush_exits();
	free(pev.exits);
	pev.exits = NULL;
	tpl_rings_free(pev.rb);
	pev.rb = NULL;
	free(pev.links);
	pev.links = NULL;
	if (pev.ring_fd >= 0)
		close(pev.ring_fd);
	if (pev.lost_fd >= 0)
		close(pev.lost_fd);
	pev.ring_fd = pev.lost_fd = -1;
	tpl_pcache_free();
	tpl_identity_free();
}
