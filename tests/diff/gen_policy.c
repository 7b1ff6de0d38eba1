/* gen_policy.c: random policies for the differential test. Hooks are
 * syscall kprobes (with return probes) and syscalls/sys_enter_X
 * tracepoints; args of every integer width, string, char_buf with its
 * size arg, and fd; selectors with every filter and operator tpc
 * implements, values chosen to collide (shared prefixes, lengths around
 * the 8/16/128-byte steps of the generated compares, values one byte
 * apart) so that events can land on and next to them. The policies are
 * valid by construction: tpc refusing one is a harness failure. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!r->s)
		r->s = 1;
}

uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)((rng_next(r) >> 32) % n);
}

bool rng_chance(struct rng *r, int percent)
{
	return (int)rng_below(r, 100) < percent;
}

/* syscalls that have a syscalls/sys_enter_X tracepoint, with how many
 * arguments it records (fields 5.. of its format) */
static const struct {
	const char *name;
	int nargs;
} syscalls[] = {
	{"openat", 4}, {"read", 3},  {"write", 3},     {"close", 1},  {"mmap", 6},
	{"sendto", 6}, {"lseek", 3}, {"renameat2", 5}, {"pread64", 4}, {"mkdirat", 3},
};
#define NSYSCALLS (int)(sizeof(syscalls) / sizeof(syscalls[0]))

static const char *const int_types[] = {"int", "uint32", "int64", "uint64", "size_t", "long", "int16", "uint8"};

static struct value sc(char *s)
{
	struct value v = {s, strlen(s), {0, 0}, false, 0};
	v.is_int = parse_integer_text(s, &v.i);
	return v;
}

/* ---- value pools: what the policy's values (and later the events) are
 * made of ---- */

char *xstrndup_len(const char *s, size_t n)
{
	char *d = xcalloc(n + 1, 1);
	memcpy(d, s, n);
	return d;
}

bool gen_ascii_only;

static char rand_char(struct rng *r)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz/._-0123456789ABCXYZ";
	if (rng_chance(r, 3))
		/* any byte; 128..255 become \xNN in the YAML, i.e. the two
		 * UTF-8 bytes of U+0080..U+00FF in the parsed value */
		return (char)(1 + rng_below(r, gen_ascii_only ? 126 : 255));
	return set[rng_below(r, sizeof(set) - 1)];
}

static char *rand_string(struct rng *r, size_t len)
{
	char *s = xcalloc(len + 1, 1);
	for (size_t i = 0; i < len; i++)
		s[i] = rand_char(r);
	return s;
}

/* Lengths around the steps of word compares and buffer sizes. */
static size_t rand_len(struct rng *r)
{
	static const size_t steps[] = {1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 63, 64, 126, 127, 128, 129, 200, 255};
	if (rng_chance(r, 60))
		return steps[rng_below(r, sizeof(steps) / sizeof(steps[0]))];
	return 1 + rng_below(r, rng_chance(r, 80) ? 40 : 300);
}

/* A string value near the pool's: itself, longer, shorter, one byte off,
 * two joined. */
static char *near_string(struct rng *r, char *const *pool, int npool, bool allow_empty)
{
	const char *base = pool[rng_below(r, (uint32_t)npool)];
	size_t n = strlen(base);
	char *s;
	switch (rng_below(r, 8)) {
	case 0:
	case 1: s = xstrdup(base); break;
	case 2: s = xasprintf("%s%c", base, rand_char(r)); break;
	case 3: s = xstrndup_len(base, n > 1 ? n - 1 : n); break;
	case 4:
		s = xstrdup(base);
		if (n)
			s[n - 1] = s[n - 1] == 'a' ? 'b' : 'a';
		break;
	case 5: s = xstrndup_len(base, 1 + rng_below(r, (uint32_t)(n ? n : 1))); break;
	case 6: {
		char *t = rand_string(r, 1 + rng_below(r, 10));
		s = xasprintf("%s%s", t, base);
		free(t);
		break;
	}
	default: s = xasprintf("%s%s", base, pool[rng_below(r, (uint32_t)npool)]); break;
	}
	if (!*s && !allow_empty) {
		free(s);
		s = xstrdup("x");
	}
	if (strlen(s) > 1000)
		s[1000] = 0;
	return s;
}


