/* clang_timer.c: stands in for clang (tpc runs $TPC_CLANG) to measure
 * clang's share of a compile.
 *
 *   TPC_CLANG=tpc-bench-clang-timer TPC_BENCH_CLANG_LOG=FILE tpc ...
 *
 * Runs the real clang ($TPC_BENCH_REAL_CLANG, default "clang") with the
 * same arguments, appends its wall time in milliseconds to FILE as one
 * line, and exits with clang's status. The fork and exec of this wrapper
 * itself are not in the figure. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	(void)argc;
	const char *real = getenv("TPC_BENCH_REAL_CLANG");
	const char *log = getenv("TPC_BENCH_CLANG_LOG");
	if (!real || !*real)
		real = "clang";
	argv[0] = (char *)real;

	double t0 = now_ms();
	pid_t pid;
	int rc = posix_spawnp(&pid, real, NULL, NULL, argv, environ);
	if (rc) {
		fprintf(stderr, "tpc-bench-clang-timer: cannot run %s: %s\n", real, strerror(rc));
		return 127;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	double ms = now_ms() - t0;
	if (log && *log) {
		FILE *f = fopen(log, "a");
		if (f) {
			fprintf(f, "%.3f\n", ms);
			fclose(f);
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
