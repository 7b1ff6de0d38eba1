/* storm.c: an openat storm for the benchmarks.
 *
 *   tpc-bench-storm [-d SECONDS] [-r RATE] [-c] PATH
 *
 * Calls openat(AT_FDCWD, PATH, O_RDONLY) (and close() when it succeeds)
 * for SECONDS seconds, as fast as it can or, with -r, paced at RATE calls
 * per second. Each call fires syscalls/sys_enter_openat once, so the
 * number of calls is the number of events a filter sees. -c makes a
 * missing PATH an error (the whole-system measurement wants a real
 * open+close per iteration).
 *
 * Prints one line: "calls SECONDS_ELAPSED CALLS_PER_SECOND".
 *
 * Pacing checks the clock every call (vDSO, a few ns) and spins when ahead
 * of schedule: a sleep would let the scheduler decide the rate. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: tpc-bench-storm [-d SECONDS] [-r RATE] [-c] PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 1.0, rate = 0;
	int must_exist = 0, opt;

	while ((opt = getopt(argc, argv, "d:r:c")) != -1) {
		switch (opt) {
		case 'd':
			seconds = atof(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'c':
			must_exist = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || seconds <= 0 || rate < 0)
		usage();
	const char *path = argv[optind];

	if (must_exist) {
		int fd = openat(AT_FDCWD, path, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "tpc-bench-storm: %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
	}

	unsigned long long calls = 0;
	double start = now(), end = start + seconds, t = start;
	while (t < end) {
		if (rate > 0) {
			/* the schedule: call number `calls` is due at start + calls/rate */
			double due = start + calls / rate;
			if (t < due) {
				t = now();
				continue;
			}
		}
		int fd = openat(AT_FDCWD, path, O_RDONLY);
		if (fd >= 0)
			close(fd);
		calls++;
		t = now();
	}
	double elapsed = t - start;
	printf("%llu %.6f %.0f\n", calls, elapsed, calls / elapsed);
	return 0;
}
