/* tpc_procs.bpf.h: the process table. Programs on sched_process_exec,
 * _fork and _exit keep one struct tpc_proc per process: the path it
 * executed, its parent, its namespaces and capabilities at exec, and the
 * follow bits it inherited; the process events; and tp-load's whoami.
 * None of it depends on the policy: tpc_procs.bpf.c compiles it once per
 * architecture when tpc is built, and tpc links that object with each
 * policy's (clang then compiles only the policy's hooks). tpc --keep-debug
 * compiles it with the policy instead, as one unit (the linker drops
 * DWARF). */
#ifndef TPC_PROCS_BPF_H
#define TPC_PROCS_BPF_H

/* The follow bits a new child of ptgid inherits (followForks,
 * followChildren): the policy's own, so the policy unit defines it, as a
 * global function (verified on its own, scalars in and out) that the fork
 * program below calls across the link. */
extern __u64 tpc_fork_follow(__u32 ptgid);

/* tp-load runs this once (BPF_PROG_RUN) after loading: bpf_get_current_*
 * give its tgid as the root pid namespace sees it, whatever namespace
 * tp-load runs in (a container without host pid). Returns that tgid,
 * 0 when the entry could not be written. */
SEC("syscall")
int TPC_WHOAMI_PROG(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 start = BPF_CORE_READ(task, group_leader, start_time);
	return bpf_map_update_elem(&tpc_loaders, &tgid, &start, BPF_ANY) ? 0 : (int)tgid;
}

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
	p->exec_ns = bpf_ktime_get_boot_ns(); /* FollowFD names from before are stale */
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
		p->exec_ns = 0;
		tpc_fill_task_state(p);
	}
	p->follow |= tpc_fork_follow(ptgid);
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
	if (BPF_CORE_READ(tpc_task(), signal, live.counter) == 0) {
		bpf_map_delete_elem(&tpc_procs, &tgid);
		bpf_map_delete_elem(&tpc_loaders, &tgid); /* a tp-load that ends */
	}
	return 0;
}

/* ---- process events: process_exec, process_exit, and forks ----
 *
 * tp-load attaches these three programs of its first object only: one
 * process_exec per exec per tp-load, however many objects. They report
 * into their own ring buffer what tp-load's process table needs to name
 * every process image (tpc_abi.h, struct tpc_pevent): who exec'd what,
 * with which arguments, from where, as whom; who forked whom; who exited
 * how. Everything is read from the kernel's own state at the event, not
 * from anything the process can rewrite later: the binary is the file
 * mapped as mm->exe_file, the arguments are the bytes exec laid out at
 * mm->arg_start, the working directory is the walk of fs->pwd. */

#ifndef TPC_PEV_RINGBUF_BYTES
#define TPC_PEV_RINGBUF_BYTES (512 * 1024) /* tp-load --ring-buffer overrides it */
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TPC_PEV_RINGBUF_BYTES);
} TPC_PEVENTS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} TPC_PLOST_MAP SEC(".maps");

/* The key of the process of task (its thread group leader's). */
static __always_inline void tpc_pev_key(struct task_struct *task, __u64 *start, __u64 *seq)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	*start = BPF_CORE_READ(leader, start_boottime);
	*seq = BPF_CORE_READ(leader, self_exec_id);
}

/* True for a process of a tp-load (the exits and forks of tp-load and of
 * its loading children are not reported: tp-load does not watch itself). */
static __always_inline bool tpc_pev_is_loader(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 *start = bpf_map_lookup_elem(&tpc_loaders, &tgid);
	return start && *start == BPF_CORE_READ(task, group_leader, start_time);
}

/* The fixed part of a process event for task, in sc->ev. */
static __always_inline struct tpc_pevent *tpc_pev_begin(struct tpc_scratch *sc, struct task_struct *task, __u16 kind)
{
	struct tpc_pevent *e = (struct tpc_pevent *)sc->ev;
	e->abi = TPC_ABI_VERSION;
	e->kind = kind;
	e->nrecs = 0;
	e->pid = BPF_CORE_READ(task, tgid);
	e->tid = BPF_CORE_READ(task, pid);
	e->nspid = tpc_task_ns_tgid(task);
	e->uid = BPF_CORE_READ(task, cred, euid.val);
	e->auid = 0xffffffff;
	if (bpf_core_field_exists(task->loginuid))
		e->auid = BPF_CORE_READ(task, loginuid.val);
	e->code = 0;
	tpc_pev_key(task, &e->start_ns, &e->exec_seq);
	e->ppid = 0;
	e->pstart_ns = 0;
	e->pexec_seq = 0;
	e->ktime_ns = bpf_ktime_get_boot_ns();
	return e;
}

/* An exec's findings, between reading and building (slot 0). */
struct tpc_pev_found {
	long bin_len, cwd_len, cg_len;
	__u32 bin_flags, cwd_flags;
	__u64 arg_start, arg_end;
};

