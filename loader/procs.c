/* procs.c: see procs.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "pcache.h"
#include "procread.h"
#include "procs.h"

int tpl_host_ns_pid = 1;

void tpl_host_ns(tpc_u32 ns[TPC_NS_COUNT])
{
	static tpc_u32 found[TPC_NS_COUNT];
	static int done;
	if (!done) { /* once per tp-load: every object means the same host */
		char pid[32];
		snprintf(pid, sizeof(pid), "%d", tpl_host_ns_pid);
		if (!tpl_read_ns(pid, found)) {
			tpl_info("note: cannot read /proc/%s/ns (not allowed here); host_ns means tp-load's own "
				 "namespaces",
				 pid);
			tpl_read_ns("self", found);
		}
		done = 1;
	}
	memcpy(ns, found, sizeof(found));
}

/* What the seed learns of one process before its follow bits. */
struct seen {
	tpc_u32 pid;
	tpc_u32 nspid; /* in its own pid namespace */
	int parent; /* index in the table, or -1 */
	int done;   /* follow computed */
	int has_ns; /* p.ns was read */
	unsigned long long ticks; /* start time: with pid, which process this is */
	size_t exe_len;           /* of the whole path (p.bin may be cut) */
	struct tpc_proc p;
};

/* The last table walk's processes (sorted by pid), for the next table
 * walks of the same start: a process found there again, with the same
 * start time and executable, takes what status and ns said of it then
 * (capabilities, NSpid, namespaces) instead of reading them again. Only
 * its parent is read anew (a parent's exit reparents it). */
static struct {
	struct seen *v;
	int n;
	int reused; /* of the last walk's processes, how many were known */
} last;

int tpl_seed_reused(void)
{
	return last.reused;
}

void tpl_seed_forget(void)
{
	free(last.v);
	last.v = NULL;
	last.n = last.reused = 0;
}

static int binary_matches(const struct tpc_mfollow *f, const struct tpc_proc *p)
{
	for (int i = 0; i < f->nvalues; i++) {
		size_t len = strlen(f->values[i]);
		switch (f->op) {
		case TPC_FOLLOW_IN:
			if (p->binlen == len && !memcmp(p->bin, f->values[i], len))
				return 1;
			break;
		case TPC_FOLLOW_PREFIX:
			if (p->binlen >= len && !memcmp(p->bin, f->values[i], len))
				return 1;
			break;
		case TPC_FOLLOW_POSTFIX:
			if (p->binlen >= len && !memcmp(p->bin + p->binlen - len, f->values[i], len))
				return 1;
			break;
		}
	}
	return 0;
}

static int pid_matches(const struct tpc_mfollow *f, tpc_u32 pid)
{
	for (int i = 0; i < f->nvalues; i++)
		if (strtoul(f->values[i], NULL, 10) == pid)
			return 1;
	return 0;
}

/* Bits a child of `parent` inherits: as the kernel side's
 * tpc_fork_follow(), plus the parent's own. */
static tpc_u64 inherited(const struct tpc_manifest *m, const struct seen *parent)
{
	tpc_u64 bits = parent->p.follow;
	for (int i = 0; i < m->nfollows; i++) {
		const struct tpc_mfollow *f = &m->follows[i];
		int hit = f->kind == TPC_FOLLOW_PID ? pid_matches(f, f->ns ? parent->nspid : parent->pid)
						    : binary_matches(f, &parent->p);
		if (hit)
			bits |= 1ULL << f->bit;
	}
	return bits;
}

