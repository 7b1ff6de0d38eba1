/* check.c: semantic checks of a parsed policy (DESIGN.md section 8).
 * Every problem is reported with its position and a stable rule id; the
 * code generator may assume a policy that passed without errors. */
#include "tpc.h"
#include "tpc_abi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TRACEFS "/sys/kernel/tracing"

/* Max args reachable per hook kind: six syscall args, five pt_regs
 * argument registers the portable PT_REGS_PARMn macros offer. */
#define MAX_SYSCALL_ARGS 6
#define MAX_KPROBE_ARGS 5

static const struct arg *find_arg(const struct hook *h, int index)
{
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].index == index)
			return &h->args[i];
	return NULL;
}

static bool int_fits(long long v, const char *text, enum arg_type t)
{
	bool neg = text[0] == '-';
	switch (t) {
	case AT_INT:
	case AT_FD: return v >= INT_MIN && v <= (long long)UINT_MAX;
	case AT_UINT32: return !neg && v >= 0 && v <= (long long)UINT_MAX;
	case AT_INT16: return v >= -32768 && v <= 65535;
	case AT_UINT16: return !neg && v >= 0 && v <= 65535;
	case AT_INT8: return v >= -128 && v <= 255;
	case AT_UINT8: return !neg && v >= 0 && v <= 255;
	case AT_UINT64: return !neg;
	default: return true;
	}
}

static void check_match_arg(const struct policy *p, const struct hook *h, const struct match_arg *m,
			    struct diags *d)
{
	if (m->index < 0 || m->op == OP_UNKNOWN)
		return;
	const struct arg *a = find_arg(h, m->index);
	if (!a) {
		diag_add(d, p->file, m->index_pos.line ? m->index_pos : m->pos, SEV_ERROR, "matcharg-index",
			 "matchArgs index %d is not among the hook's args; add an arg with index %d", m->index,
			 m->index);
		return;
	}
	if (a->type == AT_UNKNOWN || a->type == AT_OTHER)
		return;
	if (m->nvalues == 0)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchArgs entry has no values");
	bool is_int = arg_type_is_int(a->type);
	bool str_op = m->op == OP_PREFIX || m->op == OP_NOTPREFIX || m->op == OP_POSTFIX || m->op == OP_NOTPOSTFIX;
	bool int_op = m->op == OP_GT || m->op == OP_LT || m->op == OP_MASK;
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
		const struct scalar *v = &m->values[i];
		if (is_int) {
			long long x;
			if (!parse_integer_text(v->s, &x))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value",
					 "value '%s' is not an integer, but arg %d is %s", v->s, a->index, a->type_name);
			else if (!int_fits(x, v->s, a->type))
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value '%s' does not fit arg type %s",
					 v->s, a->type_name);
		} else {
			size_t len = strlen(v->s);
			if (len == 0 && m->op != OP_EQUAL && m->op != OP_NOTEQUAL)
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "empty %s value matches everything",
					 op_name(m->op));
			if (len + 1 > TPC_STR_MAX)
				diag_add(d, p->file, v->pos, SEV_ERROR, "bad-value", "value is longer than %d bytes",
					 TPC_STR_MAX - 1);
		}
	}
}

static bool selector_has_filters(const struct selector *s)
{
	return s->nmatch_args > 0;
}

static void check_action(const struct policy *p, const struct hook *h, const struct selector *s,
			 const struct action *a, struct diags *d)
{
	switch (a->kind) {
	case ACT_SIGKILL:
		if (!selector_has_filters(s))
			diag_add(d, p->file, a->kind_pos, SEV_WARNING, "kill-all",
				 "Sigkill in a selector with no filters kills every caller of %s",
				 h->call ? h->call : h->event ? h->event : "the hook");
		break;
	case ACT_SIGNAL:
		if (!a->has_arg_sig)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key", "Signal needs argSig (the signal number)");
		else if (a->arg_sig < 1 || a->arg_sig > 64)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "bad-value", "argSig %lld is not a signal number (1-64)",
				 a->arg_sig);
		break;
	case ACT_OVERRIDE:
	case ACT_FOLLOWFD:
	case ACT_UNFOLLOWFD:
	case ACT_COPYFD:
	case ACT_GETURL:
	case ACT_DNSLOOKUP:
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "unsupported", "unsupported: action '%s'", a->name);
		break;
	default: break;
	}
}

static void check_kprobe(const struct policy *p, struct hook *h, const struct check_opts *o, struct diags *d)
{
	if (!h->call)
		return;
	if (h->syscall) {
		const char *sc = syscall_name(h->call);
		if (!sc) {
			diag_add(d, p->file, h->call_pos, SEV_ERROR, "not-a-syscall",
				 "'%s' is marked syscall: true but does not name a sys_ function", h->call);
			return;
		}
		char *ev = xasprintf("sys_enter_%s", sc);
		char *path = xasprintf("%s/events/syscalls/%s/format", o->tracefs, ev);
		FILE *f = fopen(o->tracefs ? o->tracefs : DEFAULT_TRACEFS, "r");
		if (f) {
			fclose(f);
			FILE *g = fopen(path, "r");
			if (g)
				fclose(g);
			else
				diag_add(d, p->file, h->call_pos, SEV_WARNING, "no-twin",
					 "no tracepoint syscalls/%s here: without kprobes this hook cannot attach", ev);
		}
		free(ev);
		free(path);
	} else if (syscall_name(h->call)) {
		diag_add(d, p->file, h->call_pos, SEV_WARNING, "syscall-flag",
			 "'%s' looks like a syscall but syscall: true is not set; its arguments will be read as a plain function's",
			 h->call);
	}
	int max = h->syscall ? MAX_SYSCALL_ARGS : MAX_KPROBE_ARGS;
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index >= max)
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "arg-index",
				 "arg index %d is beyond the %d arguments a %s can read", a->index, max,
				 h->syscall ? "syscall" : "kprobe");
	}
}