static __always_inline void tpc_pev_submit(struct tpc_scratch *sc, __u32 off)
{
	struct tpc_pevent *e = (struct tpc_pevent *)sc->ev;
	if (off > TPC_EVENT_MAX)
		off = TPC_EVENT_MAX;
	if (off < sizeof(struct tpc_pevent))
		off = sizeof(struct tpc_pevent);
	e->size = off;
	/* as policy events: a wakeup per batch, tp-load polls for the rest */
	__u64 flags = bpf_ringbuf_query(&tpc_pevents, BPF_RB_AVAIL_DATA) >= TPC_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
												   : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&tpc_pevents, sc->ev, off, flags)) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&tpc_plost, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
	}
}

SEC("tracepoint/sched/sched_process_exec")
int TPC_PEV_EXEC_PROG(void *ctx)
{
	struct tpc_scratch *sc = tpc_scratch();
	struct tpc_slots *sl = tpc_slots();
	if (!sc || !sl)
		return 0;
	struct task_struct *task = tpc_task();
	struct tpc_pevent *e = tpc_pev_begin(sc, task, TPC_PEV_EXEC);
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	e->ppid = BPF_CORE_READ(parent, tgid);
	tpc_pev_key(parent, &e->pstart_ns, &e->pexec_seq);
	e->nrecs = TPC_PEV_RECS;

	/* What is read goes to memory first and is read back before the
	 * event is built: each walk's many ways to end then stay behind it,
	 * and the verifier does not explore every combination of them. */
	volatile struct tpc_pev_found *f = (volatile struct tpc_pev_found *)sl->str[0];
	/* the binary: the file exec mapped (what /proc/PID/exe shows) */
	struct tpc_pathres r = tpc_exe_path(sl->str[1]);
	f->bin_len = r.len;
	f->bin_flags = r.flags;
	/* the working directory */
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	r = tpc_walk(BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), sl->str[2]);
	f->cwd_len = r.len;
	f->cwd_flags = r.flags;
	/* the cgroup's name: container runtimes name it after the container */
	const char *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name);
	f->cg_len = bpf_probe_read_kernel_str(sl->str[3], 256, cg) - 1;
	/* the arguments as exec laid them out, argv[0] first, NUL-separated;
	 * the pages are present: exec has just written them */
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	f->arg_start = BPF_CORE_READ(mm, arg_start);
	f->arg_end = BPF_CORE_READ(mm, arg_end);

	__u32 off = sizeof(struct tpc_pevent);
	off = tpc_put_kbytes(sc, off, sl->str[1], f->bin_len, f->bin_flags, 0);
	__u64 as = f->arg_start, ae = f->arg_end;
	off = tpc_put_buf(sc, off, as, ae > as ? ae - as : 0, true);
	off = tpc_put_kbytes(sc, off, sl->str[2], f->cwd_len, f->cwd_flags, 0);
	off = tpc_put_kbytes(sc, off, sl->str[3], f->cg_len, 0, 0);
	tpc_pev_submit(sc, off);
	return 0;
}

/* A raw tracepoint: its arguments are the parent's and the child's
 * tasks, and the child's start_boottime is part of its key. */
SEC("raw_tp/sched_process_fork")
int TPC_PEV_FORK_PROG(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	/* a new thread is no new process; kernel threads are not reported */
	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid) ||
	    (BPF_CORE_READ(child, flags) & TPC_PF_KTHREAD) || tpc_pev_is_loader(parent))
		return 0;
	struct tpc_scratch *sc = tpc_scratch();
	if (!sc)
		return 0;
	struct tpc_pevent *e = tpc_pev_begin(sc, child, TPC_PEV_FORK);
	e->ppid = BPF_CORE_READ(parent, tgid);
	tpc_pev_key(parent, &e->pstart_ns, &e->pexec_seq);
	tpc_pev_submit(sc, sizeof(struct tpc_pevent));
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int TPC_PEV_EXIT_PROG(void *ctx)
{
	struct task_struct *task = tpc_task();
	/* the process ends with its last thread (as the process table) */
	if (BPF_CORE_READ(task, signal, live.counter) != 0 || (BPF_CORE_READ(task, flags) & TPC_PF_KTHREAD) ||
	    tpc_pev_is_loader(task) || tpc_pev_is_loader(BPF_CORE_READ(task, real_parent)))
		return 0;
	struct tpc_scratch *sc = tpc_scratch();
	if (!sc)
		return 0;
	struct tpc_pevent *e = tpc_pev_begin(sc, task, TPC_PEV_EXIT);
	/* the group's exit code (exit_group, a fatal signal) when there is
	 * one, else this last thread's own */
	int code = BPF_CORE_READ(task, signal, group_exit_code);
	if (!code)
		code = BPF_CORE_READ(task, exit_code);
	e->code = (__u32)code;
	tpc_pev_submit(sc, sizeof(struct tpc_pevent));
	return 0;
}

#endif /* TPC_PROCS_BPF_H */
