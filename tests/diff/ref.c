/* ref.c: the reference evaluator of selectors, written from the spec
 * (spec/TracingPolicy.md "Selectors" and "Selector Semantics", DESIGN.md
 * sections 3 and 6), sharing no code with the code generator (emit*.c)
 * or the BPF runtime. It reads the policy as parse.c models it and the
 * event as the generator describes it (model.h), and says what must be
 * observable: whether an event is posted, with which selector and action
 * bits, and which signals the caller gets.
 *
 * The rules, as the spec and the design state them:
 *  - values of one filter are OR'd (NotEqual, NotIn, NotPrefix,
 *    NotPostfix: AND'd, i.e. the negation of the OR); filters of a
 *    selector are AND'd; selectors are OR'd and the first matching one's
 *    actions apply; a hook without selectors reports every call;
 *  - Post is implicit unless NoPost; Sigkill sends 9, Signal its argSig;
 *  - calls by tp-load itself are never reported (README, tp-load);
 *  - an int arg is the low 32 bits of its register, signed; uint32 the
 *    same unsigned; 64-bit types the whole register; a value means the
 *    same bits of the arg's type; GT/LT compare in the type's signedness;
 *    Mask matches when the arg and the value share a set bit;
 *  - a string is compared whole (up to its NUL); a char_buf is the bytes
 *    its size arg (1-based sizeArgIndex) counts; an fd compares as its
 *    number with GT/LT/Mask and with Equal/NotEqual whose values are all
 *    numbers, and otherwise as the path its fd table gives it; a file
 *    or path arg as the path of the object it points at;
 *  - an argument that cannot be read (bad pointer, unknown fd) satisfies
 *    no filter on it, positive or negative;
 *  - matchPIDs compares the thread group id (isNamespacePID: as seen in
 *    its own pid namespace); followForks also matches a process one of
 *    whose ancestors matched (followChildren likewise for binaries, with
 *    the binary the ancestor ran when it forked);
 *  - a process the table does not know has no binary ("") and nothing
 *    recorded at exec: no namespace or capability changes;
 *  - host_ns is the host's namespace of that kind (tp-load's config);
 *  - matchCapabilities In: any listed capability in the set; NotIn: none;
 *    isNamespaceCapability: only a task outside the host user namespace
 *    can match at all;
 *  - *Changes In: a listed namespace/capability differs from exec time;
 *    NotIn: one that is not listed does (issue 13: a process that changed
 *    nothing never matches NotIn); a process the table does not know
 *    changed nothing. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

enum ref_mutation ref_mutation = MUT_NONE;

/* ---- coverage: every (filter, operator) seen true and false ---- */

enum cov_kind {
	CK_INT, CK_STR, CK_BUF, CK_FDNUM, CK_FDPATH, CK_RET, CK_PID, CK_PID_FOLLOW, CK_NSPID, CK_BIN,
	CK_BIN_FOLLOW, CK_NS, CK_NS_HOST, CK_CAPS, CK_CAPS_NS, CK_NSCH, CK_CAPCH, CK_CAPCH_NS, CK_TPINT, CK_TPSTR,
	CK_FILE, CK_COUNT
};
static const char *const cov_names[] = {
	"matchArgs integer", "matchArgs string", "matchArgs char_buf", "matchArgs fd number", "matchArgs fd path",
	"matchReturnArgs", "matchPIDs", "matchPIDs followForks", "matchPIDs isNamespacePID", "matchBinaries",
	"matchBinaries followChildren", "matchNamespaces", "matchNamespaces host_ns", "matchCapabilities",
	"matchCapabilities isNamespaceCapability", "matchNamespaceChanges", "matchCapabilityChanges",
	"matchCapabilityChanges isNamespaceCapability", "matchArgs tracepoint integer field",
	"matchArgs tracepoint text field", "matchArgs file/path",
};
#define NOPS 12
static uint64_t cov[CK_COUNT][NOPS][2];

static bool seen(enum cov_kind k, enum op op, bool v)
{
	cov[k][op][v]++;
	return v;
}

/* The operators each kind must have been seen with. */
static bool cov_expected(enum cov_kind k, enum op op)
{
	switch (k) {
	case CK_INT:
	case CK_TPINT:
	case CK_FDNUM:
	case CK_RET: return op == OP_EQUAL || op == OP_NOTEQUAL || op == OP_GT || op == OP_LT || op == OP_MASK;
	case CK_STR:
	case CK_TPSTR:
	case CK_FILE:
	case CK_FDPATH: return op >= OP_EQUAL && op <= OP_NOTPOSTFIX;
	case CK_BUF: return op >= OP_EQUAL && op <= OP_NOTPREFIX;
	case CK_BIN:
	case CK_BIN_FOLLOW: return op == OP_IN || op == OP_NOTIN || (op >= OP_PREFIX && op <= OP_NOTPOSTFIX);
	default: return op == OP_IN || op == OP_NOTIN;
	}
}

