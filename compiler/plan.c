/* plan.c: what one object's generated code needs, decided once from the
 * checked policies, before any C is written: the programs of each hook,
 * which args are read and how many bytes each check needs, which strings
 * live on the stack and which in per-CPU slots, the follow bits of the
 * whole object, which process values the checks read, and what tp-load
 * must seed. emit*.c and manifest.c read the plan and decide nothing of
 * their own; every limit of an object has its one source here (the
 * bounds themselves are tpc_abi.h's), and running past one is an error at
 * the policy line that does. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

/* Check buffers up to this size live on the BPF stack; larger ones (and
 * whole strings) use a per-CPU slot. */
#define STACK_STR_MAX 128

/* String plans are keyed by the arg's slot: two args may read one
 * parameter (a struct and a field a resolve path names). */
static struct str_plan *str_for(struct hook_plan *hp, int slot)
{
	for (int i = 0; i < hp->nstrs; i++)
		if (hp->strs[i].slot == slot)
			return &hp->strs[i];
	if (hp->nstrs == PLAN_MAX_STRS)
		return NULL;
	struct str_plan *sp = &hp->strs[hp->nstrs++];
	memset(sp, 0, sizeof(*sp));
	sp->slot = slot;
	sp->buf = -1;
	return sp;
}

const struct str_plan *plan_str(const struct hook_plan *hp, int slot)
{
	for (int i = 0; i < hp->nstrs; i++)
		if (hp->strs[i].slot == slot)
			return &hp->strs[i];
	return NULL;
}

static int round8(int n)
{
	return (n + 7) & ~7;
}

/* Bytes a compare needs of the string (0: the whole string). */
static void need_bytes(struct str_plan *sp, const struct match_arg *ma)
{
	for (int v = 0; v < ma->nvalues; v++) {
		int len = (int)ma->values[v].len, need = 0;
		switch (ops[ma->op].need) {
		case NEED_EQUAL: need = len + 2; break; /* the NUL, and one byte to tell a longer string */
		case NEED_PREFIX: need = len + 1; break;
		case NEED_WHOLE: sp->whole = true; break;
		case NEED_NONE: break;
		}
		if (need > sp->size)
			sp->size = need;
	}
}

/* String buffers: every path-like arg is resolved whole (checks and the
 * event read the same bytes); a FollowFD name is read whole; each string
 * check reads what its operator needs. */
static void plan_strings(struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	/* a sleepable hook copies every user string and buffer it reads
	 * whole, into its own per-thread buffer, before any check: the copy
	 * may sleep to fault a page in, and nothing per-CPU is in use yet */
	for (int i = 0; i < h->nargs && hp->sleepable; i++) {
		enum arg_class cls = arg_types[h->args[i].type].cls;
		if (cls != AC_STRING && cls != AC_BUF)
			continue;
		struct str_plan *sp = str_for(hp, h->args[i].slot);
		if (!sp)
			continue;
		sp->preload = sp->whole = true;
		sp->is_buf = cls == AC_BUF;
		sp->pslot = hp->npreload++;
	}
	for (int i = 0; i < h->nargs; i++) {
		if (!arg_type_is_path(h->args[i].type))
			continue;
		struct str_plan *sp = str_for(hp, h->args[i].slot);
		if (sp)
			sp->is_path = sp->whole = true;
	}
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		for (int k = 0; k < sel->nactions; k++) {
			const struct action *ac = &sel->actions[k];
			const struct arg *a = ac->kind == ACT_FOLLOWFD ? hook_find_arg(h, ac->arg_name) : NULL;
			hp->followfd |= ac->kind == ACT_FOLLOWFD;
			struct str_plan *sp = a && !arg_type_is_int(a->type) ? str_for(hp, a->slot) : NULL;
			if (sp) {
				sp->whole = true;
				sp->is_buf = a->type == AT_CHAR_BUF;
			}
		}
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			const struct arg *a = match_target(h, ma);
			if (!a || !match_arg_on_bytes(a, ma))
				continue;
			struct str_plan *sp = str_for(hp, a->slot);
			if (!sp)
				continue;
			sp->checked = true;
			sp->is_buf = a->type == AT_CHAR_BUF;
			need_bytes(sp, ma);
		}
	}
}

/* Slots: whole strings and long values. FollowFD builds its map value in
 * the last slot, so a hook with FollowFD has one fewer. */
