/* limit.bpf.c: the physical limit of B1, written by hand. At the same
 * hook as B1's tracepoint twin, it does only what B1's filter must do on
 * the miss path: one bpf_probe_read_user_str of 32 bytes of openat's
 * filename, then the length and three word compares against
 * "/tmp/tpc-bench/value-00" (23 bytes and the NUL). Nothing else: no
 * event, no fault handling, no CO-RE (the record's layout is the
 * syscalls/sys_enter_* one of this machine: 8 bytes of common fields, the
 * syscall number, then args[6]). What tpc's B1 adds over the floor is
 * measured against what this adds. No headers, as floor.bpf.c. */
#define SEC(name) __attribute__((section(name), used))

typedef unsigned long long u64;

/* helper 114 (include/uapi/linux/bpf.h) */
static long (*bpf_probe_read_user_str)(void *dst, unsigned int size, const void *unsafe_ptr) = (void *)114;

char LICENSE[] SEC("license") = "GPL";

struct sys_enter_record {
	u64 common; /* type, flags, preempt_count, pid */
	long id;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_openat")
int bench_limit(struct sys_enter_record *ctx)
{
	u64 w[4];
	long n = bpf_probe_read_user_str(w, sizeof(w), (const void *)ctx->args[1]);
	/* "/tmp/tpc-bench/value-00", little-endian words; the last masked to
	 * its 7 bytes (the NUL is the length's business) */
	return n == 24 && w[0] == 0x6370742f706d742fULL && w[1] == 0x762f68636e65622dULL &&
	       (w[2] & 0xffffffffffffffULL) == 0x30302d65756c61ULL;
}