void ref_coverage_print(FILE *f)
{
	fprintf(f, "%-46s %-12s %10s %10s\n", "filter", "operator", "true", "false");
	for (int k = 0; k < CK_COUNT; k++)
		for (int op = 0; op < NOPS; op++)
			if (cov_expected(k, (enum op)op))
				fprintf(f, "%-46s %-12s %10llu %10llu%s\n", cov_names[k], op_name((enum op)op),
					(unsigned long long)cov[k][op][1], (unsigned long long)cov[k][op][0],
					cov[k][op][0] && cov[k][op][1] ? "" : "  <- gap");
}

int ref_coverage_gaps(void)
{
	int gaps = 0;
	for (int k = 0; k < CK_COUNT; k++)
		for (int op = 0; op < NOPS; op++)
			if (cov_expected(k, (enum op)op) && (!cov[k][op][0] || !cov[k][op][1]))
				gaps++;
	return gaps;
}

/* ---- integers ---- */

/* A value of an integer type: its bits (zero-extended from the type's
 * width) and whether it is signed. */
struct ival {
	uint64_t bits;
	int width;
	bool is_signed;
};

static int width_of(enum arg_type t)
{
	switch (t) {
	case AT_INT:
	case AT_FD:
	case AT_UINT32: return 32;
	case AT_INT16:
	case AT_UINT16: return 16;
	case AT_INT8:
	case AT_UINT8: return 8;
	default: return 64;
	}
}

static struct ival ival_of(enum arg_type t, uint64_t x)
{
	struct ival v;
	v.width = width_of(t);
	v.is_signed = t == AT_INT || t == AT_FD || t == AT_INT64 || t == AT_INT16 || t == AT_INT8;
	v.bits = v.width == 64 ? x : x & ((1ULL << v.width) - 1);
	return v;
}

static int64_t ival_signed(struct ival v)
{
	if (v.width == 64)
		return (int64_t)v.bits;
	uint64_t sign = 1ULL << (v.width - 1);
	return (int64_t)((v.bits ^ sign) - sign);
}

/* arg OP value, for one value */
static bool int_op1(enum op op, struct ival a, struct ival v)
{
	switch (op) {
	case OP_EQUAL:
	case OP_NOTEQUAL: return a.bits == v.bits;
	case OP_GT: return a.is_signed ? ival_signed(a) > ival_signed(v) : a.bits > v.bits;
	case OP_LT: return a.is_signed ? ival_signed(a) < ival_signed(v) : a.bits < v.bits;
	case OP_MASK: return (a.bits & v.bits) != 0;
	default: return false;
	}
}

static bool int_filter(enum cov_kind ck, const struct match_arg *m, enum arg_type t, uint64_t raw)
{
	struct ival a = ival_of(t, raw);
	int hits = 0;
	for (int i = 0; i < m->nvalues; i++) {
		long long x = 0;
		parse_integer_text(m->values[i].s, &x);
		hits += int_op1(m->op, a, ival_of(t, (uint64_t)x));
	}
	if (m->op == OP_NOTEQUAL && ref_mutation == MUT_NOTEQUAL_OR)
		return seen(ck, m->op, hits < m->nvalues); /* wrong on purpose: differs from ANY value */
	return seen(ck, m->op, m->op == OP_NOTEQUAL ? hits == 0 : hits > 0);
}

/* ---- bytes ---- */

struct bytes {
	const unsigned char *p;
	size_t n;
	bool ok; /* false: could not be read */
};

static bool has_prefix(struct bytes b, const char *v)
{
	size_t n = strlen(v);
	return b.n >= n && !memcmp(b.p, v, n);
}

static bool has_postfix(struct bytes b, const char *v)
{
	size_t n = strlen(v);
	return b.n >= n && !memcmp(b.p + b.n - n, v, n);
}

