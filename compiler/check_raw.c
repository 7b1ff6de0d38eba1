/* check_raw.c: a raw tracepoint (raw: true) against the kernel BTF. Its
 * args are the event's TP_PROTO parameters, by position, as the typedef
 * btf_trace_<event> declares them (a pointer to a function whose first
 * parameter, the probe's void *data, is not one of them). That typedef
 * exists for every event, also for the events of a shared event class,
 * whose __bpf_trace_<class> function would not name the event. The
 * subsystem only names the event in messages and events: a raw
 * tracepoint attaches by event name. */
#include "check.h"

#include <stdlib.h>

void check_raw_tracepoint(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	if (!h->subsystem || !h->event)
		return;
	struct btf *btf = check_hook_btf(p, h, t, d);
	if (!btf)
		return;
	struct kproto proto;
	if (!kbtf_raw_tp_proto(btf, h->event, &proto)) {
		char s[128];
		const char *sugg = kbtf_suggest_raw_tp(btf, h->event, s, sizeof(s));
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "no-tracepoint",
			 "raw tracepoint %s/%s not found: the kernel BTF has no btf_trace_%s%s%s%s", h->subsystem, h->event,
			 h->event, sugg ? "; did you mean '" : "", sugg ? sugg : "", sugg ? "'?" : "");
		return;
	}
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index < 0 || a->is_data) /* a data entry's value comes from its source */
			continue;
		if (a->index >= proto.n) {
			struct buf b = {0};
			check_list_params(&proto, &b);
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "btf-arg-index",
				 "arg index %d is beyond the prototype of raw tracepoint %s: %d args (%s), from %s", a->index,
				 h->event, proto.n, b.s, proto.origin);
			buf_free(&b);
			continue;
		}
		if (!arg_type_known(a->type) || a->resolve)
			continue; /* a resolve path's end is typing.c's to check */
		const struct ktype *k = &proto.p[a->index];
		char buf[96];
		const char *why = check_type_conflict(a, k, buf, sizeof(buf));
		if (why)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "btf-arg-type",
				 "arg %d is declared %s but raw tracepoint %s's '%s' is %s (%s), from %s", a->index,
				 a->type_name, h->event, proto.names[a->index], k->text, why, proto.origin);
	}
}
