/* gen_event.c: random events for a policy, aimed at its values. Each arg
 * and each process property is drawn mostly from near the values the
 * hook's filters name (equal, one byte longer or shorter, last byte
 * changed, a prefix, the value behind a random prefix, two values
 * joined, integers one apart or with garbage in the unused upper bits)
 * and sometimes at random, so that every filter is seen both passing
 * and failing. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define NS_BASE 4026531835u
#define MAX_POOL 64

void dev_event_free(struct dev_event *e)
{
	for (int k = 0; k < 6; k++)
		free(e->mem[k]);
	for (int k = 0; k < e->nfds; k++)
		free(e->fdpath[k]);
	for (int k = 0; k < 6; k++)
		free(e->kpath[k]);
	memset(e, 0, sizeof(*e));
}

void dev_event_copy(struct dev_event *d, const struct dev_event *s)
{
	*d = *s;
	for (int k = 0; k < 6; k++) {
		if (!s->mem[k])
			continue;
		d->mem[k] = xcalloc(s->memlen[k] + 1, 1);
		memcpy(d->mem[k], s->mem[k], s->memlen[k]);
		d->raw[k] = (uint64_t)(uintptr_t)d->mem[k] + (s->raw[k] - (uint64_t)(uintptr_t)s->mem[k]);
	}
	for (int k = 0; k < s->nfds; k++)
		d->fdpath[k] = s->fdpath[k] ? xstrdup(s->fdpath[k]) : NULL;
	for (int k = 0; k < 6; k++) {
		d->kpath[k] = s->kpath[k] ? xstrdup(s->kpath[k]) : NULL;
		if (s->kpath[k] && s->raw[k] == (uint64_t)(uintptr_t)s->kpath[k])
			d->raw[k] = (uint64_t)(uintptr_t)d->kpath[k];
	}
}

int dev_slot(const struct hook *h, int index)
{
	if (dev_rich(h))
		return -1;
	int k = h->kind == HOOK_TRACEPOINT ? index - 5 : index;
	return k >= 0 && k < 6 ? k : -1;
}

/* ---- pools: the values of the hook's filters ---- */

struct pools {
	const char *str[MAX_POOL]; /* string values on the arg */
	int nstr;
	long long num[MAX_POOL]; /* integer values on the arg */
	int nnum;
};

static void pool_arg(const struct hook *h, int index, struct pools *pl)
{
	memset(pl, 0, sizeof(*pl));
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_args; m++) {
			const struct match_arg *ma = &h->selectors[s].match_args[m];
			if (ma->index != index)
				continue;
			for (int v = 0; v < ma->nvalues; v++) {
				long long x;
				if (parse_integer_text(ma->values[v].s, &x)) {
					if (pl->nnum < MAX_POOL)
						pl->num[pl->nnum++] = x;
				} else if (pl->nstr < MAX_POOL) {
					pl->str[pl->nstr++] = ma->values[v].s;
				}
			}
		}
}

static unsigned char rand_byte(struct rng *r)
{
	static const char set[] = "abcxyz/._-019";
	if (rng_chance(r, 10))
		return (unsigned char)rng_below(r, 256);
	return (unsigned char)set[rng_below(r, sizeof(set) - 1)];
}

