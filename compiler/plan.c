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
		sp->size = round8(sp->size < 8 ? 8 : sp->size);
		if (sp->whole || sp->size > STACK_STR_MAX) {
			sp->size = TPC_STR_MAX;
			sp->buf = hp->nslots++;
		}
	}
	int max = TPC_STR_SLOTS - (hp->followfd ? 1 : 0);
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
		if (s->nmatch_binaries || s->nmatch_cap_changes || s->nmatch_ns_changes)
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
			hp->uses_rate |= s->actions[k].rate_limit_ns != 0;
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
 * values of it. */
static void string_sets(struct hook_plan *hp, const void *owner, const struct value *v, int n)
{
	const struct value **same = xcalloc((size_t)(n ? n : 1), sizeof(*same));
	bool *done = xcalloc((size_t)(n ? n : 1), sizeof(bool));
	for (int i = 0; i < n; i++) {
		if (done[i])
			continue;
		int k = 0;
		for (int j = i; j < n; j++)
			if (!done[j] && v[j].len == v[i].len) {
				same[k++] = &v[j];
				done[j] = true;
			}
		if (k < VALUESET_MIN || v[i].len == 0)
			continue;
		struct valueset *vs = add_set(hp);
		valueset_build(vs, same, k, v[i].len);
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

/* Large value sets: Equal/NotEqual on args, In/NotIn on binaries and
 * pids. Fewer values stay chains of compares. */
static void plan_sets(struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	for (int s = 0; s < h->nselectors; s++) {
		const struct selector *sel = &h->selectors[s];
		for (int m = 0; m < sel->nmatch_args; m++) {
			const struct match_arg *ma = &sel->match_args[m];
			const struct arg *a = match_target(h, ma);
			if (!a || ops[ma->op].positive != OP_EQUAL)
				continue;
			if (match_arg_on_bytes(a, ma))
				string_sets(hp, ma, ma->values, ma->nvalues);
			else if (arg_type_is_int(a->type))
				int_set(hp, ma, ma->values, ma->nvalues, a);
		}
		for (int m = 0; m < sel->nmatch_binaries; m++)
			if (ops[sel->match_binaries[m].op].positive == OP_IN)
				string_sets(hp, &sel->match_binaries[m], sel->match_binaries[m].values,
					    sel->match_binaries[m].nvalues);
		for (int m = 0; m < sel->nmatch_pids; m++)
			int_set(hp, &sel->match_pids[m], sel->match_pids[m].values, sel->match_pids[m].nvalues,
				&(const struct arg){.type = AT_UINT32});
	}
}

const struct valueset *plan_valueset(const struct hook_plan *hp, const void *owner, size_t len)
{
	for (int i = 0; i < hp->nsets; i++)
		if (hp->sets[i].owner == owner && hp->sets[i].len == len)
			return &hp->sets[i];
	return NULL;
}

static void plan_hook(struct plan *pl, struct hook_plan *hp, int id, struct diags *d)
{
	const struct hook *h = &pl->p->hooks[id];
	hp->h = h;
	hp->id = id;
	hp->arch = pl->t->arch;
	hp->at_return = hook_reports_at_return(h);
	hp->override = hook_has_action(h, ACT_OVERRIDE);
	hp->user_mem = hook_user_memory(h);
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
	}
	hp->na = na;
	plan_strings(hp);
	plan_slots(hp, pl->p, d);
	plan_process(hp);
	plan_sets(hp);
	/* A syscall's string argument in a page the caller has not touched
	 * yet cannot be read at entry (BPF cannot fault it in); the kernel
	 * then reads it and the call goes on. Never let that mean "no
	 * match": such a hook re-checks at the syscall's exit, where the page
	 * is present (DESIGN.md 8b). */
	for (int i = 0; i < hp->nstrs && !hp->at_return; i++)
		hp->late |= (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY) && h->syscall && hp->strs[i].checked &&
			    !hp->strs[i].is_path;
	/* the entry half hands the return half one u64 mask of the selectors
	 * whose entry checks passed */
	if (hp->at_return && h->nselectors > TPC_RETURN_SELECTORS)
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
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++) {
			const struct selector *s = &p->hooks[i].selectors[j];
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
	pl->nhooks = p->nhooks;
	pl->hooks = xcalloc((size_t)(p->nhooks ? p->nhooks : 1), sizeof(*pl->hooks));
	for (int i = 0; i < p->nhooks; i++)
		plan_hook(pl, &pl->hooks[i], i, d);
	plan_follows(pl, d);
	plan_seed(pl);
	return d->errors == errors;
}

void plan_free(struct plan *pl)
{
	for (int i = 0; i < pl->nhooks; i++) {
		struct hook_plan *hp = &pl->hooks[i];
		for (int k = 0; k < hp->nprogs; k++)
			free(hp->progs[k].section);
		free(hp->function);
		for (int k = 0; k < hp->nsets; k++)
			valueset_free(&hp->sets[k]);
		free(hp->sets);
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
