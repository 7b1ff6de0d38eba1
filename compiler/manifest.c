/* manifest.c: build the text manifest embedded in every object (grammar
 * in runtime-bpf/tpc_abi.h). tp-load needs nothing else to attach the
 * programs and print events. */
#include "emit.h"
#include "tpc_abi.h"

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

char *manifest_build(const struct policy *p)
{
	struct buf b = {0};
	buf_printf(&b, "tpc-manifest %d\n", TPC_ABI_VERSION);
	buf_puts(&b, "tpc");
	kv(&b, "version", TPC_VERSION);
	buf_puts(&b, "\npolicy");
	kv(&b, "name", p->name);
	if (p->policy_digest) /* the policy source the object came from */
		kv(&b, "digest", p->policy_digest);
	/* What tp-load must seed for processes that predate it: the table
	 * (binary, follow bits) only when a filter reads it, and exec-time
	 * namespaces and capabilities only for *Changes filters. Events of
	 * unseeded processes still name their binary (/proc/PID/exe). */
	bool changes = false, procs = false;
	for (int i = 0; i < p->nhooks; i++)
		for (int s = 0; s < p->hooks[i].nselectors; s++) {
			const struct selector *sel = &p->hooks[i].selectors[s];
			changes |= sel->nmatch_ns_changes || sel->nmatch_cap_changes;
			procs |= sel->nmatch_binaries > 0;
			for (int k = 0; k < sel->nmatch_pids; k++)
				procs |= sel->match_pids[k].follow;
		}
	if (changes)
		buf_puts(&b, " seed=procs,exec-state");
	else if (procs)
		buf_puts(&b, " seed=procs");
	buf_puts(&b, "\n");
	for (int i = 0; i < p->nhooks; i++) {
		const struct hook *h = &p->hooks[i];
		buf_printf(&b, "hook id=%d", i);
		if (h->kind == HOOK_KPROBE) {
			buf_puts(&b, " kind=kprobe");
			kv(&b, "call", h->call);
			bool at_return = hook_reports_at_return(h);
			buf_printf(&b, " syscall=%d return=%d kprobe=tpc_h%d_kprobe", h->syscall, at_return, i);
			if (h->syscall) {
				buf_printf(&b, " twin=tpc_h%d_twin twin_tp=syscalls/sys_enter_", i);
				manifest_encode(&b, syscall_name(h->call));
			}
			if (at_return) {
				buf_printf(&b, " kretprobe=tpc_h%d_kretprobe", i);
				if (h->syscall) {
					buf_printf(&b, " twin_ret=tpc_h%d_twin_ret twin_ret_tp=syscalls/sys_exit_", i);
					manifest_encode(&b, syscall_name(h->call));
				}
				if (h->has_return_arg)
					buf_printf(&b, " return_type=%s", arg_type_canonical(h->return_arg.type));
			}
		} else {
			buf_puts(&b, " kind=tracepoint tp=");
			manifest_encode(&b, h->subsystem);
			buf_puts(&b, "/");
			manifest_encode(&b, h->event);
			buf_printf(&b, " prog=tpc_h%d_tp", i);
		}
		buf_printf(&b, " nargs=%d", h->nargs);
		for (int s = 0; s < h->nselectors; s++)
			for (int k = 0; k < h->selectors[s].nactions; k++)
				if (h->selectors[s].actions[k].kind == ACT_OVERRIDE) {
					buf_puts(&b, " override=1");
					s = h->nselectors;
					break;
				}
		if (h->policy_name && p->name && strcmp(h->policy_name, p->name))
			kv(&b, "policy", h->policy_name);
		if (h->message)
			kv(&b, "message", h->message);
		if (h->ntags) {
			buf_puts(&b, " tags=");
			for (int t = 0; t < h->ntags; t++) {
				if (t)
					buf_puts(&b, ",");
				manifest_encode(&b, h->tags[t]);
			}
		}
		buf_puts(&b, "\n");
		for (int a = 0; a < h->nargs; a++) {
			const struct arg *ar = &h->args[a];
			buf_printf(&b, "arg hook=%d pos=%d index=%d type=%s", i, a, ar->index, arg_type_canonical(ar->type));
			if (ar->label)
				kv(&b, "label", ar->label);
			if (h->kind == HOOK_TRACEPOINT && ar->index >= 0 && ar->index < h->nfields) {
				const struct tp_field *f = &h->fields[ar->index];
				kv(&b, "field", f->name);
				buf_printf(&b, " offset=%d size=%d", f->offset, f->size);
			}
			buf_puts(&b, "\n");
		}
	}
	/* userspace actions: tp-load performs them when events arrive */
	for (int i = 0; i < p->nhooks; i++)
		for (int s = 0; s < p->hooks[i].nselectors; s++)
			for (int k = 0; k < p->hooks[i].selectors[s].nactions; k++) {
				const struct action *a = &p->hooks[i].selectors[s].actions[k];
				if (a->kind != ACT_GETURL && a->kind != ACT_DNSLOOKUP)
					continue;
				buf_printf(&b, "action hook=%d selector=%d kind=%s", i, s + 1,
					   a->kind == ACT_GETURL ? "GetUrl" : "DnsLookup");
				kv(&b, "value", a->kind == ACT_GETURL ? a->arg_url : a->arg_fqdn);
				buf_puts(&b, "\n");
			}
	manifest_follow_records(&b, p);
	buf_puts(&b, "end\n");
	return b.s;
}