static void plan_slots(struct hook_plan *hp, const struct policy *p, struct diags *d)
{
	for (int i = 0; i < hp->nstrs; i++) {
		struct str_plan *sp = &hp->strs[i];
		if (sp->preload) { /* its own per-thread buffer */
			sp->size = TPC_STR_MAX;
			continue;
		}
		sp->size = round8(sp->size < 8 ? 8 : sp->size);
		if (sp->whole || sp->size > STACK_STR_MAX) {
			sp->size = TPC_STR_MAX;
			sp->buf = hp->nslots++;
		}
	}
	int max = TPC_STR_SLOTS - (hp->followfd ? 1 : 0);
	if (hp->site)
		return; /* said once, for the hook's first probe */
	if (hp->npreload > TPC_PRELOAD_SLOTS)
		diag_add(d, p->file, hp->h->pos, SEV_ERROR, "too-many-slots",
			 "this hook reads %d user strings and buffers; a uprobe pre-loads at most %d", hp->npreload,
			 TPC_PRELOAD_SLOTS);
	if (hp->nslots > max)
		diag_add(d, p->file, hp->h->pos, SEV_ERROR, "too-many-slots",
			 "this hook needs %d whole-string buffers (file/path/fd args, Postfix or long values); at most %d%s",
			 hp->nslots, max, hp->followfd ? " with FollowFD" : "");
}

/* Process values the checks read, so the body declares and reads only
 * those, each at most once per event. */
static void plan_process(struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	for (int i = 0; i < h->nselectors; i++) {
		const struct selector *s = &h->selectors[i];
		for (int j = 0; j < s->nmatch_pids; j++) {
			hp->need_pid = true;
			if (s->match_pids[j].ns_pid)
				hp->need_nspid = hp->need_task = true;
			if (s->match_pids[j].follow)
				hp->need_proc = true;
		}
		if (s->nmatch_binaries || s->nmatch_parent_binaries || s->nmatch_cap_changes || s->nmatch_ns_changes)
			hp->need_proc = true;
		for (int j = 0; j < s->nmatch_namespaces; j++) {
			const struct match_ns *m = &s->match_namespaces[j];
			if (m->ns < NS_COUNT)
				hp->ns_used |= 1u << m->ns;
			for (int v = 0; v < m->nvalues; v++)
				hp->need_cfg |= !strcmp(m->values[v].s, "host_ns");
		}
		for (int j = 0; j < s->nmatch_ns_changes; j++) /* NotIn compares every kind not listed */
			hp->ns_used |= ops[s->match_ns_changes[j].op].negated ? ((1u << NS_COUNT) - 1) & ~s->match_ns_changes[j].mask
									    : s->match_ns_changes[j].mask;
		for (int pass = 0; pass < 2; pass++) {
			const struct match_caps *caps = pass ? s->match_cap_changes : s->match_caps;
			int n = pass ? s->nmatch_cap_changes : s->nmatch_caps;
			for (int j = 0; j < n; j++) {
				hp->caps_used |= 1u << caps[j].set;
				if (caps[j].ns_cap) {
					hp->ns_used |= 1u << NS_USER;
					hp->need_cfg = true;
				}
			}
		}
		for (int k = 0; k < s->nactions; k++) {
			hp->uses_sig |= s->actions[k].kind == ACT_SIGNAL;
			hp->uses_override |= s->actions[k].kind == ACT_OVERRIDE;
			/* no-ops elsewhere (check_actions.c warns) */
			if (h->kind == HOOK_KPROBE || h->kind == HOOK_TRACEPOINT) {
				hp->uses_notify |= s->actions[k].kind == ACT_NOTIFYENFORCER;
				hp->uses_cleanup |= s->actions[k].kind == ACT_CLEANUPENFORCERNOTIFICATION;
			}
			hp->uses_rate |= s->actions[k].rate_limit_ns != 0;
			hp->uses_stacks |= action_posts_stacks(h, &s->actions[k]);
		}
	}
	if (hp->need_proc)
		hp->need_pid = true;
	if (hp->ns_used || hp->caps_used)
		hp->need_task = true;
}

static struct valueset *add_set(struct hook_plan *hp)
{
	hp->sets = xrealloc(hp->sets, sizeof(*hp->sets) * (size_t)(hp->nsets + 1));
	return &hp->sets[hp->nsets++];
}

/* Sets for a filter's values, one per length with VALUESET_MIN or more
 * values of it. A Prefix set leaves out a value whose first word is zero
 * (all NUL: an empty row would match it); it stays a compare. */
