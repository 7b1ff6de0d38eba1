/* pcache.c: see pcache.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "identity.h"
#include "pcache.h"

#define NBUCKETS 4096
/* An image that ended stays this long: events it made before may still
 * wait in a policy's ring buffer, behind others. */
#define GRACE_NS (10ULL * 1000000000ULL)
/* How often images whose end was lost are looked for in /proc. */
#define SWEEP_NS (30ULL * 1000000000ULL)

static struct tpl_proc *buckets[NBUCKETS];
static size_t count;
static char node_name[256];
static uint64_t seed_time;
static uint64_t tick_ns = 10000000; /* 1e9 / sysconf(_SC_CLK_TCK) */
static uint64_t next_sweep;

void tpl_pcache_init(const char *node)
{
	snprintf(node_name, sizeof(node_name), "%s", node ? node : "");
	long hz = sysconf(_SC_CLK_TCK);
	if (hz > 0)
		tick_ns = 1000000000ULL / (uint64_t)hz;
}

void tpl_pcache_set_seed_time(uint64_t ns)
{
	seed_time = ns;
}

static struct tpl_proc **bucket(uint32_t pid)
{
	return &buckets[pid % NBUCKETS];
}

/* /proc shows a start time in clock ticks: the kernel's start_boottime
 * divided, so a seeded image matches every key of that tick */
static int same_start(const struct tpl_proc *p, uint64_t start_ns)
{
	if (p->flags & TPL_PF_PROCFS)
		return p->start_ns / tick_ns == start_ns / tick_ns;
	return p->start_ns == start_ns;
}

struct tpl_proc *tpl_pcache_find(uint32_t pid, uint64_t start_ns, uint64_t exec_seq, int fuzzy)
{
	struct tpl_proc *seeded = NULL;
	for (struct tpl_proc *p = *bucket(pid); p; p = p->next) {
		if (p->pid != pid || !same_start(p, start_ns))
			continue;
		if (p->seq_known && p->exec_seq == exec_seq)
			return p;
		if (fuzzy && (p->flags & TPL_PF_PROCFS) && !p->seq_known && !seeded)
			seeded = p;
	}
	return seeded;
}

struct tpl_proc *tpl_pcache_alive(uint32_t pid)
{
	struct tpl_proc *best = NULL;
	for (struct tpl_proc *p = *bucket(pid); p; p = p->next)
		if (p->pid == pid && !p->dead_at && (!best || p->ktime > best->ktime))
			best = p;
	return best;
}

void tpl_proc_get(struct tpl_proc *p)
{
	if (p)
		p->refcnt++;
}

