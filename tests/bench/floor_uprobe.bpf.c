/* floor_uprobe.bpf.c: the empty program at the uprobe benchmarks' hook
 * (tpc-bench-floor attaches it to tpc-bench-ucall's bench_target). Its
 * cost per event under bpf_stats is the floor: the uprobe's dispatch of a
 * BPF program plus the stats accounting. The trap itself is not in
 * bpf_stats: the calls per second of tpc-bench-ucall show it. */
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe")
int bench_floor_uprobe(void *ctx)
{
	return 0;
}