bool prefix_in_set(const struct value *v)
{
	return valueset_word(v->s, v->len, 0) != 0;
}

static void string_sets(struct hook_plan *hp, const void *owner, const struct value *v, int n, bool prefix)
{
	const struct value **same = xcalloc((size_t)(n ? n : 1), sizeof(*same));
	bool *done = xcalloc((size_t)(n ? n : 1), sizeof(bool));
	for (int i = 0; i < n; i++) {
		if (done[i])
			continue;
		int k = 0;
		for (int j = i; j < n; j++)
			if (!done[j] && v[j].len == v[i].len && (!prefix || prefix_in_set(&v[j]))) {
				same[k++] = &v[j];
				done[j] = true;
			}
		if (k < VALUESET_MIN || v[i].len == 0)
			continue;
		struct valueset *vs = add_set(hp);
		valueset_build(vs, same, k, v[i].len);
		vs->prefix = prefix;
		vs->owner = owner;
		vs->id = hp->nsets - 1;
	}
	free(same);
	free(done);
}

/* An integer set: keys as the compare sees them, widened to 64 bits
 * (signed types sign-extended). */
static void int_set(struct hook_plan *hp, const void *owner, const struct value *v, int n, const struct arg *a)
{
	enum arg_type t = a->type;
	if (n < VALUESET_MIN)
		return;
	uint64_t *keys = xcalloc((size_t)n, sizeof(uint64_t));
	int bits = arg_types[t].size * 8;
	for (int i = 0; i < n; i++) {
		long long vi = 0;
		value_as_int(a, &v[i], &vi);
		uint64_t x = (uint64_t)vi;
		if (bits < 64) {
			x &= (1ULL << bits) - 1;
			if (arg_types[t].is_signed && (x >> (bits - 1)) & 1)
				x |= ~0ULL << bits;
		}
		keys[i] = x;
	}
	struct valueset *vs = add_set(hp);
	valueset_build_ints(vs, keys, n);
	vs->owner = owner;
	vs->id = hp->nsets - 1;
	free(keys);
}

/* A network operator's numbers (ports, protocols, families, states) as
 * one set when there are many and none is a range (a range stays a
 * compare): the filter then costs one lookup whatever its size. */
static void net_set(struct hook_plan *hp, const struct match_arg *ma)
{
	if (net_op_is_addr(ma->op)) {
		/* many values of a family: their ranges' table, whatever their prefix lengths */
		bool v4_table = false;
		for (int alen = 4; alen <= 16; alen += 12) {
			struct net_value *nv = xcalloc((size_t)ma->nvalues + 1, sizeof(*nv));
			int n = 0;
			for (int v = 0; v < ma->nvalues; v++) {
				char why[200];
				if (net_value_parse(ma->op, ma->values[v].s, &nv[n], why, sizeof(why)) && nv[n].alen == alen)
					n++;
			}
			if (n >= ADDRTABLE_MIN) {
				hp->atabs = xrealloc(hp->atabs, sizeof(*hp->atabs) * (size_t)(hp->natabs + 1));
				struct addrtable *at = &hp->atabs[hp->natabs];
				addrtable_build(at, nv, n, alen);
				at->alen = alen;
				at->owner = ma;
				at->id = hp->natabs++;
				v4_table |= alen == 4;
			}
			free(nv);
		}
		/* else IPv4 values by prefix length: the masked address's set */
		for (int v = 0; v < ma->nvalues && !v4_table; v++) {
			if (net_v4_group(ma, v) != v)
				continue;
			uint64_t *keys = xcalloc((size_t)ma->nvalues, sizeof(uint64_t));
			int n = 0;
			for (int u = v; u < ma->nvalues; u++) {
				struct net_value nv;
				char why[200];
				if (net_v4_group(ma, u) != v || !net_value_parse(ma->op, ma->values[u].s, &nv, why, sizeof(why)))
					continue;
				keys[n++] = (uint64_t)nv.addr[0] << 24 | (uint64_t)nv.addr[1] << 16 | (uint64_t)nv.addr[2] << 8 |
					    nv.addr[3];
			}
			struct valueset *vs = add_set(hp);
			valueset_build_ints(vs, keys, n);
			vs->owner = &ma->values[v];
			vs->id = hp->nsets - 1;
			free(keys);
		}
		return;
	}
	if (net_op_is_priv(ma->op) || ma->nvalues < VALUESET_MIN)
		return;
	uint64_t *keys = xcalloc((size_t)ma->nvalues, sizeof(uint64_t));
	for (int i = 0; i < ma->nvalues; i++) {
		struct net_value nv;
		char why[200];
		if (!net_value_parse(ma->op, ma->values[i].s, &nv, why, sizeof(why)) || nv.lo != nv.hi) {
			free(keys);
			return;
		}
		keys[i] = (uint64_t)nv.lo;
	}
	struct valueset *vs = add_set(hp);
	valueset_build_ints(vs, keys, ma->nvalues);
	vs->owner = ma;
	vs->id = hp->nsets - 1;
	free(keys);
}