/* A value of the integer type t, as text: extremes, small numbers, bits. */
static char *int_value(struct rng *r, const char *t)
{
	bool is_unsigned = t[0] == 'u' || !strcmp(t, "size_t");
	int bits = strstr(t, "64") || !strcmp(t, "size_t") || !strcmp(t, "long") ? 64 : strstr(t, "16") ? 16
										    : strstr(t, "8")  ? 8
												      : 32;
	unsigned long long umax = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	long long smin = bits == 64 ? (long long)(1ULL << 63) : -(1LL << (bits - 1));
	long long smax = bits == 64 ? (long long)(~0ULL >> 1) : (1LL << (bits - 1)) - 1;
	switch (rng_below(r, 9)) {
	case 0: return xstrdup("0");
	case 1: return xasprintf("%u", rng_below(r, 10));
	case 2: return is_unsigned ? xasprintf("%llu", umax) : xstrdup("-1");
	case 3: return is_unsigned ? xasprintf("%llu", umax - rng_below(r, 3)) : xasprintf("%lld", smin + rng_below(r, 2));
	case 4: return is_unsigned ? xasprintf("%llu", umax >> 1) : xasprintf("%lld", smax - rng_below(r, 2));
	case 5: return xasprintf("0x%llx", (1ULL << rng_below(r, (uint32_t)bits)) & umax);
	case 6: return is_unsigned ? xasprintf("%llu", rng_next(r) & umax) : xasprintf("%lld", -(long long)rng_below(r, 1000));
	case 7: return xasprintf("%u", 100 + rng_below(r, 20));
	default: return xasprintf("%llu", (rng_next(r) & umax) >> rng_below(r, (uint32_t)bits));
	}
}

/* ---- pieces of a selector ---- */

static const char *const bin_pool[] = {"/usr/bin/cat", "/usr/bin/ca", "/usr/bin/cat2", "/bin/sh", "/usr/sbin/sshd",
				       "/usr/bin/bash", "/bin/bash", "/tmp/x", "/opt/caf\xe9" /* UTF-8 in the YAML */};
#define NBIN_POOL (int)(sizeof(bin_pool) / sizeof(bin_pool[0]) - (gen_ascii_only ? 1 : 0))
static const uint32_t pid_pool[] = {1, 2, 100, 101, 102, 4242, 65535, 4194304};
#define NPID_POOL (int)(sizeof(pid_pool) / sizeof(pid_pool[0]))
/* capabilities the events mostly play with (so that matches happen) */
static const int cap_pool[] = {0, 1, 7, 12, 21, 40};
#define NCAP_POOL (int)(sizeof(cap_pool) / sizeof(cap_pool[0]))
#define NS_BASE 4026531835u

static struct value *values_of(int n)
{
	return xcalloc((size_t)n, sizeof(struct value));
}

static int nvalues(struct rng *r)
{
	int k = rng_below(r, 100);
	return k < 70 ? 1 + (int)rng_below(r, 4) : k < 95 ? 5 + (int)rng_below(r, 8) : 13 + (int)rng_below(r, 28);
}

/* A long binary path: more than 128 bytes, under TPC_BIN_MAX. */
static char *long_bin(struct rng *r)
{
	char *t = rand_string(r, 100 + rng_below(r, 140));
	for (char *c = t; *c; c++)
		if ((unsigned char)*c < 32 || (unsigned char)*c >= 127) /* one byte each: stay under 256 */
			*c = 'q';
	char *s = xasprintf("/opt/%s", t);
	free(t);
	return s;
}

