/* floor.bpf.c: the empty program at the benchmarks' hook. Its cost per
 * event under bpf_stats is the floor: the tracepoint's dispatch plus the
 * stats accounting, which every other program pays too. Rows report what
 * a filter adds over this. No headers: it needs no types or helpers. */
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int bench_floor(void *ctx)
{
	return 0;
}