/* Large value sets: Equal/NotEqual on args, In/NotIn on binaries and
 * pids, the network operators' numbers. Fewer values stay chains of
 * compares. */
static void plan_sets(struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			const struct arg *a = match_target(h, ma);
			if (a && ops[ma->op].net) {
				net_set(hp, ma);
				continue;
			}
			if (a && ops[ma->op].positive == OP_INMAP && arg_type_is_int(a->type)) {
				/* its numbers; its ranges stay compares */
				struct value *nums = xcalloc((size_t)ma->nvalues + 1, sizeof(*nums));
				int n = 0;
				for (int v = 0; v < ma->nvalues; v++)
					if (!value_is_map_range(ma, &ma->values[v]))
						nums[n++] = ma->values[v];
				int_set(hp, ma, nums, n, a);
				free(nums);
				continue;
			}
			if (a && ops[ma->op].positive == OP_PREFIX && match_arg_on_bytes(a, ma)) {
				string_sets(hp, ma, ma->values, ma->nvalues, true);
				continue;
			}
			if (!a || ops[ma->op].positive != OP_EQUAL)
				continue;
			if (match_arg_on_bytes(a, ma))
				string_sets(hp, ma, ma->values, ma->nvalues, false);
			else if (arg_type_is_int(a->type))
				int_set(hp, ma, ma->values, ma->nvalues, a);
		}
		for (int m = 0; m < sel->nmatch_return_args; m++) /* a returned sock's */
			if (ops[sel->match_return_args[m].op].net)
				net_set(hp, &sel->match_return_args[m]);
		for (int m = 0; m < sel->nmatch_binaries; m++) {
			enum op pos = ops[sel->match_binaries[m].op].positive;
			if (pos == OP_IN || pos == OP_PREFIX)
				string_sets(hp, &sel->match_binaries[m], sel->match_binaries[m].values,
					    sel->match_binaries[m].nvalues, pos == OP_PREFIX);
		}
		for (int m = 0; m < sel->nmatch_parent_binaries; m++) {
			enum op pos = ops[sel->match_parent_binaries[m].op].positive;
			if (pos == OP_IN || pos == OP_PREFIX)
				string_sets(hp, &sel->match_parent_binaries[m], sel->match_parent_binaries[m].values,
					    sel->match_parent_binaries[m].nvalues, pos == OP_PREFIX);
		}
		for (int m = 0; m < sel->nmatch_pids; m++)
			int_set(hp, &sel->match_pids[m], sel->match_pids[m].values, sel->match_pids[m].nvalues,
				&(const struct arg){.type = AT_UINT32});
	}
}

const struct addrtable *plan_addrtable(const struct hook_plan *hp, const void *owner, int alen)
{
	for (int i = 0; i < hp->natabs; i++)
		if (hp->atabs[i].owner == owner && hp->atabs[i].alen == alen)
			return &hp->atabs[i];
	return NULL;
}

const struct valueset *plan_valueset(const struct hook_plan *hp, const void *owner, size_t len)
{
	for (int i = 0; i < hp->nsets; i++)
		if (hp->sets[i].owner == owner && hp->sets[i].len == len)
			return &hp->sets[i];
	return NULL;
}

/* ---- what the checks cost ----
 *
 * A hook's checks are straight-line compares, and a check that fails
 * jumps over every check after it in its selector (and a match over the
 * selectors after it): a BPF conditional jump reaches 32,767 instructions,
 * and clang gives up (or the verifier refuses "jump out of range") past
 * that. So plan counts what the checks will cost, in BPF instructions as
 * measured on what emit writes (about: each estimate errs high), and
 * refuses the value that takes a hook past TPC_CHECK_INSNS_MAX at its
 * line. Hashed sets (valueset.c) cost a lookup whatever their size; the
 * compares that stay chains are Postfix values, Equal/In/Prefix values
 * of a length fewer than 8 values share, GT/LT/Mask and small integer
 * lists. */