static void gen_match_arg(struct rng *r, const struct hook *h, struct match_arg *m, char **pool, int npool)
{
	const struct arg *a = &h->args[rng_below(r, (uint32_t)h->nargs)];
	m->index = a->index;
	bool str = a->type == AT_STRING || a->type == AT_CHAR_BUF || a->type == AT_FILE || a->type == AT_PATH;
	bool fd_path = a->type == AT_FD && rng_chance(r, 50);
	if (str || fd_path) {
		static const enum op sops[] = {OP_EQUAL, OP_NOTEQUAL, OP_PREFIX, OP_NOTPREFIX, OP_POSTFIX, OP_NOTPOSTFIX};
		/* Postfix on char_buf is refused (unsupported) */
		m->op = sops[rng_below(r, a->type == AT_CHAR_BUF ? 4 : 6)];
	} else {
		static const enum op iops[] = {OP_EQUAL, OP_NOTEQUAL, OP_GT, OP_LT, OP_MASK};
		m->op = iops[rng_below(r, 5)];
	}
	m->nvalues = nvalues(r);
	m->values = values_of(m->nvalues);
	for (int v = 0; v < m->nvalues; v++) {
		if (str || fd_path) {
			bool eq = m->op == OP_EQUAL || m->op == OP_NOTEQUAL;
			char *s = near_string(r, pool, npool, eq && !fd_path);
			/* an fd's Equal values must not all look like numbers */
			if (fd_path && s[0] != '/') {
				char *t = xasprintf("/%s", s);
				free(s);
				s = t;
			}
			m->values[v] = sc(s);
		} else {
			m->values[v] = sc(int_value(r, a->type == AT_FD ? "int" : a->type_name));
		}
	}
	/* now and then many values of one length, which the plan puts in a
	 * hashed set (VALUESET_MIN or more; Equal and Prefix): the first value
	 * with one byte changed, so that events aimed at one of them hit the
	 * set */
	bool eq = m->op == OP_EQUAL || m->op == OP_NOTEQUAL || m->op == OP_PREFIX || m->op == OP_NOTPREFIX;
	if ((str || fd_path) && eq && m->nvalues && m->values[0].len > 0 && rng_chance(r, 12)) {
		int extra = VALUESET_MIN + (int)rng_below(r, 24);
		m->values = xrealloc(m->values, sizeof(*m->values) * (size_t)(m->nvalues + extra));
		for (int k = 0; k < extra; k++) {
			char *t = xstrdup(m->values[0].s);
			size_t at = rng_below(r, (uint32_t)m->values[0].len);
			t[at] = (char)('!' + rng_below(r, 90)); /* printable: never the '/' an fd path needs first */
			if (fd_path)
				t[0] = '/';
			m->values[m->nvalues++] = sc(t);
		}
	}
}

static void gen_match_proc(struct rng *r, struct match_proc *m, bool pids, struct gen_budget *b)
{
	if (pids) {
		m->op = rng_chance(r, 50) ? OP_IN : OP_NOTIN;
		m->ns_pid = rng_chance(r, 30);
	} else {
		static const enum op bops[] = {OP_IN, OP_NOTIN, OP_PREFIX, OP_NOTPREFIX, OP_POSTFIX, OP_NOTPOSTFIX};
		m->op = bops[rng_below(r, 6)];
	}
	if (b->follow > 0 && rng_chance(r, 40)) {
		m->follow = true;
		b->follow--;
	}
	m->nvalues = 1 + (int)rng_below(r, rng_chance(r, 85) ? 4 : 12);
	m->values = values_of(m->nvalues);
	for (int v = 0; v < m->nvalues; v++) {
		if (pids) {
			m->values[v] = sc(rng_chance(r, 85) ? xasprintf("%u", pid_pool[rng_below(r, NPID_POOL)])
							    : xasprintf("%u", rng_below(r, 1u << 22)));
			continue;
		}
		const char *base = bin_pool[rng_below(r, NBIN_POOL)];
		char *s;
		if (rng_chance(r, 8))
			s = long_bin(r);
		else if (m->op == OP_PREFIX || m->op == OP_NOTPREFIX)
			s = xstrndup_len(base, 1 + rng_below(r, (uint32_t)strlen(base)));
		else if (m->op == OP_POSTFIX || m->op == OP_NOTPOSTFIX)
			s = xstrdup(base + rng_below(r, (uint32_t)strlen(base)));
		else
			s = xstrdup(base);
		m->values[v] = sc(s);
	}
	/* now and then many prefixes of one length: a hashed set, as for
	 * matchArgs (the leading '/' kept) */
	if (!pids && (m->op == OP_PREFIX || m->op == OP_NOTPREFIX) && m->values[0].len > 1 && rng_chance(r, 12)) {
		int extra = VALUESET_MIN + (int)rng_below(r, 12);
		m->values = xrealloc(m->values, sizeof(*m->values) * (size_t)(m->nvalues + extra));
		for (int k = 0; k < extra; k++) {
			char *t = xstrdup(m->values[0].s);
			t[1 + rng_below(r, (uint32_t)m->values[0].len - 1)] = (char)('!' + rng_below(r, 90));
			m->values[m->nvalues++] = sc(t);
		}
	}
}

