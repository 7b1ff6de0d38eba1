/* manifest.c: the text manifest embedded in every object (grammar in
 * runtime-bpf/tpc_abi.h), written from the plan. tp-load needs nothing
 * else to attach the programs and print events. */
#include "tpc.h"

#include <string.h>

void manifest_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._/:+-", c))
			buf_printf(b, "%c", c);
		else
			buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

static void kv(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, " %s=", key);
	manifest_encode(b, value);
}

#define SAME_ROLE(id, name) _Static_assert((int)PROG_##id == (int)TPC_ROLE_##id, "enum prog_role follows TPC_PROG_ROLES");
TPC_PROG_ROLES(SAME_ROLE)
#undef SAME_ROLE

static const char *role_name(enum prog_role r)
{
#define ROLE_NAME(id, name) [PROG_##id] = name,
	static const char *const names[] = {TPC_PROG_ROLES(ROLE_NAME)};
#undef ROLE_NAME
	return names[r];
}

/* tpc's --arch name ("x86") as the manifest spells it ("x86_64") */
static const char *arch_name(const char *arch)
{
#define ARCH_NAME(manifest, tpc, machine) if (!strcmp(arch, tpc)) return manifest;
	TPC_ARCHES(ARCH_NAME)
#undef ARCH_NAME
	return arch;
}

static void manifest_hook(struct buf *b, const struct plan *pl, const struct hook_plan *hp)
{
	const struct hook *h = hp->h;
	const struct policy *p = pl->p;
	buf_printf(b, "hook id=%d kind=%s nargs=%d", hp->id, hook_kind_name(h->kind), h->nargs);
	hook_manifest_fields(b, hp);
	if (hp->at_return) {
		buf_puts(b, " return=1");
		if (h->has_return_arg)
			buf_printf(b, " return_type=%s", arg_types[h->return_arg.type].name);
	}
	if (hp->override)
		buf_puts(b, " override=1");
	if (h->enforcer)
		buf_puts(b, " enforcer=1"); /* spec.enforcers: no events */
	if (h->call_not_found && (h->kind == HOOK_KPROBE || h->kind == HOOK_FENTRY))
		buf_puts(b, " optional=1"); /* ignore.callNotFound: skipped where the call is missing */
	if (h->policy_name && p->name && strcmp(h->policy_name, p->name))
		kv(b, "policy", h->policy_name);
	if (h->message)
		kv(b, "message", h->message);
	if (h->ntags) {
		buf_puts(b, " tags=");
		for (int t = 0; t < h->ntags; t++) {
			if (t)
				buf_puts(b, ",");
			manifest_encode(b, h->tags[t]);
		}
	}
	buf_puts(b, "\n");
	/* the programs, by variant in order of preference (plan order) */
	for (int i = 0; i < hp->nprogs; i++) {
		const struct prog_plan *pp = &hp->progs[i];
		buf_printf(b, "prog hook=%d name=%s variant=%s role=%s%s\n", hp->id, pp->name, prog_variant_name(pp->variant),
			   role_name(pp->role), hp->override && pp->can_override ? " override=1" : "");
	}
	for (int a = 0; a < h->nargs; a++) {
		const struct arg *ar = &h->args[a];
		buf_printf(b, "arg hook=%d pos=%d index=%d type=%s", hp->id, a, ar->index, arg_types[ar->type].name);
		if (ar->label)
			kv(b, "label", ar->label);
		if (hp->tp && ar->index >= 0 && ar->index < hp->tp->nfields)
			kv(b, "field", hp->tp->fields[ar->index].name);
		buf_puts(b, "\n");
	}
}

/* userspace actions: tp-load performs them when events arrive */
static void manifest_actions(struct buf *b, const struct plan *pl)
{
	for (int i = 0; i < pl->nhooks; i++) {
		const struct hook *h = pl->hooks[i].h;
		for (int s = 0; s < h->nselectors; s++)
			for (int k = 0; k < h->selectors[s].nactions; k++) {
				const struct action *a = &h->selectors[s].actions[k];
				if (a->kind != ACT_GETURL && a->kind != ACT_DNSLOOKUP)
					continue;
				buf_printf(b, "action hook=%d selector=%d kind=%s", i, s + 1, actions[a->kind].name);
				kv(b, "value", a->kind == ACT_GETURL ? a->arg_url : a->arg_fqdn);
				buf_puts(b, "\n");
			}
	}
}

