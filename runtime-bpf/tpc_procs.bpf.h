/* tpc_procs.bpf.h: the process table. Programs on sched_process_exec,
 * _fork and _exit keep one struct tpc_proc per process: the path it
 * executed, its parent, its namespaces and capabilities at exec, and the
 * follow bits it inherited. Included at the end of the generated file,
 * after the policy's tpc_fork_follow(), which says which follow filters a
 * new child inherits from its parent. */
#ifndef TPC_PROCS_BPF_H
#define TPC_PROCS_BPF_H

/* Layout of sched_process_fork: only the fields we read are declared
 * (its comm fields changed type across kernels). */
struct trace_event_raw_sched_process_fork {
	struct trace_entry ent;
	int parent_pid;
	int child_pid;
} __attribute__((preserve_access_index));

/* The binary of the current task into p: the file executed (its
 * mm->exe_file), not the name given to execve: ./cat, a symlink, a//b
 * and a/../a/b all are /usr/bin/cat, as /proc/PID/exe says. The walk's
 * result goes through slot 1 (struct tpc_proc is built in slot 0). */
static __always_inline void tpc_proc_binary(struct tpc_proc *p, struct tpc_slots *sl)
{
	char *path = sl->str[1];
	struct tpc_pathres r = tpc_exe_path(path);
	__u32 n = r.len < 0 ? 0 : r.len > TPC_BIN_MAX - 1 ? TPC_BIN_MAX - 1 : (__u32)r.len;
	bpf_probe_read_kernel(p->bin, n & (TPC_BIN_MAX - 1), path);
	p->bin[n & (TPC_BIN_MAX - 1)] = 0;
	p->binlen = n;
}

SEC("tracepoint/sched/sched_process_exec")
int TPC_PROC_EXEC_PROG(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tpc_slots *sl = tpc_slots();
	if (!sl)
		return 0;
	/* build the entry in scratch: struct tpc_proc is too big for the stack */
	struct tpc_proc *p = (struct tpc_proc *)sl->str[0];
	struct tpc_proc *old = bpf_map_lookup_elem(&tpc_procs, &tgid);
	struct task_struct *task = tpc_task();
	/* follow bits survive exec: the process is still its ancestors' child */
	p->follow = old ? old->follow : 0;
	p->ppid = BPF_CORE_READ(task, real_parent, tgid);
	tpc_proc_binary(p, sl); /* mm->exe_file is the new one here */
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
		/* a parent we never saw exec nor had seeded (it forked while
		 * tp-load was seeding): start from what it is now; the child
		 * runs the same executable */
		tpc_proc_binary(p, sl);
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
	/* A thread's exit removes the entry its creation made (keyed by its
	 * tid); the process's entry (keyed by the tgid) stays until the last
	 * thread of the group exits, not when the leader does: a main that
	 * calls pthread_exit leaves a process whose threads are still its
	 * binary. signal->live counts the threads not yet exiting. */
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt, tgid = pt >> 32;
	if (tid != tgid)
		bpf_map_delete_elem(&tpc_procs, &tid);
	if (BPF_CORE_READ(tpc_task(), signal, live.counter) == 0)
		bpf_map_delete_elem(&tpc_procs, &tgid);
	return 0;
}

#endif /* TPC_PROCS_BPF_H */