static char *cap_value(struct rng *r)
{
	int c = rng_chance(r, 80) ? cap_pool[rng_below(r, NCAP_POOL)] : (int)rng_below(r, 41);
	return xstrdup(cap_names[c]);
}

static void gen_caps(struct rng *r, struct match_caps *m)
{
	m->set = (enum cap_set)rng_below(r, 3);
	m->op = rng_chance(r, 50) ? OP_IN : OP_NOTIN;
	m->ns_cap = rng_chance(r, 25);
	m->nvalues = 1 + (int)rng_below(r, 4);
	m->values = values_of(m->nvalues);
	for (int v = 0; v < m->nvalues; v++)
		m->values[v] = sc(cap_value(r));
}

static void gen_action(struct rng *r, const struct hook *h, struct action *a)
{
	static const enum action_kind kinds[] = {ACT_POST, ACT_NOPOST, ACT_SIGKILL, ACT_SIGNAL, ACT_GETURL, ACT_DNSLOOKUP};
	static const char *const names[] = {"Post", "NoPost", "Sigkill", "Signal", "GetUrl", "DnsLookup"};
	int k = rng_below(r, h->kind == HOOK_LSM ? 4 : 6); /* an lsm hook has no userspace actions */
	a->kind = kinds[k];
	a->name = xstrdup(names[k]);
	if (a->kind == ACT_SIGNAL) {
		a->has_arg_sig = true;
		a->arg_sig = 1 + rng_below(r, 31);
	} else if (a->kind == ACT_GETURL) {
		a->arg_url = xstrdup("http://example.invalid/x");
	} else if (a->kind == ACT_DNSLOOKUP) {
		a->arg_fqdn = xstrdup("example.invalid");
	}
}

