/* features_kfunc.bpf.c: a program that needs the kfuncs bpf_task_from_pid
 * and bpf_task_release (Linux 6.2), for features_check (tests/kernels). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* kfunc prototypes must agree with the kernel's: a struct, not a
 * declaration, for libbpf to accept the pointer types as compatible */
struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("syscall")
int uses_kfunc(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}
