/* runtime.c: how long a command takes, in wall-clock and CPU time.
 *
 *   tpc-bench-time CMD ARGS...
 *
 * Runs CMD with its output where ours goes, waits for it, and prints one
 * line on stderr: "tpc-bench-time WALL_MS CPU_MS STATUS", CPU being user
 * plus system time of CMD and of every process it waited for (wait4's
 * usage covers them: clang under tpc counts). Exits with CMD's status.
 * On a machine shared with other work the wall time grows with the load,
 * the CPU time much less: the benchmarks report both. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tpc-bench-time CMD ARGS...\n");
		return 2;
	}
	double t0 = now_ms();
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
	if (rc) {
		fprintf(stderr, "tpc-bench-time: cannot run %s: %s\n", argv[1], strerror(rc));
		return 127;
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	double wall = now_ms() - t0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "tpc-bench-time %.3f %.3f %d\n", wall, tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime), code);
	return code;
}
