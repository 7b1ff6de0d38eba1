/* tpc_stacks.bpf.h: kernelStackTrace / userStackTrace. Included by
 * generated code when a hook posts stacks (plan.c: a kprobe or fentry
 * whose Post has either flag); other objects do not pay for the map.
 *
 * The event carries only stack ids: bpf_get_stackid stores the frames in
 * a BPF_MAP_TYPE_STACK_TRACE map (identical stacks share one entry) and
 * tp-load looks them up and symbolises them when it prints the event. The
 * map is sized as Tetragon's (TPC_STACK_ENTRIES stacks of
 * TPC_STACK_DEPTH frames, preallocated by the kernel: about 33 MiB).
 * Without BPF_F_REUSE_STACKID a stack whose bucket holds another one is
 * not stored (-EEXIST): an event never names a stack that was replaced
 * under it, and tp-load reports the failure instead. */
#ifndef TPC_STACKS_BPF_H
#define TPC_STACKS_BPF_H

#define TPC_MAP_TYPE_STACK_TRACE 7 /* BPF_MAP_TYPE_STACK_TRACE (UAPI) */
#define TPC_F_USER_STACK (1ULL << 8) /* BPF_F_USER_STACK (UAPI) */

struct {
	__uint(type, TPC_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, TPC_STACK_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TPC_STACK_DEPTH * sizeof(__u64));
} TPC_STACKS_MAP SEC(".maps");

/* The stacks a matching selector asked for, into the event header. ctx
 * is the program's own context: a kprobe's registers give the probed
 * function as the innermost kernel frame; a tracepoint's, the code that
 * hit the tracepoint. The user stack is the task's registers at its
 * entry into the kernel, walked by frame pointers. */
static __always_inline void tpc_get_stacks(void *ctx, struct tpc_scratch *sc, __u32 act)
{
	struct tpc_event *e = (struct tpc_event *)sc->ev;
	if (act & TPC_ACT_KSTACK)
		e->kstack = bpf_get_stackid(ctx, &tpc_stacks, 0);
	if (act & TPC_ACT_USTACK)
		e->ustack = bpf_get_stackid(ctx, &tpc_stacks, TPC_F_USER_STACK);
}

#endif /* TPC_STACKS_BPF_H */