#define COST_WORD 5     /* a word of a string value: its load, a 64-bit constant, mask, jump */
#define COST_BYTE 12    /* a byte of a Postfix value: offset from the length, masked load, jump */
#define COST_LENGTH 3   /* a length compare ahead of a value's words */
#define COST_INT 2      /* an integer compare */
#define COST_FILTER 2   /* a filter's own: the jump out */
#define COST_READ 6     /* a string filter's read (on first use) and fault check */
#define COST_SELECTOR 2 /* a selector's own: its guard, sel and act */

struct cost {
	struct hook_plan *hp;
	const struct policy *p;
	struct diags *d;
	bool reported;
	bool *set_counted; /* by index in hp->sets */
};

static long words_of(size_t len)
{
	return (long)((len + 7) / 8);
}

static long set_cost(const struct valueset *vs)
{
	return COST_FILTER + (long)vs->words * 6 + (long)vs->probes * vs->words * COST_WORD;
}

static void cost_add(struct cost *c, long n, struct pos at)
{
	c->hp->check_insns += n;
	if (c->hp->check_insns <= TPC_CHECK_INSNS_MAX || c->reported)
		return;
	c->reported = true;
	diag_add(c->d, c->p->file, at, SEV_ERROR, "too-many-compares",
		 "the checks of this hook come to about %ld BPF instructions here, past %d: a failed check jumps "
		 "over the checks after it, and a BPF jump reaches 32767 instructions (Postfix values, and Equal "
		 "and Prefix values that fewer than %d values of their length share, are compared one by one: "
		 "spread them over several hooks)",
		 c->hp->check_insns, TPC_CHECK_INSNS_MAX, VALUESET_MIN);
}

/* String values: a set per length that has one, else compares. */
static void cost_strings(struct cost *c, const void *owner, const struct value *v, int n, enum op positive)
{
	for (int i = 0; i < n; i++) {
		const struct valueset *vs = NULL;
		switch (positive) {
		case OP_EQUAL:
		case OP_IN:
		case OP_PREFIX:
			vs = plan_valueset(c->hp, owner, v[i].len);
			if (vs && positive == OP_PREFIX && !prefix_in_set(&v[i]))
				vs = NULL;
			if (vs) { /* one lookup for all its values */
				bool *counted = &c->set_counted[vs - c->hp->sets];
				if (!*counted)
					cost_add(c, COST_LENGTH + set_cost(vs), v[i].pos);
				*counted = true;
			} else {
				cost_add(c, COST_LENGTH + words_of(v[i].len) * COST_WORD, v[i].pos);
			}
			break;
		case OP_POSTFIX: cost_add(c, COST_LENGTH + (long)v[i].len * COST_BYTE, v[i].pos); break;
		case OP_SUBSTRING: /* a bpf_loop call: its step is a function of its own */
		case OP_SUBSTRING_IGN: cost_add(c, COST_LENGTH + 8 * COST_INT, v[i].pos); break;
		case OP_INRANGE:
		case OP_NOTINRANGE:
		case OP_INMAP:
		case OP_NOTINMAP:
		case OP_FILETYPE: /* one mode read for all its values: costed below */
		case OP_NOTFILETYPE:
		case OP_CELEXPR:
		case OP_CAPS_GAINED:
		case OP_UNKNOWN:
		case OP_NOTEQUAL:
		case OP_NOTPREFIX:
		case OP_NOTPOSTFIX:
		case OP_GT:
		case OP_LT:
		case OP_MASK:
		case OP_NOTIN:
		OP_NET_CASES:
		case OP_OTHER:
		case OP_COUNT: break;
		}
	}
}

static void cost_ints(struct cost *c, const void *owner, const struct value *v, int n, struct pos at)
{
	const struct valueset *vs = plan_valueset(c->hp, owner, 8);
	if (vs) {
		cost_add(c, set_cost(vs), at);
		return;
	}
	for (int i = 0; i < n; i++)
		cost_add(c, COST_INT, v[i].pos);
}

/* An address filter: a family's table costs its search once (per step a
 * load and a subtraction per limb), the values without one a compare. */
