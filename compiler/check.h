/* check.h: what the check_*.c files share. Not part of the compiler's
 * public interface (that is check_policy() in tpc.h). */
#ifndef TPC_CHECK_H
#define TPC_CHECK_H

#include "tpc.h"

#define DEFAULT_TRACEFS "/sys/kernel/tracing"

/* check_kprobe.c: call, syscall flag, arg indexes and types (BTF-aware) */
void check_kprobe(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* The kernel BTF the hook is checked against (loaded on first use), or
 * NULL when disabled or unreadable (a btf-unavailable warning says so). */
struct btf *check_hook_btf(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* NULL when declared arg a can read a kernel value of type k; else why
 * not (in why[0..len) or a constant). */
const char *check_type_conflict(const struct arg *a, const struct ktype *k, char *why, size_t len);
/* "0 file, 1 buf, 2 count" of a prototype, for messages */
void check_list_params(const struct kproto *k, struct buf *b);
/* check_raw.c: a raw tracepoint's event and args against its BTF prototype */
void check_raw_tracepoint(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_lsm.c: an lsm hook exists (bpf_lsm_<hook>), its args and actions */
void check_lsm(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_fleet.c: with --btf DIR, the calls, fields and resolve paths
 * each kernel of the fleet lacks (btf-fleet) */
void check_fleet(const struct policy *p, const struct target *t, struct diags *d);
/* check_tracepoint.c: the event exists, field indexes and types */
void check_tracepoint(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_probe.c: uprobes and USDTs against their binary */
void check_uprobe(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
void check_usdt(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_actions.c: per-action rules and whole-policy action rules */
void check_actions(const struct policy *p, const struct hook *h, struct diags *d);
void check_policy_actions(const struct policy *p, struct diags *d);
/* check_return_actions.c: matchReturnActions; the actions it checks
 * alone (the others' generic rules stay check_actions.c's) */
void check_return_actions(const struct policy *p, const struct hook *h, struct diags *d);
bool return_action_checked_here(const struct action *a);
/* check.c: a network operator, or any operator on a network type, in
 * matchArgs or (at_return, a the returnArg) matchReturnArgs */
void check_net_match(const struct policy *p, const struct match_arg *m, const struct arg *a, bool at_return,
		     struct diags *d);
/* check_process.c: process-aware filters and return probes */
void check_process_filters(const struct policy *p, const struct hook *h, struct diags *d);
/* check_support.c: what the code generator does not implement yet, and
 * what action indexes may point at */
void check_support(const struct policy *p, const struct hook *h, struct diags *d);

#endif
