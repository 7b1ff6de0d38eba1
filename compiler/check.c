/* check.c: semantic checks of a parsed policy (DESIGN.md section 8): the
 * driver, args and matchArgs. Hooks, actions and what the generator does
 * not implement yet have their own check_*.c. Every problem is reported
 * with its position and a stable rule id (README "Lint rules"); the code
 * generator may assume a policy that passed without errors. */
#include "check.h"
#include "tpc_abi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Values are bit patterns of the arg's width: a signed 16-bit arg takes
 * -32768..65535 (65535 is -1), an unsigned one no negative number. */
static bool int_fits(long long v, const char *text, enum arg_type t)
{
	const struct arg_type_info *ti = &arg_types[t];
	if (!arg_type_is_int(t))
		return true;
	if (!ti->is_signed && text[0] == '-')
		return false;
	if (ti->size >= 8)
		return true;
	long long lo = ti->is_signed ? -(1LL << (ti->size * 8 - 1)) : 0;
	long long hi = (1LL << (ti->size * 8)) - 1;
	return v >= lo && v <= hi;
}

/* The network operators, and the network types' operators: the spec's
 * table of which applies to which (section 1.3), and their values. In
 * matchReturnArgs (at_return) a is the returnArg, the value returned. */
void check_net_match(const struct policy *p, const struct match_arg *m, const struct arg *a, bool at_return,
		     struct diags *d)
{
	struct pos at = m->op_pos.line ? m->op_pos : m->pos;
	char what[64];
	if (at_return)
		snprintf(what, sizeof(what), "the returnArg, of type %s", a->type_name);
	else
		snprintf(what, sizeof(what), "arg %d of type %s", a->index, a->type_name);
	if (!ops[m->op].net && a->type == AT_SOCKADDR_UN) {
		diag_add(d, p->file, at, SEV_ERROR, "op-type",
			 "operator %s does not apply to %s: sockaddr_un only supports Family and the string "
			 "operators on its path",
			 op_name(m->op), what);
		return;
	}
	if (!ops[m->op].net) {
		diag_add(d, p->file, at, SEV_ERROR, "op-type",
			 "operator %s does not apply to %s: use SPort, DPort, SAddr, DAddr, Protocol, "
			 "Family, State and their Not forms",
			 op_name(m->op), what);
		return;
	}
	const char *why = net_op_conflict(m->op, a->type);
	if (why) {
		diag_add(d, p->file, at, SEV_ERROR, "op-type", "operator %s does not apply to %s: %s", op_name(m->op),
			 what, why);
		return;
	}
	if (net_op_is_priv(m->op)) /* no values: the port is below 1024 */
		return;
	if (m->nvalues == 0)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "%s entry has no values",
			 at_return ? "matchReturnArgs" : "matchArgs");
	for (int i = 0; i < m->nvalues; i++) {
		struct net_value nv;
		char text[200];
		if (!net_value_parse(m->op, m->values[i].s, &nv, text, sizeof(text)))
			diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value", "%s value %s", op_name(m->op), text);
	}
}

