/* ucall.c: the uprobe benchmarks' caller. Calls bench_target(N, S), a
 * function of its own that a uprobe probes, in a loop for SECONDS:
 *
 *   tpc-bench-ucall -d SECONDS [-n N] [-s S]
 *
 * Prints "CALLS SECONDS CALLS_PER_SECOND" on stdout, as the storm does:
 * the driver reads the programs' bpf_stats around it, and the calls per
 * second give the whole cost of a probed call (the trap included). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline, used)) int bench_target(int n, const char *s)
{
	/* a real call with n and s in the argument registers */
	__asm__ volatile("" : "+r"(n) : "r"(s) : "memory");
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 1;
	int n = 1, c;
	const char *s = "/tmp/tpc-bench/other-00";
	while ((c = getopt(argc, argv, "d:n:s:")) != -1) {
		switch (c) {
		case 'd': seconds = atof(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 's': s = optarg; break;
		default:
			fprintf(stderr, "usage: tpc-bench-ucall -d SECONDS [-n N] [-s S]\n");
			return 2;
		}
	}
	unsigned long long calls = 0;
	double start = now(), t;
	do {
		for (int i = 0; i < 1000; i++)
			bench_target(n, s);
		calls += 1000;
		t = now() - start;
	} while (t < seconds);
	printf("%llu %.3f %.0f\n", calls, t, calls / t);
	return 0;
}