static bool bytes_filter(enum cov_kind ck, const struct match_arg *m, struct bytes b)
{
	if (!b.ok)
		return seen(ck, m->op, false);
	bool any = false;
	int hits = 0;
	for (int i = 0; i < m->nvalues; i++) {
		const char *v = m->values[i].s;
		bool hit;
		switch (m->op) {
		case OP_EQUAL:
		case OP_NOTEQUAL: hit = b.n == strlen(v) && !memcmp(b.p, v, b.n); break;
		case OP_PREFIX:
		case OP_NOTPREFIX: hit = has_prefix(b, v); break;
		default: hit = has_postfix(b, v); break;
		}
		any |= hit;
		hits += hit;
	}
	bool neg = m->op == OP_NOTEQUAL || m->op == OP_NOTPREFIX || m->op == OP_NOTPOSTFIX;
	if (neg && m->op == OP_NOTEQUAL && ref_mutation == MUT_NOTEQUAL_OR)
		return seen(ck, m->op, hits < m->nvalues); /* wrong on purpose: differs from ANY value */
	return seen(ck, m->op, neg ? !any : any);
}

/* The string at raw: up to its NUL, inside readable memory. */
static struct bytes string_at(const struct dev_event *e, int k)
{
	struct bytes b = {NULL, 0, false};
	if (k < 0 || !e->mem[k])
		return b;
	uint64_t start = (uint64_t)(uintptr_t)e->mem[k];
	if (e->raw[k] < start || e->raw[k] - start >= e->memlen[k])
		return b;
	size_t off = (size_t)(e->raw[k] - start);
	const unsigned char *nul = memchr(e->mem[k] + off, 0, e->memlen[k] - off);
	if (!nul)
		return b;
	b.p = e->mem[k] + off;
	b.n = (size_t)(nul - b.p);
	b.ok = true;
	return b;
}

/* size bytes at raw */
static struct bytes buffer_at(const struct dev_event *e, int k, uint64_t size)
{
	struct bytes b = {NULL, 0, false};
	if (size == 0) { /* nothing to read, nothing to fault */
		b.ok = true;
		b.p = (const unsigned char *)"";
		return b;
	}
	if (k < 0 || !e->mem[k])
		return b;
	uint64_t start = (uint64_t)(uintptr_t)e->mem[k];
	if (e->raw[k] < start || e->raw[k] - start > e->memlen[k] || size > e->memlen[k] - (e->raw[k] - start))
		return b;
	b.p = e->mem[k] + (e->raw[k] - start);
	b.n = (size_t)size;
	b.ok = true;
	return b;
}

static struct bytes fd_path(const struct dev_event *e, uint64_t raw)
{
	struct bytes b = {NULL, 0, false};
	uint32_t fd = (uint32_t)raw;
	for (int i = 0; i < e->nfds; i++)
		if ((uint32_t)e->fd[i] == fd) {
			if (!e->fdpath[i])
				return b;
			b.p = (const unsigned char *)e->fdpath[i];
			b.n = strlen(e->fdpath[i]);
			b.ok = true;
			return b;
		}
	return b;
}

static const struct arg *arg_of(const struct hook *h, int index)
{
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].index == index)
			return &h->args[i];
	return NULL;
}

static bool all_numbers(const struct match_arg *m)
{
	for (int i = 0; i < m->nvalues; i++) {
		long long x;
		if (!parse_integer_text(m->values[i].s, &x))
			return false;
	}
	return true;
}

static bool match_arg(const struct hook *h, const struct match_arg *m, const struct dev_event *e)
{
	const struct arg *a = arg_of(h, m->index);
	if (a && dev_rich(h)) {
		/* a field of the record: an integer as its C type says, a
		 * char array or __data_loc string up to its NUL */
		int nf = 0;
		const struct tp_field *f = dev_tp_fields(h->subsystem, h->event, &nf);
		if (m->index >= nf)
			return false;
		if (a->type == AT_STRING) {
			const char *t = dev_field_text(&f[m->index], e->rec, DEV_REC);
			struct bytes b = {(const unsigned char *)t, t ? strlen(t) : 0, t != NULL};
			return bytes_filter(CK_TPSTR, m, b);
		}
		return int_filter(CK_TPINT, m, a->type, dev_field_int(&f[m->index], e->rec));
	}
	int k = dev_slot(h, m->index);
	if (!a || k < 0)
		return false;
	uint64_t raw = e->raw[k];
	switch (a->type) {
	case AT_STRING: return bytes_filter(CK_STR, m, string_at(e, k));
	case AT_CHAR_BUF: {
		int sz = dev_slot(h, a->size_arg_index - 1);
		return bytes_filter(CK_BUF, m, buffer_at(e, k, sz >= 0 ? e->raw[sz] : 0));
	}
	case AT_FILE:
	case AT_PATH: {
		/* the path of the object the arg points at */
		struct bytes b = {NULL, 0, false};
		if (raw && e->kpath[k] && raw == (uint64_t)(uintptr_t)e->kpath[k]) {
			b.p = (const unsigned char *)e->kpath[k];
			b.n = strlen(e->kpath[k]);
			b.ok = true;
		}
		return bytes_filter(CK_FILE, m, b);
	}
	case AT_FD: {
		bool number = m->op == OP_GT || m->op == OP_LT || m->op == OP_MASK ||
			      ((m->op == OP_EQUAL || m->op == OP_NOTEQUAL) && all_numbers(m));
		if (number)
			return int_filter(CK_FDNUM, m, AT_FD, raw);
		return bytes_filter(CK_FDPATH, m, fd_path(e, raw));
	}
	default: return int_filter(CK_INT, m, a->type, raw);
	}
}

