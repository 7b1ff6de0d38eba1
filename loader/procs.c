/* procs.c: see procs.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "pcache.h"
#include "procs.h"

int tpl_host_ns_pid = 1;

/* /proc/<pid>/ns/<name> for each TPC_NS_* index */
static const char *const ns_files[TPC_NS_COUNT] = {
	"uts", "ipc", "mnt", "pid", "pid_for_children", "net", "time", "time_for_children", "cgroup", "user",
};

static int read_ns(const char *pid, tpc_u32 ns[TPC_NS_COUNT])
{
	int got = 0;
	for (int i = 0; i < TPC_NS_COUNT; i++) {
		char path[96];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, ns_files[i]);
		ns[i] = stat(path, &st) ? 0 : (tpc_u32)st.st_ino;
		got += ns[i] != 0;
	}
	return got;
}

void tpl_host_ns(tpc_u32 ns[TPC_NS_COUNT])
{
	static tpc_u32 found[TPC_NS_COUNT];
	static int done;
	if (!done) { /* once per tp-load: every object means the same host */
		char pid[32];
		snprintf(pid, sizeof(pid), "%d", tpl_host_ns_pid);
		if (!read_ns(pid, found)) {
			tpl_info("note: cannot read /proc/%s/ns (not allowed here); host_ns means tp-load's own "
				 "namespaces",
				 pid);
			read_ns("self", found);
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
	struct tpc_proc p;
};

/* What both seeds read of /proc/PID/status.  Fields not found keep the
 * values the caller set. */
struct proc_status {
	unsigned long long cap_inh, cap_prm, cap_eff;
	tpc_u32 euid;  /* second of Uid: */
	tpc_u32 nspid; /* innermost of NSpid: */
};

static void read_status(const char *pid, struct proc_status *st)
{
	char path[300], line[512];
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		unsigned long r, e;
		if (sscanf(line, "CapInh: %llx", &v) == 1)
			st->cap_inh = v;
		else if (sscanf(line, "CapPrm: %llx", &v) == 1)
			st->cap_prm = v;
		else if (sscanf(line, "CapEff: %llx", &v) == 1)
			st->cap_eff = v;
		else if (sscanf(line, "Uid: %lu %lu", &r, &e) == 2)
			st->euid = (tpc_u32)e;
		else if (!strncmp(line, "NSpid:", 6)) {
			char *last = strrchr(line, '\t');
			if (!last)
				last = strrchr(line, ' ');
			if (last)
				st->nspid = (tpc_u32)strtoul(last + 1, NULL, 10);
		}
	}
	fclose(f);
}

/* Fields 4 (ppid) and 22 (start time, in clock ticks) of /proc/PID/stat;
 * both follow the ")" that ends the comm, which may itself hold ")" and
 * spaces. */
static int read_stat(const char *pid, tpc_u32 *ppid, unsigned long long *ticks)
{
	char path[300], buf[1024];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	if (!rp)
		return -1;
	unsigned long v;
	char state;
	if (sscanf(rp + 1, " %c %lu", &state, &v) != 2 || v > 0xffffffffUL)
		return -1;
	*ppid = (tpc_u32)v;
	/* after ")": field 3 is the state; start time is field 22 */
	int field = 2;
	for (char *c = rp + 1; *c; c++)
		if (*c == ' ' && ++field == 22) {
			*ticks = strtoull(c + 1, NULL, 10);
			return 0;
		}
	return -1;
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

int tpl_seed_procs(int procs_fd, const struct tpc_manifest *m)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct seen *v = NULL;
	int n = 0, cap = 0, count = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (!de->d_name[0] || *end || pid == 0 || pid > 0xffffffffUL)
			continue;
		if (n == cap) {
			int nc = cap ? cap * 2 : 512;
			struct seen *nv = realloc(v, sizeof(*v) * (size_t)nc);
			if (!nv)
				break;
			v = nv;
			cap = nc;
		}
		struct seen *s = &v[n];
		memset(s, 0, sizeof(*s));
		s->pid = (tpc_u32)pid;
		unsigned long long ticks;
		if (read_stat(de->d_name, &s->p.ppid, &ticks))
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/proc/%s/exe", de->d_name);
		ssize_t len = readlink(path, s->p.bin, sizeof(s->p.bin) - 1);
		if (len < 0)
			len = 0; /* kernel threads, or not allowed: no binary */
		s->p.bin[len] = '\0';
		s->p.binlen = (tpc_u32)len;
		/* ten stat(2) calls a process: only for objects that compare
		 * with exec-time namespaces (the kernel records its own) */
		if (m && m->seed_exec_state)
			read_ns(de->d_name, s->p.ns);
		struct proc_status st = { .nspid = s->pid };
		read_status(de->d_name, &st);
		s->p.caps[0] = st.cap_eff;
		s->p.caps[1] = st.cap_inh;
		s->p.caps[2] = st.cap_prm;
		s->nspid = st.nspid;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), by_pid);
	for (int i = 0; i < n; i++)
		v[i].parent = find(v, n, v[i].p.ppid);
	if (m && m->nfollows)
		compute_follow(m, v, n);
	for (int i = 0; i < n; i++)
		if (bpf_map_update_elem(procs_fd, &v[i].pid, &v[i].p, BPF_NOEXIST) == 0)
			count++;
	free(v);
	return count;
}

