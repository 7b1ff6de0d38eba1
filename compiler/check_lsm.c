/* check_lsm.c: an lsm hook against the kernel BTF. The hook is the bare
 * LSM hook name (file_open); the kernel has a function bpf_lsm_<hook> for
 * each hook a BPF LSM program can attach to, and its prototype is the
 * hook's: args 0-4 are its parameters. Its actions are the ones a BPF LSM
 * program can take, as in Tetragon: Post, NoPost, Sigkill, Signal and
 * Override (the hook's verdict); a return probe it has not. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static void check_lsm_actions(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++)
		for (int k = 0; k < h->selectors[j].nactions; k++) {
			const struct action *a = &h->selectors[j].actions[k];
			switch (a->kind) {
			case ACT_POST:
			case ACT_NOPOST:
			case ACT_SIGKILL:
			case ACT_SIGNAL:
			case ACT_OVERRIDE:
			case ACT_TRACKSOCK:
			case ACT_UNTRACKSOCK:
			case ACT_UNKNOWN:
			case ACT_OTHER:
			case ACT_COUNT: break;
			case ACT_FOLLOWFD:
			case ACT_UNFOLLOWFD:
			case ACT_COPYFD:
			case ACT_GETURL:
			case ACT_DNSLOOKUP:
			case ACT_NOTIFYENFORCER:
			case ACT_CLEANUPENFORCERNOTIFICATION:
				diag_add(d, p->file, a->kind_pos, SEV_ERROR, "unsupported",
					 "unsupported: %s on an lsm hook (Tetragon: %s action is not supported): an lsm hook "
					 "can Post, NoPost, Sigkill, Signal or Override",
					 a->name, a->name);
				break;
			}
		}
}

void check_lsm(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	check_lsm_actions(p, h, d);
	if (!h->call)
		return;
	struct btf *btf = check_hook_btf(p, h, t, d);
	if (!btf)
		return;
	struct kproto proto;
	if (!hook_proto(h, t, &proto)) {
		char *want = xasprintf("bpf_lsm_%s", h->call);
		const char *s = kbtf_suggest_func(btf, want);
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "btf-no-call",
			 "lsm hook %s not found in BTF (no %s)%s%s%s", h->call, want,
			 s && !strncmp(s, "bpf_lsm_", 8) ? "; did you mean '" : "", s && !strncmp(s, "bpf_lsm_", 8) ? s + 8 : "",
			 s && !strncmp(s, "bpf_lsm_", 8) ? "'?" : "");
		free(want);
		return;
	}
	int max = hook_max_args(h, t);
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->index < 0)
			continue;
		if (a->index >= proto.n) {
			struct buf b = {0};
			check_list_params(&proto, &b);
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "btf-arg-index",
				 "arg index %d is beyond the prototype of lsm hook %s: %d args (%s), from %s", a->index,
				 h->call, proto.n, b.s, proto.origin);
			buf_free(&b);
			continue;
		}
		if (a->index >= max) {
			diag_add(d, p->file, a->index_pos, SEV_ERROR, "arg-index",
				 "arg index %d: an lsm hook's args are its parameters 0-%d", a->index, max - 1);
			continue;
		}
		if (!arg_type_known(a->type) || a->resolve)
			continue; /* a resolve path's end is typing.c's to check */
		const struct ktype *k = &proto.p[a->index];
		char buf[96];
		const char *why = check_type_conflict(a, k, buf, sizeof(buf));
		if (why)
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "btf-arg-type",
				 "arg %d is declared %s but lsm hook %s's '%s' is %s (%s), from %s", a->index, a->type_name,
				 h->call, proto.names[a->index], k->text, why, proto.origin);
	}
}