static void check_match_arg(const struct policy *p, const struct hook *h, const struct match_arg *m,
			    struct diags *d)
{
	if (m->op == OP_CELEXPR) {
		if (m->nvalues != 1) {
			diag_add(d, p->file, m->nvalues ? m->values[1].pos : m->pos, SEV_ERROR, "cel-expr",
				 "only a single CelExpr value is supported");
			return;
		}
		char err[256];
		int off = 0;
		if (!cel_compile(m->values[0].s, h, NULL, NULL, NULL, &off, err, sizeof(err)))
			diag_add(d, p->file, m->values[0].pos, SEV_ERROR, "cel-expr", "CelExpr at byte %d: %s", off + 1, err);
		return;
	}
	if (m->op == OP_CAPS_GAINED) {
		if (m->nargs_slots != 2) {
			diag_add(d, p->file, m->args_pos.line ? m->args_pos : m->op_pos, SEV_ERROR, "matcharg-index",
				 "CapabilitiesGained operator requires two args (args: [old, new], slots of capability masks)");
			return;
		}
		int slots[2] = {m->args_slot, m->args_slot2};
		for (int i = 0; i < 2; i++) {
			if (slots[i] < 0)
				continue;
			if (slots[i] >= h->nargs) {
				diag_add(d, p->file, m->args_pos, SEV_ERROR, "matcharg-index",
					 "matchArgs args [%d] names no slot: the hook has %d (args, then data)", slots[i], h->nargs);
				continue;
			}
			const struct arg *s = &h->args[slots[i]];
			if (arg_type_known(s->type) && !(arg_types[s->type].load && !strcmp(arg_types[s->type].load, "caps")) &&
			    !(arg_type_is_int(s->type) && arg_types[s->type].size == 8))
				diag_add(d, p->file, m->args_pos, SEV_ERROR, "op-type",
					 "CapabilitiesGained compares capability masks, but slot %d is %s (kernel_cap_t, "
					 "cap_effective, cap_permitted, cap_inheritable or a 64-bit integer)",
					 slots[i], s->type_name);
		}
		if (m->nvalues)
			diag_add(d, p->file, m->values[0].pos, SEV_WARNING, "bad-value",
				 "CapabilitiesGained takes no values: these are ignored");
		return;
	}
	if (m->nargs_slots > 1)
		diag_add(d, p->file, m->args_pos, SEV_WARNING, "matcharg-index",
			 "only CapabilitiesGained reads a second slot in args: the others after the first are ignored");
	if ((m->index < 0 && m->args_slot < 0) || m->op == OP_UNKNOWN || m->op == OP_OTHER)
		return;
	const struct arg *a = match_target(h, m);
	if (!a) {
		struct pos at = m->args_slot >= 0 ? m->args_pos : m->index_pos.line ? m->index_pos : m->pos;
		if (m->data)
			diag_add(d, p->file, at, SEV_ERROR, "matcharg-index",
				 "matchData %s %d is not among the hook's data entries (it has %d)",
				 m->args_slot >= 0 ? "args" : "index", m->args_slot >= 0 ? m->args_slot : m->index, h->ndata);
		else if (m->args_slot >= 0)
			diag_add(d, p->file, at, SEV_ERROR, "matcharg-index",
				 "matchArgs args [%d] names no slot: the hook has %d (args, then data)", m->args_slot, h->nargs);
		else
			diag_add(d, p->file, at, SEV_ERROR, "matcharg-index",
				 "matchArgs index %d is not among the hook's args; add an arg with index %d", m->index,
				 m->index);
		return;
	}
	if (!arg_type_known(a->type))
		return;
	if (arg_types[a->type].no_filters) {
		diag_add(d, p->file, m->op_pos.line ? m->op_pos : m->pos, SEV_ERROR, "op-type",
			 "arg %d is of type %s, which no matchArgs operator applies to", a->index, a->type_name);
		return;
	}
	if (ops[m->op].net || arg_type_is_net(a->type) || (a->type == AT_SOCKADDR_UN && !ops[m->op].on_bytes)) {
		check_net_match(p, m, a, false, d);
		return;
	}
	if (m->nvalues == 0)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchArgs entry has no values");
	if (ops[m->op].positive == OP_FILETYPE) {
		if (!arg_has_file_type(a->type)) {
			diag_add(d, p->file, m->op_pos, SEV_ERROR, "op-type",
				 "FileType operators specified for non-file/path type: arg %d is %s (file, path, dentry or fd)",
				 a->index, a->type_name);
			return;
		}
		static const char *const names[] = {"reg", "regular", "dir", "lnk", "link", "chr", "char", "blk", "block",
						    "fifo", "pipe", "sock", "socket", NULL};
		for (int i = 0; i < m->nvalues; i++) {
			char dym_[128];
			if (!file_type_bits(m->values[i].s))
				diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value", "unknown file type: %s%s",
					 m->values[i].s,
					 did_you_mean(m->values[i].s, names, " (reg, dir, lnk, chr, blk, fifo or sock)", dym_,
						      sizeof(dym_)));
		}
		return;
	}
	bool str_op = !ops[m->op].on_int;
	bool int_op = !ops[m->op].on_bytes;
	bool is_int = a->type == AT_FD ? !match_arg_on_bytes(a, m) : arg_type_is_int(a->type);
	if (is_int && str_op) {
		diag_add(d, p->file, m->op_pos, SEV_ERROR, "op-type",
			 "operator %s is meaningless for integer arg %d (type %s); use Equal, NotEqual, GT, LT or Mask",
			 op_name(m->op), a->index, a->type_name);
		return;
	}
	if (!is_int && int_op) {
		diag_add(d, p->file, m->op_pos, SEV_ERROR, "op-type",
			 "operator %s needs an integer arg, but arg %d is %s", op_name(m->op), a->index, a->type_name);
		return;
	}
	if (a->type == AT_FD && !is_int)
		return;
	for (int i = 0; i < m->nvalues; i++) {
		const struct value *v = &m->values[i];
		long long x = 0;
		if (m->list_pos.line && a->type != AT_SYSCALL64 && i == 0)
			diag_add(d, p->file, m->list_pos, SEV_ERROR, "op-type",
				 "a list's syscalls are compared as syscall numbers: the argument type is not syscall64 but %s",
				 a->type_name);
		if (is_int && ops[m->op].positive == OP_INMAP) {
			/* decimal numbers and lo:hi ranges, as Tetragon reads them */
			bool dec = v->len > 0;
			for (size_t k = 0; k < v->len && dec; k++)
				dec = (v->s[k] >= '0' && v->s[k] <= '9') || v->s[k] == '-' || v->s[k] == ':';
			long long lo, hi;
			bool range = value_is_map_range(m, v);
			if (!strncmp(v->s, "list:", 5))
				continue; /* refused by parse */
			if (!dec || (range ? !value_range(v, &lo, &hi) : !v->is_int))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value",
					 "%s value '%s' is not a decimal integer or a range lo:hi of two (%s takes no hex)",
					 op_name(m->op), v->s, op_name(m->op));
			else if (range ? !int_fits(lo, v->s, a->type) || !int_fits(hi, strchr(v->s, ':') + 1, a->type)
				       : !int_fits(v->i, v->s, a->type))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value '%s' does not fit arg type %s", v->s,
					 a->type_name);
		} else if (is_int && ops[m->op].positive == OP_INRANGE) {
			long long lo, hi;
			if (!value_range(v, &lo, &hi))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value",
					 "%s value '%s' is not a range min:max of two integers", op_name(m->op), v->s);
			else if (!int_fits(lo, v->s, a->type) || !int_fits(hi, strchr(v->s, ':') + 1, a->type))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "range '%s' does not fit arg type %s", v->s,
					 a->type_name);
			else if (arg_types[a->type].is_signed ? lo > hi : (unsigned long long)lo > (unsigned long long)hi)
				diag_add(d, p->file, v->pos, SEV_WARNING, "bad-value",
					 "range '%s' is empty (min > max): it never matches", v->s);
		} else if (is_int) {
			if (!value_as_int(a, v, &x))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value '%s' is not an integer%s, but arg %d is %s",
					 v->s, arg_types[a->type].load && !strcmp(arg_types[a->type].load, "caps")
						       ? " nor a list of capabilities (CAP_SYS_ADMIN,CAP_NET_RAW)"
						       : "",
					 a->index, a->type_name);
			else if (v->is_int && !int_fits(x, v->s, a->type))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value '%s' does not fit arg type %s",
					 v->s, a->type_name);
		} else {
			size_t len = v->len;
			if (len == 0 && m->op != OP_EQUAL && m->op != OP_NOTEQUAL)
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "empty %s value matches everything",
					 op_name(m->op));
			if (len + 1 > TPC_STR_MAX)
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value is longer than %d bytes",
					 TPC_STR_MAX - 1);
		}
	}
}

