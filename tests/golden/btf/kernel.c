/* kernel.c: a few kernel types, functions and raw tracepoint typedefs, so
 * that golden cases which walk the kernel BTF (resolve, data, raw
 * tracepoints, auto on kprobes) generate the same C on any machine.
 * golden.sh compiles it with clang -g into an object whose .BTF section
 * tpc reads (--btf). Only what the cases use, with the kernel's names. */
typedef int pid_t;
typedef unsigned int uid_t;
typedef struct {
	uid_t val;
} kuid_t;
typedef struct {
	unsigned long long val;
} kernel_cap_t;

struct qstr {
	unsigned int hash;
	unsigned int len;
	const unsigned char *name;
};
struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};
struct vfsmount;
struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};
struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
};
struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
};
struct cred {
	kuid_t uid;
	kuid_t euid;
	kernel_cap_t cap_effective;
};
struct task_struct;
struct mm_struct {
	struct task_struct *owner;
};
struct task_struct {
	int pid;
	pid_t tgid;
	struct task_struct *real_parent;
	const struct cred *cred;
	struct mm_struct *mm;
	char comm[16];
};
struct linux_binprm {
	struct mm_struct *mm;
	struct file *file;
	const char *filename;
};
struct module {
	char name[56];
	unsigned long taints;
};
struct load_info {
	const char *name;
	struct module *mod;
	_Bool sig_ok;
};
struct pt_regs {
	unsigned long di, si, dx, ax;
};

typedef void (*btf_trace_sched_process_exec)(void *, struct task_struct *, pid_t, struct linux_binprm *);
typedef void (*btf_trace_sys_enter)(void *, struct pt_regs *, long);
btf_trace_sched_process_exec golden_use_exec;
btf_trace_sys_enter golden_use_sys_enter;
/* clang writes a struct reached only through pointers as a forward
 * declaration: these make it write each one whole */
struct dentry golden_dentry;
struct inode golden_inode;
struct file golden_file;
struct cred golden_cred;
struct mm_struct golden_mm;
struct task_struct golden_task;
struct linux_binprm golden_bprm;
struct load_info golden_load_info;

long __do_sys_openat(int dfd, const char *filename, int flags, unsigned short mode)
{
	return dfd + (long)filename + flags + mode;
}

long __x64_sys_openat(const struct pt_regs *regs)
{
	return (long)regs;
}

long vfs_read(struct file *file, char *buf, unsigned long count, long long *pos)
{
	return (long)file + (long)buf + (long)count + (long)pos;
}

int security_file_open(struct file *file)
{
	return (int)(long)file;
}

int module_sig_check(struct load_info *info, int flags)
{
	return (int)(long)info + flags;
}
