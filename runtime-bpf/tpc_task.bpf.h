/* tpc_task.bpf.h: what the process-aware filters read from the current
 * task: namespace inodes, capability sets, the pid in the task's own pid
 * namespace. Every access is CO-RE relocated (tpc_types.h). */
#ifndef TPC_TASK_BPF_H
#define TPC_TASK_BPF_H

static __always_inline struct task_struct *tpc_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* The upid of the task's pid at its deepest level (its own namespace). */
static __always_inline void tpc_task_upid(struct task_struct *task, struct upid *up)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	up->nr = 0;
	up->ns = NULL;
	/* pid namespaces nest at most 32 deep (MAX_PID_NS_LEVEL) */
	bpf_core_read(up, sizeof(*up), &pid->numbers[level & 31]);
}

/* The thread group id as seen in the task's own pid namespace. */
static __always_inline __u32 tpc_task_ns_tgid(struct task_struct *task)
{
	struct upid up;
	tpc_task_upid(task, &up);
	return (__u32)up.nr;
}

/* Inode number of one of the task's namespaces (TPC_NS_*). */
static __always_inline __u32 tpc_task_ns(struct task_struct *task, int kind)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	switch (kind) {
	case TPC_NS_UTS: return BPF_CORE_READ(nsp, uts_ns, ns.inum);
	case TPC_NS_IPC: return BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	case TPC_NS_MNT: return BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	case TPC_NS_PID: {
		struct upid up;
		tpc_task_upid(task, &up);
		return BPF_CORE_READ(up.ns, ns.inum);
	}
	case TPC_NS_PID_FOR_CHILDREN: return BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	case TPC_NS_NET: return BPF_CORE_READ(nsp, net_ns, ns.inum);
	case TPC_NS_TIME: return BPF_CORE_READ(nsp, time_ns, ns.inum);
	case TPC_NS_TIME_FOR_CHILDREN: return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	case TPC_NS_CGROUP: return BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	case TPC_NS_USER: return BPF_CORE_READ(task, cred, user_ns, ns.inum);
	}
	return 0;
}

/* One capability set of the task (0 effective, 1 inheritable, 2 permitted). */
static __always_inline __u64 tpc_task_caps(struct task_struct *task, int set)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u64 v = 0;
	if (set == 0)
		bpf_probe_read_kernel(&v, sizeof(v), __builtin_preserve_access_index(&cred->cap_effective));
	else if (set == 1)
		bpf_probe_read_kernel(&v, sizeof(v), __builtin_preserve_access_index(&cred->cap_inheritable));
	else
		bpf_probe_read_kernel(&v, sizeof(v), __builtin_preserve_access_index(&cred->cap_permitted));
	return v;
}

/* All ten namespace inodes and the three capability sets of the current
 * task into p (exec-time state). One subprogram, called from exec and
 * fork: generated once, not once per caller. */
static __noinline void tpc_fill_task_state(struct tpc_proc *p)
{
	struct task_struct *task = tpc_task();
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct upid up;
	if (!p)
		return;
	p->ns[TPC_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	p->ns[TPC_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	p->ns[TPC_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	tpc_task_upid(task, &up);
	p->ns[TPC_NS_PID] = BPF_CORE_READ(up.ns, ns.inum);
	p->ns[TPC_NS_PID_FOR_CHILDREN] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	p->ns[TPC_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	p->ns[TPC_NS_TIME] = BPF_CORE_READ(nsp, time_ns, ns.inum);
	p->ns[TPC_NS_TIME_FOR_CHILDREN] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	p->ns[TPC_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	p->ns[TPC_NS_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	for (int i = 0; i < 3; i++)
		p->caps[i] = tpc_task_caps(task, i);
}

#endif /* TPC_TASK_BPF_H */
