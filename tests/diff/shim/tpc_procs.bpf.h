/* tpc_procs.bpf.h (host shim): included at the end of the generated file,
 * after the policy's tpc_fork_follow(). The kernel version holds the
 * sched_process_* programs; here we only export the fork rule, so the
 * driver can build a process's follow bits the way the kernel does: by
 * replaying the forks of its ancestors through the generated code. */
#ifndef TPCD_SHIM_PROCS_H
#define TPCD_SHIM_PROCS_H

__u64 tpcd_fork_follow(const struct tpc_proc *parent, __u32 pid)
{
	return tpc_fork_follow(parent, pid);
}

#endif