static void check_args(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->is_data)
			continue;
		/* two args may read one parameter when a resolve path tells
		 * them apart (a struct and one of its fields) */
		for (int j = 0; j < i; j++)
			if (a->index >= 0 && h->args[j].index == a->index && !a->resolve && !h->args[j].resolve)
				diag_add(d, p->file, a->index_pos, SEV_ERROR, "duplicate-arg",
					 "arg index %d is declared twice (first at line %d)", a->index, h->args[j].pos.line);
		if (a->size_arg_index) {
			if (a->type != AT_CHAR_BUF && a->type != AT_CHAR_IOVEC) {
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex only applies to char_buf and char_iovec args");
				continue;
			}
			int target = a->size_arg_index - 1; /* 1-based, as the spec's caution says */
			int max = hook_max_args(h, t);
			if (target < 0 || (max && target >= max)) {
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d is out of range (it is 1-based: 1 means the arg at index 0)",
					 a->size_arg_index);
				continue;
			}
			if (target == a->index) {
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d points at the buffer itself (it is 1-based: the arg at index %d)",
					 a->size_arg_index, target);
				continue;
			}
			const struct arg *sz = hook_find_arg(h, target);
			if (sz && !arg_type_is_int(sz->type) && arg_type_known(sz->type))
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d points at arg index %d of type %s, not an integer (it is 1-based)",
					 a->size_arg_index, target, sz->type_name);
		} else if (a->type == AT_CHAR_BUF && !a->max_data) {
			diag_add(d, p->file, a->type_pos, SEV_WARNING, "char-buf-size",
				 "char_buf without sizeArgIndex: %d bytes are read whatever the buffer's size",
				 TPC_BUF_MAX);
		}
	}
}

/* maxData asks for buffers beyond one event record (Tetragon sends up to
 * 327,360 bytes in side events); tpc reads TPC_BUF_MAX bytes and flags
 * the rest as truncated, so it must not let the policy believe otherwise. */