static void gen_selector(struct rng *r, const struct hook *h, struct selector *s, char **pool, int npool,
			 struct gen_budget *b)
{
	bool bare = rng_chance(r, 5); /* a selector without filters matches every call */
	if (!bare && h->nargs && rng_chance(r, 75)) {
		s->nmatch_args = 1 + (int)rng_below(r, 3);
		s->match_args = xcalloc((size_t)s->nmatch_args, sizeof(struct match_arg));
		for (int k = 0; k < s->nmatch_args; k++)
			gen_match_arg(r, h, &s->match_args[k], pool, npool);
	}
	if (!bare && h->is_return && rng_chance(r, 60)) {
		static const enum op rops[] = {OP_EQUAL, OP_NOTEQUAL, OP_GT, OP_LT, OP_MASK};
		s->nmatch_return_args = 1 + (int)rng_below(r, 2);
		s->match_return_args = xcalloc((size_t)s->nmatch_return_args, sizeof(struct match_arg));
		for (int k = 0; k < s->nmatch_return_args; k++) {
			struct match_arg *m = &s->match_return_args[k];
			m->op = rops[rng_below(r, 5)];
			m->nvalues = 1 + (int)rng_below(r, 4);
			m->values = values_of(m->nvalues);
			const char *t = h->has_return_arg ? h->return_arg.type_name : "int64";
			for (int v = 0; v < m->nvalues; v++)
				m->values[v] = sc(int_value(r, t));
		}
	}
	if (!bare && rng_chance(r, 25)) {
		s->nmatch_pids = 1 + (int)rng_chance(r, 30);
		s->match_pids = xcalloc((size_t)s->nmatch_pids, sizeof(struct match_proc));
		for (int k = 0; k < s->nmatch_pids; k++)
			gen_match_proc(r, &s->match_pids[k], true, b);
	}
	if (!bare && rng_chance(r, 25)) {
		s->nmatch_binaries = 1 + (int)rng_chance(r, 15);
		s->match_binaries = xcalloc((size_t)s->nmatch_binaries, sizeof(struct match_proc));
		for (int k = 0; k < s->nmatch_binaries; k++)
			gen_match_proc(r, &s->match_binaries[k], false, b);
	}
	if (!bare && rng_chance(r, 20)) {
		s->nmatch_namespaces = 1 + (int)rng_below(r, 3);
		s->match_namespaces = xcalloc((size_t)s->nmatch_namespaces, sizeof(struct match_ns));
		for (int k = 0; k < s->nmatch_namespaces; k++) {
			struct match_ns *m = &s->match_namespaces[k];
			m->ns = (enum ns_kind)rng_below(r, NS_COUNT);
			m->op = rng_chance(r, 50) ? OP_IN : OP_NOTIN;
			m->nvalues = 1 + (int)rng_below(r, 4);
			m->values = values_of(m->nvalues);
			for (int v = 0; v < m->nvalues; v++)
				m->values[v] = sc(rng_chance(r, 30) ? xstrdup("host_ns")
								    : xasprintf("%u", NS_BASE + rng_below(r, 14)));
		}
	}
	if (!bare && rng_chance(r, 20)) {
		s->nmatch_caps = 1;
		s->match_caps = xcalloc(1, sizeof(struct match_caps));
		gen_caps(r, &s->match_caps[0]);
	}
	if (!bare && rng_chance(r, 12)) {
		s->nmatch_ns_changes = 1;
		s->match_ns_changes = xcalloc(1, sizeof(struct match_ns_changes));
		struct match_ns_changes *m = &s->match_ns_changes[0];
		m->op = rng_chance(r, 50) ? OP_IN : OP_NOTIN;
		m->nvalues = 1 + (int)rng_below(r, 3);
		m->values = values_of(m->nvalues);
		for (int v = 0; v < m->nvalues; v++)
			m->values[v] = sc(xstrdup(ns_names[rng_below(r, NS_COUNT)]));
	}
	if (!bare && rng_chance(r, 12)) {
		s->nmatch_cap_changes = 1;
		s->match_cap_changes = xcalloc(1, sizeof(struct match_caps));
		gen_caps(r, &s->match_cap_changes[0]);
	}
	if (rng_chance(r, 35)) {
		s->nactions = 1 + (int)rng_chance(r, 30);
		s->actions = xcalloc((size_t)s->nactions, sizeof(struct action));
		for (int k = 0; k < s->nactions; k++) {
			gen_action(r, h, &s->actions[k]);
			/* one action of each kind: two Signals with two numbers
			 * would make the spec's meaning (both? the last?) moot */
			if (k && s->actions[k].kind == s->actions[0].kind) {
				free(s->actions[k].name);
				free(s->actions[k].arg_url);
				free(s->actions[k].arg_fqdn);
				s->nactions = k;
			}
		}
	}
}

/* ---- hooks ---- */

static void set_arg(struct arg *a, int index, const char *type)
{
	a->index = index;
	a->type_name = xstrdup(type);
	a->type = arg_type_from_name(type);
}