/* retaction records: the TPC_ACT_* bits of a selector's matchActions
 * (entry=) and matchReturnActions (return=), for selectors that have
 * the latter. The event's actions are their union; tp-load names the two
 * apart, as Tetragon's action and return_action. */
static void manifest_return_actions(struct buf *b, const struct plan *pl)
{
	for (int i = 0; i < pl->nhooks; i++) {
		const struct hook *h = pl->hooks[i].h;
		for (int s = 0; s < h->nselectors; s++) {
			const struct selector *sel = &h->selectors[s];
			unsigned entry = 0, ret = 0;
			bool any = false;
			for (int k = 0; k < sel->nactions; k++) {
				const struct action *a = &sel->actions[k];
				any |= a->at_return;
				if (a->at_return)
					ret |= actions[a->kind].bit;
				else
					entry |= actions[a->kind].bit;
			}
			if (any)
				buf_printf(b, "retaction hook=%d selector=%d entry=%u return=%u\n", i, s + 1, entry, ret);
		}
	}
}

/* " stacks=kernel[,user]" / " stacks=user": the stacks the policy's
 * actions take, so that tp-load reads /proc/kallsyms while loading an
 * object whose events carry kernel stacks, not on its first event. */
static void manifest_stacks(struct buf *b, const struct plan *pl)
{
	bool kernel = false, user = false;
	for (int i = 0; i < pl->nhooks; i++) {
		const struct hook *h = pl->hooks[i].h;
		for (int s = 0; s < h->nselectors; s++)
			for (int k = 0; k < h->selectors[s].nactions; k++) {
				kernel |= h->selectors[s].actions[k].kernel_stack;
				user |= h->selectors[s].actions[k].user_stack;
			}
	}
	if (kernel || user)
		buf_printf(b, " stacks=%s%s%s", kernel ? "kernel" : "", kernel && user ? "," : "", user ? "user" : "");
}

/* follow records: how tp-load sets the follow bits of processes it seeds */
static void manifest_follows(struct buf *b, const struct plan *pl)
{
	for (int i = 0; i < pl->nfollows; i++) {
		const struct follow_plan *f = &pl->follows[i];
		const struct match_proc *m = f->m;
		if (f->pid) {
			buf_printf(b, "follow bit=%d kind=pid ns=%d values=", f->bit, m->ns_pid);
			for (int v = 0; v < m->nvalues; v++)
				buf_printf(b, "%s%llu", v ? "," : "", (unsigned long long)(uint32_t)m->values[v].i);
		} else {
			enum op pos = ops[m->op].positive;
			buf_printf(b, "follow bit=%d kind=binary op=%s values=", f->bit,
				   pos == OP_PREFIX ? "Prefix" : pos == OP_POSTFIX ? "Postfix" : "In");
			for (int v = 0; v < m->nvalues; v++) {
				if (v)
					buf_puts(b, ",");
				manifest_encode(b, m->values[v].s);
			}
		}
		buf_puts(b, "\n");
	}
}

char *manifest_build(const struct plan *pl)
{
	const struct policy *p = pl->p;
	struct buf b = {0};
	buf_printf(&b, "tpc-manifest %d\n", TPC_ABI_VERSION);
	buf_puts(&b, "tpc");
	kv(&b, "version", TPC_VERSION);
	kv(&b, "arch", arch_name(pl->t->arch));
	buf_puts(&b, "\npolicy");
	kv(&b, "name", p->name);
	if (pl->policy_digest) /* the policy source the object came from */
		kv(&b, "digest", pl->policy_digest);
	if (pl->seed_exec_state)
		buf_puts(&b, " seed=procs,exec-state");
	else if (pl->seed_procs)
		buf_puts(&b, " seed=procs");
	manifest_stacks(&b, pl);
	buf_puts(&b, "\n");
	for (int i = 0; i < pl->nhooks; i++)
		manifest_hook(&b, pl, &pl->hooks[i]);
	manifest_actions(&b, pl);
	manifest_return_actions(&b, pl);
	manifest_follows(&b, pl);
	buf_puts(&b, "end\n");
	return b.s;
}
