/* features.bpf.c: programs that each need one kernel feature, for
 * features_check (tests/kernels): what a kernel of the matrix lacks must be
 * refused by name, never by a verifier log alone.
 *   uses_loop      bpf_loop (Linux 5.17): loads on every kernel we test
 *   on_unlinkat    an fentry program (BPF trampolines)
 *   uses_override  bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE)
 *   bad_access     nothing: its read past the context is refused by every
 *                  verifier, and nothing missing may be blamed for it
 * features_kfunc.bpf.c holds the program that needs kfuncs: libbpf
 * resolves an object's kfuncs before it loads any of its programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static long count_step(__u32 i, void *ctx)
{
	(*(long *)ctx)++;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int uses_loop(void *ctx)
{
	long n = 0;

	bpf_loop(4, count_step, &n, 0);
	return n == 4 ? 0 : 1;
}

SEC("fentry/do_unlinkat")
int on_unlinkat(void *ctx)
{
	return 0;
}

SEC("kprobe/do_unlinkat")
int uses_override(struct pt_regs *ctx)
{
	bpf_override_return(ctx, -1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int bad_access(void *ctx)
{
	return *(volatile int *)((char *)ctx + 65536);
}