static void gen_args(struct rng *r, struct hook *h, int base, int nslots)
{
	/* now and then none: selectors on the process only */
	int want = rng_chance(r, 6) ? 0 : 1 + (int)rng_below(r, (uint32_t)(nslots < 4 ? nslots : 4));
	int used[6] = {0};
	h->args = xcalloc((size_t)(want ? want : 1), sizeof(struct arg));
	for (int k = 0; k < want; k++) {
		int slot;
		do
			slot = (int)rng_below(r, (uint32_t)nslots);
		while (used[slot]);
		used[slot] = 1;
		int t = rng_below(r, 100);
		const char *type = t < 35 ? int_types[rng_below(r, t < 25 ? 4 : 8)] : t < 60 ? "string" : t < 80 ? "char_buf" : "fd";
		if (h->kind != HOOK_TRACEPOINT && !h->syscall && rng_chance(r, 40))
			type = rng_chance(r, 60) ? "file" : "path";
		set_arg(&h->args[h->nargs++], base + slot, type);
	}
	/* a char_buf's size comes from another slot, which must be an
	 * integer if it is declared (sizeArgIndex is 1-based) */
	for (int k = 0; k < h->nargs; k++) {
		struct arg *a = &h->args[k];
		if (a->type != AT_CHAR_BUF)
			continue;
		int cand[6], nc = 0;
		for (int s = 0; s < nslots; s++) {
			if (base + s == a->index)
				continue;
			bool ok = true;
			for (int j = 0; j < h->nargs; j++)
				if (h->args[j].index == base + s && !arg_type_is_int(h->args[j].type))
					ok = false;
			if (ok)
				cand[nc++] = base + s;
		}
		if (!nc) {
			free(a->type_name);
			set_arg(a, a->index, "string");
			continue;
		}
		a->size_arg_index = cand[rng_below(r, (uint32_t)nc)] + 1;
	}
}

/* Strings the hook's values are made from: shared prefixes, lengths
 * around the compare steps, a few real paths. */
static int gen_pool(struct rng *r, char **pool)
{
	int n = 0;
	pool[n++] = xstrdup("/etc/passwd");
	pool[n++] = xstrdup("/etc/shadow");
	char *root = rand_string(r, rand_len(r));
	pool[n++] = root;
	pool[n++] = xasprintf("%s%s", root, "/sub");
	while (n < 7)
		pool[n++] = rand_string(r, rand_len(r));
	return n;
}

/* Tracepoints outside syscalls/: fields of every size and signedness,
 * char arrays, __data_loc strings, common fields included. */
static const char *const rich_events[][2] = {
	{"sched", "sched_switch"},   {"task", "task_rename"},	     {"sched", "sched_process_exec"},
	{"signal", "signal_generate"}, {"sched", "sched_process_fork"},
};

static void gen_rich(struct rng *r, struct hook *h)
{
	int which = rng_below(r, sizeof(rich_events) / sizeof(rich_events[0]));
	h->subsystem = xstrdup(rich_events[which][0]);
	h->event = xstrdup(rich_events[which][1]);
	int nf = 0;
	const struct tp_field *f = dev_tp_fields(h->subsystem, h->event, &nf);
	int want = 1 + (int)rng_below(r, 4);
	bool used[64] = {0};
	h->args = xcalloc((size_t)want, sizeof(struct arg));
	for (int k = 0; k < want && nf > 0 && nf <= 64; k++) {
		/* the event's own fields most of the time, common ones too */
		int i = rng_chance(r, 85) && nf > 4 ? 4 + (int)rng_below(r, (uint32_t)(nf - 4)) : (int)rng_below(r, (uint32_t)nf);
		if (used[i])
			continue;
		used[i] = true;
		if (dev_field_is_text(&f[i]))
			set_arg(&h->args[h->nargs++], i, "string");
		else
			set_arg(&h->args[h->nargs++], i, int_types[rng_below(r, 8)]);
	}
}

/* About what tpc's plan counts for a filter's string values, in BPF
 * instructions (plan.c, "what the checks cost"): Postfix a byte at a
 * time, other values a word at a time, values of one length that 8 or
 * more share as one hashed lookup. Erring high is fine here. */