/* Bytes near one of pool's strings (no NUL inside unless binary). */
static size_t near_bytes(struct rng *r, const char *const *pool, int npool, unsigned char *out, size_t cap,
			 bool binary)
{
	const char *base = npool ? pool[rng_below(r, (uint32_t)npool)] : "";
	size_t n = strlen(base), len = 0;
	int how = npool ? (int)rng_below(r, 12) : 11;
#define PUT(c)                                     \
	do {                                       \
		if (len < cap)                     \
			out[len++] = (unsigned char)(c); \
	} while (0)
	switch (how) {
	case 0:
	case 1:
	case 2: /* the value itself */
		for (size_t i = 0; i < n; i++)
			PUT(base[i]);
		break;
	case 3: /* one byte longer */
		for (size_t i = 0; i < n; i++)
			PUT(base[i]);
		PUT(rand_byte(r) | 1);
		break;
	case 4: /* one byte shorter */
		for (size_t i = 0; i + 1 < n; i++)
			PUT(base[i]);
		break;
	case 5: /* last byte changed */
		for (size_t i = 0; i < n; i++)
			PUT(i + 1 == n ? (unsigned char)(base[i] ^ (1 << rng_below(r, 7))) : (unsigned char)base[i]);
		break;
	case 6: { /* a prefix */
		size_t k = n ? rng_below(r, (uint32_t)n + 1) : 0;
		for (size_t i = 0; i < k; i++)
			PUT(base[i]);
		break;
	}
	case 7: { /* behind a random prefix (Postfix) */
		size_t k = 1 + rng_below(r, rng_chance(r, 80) ? 8 : 300);
		for (size_t i = 0; i < k; i++)
			PUT(rand_byte(r) | 1);
		for (size_t i = 0; i < n; i++)
			PUT(base[i]);
		break;
	}
	case 8: { /* followed by a suffix (Prefix) */
		for (size_t i = 0; i < n; i++)
			PUT(base[i]);
		size_t k = 1 + rng_below(r, 20);
		for (size_t i = 0; i < k; i++)
			PUT(rand_byte(r) | 1);
		break;
	}
	case 9: { /* two values joined */
		const char *b2 = pool[rng_below(r, (uint32_t)npool)];
		for (size_t i = 0; i < n; i++)
			PUT(base[i]);
		for (size_t i = 0; b2[i]; i++)
			PUT(b2[i]);
		break;
	}
	case 10: /* empty */
		break;
	default: { /* random */
		size_t k = rng_below(r, rng_chance(r, 80) ? 24 : 400);
		for (size_t i = 0; i < k; i++)
			PUT(rand_byte(r) | (binary ? 0 : 1));
		break;
	}
	}
#undef PUT
	if (!binary)
		for (size_t i = 0; i < len; i++)
			if (!out[i])
				out[i] = 1;
	return len;
}

static uint64_t near_int(struct rng *r, const struct pools *pl)
{
	uint64_t v;
	int how = pl->nnum ? (int)rng_below(r, 10) : 9;
	long long base = pl->nnum ? pl->num[rng_below(r, (uint32_t)pl->nnum)] : 0;
	switch (how) {
	case 0:
	case 1:
	case 2: v = (uint64_t)base; break;
	case 3: v = (uint64_t)base + 1; break;
	case 4: v = (uint64_t)base - 1; break;
	case 5: v = (uint64_t)base ^ (1ULL << rng_below(r, 64)); break;
	case 6: v = (uint64_t)base | (rng_next(r) & 0xff); break;
	case 7: v = 0; break;
	case 8: v = ~(uint64_t)0 >> rng_below(r, 64); break;
	default: v = rng_chance(r, 50) ? rng_below(r, 16) : rng_next(r); break;
	}
	/* registers of narrower args may carry anything in the upper bits */
	if (rng_chance(r, 25))
		v ^= rng_next(r) << 32;
	return v;
}

/* ---- the arguments ---- */

static void set_mem(struct dev_event *e, int k, const unsigned char *bytes, size_t len, size_t extra, struct rng *r)
{
	free(e->mem[k]);
	e->mem[k] = xcalloc(len + extra + 1, 1);
	memcpy(e->mem[k], bytes, len);
	for (size_t i = len; i < len + extra; i++)
		e->mem[k][i] = rand_byte(r); /* what lies after the value in memory */
	e->memlen[k] = len + extra;
	e->raw[k] = (uint64_t)(uintptr_t)e->mem[k];
}

static void fault(struct rng *r, struct dev_event *e, int k)
{
	free(e->mem[k]);
	e->mem[k] = NULL;
	e->memlen[k] = 0;
	e->raw[k] = rng_chance(r, 50) ? 0 : 0x1000 + rng_below(r, 4096);
}

/* Now and then: text pushed to exactly `len` bytes (when it is
 * shorter) by random bytes in front, keeping its end: the longest a
 * string read can hold whole is TPC_STR_MAX - 1, a binary TPC_BIN_MAX - 1. */