/* ---- the seed of tp-load's process table (pcache.c) ---- */

/* The whole of a small /proc file (cmdline, cgroup), NUL-terminated; its
 * length in *n. NULL when it cannot be read. */
static char *read_all(const char *pid, const char *what, size_t *n)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == cap) {
			if (cap >= TPC_BUF_MAX) /* as the kernel side reads at most */
				break;
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	if (buf) {
		buf[len] = '\0';
		*n = len;
	}
	return buf;
}

int tpl_seed_pcache(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long tick = hz > 0 ? 1000000000ULL / (unsigned long long)hz : 10000000ULL;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		if (!de->d_name[0] || *end || pid == 0 || pid > 0xffffffffUL)
			continue;
		struct tpl_proc_info x = { .pid = (tpc_u32)pid, .nspid = (tpc_u32)pid, .auid = 0xffffffff };
		unsigned long long ticks = 0;
		if (read_stat(de->d_name, &x.ppid, &ticks))
			continue;
		char exe[TPC_STR_MAX], cwd[TPC_STR_MAX], path[300];
		snprintf(path, sizeof(path), "/proc/%s/exe", de->d_name);
		ssize_t len = readlink(path, exe, sizeof(exe) - 1);
		if (len <= 0)
			continue; /* a kernel thread, or gone: no program to name */
		exe[len] = '\0';
		snprintf(path, sizeof(path), "/proc/%s/cwd", de->d_name);
		ssize_t clen = readlink(path, cwd, sizeof(cwd) - 1);
		if (clen < 0) {
			clen = 0;
			x.flags |= TPL_PF_ERROR_CWD;
		}
		cwd[clen] = '\0';
		struct proc_status st = { .euid = x.uid, .nspid = x.nspid };
		read_status(de->d_name, &st);
		x.uid = st.euid;
		x.nspid = st.nspid;
		size_t nl = 0;
		char *lu = read_all(de->d_name, "loginuid", &nl);
		if (lu) {
			x.auid = (tpc_u32)strtoul(lu, NULL, 10);
			free(lu);
		}
		size_t an = 0, cn = 0;
		char *argv = read_all(de->d_name, "cmdline", &an);
		char *cg = read_all(de->d_name, "cgroup", &cn);
		if (!argv)
			x.flags |= TPL_PF_ERROR_ARGS;
		else if (an >= TPC_BUF_MAX)
			x.flags |= TPL_PF_TRUNC_ARGS;
		x.start_ns = ticks * tick;
		x.ktime = x.start_ns;
		x.binary = exe;
		x.binary_len = (size_t)len;
		x.argv = argv ? argv : "";
		x.argv_len = argv ? an : 0;
		x.cwd = cwd;
		x.cwd_len = (size_t)clen;
		x.cgroup = cg;
		x.cgroup_len = cg ? cn : 0;
		if (tpl_pcache_seeded(&x))
			n++;
		free(argv);
		free(cg);
	}
	closedir(d);
	tpl_pcache_link_seeded();
	return n;
}
