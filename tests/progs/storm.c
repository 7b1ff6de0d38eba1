/* storm: generates syscalls at full rate for load tests of tp-load.
 *
 *   storm open PATH N        N openat(PATH) calls (PATH need not exist)
 *   storm open-for PATH SECS openat(PATH) calls for SECS seconds
 *   storm fork N             N fork()s whose children exit at once
 *
 * Prints the number of calls made on stdout, so a test can compare what
 * was generated with what tp-load reported (events + lost). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long parse_count(const char *s)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-') {
		fprintf(stderr, "storm: %s: expected a count\n", s);
		exit(2);
	}
	return n;
}

static void open_once(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fork_storm(unsigned long long n)
{
	unsigned long long i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("storm: fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) < 0) {
			perror("storm: waitpid");
			return 1;
		}
	}
	printf("%llu\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long i, n;

	if (argc == 4 && strcmp(argv[1], "open") == 0) {
		n = parse_count(argv[3]);
		for (i = 0; i < n; i++)
			open_once(argv[2]);
		printf("%llu\n", n);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "open-for") == 0) {
		double end = now() + (double)parse_count(argv[3]);
		n = 0;
		/* check the clock every 1024 calls: a clock read per call
		 * would halve the rate */
		do {
			for (i = 0; i < 1024; i++)
				open_once(argv[2]);
			n += 1024;
		} while (now() < end);
		printf("%llu\n", n);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "fork") == 0)
		return fork_storm(parse_count(argv[2]));
	fprintf(stderr, "usage: storm open PATH N | open-for PATH SECONDS | fork N\n");
	return 2;
}