/* ---- the process ---- */

static bool pid_in(const struct match_proc *m, uint32_t pid)
{
	for (int i = 0; i < m->nvalues; i++) {
		long long x = 0;
		parse_integer_text(m->values[i].s, &x);
		if ((uint32_t)x == pid)
			return true;
	}
	return false;
}

static bool match_pids(const struct match_proc *m, const struct dev_event *e)
{
	bool hit = pid_in(m, m->ns_pid ? e->task.nspid : e->task.tgid);
	if (m->follow && e->proc_known)
		for (int i = 0; i < e->nanc; i++)
			hit |= pid_in(m, m->ns_pid ? e->anc[i].nspid : e->anc[i].pid);
	bool r = m->op == OP_NOTIN ? !hit : hit;
	seen(CK_PID, m->op, r);
	if (m->follow)
		seen(CK_PID_FOLLOW, m->op, r);
	if (m->ns_pid)
		seen(CK_NSPID, m->op, r);
	return r;
}

/* the positive form of a binaries filter on one path */
static bool bin_hit(const struct match_proc *m, const char *bin)
{
	struct bytes b = {(const unsigned char *)bin, strlen(bin), true};
	for (int i = 0; i < m->nvalues; i++) {
		const char *v = m->values[i].s;
		bool hit;
		switch (m->op) {
		case OP_IN:
		case OP_NOTIN: hit = !strcmp(bin, v); break;
		case OP_PREFIX:
		case OP_NOTPREFIX: hit = has_prefix(b, v); break;
		default: hit = has_postfix(b, v); break;
		}
		if (hit)
			return true;
	}
	return false;
}

static bool match_binaries(const struct match_proc *m, const struct dev_event *e)
{
	const char *bin = e->proc_known ? e->bin : "";
	bool hit = bin_hit(m, bin);
	if (m->follow && e->proc_known)
		for (int i = 0; i < e->nanc; i++)
			hit |= bin_hit(m, e->anc[i].bin);
	bool neg = m->op == OP_NOTIN || m->op == OP_NOTPREFIX || m->op == OP_NOTPOSTFIX;
	bool r = neg ? !hit : hit;
	seen(m->follow ? CK_BIN_FOLLOW : CK_BIN, m->op, r);
	return r;
}

static bool match_namespaces(const struct match_ns *m, const struct dev_event *e)
{
	uint32_t cur = e->task.ns[m->ns];
	bool hit = false, host = false;
	for (int i = 0; i < m->nvalues; i++) {
		if (!strcmp(m->values[i].s, "host_ns")) {
			host = true;
			hit |= cur == e->host_ns[m->ns];
		} else {
			long long x = 0;
			parse_integer_text(m->values[i].s, &x);
			hit |= cur == (uint32_t)x;
		}
	}
	bool r = m->op == OP_NOTIN ? !hit : hit;
	seen(CK_NS, m->op, r);
	if (host)
		seen(CK_NS_HOST, m->op, r);
	return r;
}

static uint64_t caps_listed(const struct match_caps *m)
{
	uint64_t mask = 0;
	for (int i = 0; i < m->nvalues; i++) {
		int c = cap_from_name(m->values[i].s);
		if (c >= 0)
			mask |= 1ULL << c;
	}
	return mask;
}

