/* tpc_procs.bpf.h: the process table. Programs on sched_process_exec,
 * _fork and _exit keep one struct tpc_proc per process: the path it
 * executed, its parent, its namespaces and capabilities at exec, and the
 * follow bits it inherited. Included at the end of the generated file,
 * after the policy's tpc_fork_follow(), which says which follow filters a
 * new child inherits from its parent. */
#ifndef TPC_PROCS_BPF_H
#define TPC_PROCS_BPF_H

/* Layouts of the sched tracepoints: only the fields we read are declared
 * (their comm fields changed type across kernels). */
struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	__u32 __data_loc_filename;
	int pid;
	int old_pid;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	int parent_pid;
	int child_pid;
} __attribute__((preserve_access_index));

SEC("tracepoint/sched/sched_process_exec")
int TPC_PROC_EXEC_PROG(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tpc_slots *sl = tpc_slots();
	if (!sl)
		return 0;
	/* build the entry in scratch: struct tpc_proc is too big for the stack */
	struct tpc_proc *p = (struct tpc_proc *)sl->str[0];
	struct tpc_proc *old = bpf_map_lookup_elem(&tpc_procs, &tgid);
	struct task_struct *task = tpc_task();
	__u32 loc = ctx->__data_loc_filename;
	/* follow bits survive exec: the process is still its ancestors' child */
	p->follow = old ? old->follow : 0;
	p->ppid = BPF_CORE_READ(task, real_parent, tgid);
	long n = bpf_probe_read_kernel_str(p->bin, sizeof(p->bin), (char *)ctx + (loc & 0xffff));
	p->binlen = n > 0 ? (__u32)(n - 1) : 0;
	tpc_fill_task_state(p);
	bpf_map_update_elem(&tpc_procs, &tgid, p, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int TPC_PROC_FORK_PROG(struct trace_event_raw_sched_process_fork *ctx)
{
	/* Threads get an entry too (the tracepoint cannot tell them from
	 * processes); it is keyed by their tid and removed at their exit. */
	__u32 child = ctx->child_pid;
	__u32 ptgid = bpf_get_current_pid_tgid() >> 32;
	struct tpc_proc *pp = bpf_map_lookup_elem(&tpc_procs, &ptgid);
	struct tpc_slots *sl = tpc_slots();
	if (!sl)
		return 0;
	struct tpc_proc *p = (struct tpc_proc *)sl->str[0];
	/* one helper call, not a long unrolled copy (compile time) */
	if (pp && !bpf_probe_read_kernel(p, sizeof(*p), pp)) {
	} else {
		/* a parent we never saw exec: start from what it is now */
		p->binlen = 0;
		p->bin[0] = 0;
		p->follow = 0;
		tpc_fill_task_state(p);
	}
	p->follow |= tpc_fork_follow(pp, ptgid);
	p->ppid = ptgid;
	bpf_map_update_elem(&tpc_procs, &child, p, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int TPC_PROC_EXIT_PROG(void *ctx)
{
	/* keyed by tid: the leader's exit ends the process entry, other
	 * threads' exits remove the entries their creation made */
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&tpc_procs, &tid);
	return 0;
}

#endif /* TPC_PROCS_BPF_H */