static void cost_addrs(struct cost *c, const struct match_arg *ma)
{
	bool counted[2] = {false, false};
	for (int v = 0; v < ma->nvalues; v++) {
		struct net_value nv;
		char why[200];
		if (!net_value_parse(ma->op, ma->values[v].s, &nv, why, sizeof(why)))
			continue;
		const struct addrtable *at = plan_addrtable(c->hp, ma, nv.alen);
		if (!at) {
			cost_add(c, COST_INT, ma->values[v].pos);
			continue;
		}
		if (!counted[nv.alen == 16])
			cost_add(c, (long)(at->bits + 2) * at->limbs * 4 + 8, ma->values[v].pos);
		counted[nv.alen == 16] = true;
	}
}

static void plan_cost(struct hook_plan *hp, const struct policy *p, struct diags *d)
{
	struct cost c = {hp, p, d, false, xcalloc((size_t)hp->nsets + 1, sizeof(bool))};
	const struct hook *h = hp->h;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		cost_add(&c, COST_SELECTOR + (long)sel->nactions * COST_INT, sel->pos);
		for (int m = 0; m < sel->nmatch_pids; m++) {
			const struct match_proc *mp = &sel->match_pids[m];
			cost_add(&c, COST_FILTER, mp->pos);
			cost_ints(&c, mp, mp->values, mp->nvalues, mp->pos);
		}
		for (int m = 0; m < sel->nmatch_namespaces; m++) {
			cost_add(&c, COST_FILTER, sel->match_namespaces[m].pos);
			cost_ints(&c, NULL, sel->match_namespaces[m].values, sel->match_namespaces[m].nvalues,
				  sel->match_namespaces[m].pos);
		}
		cost_add(&c, (long)(sel->nmatch_caps + sel->nmatch_cap_changes + sel->nmatch_ns_changes) * COST_FILTER,
			 sel->pos);
		for (int m = 0; m < sel->nmatch_binaries; m++) {
			const struct match_proc *mp = &sel->match_binaries[m];
			cost_add(&c, COST_FILTER + COST_READ, mp->pos);
			cost_strings(&c, mp, mp->values, mp->nvalues, ops[mp->op].positive);
		}
		for (int m = 0; m < sel->nmatch_parent_binaries; m++) {
			const struct match_proc *mp = &sel->match_parent_binaries[m];
			cost_add(&c, COST_FILTER + 2 * COST_READ, mp->pos);
			cost_strings(&c, mp, mp->values, mp->nvalues, ops[mp->op].positive);
		}
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			const struct arg *a = hook_find_arg(h, ma->index);
			if (a && match_arg_on_bytes(a, ma)) {
				cost_add(&c, COST_FILTER + COST_READ, ma->pos);
				cost_strings(&c, ma, ma->values, ma->nvalues, ops[ma->op].positive);
			} else if (net_op_is_addr(ma->op)) {
				cost_add(&c, COST_FILTER, ma->pos);
				cost_addrs(&c, ma);
			} else {
				cost_add(&c, COST_FILTER, ma->pos);
				cost_ints(&c, ma, ma->values, ma->nvalues, ma->pos);
			}
		}
		for (int m = 0; m < sel->nmatch_return_args; m++) {
			const struct match_arg *ma = &sel->match_return_args[m];
			cost_add(&c, COST_FILTER, ma->pos);
			if (net_op_is_addr(ma->op))
				cost_addrs(&c, ma);
			else
				cost_ints(&c, ops[ma->op].net ? ma : NULL, ma->values, ma->nvalues, ma->pos);
		}
	}
	free(c.set_counted);
}

static bool reads_user_bytes(const struct hook *h)
{
	for (int i = 0; i < h->nargs; i++)
		if (arg_types[h->args[i].type].cls == AC_STRING || arg_types[h->args[i].type].cls == AC_BUF)
			return true;
	return false;
}

/* A network operator compares a sockaddr arg of h (its tuple is read
 * from the caller's memory at entry). */
static bool sockaddr_filtered(const struct hook *h)
{
	for (int s = 0; s < h->nselectors; s++)
		for (int m = 0; m < h->selectors[s].nmatch_args; m++) {
			const struct match_arg *ma = &h->selectors[s].match_args[m];
			const struct arg *a = match_target(h, ma);
			if (a && ops[ma->op].net && (a->type == AT_SOCKADDR || a->type == AT_SOCKADDR_UN) && !a->is_data)
				return true;
		}
	return false;
}

