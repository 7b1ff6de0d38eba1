/* check.h: what the check_*.c files share. Not part of the compiler's
 * public interface (that is check_policy() in tpc.h). */
#ifndef TPC_CHECK_H
#define TPC_CHECK_H

#include "tpc.h"

#define DEFAULT_TRACEFS "/sys/kernel/tracing"

/* check_kprobe.c: call, syscall flag, arg indexes and types (BTF-aware) */
void check_kprobe(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_tracepoint.c: the event exists, field indexes and types */
void check_tracepoint(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_probe.c: uprobes and USDTs against their binary */
void check_uprobe(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
void check_usdt(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d);
/* check_actions.c: per-action rules and whole-policy action rules */
void check_actions(const struct policy *p, const struct hook *h, struct diags *d);
void check_policy_actions(const struct policy *p, struct diags *d);
/* check_process.c: process-aware filters and return probes */
void check_process_filters(const struct policy *p, const struct hook *h, struct diags *d);
/* check_support.c: what the code generator does not implement yet, and
 * what action indexes may point at */
void check_support(const struct policy *p, const struct hook *h, struct diags *d);

#endif
