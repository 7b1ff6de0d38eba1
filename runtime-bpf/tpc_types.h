/* tpc_types.h: the few kernel types and BPF constants generated code needs.
 *
 * Why not vmlinux.h: clang spends ~0.2 s parsing its 130k lines for every
 * policy. CO-RE only needs the names and field types of what we touch:
 * structs are declared with preserve_access_index, so libbpf relocates each
 * field access against the running kernel's BTF at load time, and fields
 * we do not declare do not matter. */
#ifndef TPC_TYPES_H
#define TPC_TYPES_H
/* we stand in for vmlinux.h: bpf_tracing.h then uses kernel register names */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u64 __be64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* UAPI values (include/uapi/linux/bpf.h); stable by definition. */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };
enum { BPF_F_NO_PREALLOC = 1 };
enum { BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2 };
enum { BPF_RB_AVAIL_DATA = 0 };

/* The context of a raw tracepoint program: the tracepoint's arguments. */
struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* x86_64 register file; the kprobe context and, for syscall wrappers,
 * the user registers at entry. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* arm64: bpf_tracing.h reads struct user_pt_regs for the first registers
 * and pt_regs->orig_x0 for a syscall's first argument. */
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
#ifndef __TARGET_ARCH_arm64 /* there bpf_tracing.h defines it itself */
struct pt_regs___arm64 {
	__u64 orig_x0;
};
#endif

/* Namespaces: every kind embeds a struct ns_common named ns. */
struct ns_common {
	unsigned int inum;
};
struct uts_namespace { struct ns_common ns; };
struct ipc_namespace { struct ns_common ns; };
struct mnt_namespace { struct ns_common ns; };
struct pid_namespace { struct ns_common ns; };
struct net { struct ns_common ns; };
struct time_namespace { struct ns_common ns; };
struct cgroup_namespace { struct ns_common ns; };
typedef struct {
	unsigned int val;
} kuid_t;
typedef struct {
	unsigned int val;
} kgid_t;
struct user_namespace {
	struct ns_common ns;
	int level;
	kuid_t owner;
	kgid_t group;
};

struct nsproxy {
	struct uts_namespace *uts_ns;
	struct ipc_namespace *ipc_ns;
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
	struct net *net_ns;
	struct time_namespace *time_ns;
	struct time_namespace *time_ns_for_children;
	struct cgroup_namespace *cgroup_ns;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

/* kernel_cap_t was u32[2] before 6.3 and { u64 val; } since: we only take
 * the field's address and read its 8 bytes, which is the same mask in both
 * on little-endian machines; an empty struct is CO-RE-compatible with both. */
struct tpc_kernel_cap {
};

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	unsigned int securebits;
	struct tpc_kernel_cap cap_inheritable;
	struct tpc_kernel_cap cap_permitted;
	struct tpc_kernel_cap cap_effective;
	struct user_namespace *user_ns;
};

/* Files and paths: what the bounded path walk reads (tpc_path.bpf.h). */
struct qstr {
	__u32 hash;
	__u32 len;
	const unsigned char *name;
};
struct inode {
	unsigned short i_mode; /* umode_t */
	unsigned int i_nlink;
};
struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
};
struct vfsmount {
	struct dentry *mnt_root;
};
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};
struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};
struct file {
	struct path f_path;
	struct inode *f_inode;
};
struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};
struct files_struct {
	struct fdtable *fdt;
};
struct iovec {
	void *iov_base;
	__u64 iov_len;
};

struct mm_struct {
	struct file *exe_file;
	unsigned long arg_start, arg_end;
};

struct fs_struct {
	struct path pwd;
};

/* The cgroup a process is in (cgroup v2's default hierarchy): its kernfs
 * node's name is the last component of its path. */
struct kernfs_node {
	const char *name;
};
struct cgroup {
	struct kernfs_node *kn;
};
struct css_set {
	struct cgroup *dfl_cgrp;
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live; /* threads of the group not yet exiting */
	int group_exit_code;
};

/* x86's status (TS_COMPAT: a 32-bit syscall), arm64's flags (TIF_32BIT) */
struct thread_info {
	unsigned long flags;
	__u32 status;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags; /* PF_* */
	struct files_struct *files;
	struct mm_struct *mm;
	struct signal_struct *signal;
	int pid;
	int tgid;
	int exit_code;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_time;
	__u64 start_boottime;
	__u64 self_exec_id;
	struct pid *thread_pid;
	struct nsproxy *nsproxy;
	const struct cred *cred;
	struct fs_struct *fs;
	struct css_set *cgroups;
	kuid_t loginuid; /* CONFIG_AUDIT only: read after bpf_core_field_exists */
};
#define TPC_PF_KTHREAD 0x00200000 /* include/linux/sched.h PF_KTHREAD */

#pragma clang attribute pop

#endif /* TPC_TYPES_H */