static size_t at_the_limit(struct rng *r, unsigned char *buf, size_t n, size_t limit)
{
	if (!rng_chance(r, 3))
		return n;
	size_t len = limit - rng_below(r, 3);
	if (n >= len)
		return n;
	memmove(buf + (len - n), buf, n);
	for (size_t i = 0; i < len - n; i++)
		buf[i] = (unsigned char)('a' + rng_below(r, 26));
	return len;
}

static void gen_string(struct rng *r, struct dev_event *e, int k, const struct pools *pl)
{
	if (rng_chance(r, 3)) {
		fault(r, e, k);
		return;
	}
	unsigned char buf[TPC_STR_MAX];
	size_t n = near_bytes(r, pl->str, pl->nstr, buf, sizeof(buf) - 1, false);
	n = at_the_limit(r, buf, n, TPC_STR_MAX - 1);
	buf[n] = 0;
	/* the NUL ends it; bytes after it must not matter */
	set_mem(e, k, buf, n + 1, rng_chance(r, 30) ? rng_below(r, 16) : 0, r);
}

static void gen_buffer(struct rng *r, struct dev_event *e, int k, int szslot, const struct pools *pl, long fixed)
{
	unsigned char buf[4000];
	size_t n = near_bytes(r, pl->str, pl->nstr, buf, sizeof(buf), true);
	if (fixed >= 0) { /* a size slot shared with another buffer */
		while (n < (size_t)fixed && n < sizeof(buf))
			buf[n++] = rand_byte(r);
		n = (size_t)fixed;
	}
	/* the size arg says how many bytes the buffer has; more may follow */
	set_mem(e, k, buf, n, rng_chance(r, 40) ? 1 + rng_below(r, 16) : 0, r);
	e->raw[szslot] = n;
	if (n && rng_chance(r, 3)) {
		fault(r, e, k);
		e->raw[szslot] = n;
	}
}

static void gen_fds(struct rng *r, struct dev_event *e, const struct hook *h)
{
	const char *paths[MAX_POOL];
	int np = 0;
	for (int i = 0; i < h->nargs; i++) {
		if (h->args[i].type != AT_FD)
			continue;
		struct pools pl;
		pool_arg(h, h->args[i].index, &pl);
		for (int v = 0; v < pl.nstr && np < MAX_POOL; v++)
			paths[np++] = pl.str[v];
	}
	/* distinct fds: a table maps each to one file */
	int tries = 1 + (int)rng_below(r, DEV_MAX_FDS);
	bool used[10] = {0};
	e->nfds = 0;
	for (int t = 0; t < tries; t++) {
		int fd = (int)rng_below(r, 10);
		if (used[fd])
			continue;
		used[fd] = true;
		int k = e->nfds++;
		e->fd[k] = fd;
		e->fdpath[k] = NULL; /* 1 in 20: an fd that cannot be resolved */
		if (rng_chance(r, 5))
			continue;
		unsigned char buf[TPC_STR_MAX];
		size_t n = near_bytes(r, paths, np, buf, sizeof(buf) - 1, false);
		n = at_the_limit(r, buf, n, TPC_STR_MAX - 1);
		buf[n] = 0;
		e->fdpath[k] = xstrdup((char *)buf);
	}
}

/* ---- the process ---- */

static uint32_t near_pid(struct rng *r, const struct policy *p, const struct hook *h)
{
	uint32_t pool[MAX_POOL];
	int n = 0;
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_pids; m++)
			for (int v = 0; v < h->selectors[s].match_pids[m].nvalues && n < MAX_POOL; v++) {
				long long x = 0;
				parse_integer_text(h->selectors[s].match_pids[m].values[v].s, &x);
				pool[n++] = (uint32_t)x;
			}
	(void)p;
	if (!n || rng_chance(r, 25))
		return 1 + rng_below(r, 200);
	uint32_t b = pool[rng_below(r, (uint32_t)n)];
	return rng_chance(r, 70) ? b : rng_chance(r, 50) ? b + 1 : b - 1;
}

