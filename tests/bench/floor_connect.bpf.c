/* floor_connect.bpf.c: the empty program at the network rows' hook
 * (connect's syscall tracepoint): as floor.bpf.c, the dispatch and stats
 * accounting every program there pays. */
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_connect")
int bench_floor(void *ctx)
{
	return 0;
}