static void check_max_data(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].max_data)
			diag_add(d, p->file, h->args[i].max_data_pos, SEV_ERROR, "unsupported",
				 "unsupported: maxData (tpc reads at most %d bytes of a char_buf and flags longer ones "
				 "truncated, with their size); remove maxData",
				 TPC_BUF_MAX);
}

static void check_return(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].return_copy && !hook_kind_can_return(h->kind))
			diag_add(d, p->file, h->args[i].pos, SEV_ERROR, "return-copy",
				 "returnCopy needs a return probe, which a %s does not have", hook_kind_name(h->kind));
	if (h->return_arg_action != ACT_UNKNOWN && !h->is_return)
		diag_add(d, p->file, h->return_arg_action_pos, SEV_ERROR, "return-args",
			 "returnArgAction needs a return probe (return: true): it acts on the returned sock");
	if (h->is_return)
		return;
	/* returnCopy without return: true adds the return probe itself (as
	 * Tetragon does): hook_reports_at_return() */
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		if (s->nmatch_return_args)
			diag_add(d, p->file, s->match_return_args[0].pos, SEV_ERROR, "return-args",
				 "matchReturnArgs needs a return probe (return: true) and a returnArg");
	}
}

/* A policy refused already (its uprobes or lsmhooks are unsupported, say)
 * does not also need to hear that it has no kprobes. */
static bool file_has_errors(const struct diags *d, const char *file)
{
	for (int i = 0; i < d->n; i++)
		if (d->v[i].sev == SEV_ERROR && d->v[i].file && file && !strcmp(d->v[i].file, file))
			return true;
	return false;
}

/* An enforcer's call must be a function of the kernel: its program
 * attaches there (the syscall's wrapper for sys_X). */
static void check_enforcers(const struct policy *p, const struct target *t, struct diags *d)
{
	for (int i = 0; i < p->nenforcers; i++) {
		const struct hook *h = &p->enforcers[i];
		struct btf *btf = check_hook_btf(p, h, t, d);
		if (!btf)
			return;
		const char *sc = h->syscall ? syscall_name(h->call) : NULL;
		char *fn = sc ? xasprintf("%s_sys_%s", t->arch && !strcmp(t->arch, "arm64") ? "__arm64" : "__x64", sc) : xstrdup(h->call);
		if (!kbtf_has_func(btf, fn)) {
			const char *s = kbtf_suggest_func(btf, fn);
			char dym[160] = "";
			if (s)
				snprintf(dym, sizeof(dym), "; did you mean '%s'?", s);
			diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call",
				 "enforcer call '%s' is not in the kernel BTF (no %s)%s", h->call, fn, dym);
		}
		free(fn);
	}
}

void check_policy(const struct policy *p, const struct target *t, struct diags *d)
{
	struct target def = *t;
	if (!def.tracefs)
		def.tracefs = DEFAULT_TRACEFS;
	t = &def;
	if (p->nhooks == 0 && p->name && !file_has_errors(d, p->file))
		diag_add(d, p->file, p->pos, SEV_WARNING, "no-hooks",
			 "policy '%s' has no kprobes, tracepoints, uprobes, usdts, lsmhooks or fentries", p->name);
	for (int i = 0; i < p->nhooks; i++) {
		const struct hook *h = &p->hooks[i];
		switch (h->kind) {
		case HOOK_KPROBE: check_kprobe(p, h, t, d); break;
		case HOOK_TRACEPOINT: check_tracepoint(p, h, t, d); break;
		case HOOK_UPROBE: check_uprobe(p, h, t, d); break;
		case HOOK_USDT: check_usdt(p, h, t, d); break;
		case HOOK_RAW_TRACEPOINT: check_raw_tracepoint(p, h, t, d); break;
		case HOOK_LSM: check_lsm(p, h, t, d); break;
		case HOOK_FENTRY: check_kprobe(p, h, t, d); break;
		case HOOK_KIND_COUNT: break;
		}
		check_args(p, h, t, d);
		check_max_data(p, h, d);
		check_return(p, h, d);
		check_support(p, h, d);
		check_process_filters(p, h, d);
		for (int j = 0; j < h->nselectors; j++) {
			const struct selector *s = &h->selectors[j];
			for (int k = 0; k < s->nmatch_args; k++)
				check_match_arg(p, h, &s->match_args[k], d);
		}
		check_actions(p, h, d);
		check_return_actions(p, h, d);
	}
	check_enforcers(p, t, d);
	check_policy_actions(p, d);
	check_fleet(p, t, d);
}