static bool match_caps(const struct match_caps *m, const struct dev_event *e, bool changes)
{
	uint64_t listed = caps_listed(m);
	bool in_ns = e->task.ns[NS_USER] != e->host_ns[NS_USER];
	bool r;
	if (changes) {
		uint64_t changed = e->proc_known ? (e->task.caps[m->set] ^ e->exec_caps[m->set]) : 0;
		uint64_t all = (1ULL << 41) - 1; /* the capabilities linux/capability.h names */
		r = (changed & (m->op == OP_NOTIN ? all & ~listed : listed)) != 0;
	} else {
		bool hit = (e->task.caps[m->set] & listed) != 0;
		r = m->op == OP_NOTIN ? !hit : hit;
	}
	if (m->ns_cap && !in_ns)
		r = false;
	seen(changes ? CK_CAPCH : CK_CAPS, m->op, r);
	if (m->ns_cap)
		seen(changes ? CK_CAPCH_NS : CK_CAPS_NS, m->op, r);
	return r;
}

static bool match_ns_changes(const struct match_ns_changes *m, const struct dev_event *e)
{
	bool listed[NS_COUNT] = {0};
	for (int i = 0; i < m->nvalues; i++) {
		int k = ns_from_name(m->values[i].s);
		if (k >= 0)
			listed[k] = true;
	}
	bool r = false;
	for (int k = 0; k < NS_COUNT; k++)
		if (listed[k] != (m->op == OP_NOTIN) && e->proc_known && e->task.ns[k] != e->exec_ns[k])
			r = true;
	seen(CK_NSCH, m->op, r);
	return r;
}

static bool match_return(const struct hook *h, const struct match_arg *m, const struct dev_event *e)
{
	enum arg_type t = AT_INT64; /* a call returns a long */
	if (h->has_return_arg && arg_type_is_int(h->return_arg.type))
		t = h->return_arg.type;
	return int_filter(CK_RET, m, t, (uint64_t)e->ret);
}

/* ---- selectors ---- */

/* Every filter of the selector, all evaluated (for coverage), AND'd. */
static bool selector_matches(const struct hook *h, const struct selector *s, const struct dev_event *e)
{
	bool ok = true;
	for (int i = 0; i < s->nmatch_args; i++)
		ok &= match_arg(h, &s->match_args[i], e);
	for (int i = 0; i < s->nmatch_return_args; i++)
		ok &= match_return(h, &s->match_return_args[i], e);
	for (int i = 0; i < s->nmatch_pids; i++)
		ok &= match_pids(&s->match_pids[i], e);
	for (int i = 0; i < s->nmatch_binaries; i++)
		ok &= match_binaries(&s->match_binaries[i], e);
	for (int i = 0; i < s->nmatch_namespaces; i++)
		ok &= match_namespaces(&s->match_namespaces[i], e);
	for (int i = 0; i < s->nmatch_caps; i++)
		ok &= match_caps(&s->match_caps[i], e, false);
	for (int i = 0; i < s->nmatch_cap_changes; i++)
		ok &= match_caps(&s->match_cap_changes[i], e, true);
	for (int i = 0; i < s->nmatch_ns_changes; i++)
		ok &= match_ns_changes(&s->match_ns_changes[i], e);
	return ok;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void ref_eval(const struct policy *p, const struct dev_event *e, struct dev_outcome *out)
{
	memset(out, 0, sizeof(*out));
	const struct hook *h = &p->hooks[e->hook];
	if (e->task.tgid == e->loader_tgid)
		return;
	int sel = -1;
	const struct selector *s = NULL;
	if (h->nselectors == 0) {
		sel = 0;
	} else {
		for (int i = 0; i < h->nselectors; i++)
			if (selector_matches(h, &h->selectors[i], e)) {
				sel = i + 1;
				s = &h->selectors[i];
				break;
			}
	}
	if (sel < 0)
		return;
	uint32_t act = 0;
	for (int i = 0; s && i < s->nactions; i++) {
		const struct action *a = &s->actions[i];
		switch (a->kind) {
		case ACT_POST: act |= TPC_ACT_POST; break;
		case ACT_NOPOST: act |= TPC_ACT_NOPOST; break;
		case ACT_SIGKILL:
			act |= TPC_ACT_SIGKILL;
			out->sig[out->nsig++] = 9;
			break;
		case ACT_SIGNAL:
			act |= TPC_ACT_SIGNAL;
			out->sig[out->nsig++] = (int)a->arg_sig;
			break;
		case ACT_GETURL: act |= TPC_ACT_GETURL; break;
		case ACT_DNSLOOKUP: act |= TPC_ACT_DNSLOOKUP; break;
		default: break;
		}
	}
	if (!(act & TPC_ACT_NOPOST))
		act |= TPC_ACT_POST; /* "all TracingPolicy will generate an event by default" */
	qsort(out->sig, (size_t)out->nsig, sizeof(int), cmp_int);
	out->posted = !(act & TPC_ACT_NOPOST);
	out->sel = sel;
	out->act = act;
}