static bool field_is_pointer(const struct tp_field *f)
{
	return strchr(f->ctype, '*') != NULL;
}

static bool field_is_char_array(const struct tp_field *f)
{
	return strstr(f->ctype, "char") && strchr(f->ctype, '[');
}

static void check_tracepoint(const struct policy *p, struct hook *h, const struct check_opts *o, struct diags *d)
{
	if (!h->subsystem || !h->event)
		return;
	const char *tracefs = o->tracefs ? o->tracefs : DEFAULT_TRACEFS;
	if (!tp_format_read(tracefs, h->subsystem, h->event, &h->fields, &h->nfields)) {
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "no-tracepoint",
			 "tracepoint %s/%s not found under %s/events (is tracefs mounted? see --tracefs)", h->subsystem,
			 h->event, tracefs);
		return;
	}
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index < 0 || a->type == AT_UNKNOWN || a->type == AT_OTHER)
			continue;
		if (a->index >= h->nfields) {
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "tp-field-index",
				 "tracepoint %s/%s has %d fields (0-%d, common fields included); index %d is out of range",
				 h->subsystem, h->event, h->nfields, h->nfields - 1, a->index);
			continue;
		}
		const struct tp_field *f = &h->fields[a->index];
		bool ok;
		if (arg_type_is_int(a->type))
			ok = !f->data_loc && !field_is_char_array(f) && f->size <= 8;
		else if (a->type == AT_STRING)
			ok = f->data_loc || field_is_char_array(f) || field_is_pointer(f) || f->size == 8;
		else if (a->type == AT_CHAR_BUF)
			ok = field_is_pointer(f) || f->size == 8 || f->data_loc || field_is_char_array(f);
		else
			ok = false;
		if (!ok)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "tp-field-type",
				 "arg type %s does not fit field %d '%s %s' of %s/%s", a->type_name, a->index, f->ctype,
				 f->name, h->subsystem, h->event);
	}
}

static void check_args(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		for (int j = 0; j < i; j++)
			if (a->index >= 0 && h->args[j].index == a->index)
				diag_add(d, p->file, a->index_pos, SEV_ERROR, "duplicate-arg",
					 "arg index %d is declared twice (first at line %d)", a->index, h->args[j].pos.line);
		if (a->type == AT_CHAR_IOVEC || a->type == AT_FILE || a->type == AT_PATH)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "unsupported", "unsupported: arg type '%s'",
				 a->type_name);
		if (a->return_copy)
			diag_add(d, p->file, a->pos, SEV_ERROR, "unsupported", "unsupported: returnCopy");
		if (a->size_arg_index) {
			if (a->type != AT_CHAR_BUF && a->type != AT_CHAR_IOVEC) {
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex only applies to char_buf and char_iovec args");
				continue;
			}
			int target = a->size_arg_index - 1; /* 1-based, as the spec's caution says */
			int max = h->kind == HOOK_TRACEPOINT ? h->nfields : (h->syscall ? MAX_SYSCALL_ARGS : MAX_KPROBE_ARGS);
			if (target < 0 || (max && target >= max)) {
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d is out of range (it is 1-based: 1 means the arg at index 0)",
					 a->size_arg_index);
				continue;
			}
			if (target == a->index)
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d points at the buffer itself (it is 1-based: the arg at index %d)",
					 a->size_arg_index, target);
			const struct arg *sz = find_arg(h, target);
			if (sz && !arg_type_is_int(sz->type) && sz->type != AT_UNKNOWN && sz->type != AT_OTHER)
				diag_add(d, p->file, a->size_pos, SEV_ERROR, "size-arg",
					 "sizeArgIndex %d points at arg index %d of type %s, not an integer (it is 1-based)",
					 a->size_arg_index, target, sz->type_name);
		} else if (a->type == AT_CHAR_BUF) {
			diag_add(d, p->file, a->type_pos, SEV_WARNING, "char-buf-size",
				 "char_buf without sizeArgIndex: %d bytes are read whatever the buffer's size",
				 TPC_BUF_MAX);
		}
	}
}

void check_policy(struct policy *p, const struct check_opts *o, struct diags *d)
{
	struct check_opts def = {DEFAULT_TRACEFS};
	if (!o || !o->tracefs)
		o = &def;
	if (p->nhooks == 0 && p->name)
		diag_add(d, p->file, p->pos, SEV_WARNING, "no-hooks", "policy '%s' has no kprobes or tracepoints", p->name);
	for (int i = 0; i < p->nhooks; i++) {
		struct hook *h = &p->hooks[i];
		if (h->kind == HOOK_KPROBE)
			check_kprobe(p, h, o, d);
		else
			check_tracepoint(p, h, o, d);
		check_args(p, h, d);
		for (int j = 0; j < h->nselectors; j++) {
			const struct selector *s = &h->selectors[j];
			for (int k = 0; k < s->nmatch_args; k++)
				check_match_arg(p, h, &s->match_args[k], d);
			for (int k = 0; k < s->nactions; k++)
				check_action(p, h, s, &s->actions[k], d);
		}
	}
}