static int by_pid(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* v is sorted by pid */
static int find(const struct seen *v, int n, tpc_u32 pid)
{
	struct seen key = {.pid = pid};
	const struct seen *hit = bsearch(&key, v, (size_t)n, sizeof(*v), by_pid);
	return hit ? (int)(hit - v) : -1;
}

/* Follow bits from the root down; iterative, and safe on a cycle that a
 * racing /proc read could show. */
static void compute_follow(const struct tpc_manifest *m, struct seen *v, int n)
{
	for (int i = 0; i < n; i++) {
		int chain[64], depth = 0, j = i;
		while (j >= 0 && !v[j].done && depth < 64) {
			chain[depth++] = j;
			v[j].done = 1; /* also marks the path against cycles */
			j = v[j].parent;
		}
		while (depth--) {
			struct seen *s = &v[chain[depth]];
			s->p.follow = s->parent >= 0 ? inherited(m, &v[s->parent]) : 0;
		}
	}
}

/* One process into tp-load's table, from what was read of it. */
static int into_pcache(const struct tpl_proc_read *r, unsigned long long tick)
{
	if (!r->exe_len)
		return 0; /* a kernel thread: no program to name */
	struct tpl_proc_info x = {
		.pid = r->pid,
		.nspid = r->nspid,
		.uid = r->euid,
		.auid = r->auid,
		.ppid = r->ppid,
		.start_ns = r->ticks * tick,
		.binary = r->exe,
		.binary_len = r->exe_len,
		.argv = r->argv ? r->argv : "",
		.argv_len = r->argv ? r->argv_len : 0,
		.cwd = r->cwd,
		.cwd_len = r->cwd_len > 0 ? (size_t)r->cwd_len : 0,
		.cgroup = r->cgroup,
		.cgroup_len = r->cgroup ? r->cgroup_len : 0,
	};
	x.ktime = x.start_ns;
	if (r->cwd_len < 0)
		x.flags |= TPL_PF_ERROR_CWD;
	if (!r->argv)
		x.flags |= TPL_PF_ERROR_ARGS;
	else if (r->argv_len >= TPC_BUF_MAX)
		x.flags |= TPL_PF_TRUNC_ARGS;
	return tpl_pcache_seeded(&x) != NULL;
}

/* A process of the last walk that is this one still (same start time,
 * same executable; an exec of another binary changes the latter), with
 * namespaces if they are needed; else NULL. */
static const struct seen *known(const struct tpl_proc_read *r, int need_ns)
{
	int i = last.n ? find(last.v, last.n, r->pid) : -1;
	if (i < 0)
		return NULL;
	const struct seen *s = &last.v[i];
	if (s->ticks != r->ticks || s->exe_len != r->exe_len || (need_ns && !s->has_ns))
		return NULL;
	size_t cmp = s->p.binlen < r->exe_len ? s->p.binlen : r->exe_len;
	return memcmp(s->p.bin, r->exe, cmp) ? NULL : s;
}

/* The walk both seeds share: every /proc/<pid> read once, for the
 * object's table when procs_fd >= 0 and for tp-load's when pcache. */
static int walk(int procs_fd, const struct tpc_manifest *m, int pcache)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct seen *v = NULL;
	int n = 0, cap = 0, count = 0, table = procs_fd >= 0;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long tick = hz > 0 ? 1000000000ULL / (unsigned long long)hz : 10000000ULL;
	/* ten stat(2) calls a process: only for objects that compare with
	 * exec-time namespaces (the kernel records its own) */
	int need_ns = table && m && m->seed_exec_state, reused = 0;
	struct tpl_proc_read *r = malloc(sizeof(*r)); /* two paths of 4 KB: not on the stack */

	if (!d || !r) {
		if (d)
			closedir(d);
		free(r);
		return 0;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (!de->d_name[0] || *end || pid == 0 || pid > 0xffffffffUL)
			continue;
		if (table && n == cap) {
			int nc = cap ? cap * 2 : 512;
			struct seen *nv = realloc(v, sizeof(*v) * (size_t)nc);
			if (!nv)
				break;
			v = nv;
			cap = nc;
		}
		int dfd = tpl_proc_open(de->d_name);
		if (dfd < 0)
			continue;
		tpl_proc_init(r, (tpc_u32)pid);
		/* stat first: a process gone is skipped; tp-load's table has no
		 * use for a kernel thread (no executable) */
		if (tpl_proc_read(dfd, TPL_READ_STAT | TPL_READ_EXE, r) || (!table && !r->exe_len)) {
			close(dfd);
			continue;
		}
		const struct seen *k = table ? known(r, need_ns) : NULL;
		reused += k != NULL;
		unsigned more = (k ? 0 : TPL_READ_STATUS | (need_ns ? TPL_READ_NS : 0)) | (pcache ? TPL_READ_PCACHE : 0);
		if (pcache)
			more |= TPL_READ_STATUS; /* its uid and NSpid, for tp-load's table */
		tpl_proc_read(dfd, more, r);
		close(dfd);
		if (pcache && into_pcache(r, tick) && !table)
			count++;
		if (table) {
			struct seen *s = &v[n++];
			memset(s, 0, sizeof(*s));
			s->pid = r->pid;
			s->ticks = r->ticks;
			s->exe_len = r->exe_len;
			s->p.ppid = r->ppid;
			if (k) {
				s->nspid = k->nspid;
				s->has_ns = k->has_ns;
				memcpy(s->p.ns, k->p.ns, sizeof(s->p.ns));
				memcpy(s->p.caps, k->p.caps, sizeof(s->p.caps));
			} else {
				s->nspid = r->nspid;
				s->has_ns = need_ns;
				memcpy(s->p.ns, r->ns, sizeof(s->p.ns));
				memcpy(s->p.caps, r->caps, sizeof(s->p.caps));
			}
			/* kernel threads, or not allowed: no binary */
			size_t len = r->exe_len < sizeof(s->p.bin) ? r->exe_len : sizeof(s->p.bin) - 1;
			memcpy(s->p.bin, r->exe, len);
			s->p.bin[len] = '\0';
			s->p.binlen = (tpc_u32)len;
		}
		tpl_proc_read_free(r);
	}
	closedir(d);
	free(r);
	if (pcache)
		tpl_pcache_link_seeded();
	if (!table)
		return count;
	if (n)
		qsort(v, (size_t)n, sizeof(*v), by_pid);
	for (int i = 0; i < n; i++)
		v[i].parent = find(v, n, v[i].p.ppid);
	if (m && m->nfollows)
		compute_follow(m, v, n);
	for (int i = 0; i < n; i++)
		if (bpf_map_update_elem(procs_fd, &v[i].pid, &v[i].p, BPF_NOEXIST) == 0)
			count++;
	/* kept for the next object's walk, without this object's follow
	 * bits (computed afresh, per object) */
	tpl_seed_forget();
	for (int i = 0; i < n; i++)
		v[i].p.follow = 0, v[i].done = 0;
	last.v = v;
	last.n = n;
	last.reused = reused;
	return count;
}

int tpl_seed_procs(int procs_fd, const struct tpc_manifest *m, int pcache)
{
	return walk(procs_fd, m, pcache);
}

int tpl_seed_pcache(void)
{
	return walk(-1, NULL, 1);
}