/* hp->site is set: which probe of model hook `model` it is. */
static void plan_hook(struct plan *pl, struct hook_plan *hp, int model, int id, struct diags *d)
{
	const struct hook *h = &pl->p->hooks[model];
	hp->h = h;
	hp->id = id;
	hp->arch = pl->t->arch;
	hp->at_return = hook_reports_at_return(h);
	hp->override = hook_has_action(h, ACT_OVERRIDE);
	hp->sock_owners = policy_tracks_socks(pl->p);
	hp->user_mem = hook_user_memory(h);
	hp->sleepable = hook_kind_may_sleep(h->kind) && reads_user_bytes(h);
	pl->preload |= hp->sleepable;
	if (h->kind == HOOK_TRACEPOINT && h->subsystem && h->event)
		hp->tp = tp_format_get(pl->t->tracefs, h->subsystem, h->event);
	int na = 1;
	for (int i = 0; i < h->nargs; i++) {
		if (h->args[i].is_data) /* its value comes from elsewhere */
			continue;
		if (h->args[i].index + 1 > na)
			na = h->args[i].index + 1;
		if (h->args[i].size_arg_index > na)
			na = h->args[i].size_arg_index;
		if (sockaddr_len_index(h, &h->args[i]) + 1 > na)
			na = sockaddr_len_index(h, &h->args[i]) + 1;
	}
	hp->na = na;
	plan_strings(hp);
	plan_slots(hp, pl->p, d);
	plan_process(hp);
	pl->stacks |= hp->uses_stacks;
	pl->enforcer |= hp->uses_notify || hp->uses_cleanup;
	plan_sets(hp);
	plan_cost(hp, pl->p, d);
	/* A syscall's string argument in a page the caller has not touched
	 * yet cannot be read at entry (BPF cannot fault it in); the kernel
	 * then reads it and the call goes on. Never let that mean "no
	 * match": such a hook re-checks at the syscall's exit, where the page
	 * is present (DESIGN.md 8b). */
	for (int i = 0; i < hp->nstrs && !hp->at_return; i++)
		hp->late |= (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY) && h->syscall && hp->strs[i].checked &&
			    !hp->strs[i].is_path;
	/* so is a sockaddr a network operator compares (sys_connect,
	 * sys_bind, sys_sendto pass it from the caller's memory) */
	hp->late |= (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY) && h->syscall && !hp->at_return &&
		    sockaddr_filtered(h);
	/* the entry half hands the return half one u64 mask of the selectors
	 * whose entry checks passed */
	if (hp->at_return && h->nselectors > TPC_RETURN_SELECTORS && !hp->site)
		diag_add(d, pl->p->file, h->selectors[TPC_RETURN_SELECTORS].pos, SEV_ERROR, "too-many-selectors",
			 "a hook that reports at return can have at most %d selectors (this one has %d)",
			 TPC_RETURN_SELECTORS, h->nselectors);
	hook_plan_programs(hp, pl->t);
}

/* Follow bits: one per followForks/followChildren filter of the whole
 * object (tpc_proc.follow is one u64 per process), numbered in policy
 * order. The filter that would need bit TPC_FOLLOW_BITS is an error at
 * its line. */
static void plan_follows(struct plan *pl, struct diags *d)
{
	const struct policy *p = pl->p;
	int n = 0;
	/* the filters of each hook as written: its first probe's plan */
	for (int i = 0; i < pl->nhooks; i++) {
		if (pl->hooks[i].site)
			continue;
		const struct hook *h = pl->hooks[i].h;
		for (int j = 0; j < h->nselectors; j++) {
			const struct selector *s = &h->selectors[j];
			for (int pass = 0; pass < 2; pass++) {
				const struct match_proc *ms = pass ? s->match_binaries : s->match_pids;
				int count = pass ? s->nmatch_binaries : s->nmatch_pids;
				for (int k = 0; k < count; k++) {
					if (!ms[k].follow)
						continue;
					if (n++ >= TPC_FOLLOW_BITS) {
						diag_add(d, p->file, ms[k].pos, SEV_ERROR, "too-many-follow",
							 "more than %d filters with followForks/followChildren in one object "
							 "(each takes a bit of the process table); this is filter %d",
							 TPC_FOLLOW_BITS, n);
						continue;
					}
					pl->follows[pl->nfollows++] = (struct follow_plan){n - 1, &ms[k], !pass, i, j};
					pl->fork_nspid |= !pass && ms[k].ns_pid;
				}
			}
		}
	}
}

/* What tp-load must seed for processes that predate it: the table
 * (binary, parent, follow bits) always, exec-time namespaces and
 * capabilities only for *Changes filters. */