static long values_cost(enum op op, const struct value *v, int n)
{
	long c = 8;
	bool pos_eq = op == OP_EQUAL || op == OP_NOTEQUAL || op == OP_IN || op == OP_NOTIN;
	for (int k = 0; k < n; k++) {
		long words = (long)(v[k].len + 7) / 8;
		if (op == OP_POSTFIX || op == OP_NOTPOSTFIX) {
			c += 3 + 12 * (long)v[k].len;
			continue;
		}
		int same = 0;
		for (int j = 0; pos_eq && j < n; j++)
			same += v[j].len == v[k].len;
		c += same >= VALUESET_MIN ? (3 + 26 * words) / same + 1 : 3 + 5 * words;
	}
	return c;
}

static long hook_cost(const struct hook *h, struct value **longest)
{
	long c = 0;
	*longest = NULL;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		c += 2 + 2 * (sel->nmatch_pids + sel->nmatch_namespaces + sel->nmatch_caps + sel->nmatch_cap_changes +
			      sel->nmatch_ns_changes + sel->nmatch_return_args);
		for (int pass = 0; pass < 2; pass++) {
			int n = pass ? sel->nmatch_binaries : sel->nmatch_args;
			for (int m = 0; m < n; m++) {
				enum op op = pass ? sel->match_binaries[m].op : sel->match_args[m].op;
				struct value *v = pass ? sel->match_binaries[m].values : sel->match_args[m].values;
				int nv = pass ? sel->match_binaries[m].nvalues : sel->match_args[m].nvalues;
				c += values_cost(op, v, nv) + 2 * nv; /* integers: 2 each; strings: more */
				for (int k = 0; k < nv; k++)
					if (!*longest || v[k].len > (*longest)->len)
						*longest = &v[k];
			}
		}
	}
	return c;
}

/* A hook tpc refuses (too-many-compares: its checks would take more BPF
 * instructions than a jump reaches) tests nothing: its longest string
 * values keep 64 bytes (a Postfix value its end, others their start)
 * until the hook fits well under the limit. */
static void fit_jump_reach(struct hook *h)
{
	struct value *v;
	while (hook_cost(h, &v) > TPC_CHECK_INSNS_MAX * 3 / 4 && v && v->len > 64) {
		bool postfix = false;
		for (int s = 0; s < h->nselectors && !postfix; s++) {
			const struct selector *sel = &h->selectors[s];
			for (int m = 0; m < sel->nmatch_args; m++)
				if (v >= sel->match_args[m].values && v < sel->match_args[m].values + sel->match_args[m].nvalues)
					postfix = ops[sel->match_args[m].op].positive == OP_POSTFIX;
			for (int m = 0; m < sel->nmatch_binaries; m++)
				if (v >= sel->match_binaries[m].values &&
				    v < sel->match_binaries[m].values + sel->match_binaries[m].nvalues)
					postfix = ops[sel->match_binaries[m].op].positive == OP_POSTFIX;
		}
		if (postfix)
			memmove(v->s, v->s + v->len - 64, 65);
		v->s[64] = 0;
		v->len = 64;
	}
	while (hook_cost(h, &v) > TPC_CHECK_INSNS_MAX * 3 / 4 && h->nselectors > 1) {
		/* the last selector goes, freed the parser's way */
		struct policy *p = xcalloc(1, sizeof(*p));
		p->nhooks = 1;
		p->hooks = xcalloc(1, sizeof(struct hook));
		p->hooks[0].nselectors = 1;
		p->hooks[0].selectors = xcalloc(1, sizeof(struct selector));
		p->hooks[0].selectors[0] = h->selectors[--h->nselectors];
		struct policy_set ps = {.v = p, .n = 1};
		policy_set_free(&ps);
	}
}

