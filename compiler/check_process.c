/* check_process.c: semantic checks of the process-aware filters and of
 * return probes (matchPIDs, matchBinaries, matchNamespaces,
 * matchCapabilities, the *Changes filters, matchReturnArgs, returnArg).
 * How many filters follow forks is the plan's to count (plan.c). */
#include "check.h"
#include "tpc_abi.h"

#include <string.h>

static void check_pid_values(const struct policy *p, const struct match_proc *m, struct diags *d)
{
	for (int i = 0; i < m->nvalues; i++) {
		const struct value *v = &m->values[i];
		if (!v->is_int || v->i < 0 || v->i > 0x3fffffff)
			diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value",
				 "matchPIDs value '%s' is not a process id", m->values[i].s);
	}
	if (m->values && !m->nvalues)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchPIDs entry has no values");
}

static void check_binary_values(const struct policy *p, const struct match_proc *m, struct diags *d)
{
	for (int i = 0; i < m->nvalues; i++) {
		size_t len = m->values[i].len;
		if (len == 0)
			diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value", "matchBinaries value is empty");
		else if (len >= TPC_BIN_MAX)
			diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value",
				 "matchBinaries value is %zu bytes; paths longer than %d bytes are not recorded", len,
				 TPC_BIN_MAX - 1);
		else if ((m->op == OP_IN || m->op == OP_NOTIN) && m->values[i].s[0] != '/')
			diag_add(d, p->file, m->values[i].pos, SEV_WARNING, "binary-path",
				 "matchBinaries %s value '%s' is not an absolute path: it matches only a process executed by that exact relative name",
				 op_name(m->op), m->values[i].s);
	}
	if (m->values && !m->nvalues)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchBinaries entry has no values");
}

static void check_ns_values(const struct policy *p, const struct match_ns *m, struct diags *d)
{
	for (int i = 0; i < m->nvalues; i++) {
		const struct value *v = &m->values[i];
		if (strcmp(v->s, "host_ns") && (!v->is_int || v->i <= 0 || v->i > 0xffffffffLL))
			diag_add(d, p->file, m->values[i].pos, SEV_ERROR, "bad-value",
				 "matchNamespaces value '%s' is neither a namespace inode number nor host_ns", m->values[i].s);
	}
	if (m->values && !m->nvalues)
		diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchNamespaces entry has no values");
}

/* The types a return value may have here: the integers, and a struct
 * sock pointer (sock, socket: inet_csk_accept's), which is read at
 * return into a sock_arg and compared by the network operators. */
static bool return_type_ok(enum arg_type t)
{
	return arg_type_is_int(t) || t == AT_SOCK || t == AT_SOCKET;
}

static void check_return_args(const struct policy *p, const struct hook *h, const struct selector *s,
			      struct diags *d)
{
	/* no returnArg: the value is a 64-bit integer */
	const struct arg int64 = {.type = AT_INT64, .type_name = "int64", .index = 0};
	const struct arg *ra = h->has_return_arg && arg_type_known(h->return_arg.type) ? &h->return_arg : &int64;
	if (h->has_return_arg && !return_type_ok(ra->type))
		return; /* the returnArg's own error says it */
	for (int i = 0; i < s->nmatch_return_args; i++) {
		const struct match_arg *m = &s->match_return_args[i];
		if (m->op == OP_UNKNOWN || m->op == OP_OTHER)
			continue;
		if (ops[m->op].net || arg_type_is_net(ra->type)) {
			check_net_match(p, m, ra, true, d);
			continue;
		}
		if (m->values && !m->nvalues)
			diag_add(d, p->file, m->pos, SEV_ERROR, "no-values", "matchReturnArgs entry has no values");
		for (int v = 0; v < m->nvalues; v++) {
			if (!m->values[v].is_int)
				diag_add(d, p->file, m->values[v].pos, SEV_ERROR, "bad-value",
					 "matchReturnArgs value '%s' is not an integer", m->values[v].s);
		}
	}
}

void check_process_filters(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		for (int k = 0; k < s->nmatch_pids; k++)
			check_pid_values(p, &s->match_pids[k], d);
		for (int k = 0; k < s->nmatch_binaries; k++)
			check_binary_values(p, &s->match_binaries[k], d);
		for (int k = 0; k < s->nmatch_parent_binaries; k++)
			check_binary_values(p, &s->match_parent_binaries[k], d);
		for (int k = 0; k < s->nmatch_namespaces; k++)
			check_ns_values(p, &s->match_namespaces[k], d);
		for (int k = 0; k < s->nmatch_caps; k++)
			if (s->match_caps[k].values && !s->match_caps[k].nvalues)
				diag_add(d, p->file, s->match_caps[k].pos, SEV_ERROR, "no-values",
					 "matchCapabilities entry has no values");
		for (int k = 0; k < s->nmatch_cap_changes; k++)
			if (s->match_cap_changes[k].values && !s->match_cap_changes[k].nvalues)
				diag_add(d, p->file, s->match_cap_changes[k].pos, SEV_ERROR, "no-values",
					 "matchCapabilityChanges entry has no values");
		for (int k = 0; k < s->nmatch_ns_changes; k++)
			if (s->match_ns_changes[k].values && !s->match_ns_changes[k].nvalues)
				diag_add(d, p->file, s->match_ns_changes[k].pos, SEV_ERROR, "no-values",
					 "matchNamespaceChanges entry has no values");
		check_return_args(p, h, s, d);
	}
	if (h->has_return_arg && !return_type_ok(h->return_arg.type) && arg_type_known(h->return_arg.type))
		diag_add(d, p->file, h->return_arg.type_pos, SEV_ERROR, "unsupported",
			 "unsupported: returnArg type '%s' (integer types, sock and socket only)", h->return_arg.type_name);
	else if (h->has_return_arg && arg_type_is_net(h->return_arg.type) && h->kind != HOOK_KPROBE &&
		 h->kind != HOOK_FENTRY)
		diag_add(d, p->file, h->return_arg.type_pos, SEV_ERROR, "unsupported",
			 "unsupported: returnArg type '%s' on a %s (a returned sock is a kernel function's: kprobes "
			 "and fentries)",
			 h->return_arg.type_name, h->kind == HOOK_UPROBE ? "uprobe" : "usdt");
	if (h->has_return_arg && !h->is_return)
		diag_add(d, p->file, h->return_pos, SEV_WARNING, "return-arg",
			 "returnArg without return: true is ignored: the hook has no return probe");
}
