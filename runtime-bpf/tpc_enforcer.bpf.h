/* tpc_enforcer.bpf.h: spec.enforcers, NotifyEnforcer and
 * CleanupEnforcerNotification (BEYOND-THE-SEED 7i). Included by generated
 * code only when the policy has one of them.
 *
 * NotifyEnforcer does not act on the call it matched: it leaves a verdict
 * for the calling thread, and the enforcer program at the entry of each
 * of spec.enforcers' calls applies it the next time that thread enters
 * one (a signal, and/or the call failing with the error), then clears
 * it. The verdict is per thread (pid_tgid), as the call that applies it
 * is made by that thread. A verdict replaced before it was applied, or
 * dropped by CleanupEnforcerNotification, is counted in TPC_MISSED_MAP. */
#ifndef TPC_ENFORCER_BPF_H
#define TPC_ENFORCER_BPF_H

struct tpc_verdict {
	__s16 error; /* argError truncated to 16 bits, as Tetragon keeps it */
	__u16 pad;
	__u32 sig;   /* argSig, 0: none */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct tpc_verdict);
} TPC_VERDICTS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} TPC_MISSED_MAP SEC(".maps");

static __always_inline void tpc_verdict_missed(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&TPC_MISSED_MAP, &zero);
	if (n)
		*n += 1; /* per CPU: no other writer */
}

/* NotifyEnforcer: the thread's pending verdict (a previous one unused is missed). */
static __always_inline void tpc_enforcer_notify(long error, int sig)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tpc_verdict v = {.error = (__s16)error, .sig = (__u32)sig};
	if (bpf_map_lookup_elem(&TPC_VERDICTS_MAP, &id))
		tpc_verdict_missed();
	bpf_map_update_elem(&TPC_VERDICTS_MAP, &id, &v, BPF_ANY);
}

/* CleanupEnforcerNotification: drop the thread's verdict, counted as missed. */
static __always_inline void tpc_enforcer_cleanup(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (bpf_map_delete_elem(&TPC_VERDICTS_MAP, &id) == 0)
		tpc_verdict_missed();
}

/* An enforcer call's entry: apply and clear the thread's verdict. The
 * signal is sent here; the error, when non-zero, is what the caller
 * makes the call return. */
static __always_inline long tpc_enforcer_take(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tpc_verdict *v = bpf_map_lookup_elem(&TPC_VERDICTS_MAP, &id);
	if (!v)
		return 0;
	long error = v->error;
	if (v->sig)
		bpf_send_signal(v->sig);
	bpf_map_delete_elem(&TPC_VERDICTS_MAP, &id);
	return error;
}

#endif /* TPC_ENFORCER_BPF_H */