void tpl_proc_put(struct tpl_proc *p)
{
	if (p && p->refcnt > 0)
		p->refcnt--;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* up to the first NUL */
static size_t cut(const char *s, size_t n)
{
	const char *z = s ? memchr(s, '\0', n) : NULL;
	return s ? (z ? (size_t)(z - s) : n) : 0;
}

/* Tetragon's arguments: argv[1..] joined by spaces, an argument that
 * holds a space in double quotes. */
static char *join_args(const char *argv, size_t n)
{
	size_t cap = 2 * n + 1, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t i = 0;
	/* argv[0] is the name the caller gave; the binary says what ran */
	while (i < n && argv[i])
		i++;
	i++;
	while (i < n) {
		size_t j = i;
		while (j < n && argv[j])
			j++;
		if (j == n && j == i)
			break;
		int quote = memchr(argv + i, ' ', j - i) != NULL;
		if (len)
			out[len++] = ' ';
		if (quote)
			out[len++] = '"';
		memcpy(out + len, argv + i, j - i);
		len += j - i;
		if (quote)
			out[len++] = '"';
		i = j + 1;
	}
	out[len] = '\0';
	return out;
}

static void make_exec_id(struct tpl_proc *p)
{
	char raw[512];
	int n = snprintf(raw, sizeof(raw), "%s:%llu:%u", node_name, (unsigned long long)p->ktime, p->pid);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	tpl_base64(raw, (size_t)n, p->exec_id, sizeof(p->exec_id));
}

static struct tpl_proc *new_proc(const struct tpl_proc_info *x, uint32_t flags)
{
	struct tpl_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = x->pid;
	p->nspid = x->nspid;
	p->ppid = x->ppid;
	p->uid = x->uid;
	p->auid = x->auid;
	p->start_ns = x->start_ns;
	p->exec_seq = x->exec_seq;
	p->seq_known = !(flags & TPL_PF_PROCFS);
	p->ktime = x->ktime;
	p->flags = flags | x->flags;
	p->binary = dupn(x->binary, cut(x->binary, x->binary_len));
	p->args = x->argv ? join_args(x->argv, x->argv_len) : dupn("", 0);
	p->cwd = dupn(x->cwd, cut(x->cwd, x->cwd_len));
	if (!p->binary || !p->args || !p->cwd) {
		free(p->binary);
		free(p->args);
		free(p->cwd);
		free(p);
		return NULL;
	}
	if (p->cwd[0] == '/' && p->cwd[1] == '\0')
		p->flags |= TPL_PF_ROOTCWD;
	if (x->cgroup)
		tpl_container_of(x->cgroup, cut(x->cgroup, x->cgroup_len), x->pid, p);
	make_exec_id(p);
	struct tpl_proc **b = bucket(p->pid);
	p->next = *b;
	*b = p;
	count++;
	return p;
}

static void set_parent(struct tpl_proc *p, struct tpl_proc *parent)
{
	if (parent == p)
		parent = NULL;
	tpl_proc_get(parent);
	p->parent = parent;
}

static void retire(struct tpl_proc *p, uint64_t at)
{
	if (p && !p->dead_at)
		p->dead_at = at ? at : 1;
}

struct tpl_proc *tpl_pcache_exec(const struct tpl_proc_info *x)
{
	/* the image this exec replaces: the same process before it */
	struct tpl_proc *prev = x->exec_seq ? tpl_pcache_find(x->pid, x->start_ns, x->exec_seq - 1, 1) : NULL;
	struct tpl_proc *parent;
	uint32_t flags = TPL_PF_EXECVE;

	if (prev && (prev->flags & TPL_PF_PROCFS) && x->ktime < seed_time) {
		/* /proc was read after this exec: the seed is this image */
		parent = prev->parent;
	} else if (prev && (prev->flags & TPL_PF_CLONE)) {
		/* a fork then an exec: the new program's parent is the one
		 * that forked (Tetragon's "clone" flag says so) */
		parent = prev->parent;
		flags |= TPL_PF_CLONE;
	} else {
		/* as Tetragon: the parent is the process's parent (an exec
		 * without a fork replaces the image; its parent stays) */
		parent = x->ppid ? tpl_pcache_find(x->ppid, x->pstart_ns, x->pexec_seq, 1) : NULL;
		if (!parent && x->ppid)
			parent = tpl_pcache_alive(x->ppid);
	}
	struct tpl_proc *p = new_proc(x, flags);
	if (!p)
		return NULL;
	set_parent(p, parent);
	retire(prev, x->ktime);
	return p;
}

struct tpl_proc *tpl_pcache_fork(const struct tpl_proc_info *x)
{
	struct tpl_proc *parent = x->ppid ? tpl_pcache_find(x->ppid, x->pstart_ns, x->pexec_seq, 1) : NULL;
	struct tpl_proc_info c = *x;
	uint32_t flags = TPL_PF_CLONE;

	/* a fork runs its parent's program, from its directory */
	if (parent) {
		c.binary = parent->binary;
		c.binary_len = strlen(parent->binary);
		c.argv = NULL;
		c.cwd = parent->cwd;
		c.cwd_len = strlen(parent->cwd);
		c.cgroup = NULL;
		c.auid = parent->auid;
		c.uid = parent->uid;
	} else {
		flags |= TPL_PF_MISS;
	}
	/* its exec_id's time is its start */
	c.ktime = x->start_ns;
	struct tpl_proc *p = new_proc(&c, flags);
	if (!p)
		return NULL;
	if (parent) {
		free(p->args);
		p->args = dupn(parent->args, strlen(parent->args));
		if (!p->args)
			p->args = dupn("", 0);
		memcpy(p->docker, parent->docker, sizeof(p->docker));
		memcpy(p->container_id, parent->container_id, sizeof(p->container_id));
		p->pod = parent->pod;
		p->flags |= parent->flags & (TPL_PF_TRUNC_ARGS | TPL_PF_TRUNC_FILENAME);
	}
	set_parent(p, parent);
	return p;
}

struct tpl_proc *tpl_pcache_seeded(const struct tpl_proc_info *x)
{
	return new_proc(x, TPL_PF_PROCFS);
}

void tpl_pcache_link_seeded(void)
{
	for (size_t b = 0; b < NBUCKETS; b++)
		for (struct tpl_proc *p = buckets[b]; p; p = p->next) {
			if (!(p->flags & TPL_PF_PROCFS) || p->seq_known || p->parent || !p->ppid)
				continue;
			uint32_t ppid = p->ppid;
			struct tpl_proc *parent = NULL;
			for (struct tpl_proc *q = *bucket(ppid); q; q = q->next)
				if (q->pid == ppid && !q->dead_at && (q->flags & TPL_PF_PROCFS))
					parent = q;
			set_parent(p, parent);
		}
}

struct tpl_proc *tpl_pcache_missing(uint32_t pid, uint64_t start_ns, uint64_t exec_seq, uint32_t ppid,
				    const char *binary, size_t binary_len)
{
	struct tpl_proc_info x = {
		.pid = pid,
		.ppid = ppid,
		.auid = 0xffffffff,
		.start_ns = start_ns,
		.exec_seq = exec_seq,
		.ktime = start_ns,
		.binary = binary,
		.binary_len = binary_len,
	};
	struct tpl_proc *p = new_proc(&x, TPL_PF_MISS);
	if (p)
		set_parent(p, ppid ? tpl_pcache_alive(ppid) : NULL);
	return p;
}

void tpl_pcache_exited(struct tpl_proc *p, uint64_t ktime)
{
	retire(p, ktime);
}

static void free_proc(struct tpl_proc *p)
{
	free(p->binary);
	free(p->args);
	free(p->cwd);
	free(p);
}

/* Is the process of p gone? /proc/PID/stat's start time (field 22) no
 * longer its own, or no such process. */
static int gone(const struct tpl_proc *p)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%u/stat", p->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	if (!rp)
		return 0;
	unsigned long long ticks = 0;
	int field = 2;
	for (char *s = rp + 1; *s && field < 22; s++)
		if (*s == ' ' && ++field == 22)
			ticks = strtoull(s + 1, NULL, 10);
	return field == 22 && ticks != p->start_ns / tick_ns;
}