static void near_bin(struct rng *r, const struct hook *h, char *out)
{
	const char *pool[MAX_POOL];
	int n = 0;
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_binaries; m++)
			for (int v = 0; v < h->selectors[s].match_binaries[m].nvalues && n < MAX_POOL; v++)
				pool[n++] = h->selectors[s].match_binaries[m].values[v].s;
	if (!n)
		pool[n++] = "/usr/bin/cat";
	unsigned char buf[TPC_BIN_MAX];
	size_t len = near_bytes(r, pool, n, buf, TPC_BIN_MAX - 1, false);
	len = at_the_limit(r, buf, len, TPC_BIN_MAX - 1);
	memcpy(out, buf, len);
	out[len] = 0;
}

static uint64_t near_caps(struct rng *r, const struct hook *h)
{
	uint64_t interesting = 0;
	for (int s = 0; s < h->nselectors; s++) {
		for (int m = 0; m < h->selectors[s].nmatch_caps; m++)
			interesting |= h->selectors[s].match_caps[m].mask;
		for (int m = 0; m < h->selectors[s].nmatch_cap_changes; m++)
			interesting |= h->selectors[s].match_cap_changes[m].mask;
	}
	uint64_t v = interesting & rng_next(r);
	if (rng_chance(r, 20))
		v = 0;
	if (rng_chance(r, 10))
		v = (1ULL << 41) - 1; /* root: every capability */
	if (rng_chance(r, 20))
		v ^= 1ULL << rng_below(r, 41);
	return v;
}

static void gen_process(struct rng *r, const struct policy *p, const struct hook *h, struct dev_event *e)
{
	e->task.tgid = near_pid(r, p, h);
	e->task.tid = rng_chance(r, 70) ? e->task.tgid : e->task.tgid + 1 + rng_below(r, 5);
	e->task.nspid = rng_chance(r, 40) ? e->task.tgid : near_pid(r, p, h);
	e->loader_tgid = rng_chance(r, 2) ? e->task.tgid : 999999;
	for (int k = 0; k < TPCD_NS; k++) {
		e->host_ns[k] = NS_BASE + (uint32_t)k;
		e->task.ns[k] = rng_chance(r, 50) ? e->host_ns[k] : NS_BASE + rng_below(r, 14);
		e->exec_ns[k] = rng_chance(r, 75) ? e->task.ns[k] : NS_BASE + rng_below(r, 14);
	}
	for (int s = 0; s < 3; s++) {
		e->task.caps[s] = near_caps(r, h);
		e->exec_caps[s] = rng_chance(r, 60) ? e->task.caps[s] : e->task.caps[s] ^ near_caps(r, h);
	}
	e->proc_known = rng_chance(r, 92);
	if (!e->proc_known)
		return;
	near_bin(r, h, e->bin);
	e->nanc = (int)rng_below(r, DEV_MAX_ANC + 1);
	for (int i = 0; i < e->nanc; i++) {
		e->anc[i].pid = near_pid(r, p, h);
		e->anc[i].nspid = rng_chance(r, 50) ? e->anc[i].pid : near_pid(r, p, h);
		near_bin(r, h, e->anc[i].bin);
	}
}

/* A record of a tracepoint outside syscalls/: every field filled (those
 * the hook declares near its values), __data_loc strings after the
 * fixed fields, bytes after a char array's NUL left as garbage. */