static void gen_hook(struct rng *r, struct hook *h, bool kprobe, struct gen_budget *b)
{
	int sc_i = rng_below(r, NSYSCALLS);
	int base = 0, nslots = 1;
	if (kprobe) {
		static const char *const kfuncs[] = {"fd_install", "security_file_open", "vfs_read", "vfs_write",
						     "security_path_mkdir"};
		static const char *const lsm_hooks[] = {"file_open", "file_permission", "mmap_file", "path_mkdir"};
		h->kind = HOOK_KPROBE;
		/* a kernel function (file and path args, five registers) or a
		 * syscall (user memory, six registers, a tracepoint twin) */
		h->syscall = !rng_chance(r, 30);
		h->call = h->syscall ? xasprintf("sys_%s", syscalls[sc_i].name) : xstrdup(kfuncs[rng_below(r, 5)]);
		base = 0;
		nslots = h->syscall ? 6 : 5;
		/* or the same through a fentry (a u64 context, or the wrapper's
		 * pt_regs for a syscall), or an lsm hook (a u64 context, no
		 * return probe) */
		int other = rng_below(r, 100);
		if (other < 20) {
			h->kind = HOOK_FENTRY;
		} else if (other < 35 && !h->syscall) {
			h->kind = HOOK_LSM;
			free(h->call);
			h->call = xstrdup(lsm_hooks[rng_below(r, 4)]);
		}
		if (h->kind != HOOK_LSM && rng_chance(r, 25)) {
			h->is_return = true;
			if (rng_chance(r, 70)) {
				static const char *const rt[] = {"int", "int64", "uint64", "uint32", "long"};
				h->has_return_arg = true;
				h->return_arg.index = 0;
				h->return_arg.type_name = xstrdup(rt[rng_below(r, 5)]);
				h->return_arg.type = arg_type_from_name(h->return_arg.type_name);
			}
		}
	} else if (rng_chance(r, 40)) {
		h->kind = HOOK_TRACEPOINT;
		gen_rich(r, h);
	} else {
		h->kind = HOOK_TRACEPOINT;
		h->subsystem = xstrdup("syscalls");
		h->event = xasprintf("sys_enter_%s", syscalls[sc_i].name);
		base = 5;
		nslots = syscalls[sc_i].nargs;
	}
	if (!dev_rich(h))
		gen_args(r, h, base, nslots);
	char *pool[10];
	int npool = gen_pool(r, pool);
	if (h->nargs && dev_rich(h)) { /* comm-sized strings for char[16] fields */
		static const char *const comms[] = {"bash", "cat", "kworker/0:1", "sshd"};
		pool[npool++] = xstrdup(comms[rng_below(r, 4)]);
		pool[npool++] = xstrdup(comms[rng_below(r, 4)]);
	}
	int k = rng_below(r, 100);
	/* now and then many: the spec's limit of 5 is not tpc's, and a
	 * return hook keeps a mask of the selectors that passed at entry */
	int many = hook_reports_at_return(h) ? TPC_RETURN_SELECTORS - 4 + (int)rng_below(r, 5) /* the plan's limit */
					     : 60 + (int)rng_below(r, 20);
	h->nselectors = k < 8 ? 0 : k < 90 ? 1 + (int)rng_below(r, 4) : k < 99 ? 5 + (int)rng_below(r, 4) : many;
	h->selectors = xcalloc((size_t)(h->nselectors ? h->nselectors : 1), sizeof(struct selector));
	for (int s = 0; s < h->nselectors; s++)
		gen_selector(r, h, &h->selectors[s], pool, npool, b);
	fit_jump_reach(h);
	for (int i = 0; i < npool; i++)
		free(pool[i]);
}

void gen_policy(struct rng *r, struct policy *p, const char *name, struct gen_budget *b)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->kind = xstrdup("TracingPolicy");
	p->nhooks = 1 + (int)rng_below(r, 3);
	p->hooks = xcalloc((size_t)p->nhooks, sizeof(struct hook));
	/* in the YAML's order (yaml.c): kprobes, fentries, lsmhooks, then
	 * tracepoints, which is the order parse numbers them in */
	int nk = (int)rng_below(r, (uint32_t)p->nhooks + 1);
	for (int i = 0; i < p->nhooks; i++)
		gen_hook(r, &p->hooks[i], i < nk, b);
	for (int i = 1; i < p->nhooks; i++) /* stable: insertion */
		for (int j = i; j > 0 && dev_kind_rank(p->hooks[j].kind) < dev_kind_rank(p->hooks[j - 1].kind); j--) {
			struct hook t = p->hooks[j];
			p->hooks[j] = p->hooks[j - 1];
			p->hooks[j - 1] = t;
		}
}