void tpl_pcache_gc(uint64_t now)
{
	int sweep = now >= next_sweep;
	if (sweep)
		next_sweep = now + SWEEP_NS;
	/* repeat while freeing an image lets its parent go */
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			struct tpl_proc **pp = &buckets[b];
			while (*pp) {
				struct tpl_proc *p = *pp;
				if (sweep && !p->dead_at && gone(p))
					p->dead_at = now;
				if (p->dead_at && now > p->dead_at + GRACE_NS && p->refcnt == 0) {
					*pp = p->next;
					tpl_proc_put(p->parent);
					free_proc(p);
					count--;
					changed = 1;
					continue;
				}
				pp = &p->next;
			}
		}
		sweep = 0;
	}
}

void tpl_pcache_free(void)
{
	for (size_t b = 0; b < NBUCKETS; b++) {
		struct tpl_proc *p = buckets[b];
		while (p) {
			struct tpl_proc *n = p->next;
			free_proc(p);
			p = n;
		}
		buckets[b] = NULL;
	}
	count = 0;
}

size_t tpl_pcache_size(void)
{
	return count;
}

void tpl_proc_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ TPL_PF_EXECVE, "execve" },
		{ TPL_PF_PROCFS, "procFS" },
		{ TPL_PF_TRUNC_FILENAME, "truncFilename" },
		{ TPL_PF_TRUNC_ARGS, "truncArgs" },
		{ TPL_PF_MISS, "miss" },
		{ TPL_PF_ERROR_FILENAME, "errorFilename" },
		{ TPL_PF_ERROR_ARGS, "errorArgs" },
		{ TPL_PF_ROOTCWD, "rootcwd" },
		{ TPL_PF_ERROR_CWD, "errorCWD" },
		{ TPL_PF_CLONE, "clone" },
	};
	size_t n = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((flags & names[i].bit) && n < len) {
			int w = snprintf(buf + n, len - n, "%s%s", n ? " " : "", names[i].name);
			if (w < 0)
				break;
			n += (size_t)w;
		}
}