static void plan_seed(struct plan *pl)
{
	const struct policy *p = pl->p;
	for (int i = 0; i < p->nhooks; i++)
		for (int s = 0; s < p->hooks[i].nselectors; s++) {
			const struct selector *sel = &p->hooks[i].selectors[s];
			pl->seed_exec_state |= sel->nmatch_ns_changes || sel->nmatch_cap_changes;
			pl->seed_procs |= sel->nmatch_binaries > 0;
		}
	/* always: every event names its binary from the table, also for
	 * processes that predate tp-load */
	pl->seed_procs = true;
}

bool plan_build(struct plan *pl, const struct policy *p, const struct target *t, struct diags *d)
{
	int errors = d->errors;
	memset(pl, 0, sizeof(*pl));
	pl->p = p;
	pl->t = t;
	/* one hook plan per probe: a uprobe on three symbols, or a USDT with
	 * three sites in its binary, is three hooks of the object */
	int *nsites = xcalloc((size_t)(p->nhooks ? p->nhooks : 1), sizeof(int));
	int *nusdt = xcalloc((size_t)(p->nhooks ? p->nhooks : 1), sizeof(int));
	struct usdt_site **usdt = xcalloc((size_t)(p->nhooks ? p->nhooks : 1), sizeof(*usdt));
	for (int i = 0; i < p->nhooks; i++) {
		nsites[i] = hook_count_sites(&p->hooks[i], t, &usdt[i], &nusdt[i]);
		pl->nhooks += nsites[i];
	}
	pl->nhooks += p->nenforcers; /* planned last: the hooks' ids do not move */
	pl->hooks = xcalloc((size_t)(pl->nhooks ? pl->nhooks : 1), sizeof(*pl->hooks));
	for (int i = 0, id = 0; i < p->nhooks; i++)
		for (int k = 0; k < nsites[i]; k++, id++) {
			struct hook_plan *hp = &pl->hooks[id];
			hp->site = k;
			if (k < nusdt[i])
				hp->usdt = &usdt[i][k];
			if (k == 0) {
				hp->usdt_sites = usdt[i];
				hp->nusdt_sites = nusdt[i];
			}
			if (nusdt[i]) { /* tp-load attaches only to this build */
				const char *sum = binary_sha256(binary_get(t->root, p->hooks[i].path));
				snprintf(hp->binary_sha256, sizeof(hp->binary_sha256), "%s", sum ? sum : "");
			}
			plan_hook(pl, hp, i, id, d);
		}
	for (int i = 0, id = pl->nhooks - p->nenforcers; i < p->nenforcers; i++, id++) {
		struct hook_plan *hp = &pl->hooks[id];
		hp->h = &p->enforcers[i];
		hp->id = id;
		hp->arch = t->arch;
		hp->na = 1;
		hook_plan_enforcer(hp, t);
		pl->enforcer = true;
	}
	free(nsites);
	free(nusdt);
	free(usdt);
	if (pl->nhooks > TPC_MAX_HOOKS) /* all documents of the file together, every probe site */
		diag_add(d, p->file, pl->hooks[TPC_MAX_HOOKS].h->pos, SEV_ERROR, "too-many-hooks",
			 "more than %d hooks in one object (tp-load takes no more); this is hook %d of %d",
			 TPC_MAX_HOOKS, TPC_MAX_HOOKS + 1, pl->nhooks);
	plan_follows(pl, d);
	plan_seed(pl);
	return d->errors == errors;
}

void plan_free(struct plan *pl)
{
	for (int i = 0; i < pl->nhooks; i++) {
		struct hook_plan *hp = &pl->hooks[i];
		for (int k = 0; k < hp->nprogs; k++) {
			free(hp->progs[k].section);
			free(hp->progs[k].target);
		}
		usdt_sites_free(hp->usdt_sites, hp->nusdt_sites);
		free(hp->function);
		for (int k = 0; k < hp->nsets; k++)
			valueset_free(&hp->sets[k]);
		free(hp->sets);
		for (int k = 0; k < hp->natabs; k++)
			addrtable_free(&hp->atabs[k]);
		free(hp->atabs);
		if (hp->tp)
			tp_record_free(&hp->rec, hp->tp->nfields);
	}
	free(pl->hooks);
	memset(pl, 0, sizeof(*pl));
}

int plan_follow_bit(const struct plan *pl, const struct match_proc *m)
{
	for (int i = 0; i < pl->nfollows; i++)
		if (pl->follows[i].m == m)
			return pl->follows[i].bit;
	return -1;
}