static void gen_record(struct rng *r, const struct hook *h, struct dev_event *e)
{
	int nf = 0;
	const struct tp_field *f = dev_tp_fields(h->subsystem, h->event, &nf);
	size_t tail = 0;
	for (size_t i = 0; i < DEV_REC; i++)
		e->rec[i] = rand_byte(r);
	for (int i = 0; i < nf; i++)
		if ((size_t)(f[i].offset + f[i].size) > tail)
			tail = (size_t)(f[i].offset + f[i].size);
	tail = (tail + 7) & ~(size_t)7;
	for (int i = 0; i < nf && tail < DEV_REC; i++) {
		struct pools pl;
		pool_arg(h, i, &pl);
		if (f[i].data_loc) {
			unsigned char buf[DEV_REC];
			size_t n = near_bytes(r, pl.str, pl.nstr, buf, DEV_REC - tail - 1, false);
			memcpy(e->rec + tail, buf, n);
			e->rec[tail + n] = 0;
			uint32_t loc = (uint32_t)(n + 1) << 16 | (uint32_t)tail;
			memcpy(e->rec + f[i].offset, &loc, 4);
			tail += n + 1;
		} else if (dev_field_is_text(&f[i])) {
			unsigned char buf[64];
			size_t cap = (size_t)f[i].size - 1 < sizeof(buf) ? (size_t)f[i].size - 1 : sizeof(buf);
			size_t n = near_bytes(r, pl.str, pl.nstr, buf, cap, false);
			memcpy(e->rec + f[i].offset, buf, n);
			e->rec[f[i].offset + (int)n] = 0;
		} else if (f[i].size <= 8) {
			uint64_t v = near_int(r, &pl);
			memcpy(e->rec + f[i].offset, &v, (size_t)f[i].size); /* little-endian */
		}
	}
}

void gen_event(struct rng *r, const struct policy *p, struct dev_event *e)
{
	memset(e, 0, sizeof(*e));
	e->hook = (int)rng_below(r, (uint32_t)p->nhooks);
	const struct hook *h = &p->hooks[e->hook];
	e->via_twin = h->kind == HOOK_KPROBE && h->syscall && rng_chance(r, 50);
	if (dev_rich(h)) {
		gen_record(r, h, e);
		gen_process(r, p, h, e);
		return;
	}
	for (int k = 0; k < 6; k++)
		e->raw[k] = rng_chance(r, 50) ? rng_below(r, 64) : rng_next(r);
	long size_of_slot[6] = {-1, -1, -1, -1, -1, -1};
	bool any_fd = false;
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		int k = dev_slot(h, a->index);
		if (k < 0)
			continue;
		struct pools pl;
		pool_arg(h, a->index, &pl);
		switch (a->type) {
		case AT_STRING: gen_string(r, e, k, &pl); break;
		case AT_CHAR_BUF: {
			int sz = dev_slot(h, a->size_arg_index - 1);
			if (sz < 0)
				break;
			gen_buffer(r, e, k, sz, &pl, size_of_slot[sz]);
			size_of_slot[sz] = (long)e->raw[sz];
			break;
		}
		case AT_FILE:
		case AT_PATH: {
			/* a kernel object whose path is near the values, or NULL */
			unsigned char buf[TPC_STR_MAX];
			size_t n = near_bytes(r, pl.str, pl.nstr, buf, sizeof(buf) - 1, false);
			n = at_the_limit(r, buf, n, TPC_STR_MAX - 1);
			buf[n] = 0;
			free(e->kpath[k]);
			e->kpath[k] = xstrdup((char *)buf);
			e->raw[k] = rng_chance(r, 4) ? 0 : (uint64_t)(uintptr_t)e->kpath[k];
			break;
		}
		case AT_FD:
			any_fd = true;
			e->raw[k] = rng_chance(r, 50) ? near_int(r, &pl) : rng_below(r, 10);
			break;
		default:
			/* an integer: unless it is a buffer's size (set there) */
			if (size_of_slot[k] < 0)
				e->raw[k] = near_int(r, &pl);
			break;
		}
	}
	/* buffers decided their size slots after the integers were drawn */
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->type != AT_CHAR_BUF)
			continue;
		int sz = dev_slot(h, a->size_arg_index - 1);
		if (sz >= 0 && size_of_slot[sz] >= 0)
			e->raw[sz] = (uint64_t)size_of_slot[sz];
	}
	if (any_fd)
		gen_fds(r, e, h);
	if (h->is_return) {
		struct pools pl = {0};
		for (int s = 0; s < h->nselectors; s++)
			for (int m = 0; m < h->selectors[s].nmatch_return_args; m++)
				for (int v = 0; v < h->selectors[s].match_return_args[m].nvalues && pl.nnum < MAX_POOL; v++)
					parse_integer_text(h->selectors[s].match_return_args[m].values[v].s, &pl.num[pl.nnum++]);
		e->ret = (int64_t)near_int(r, &pl);
	}
	gen_process(r, p, h, e);
}
