/* startup.c: how long a loader takes to attach, and how much memory it
 * holds while loading and while streaming events.
 *
 *   tpc-bench-startup MARKER -- LOADER ARGS... -- STORM ARGS...
 *
 * Starts LOADER with its stdout and stderr on one pipe, and times from
 * just before fork() until MARKER appears in that output (tp-load prints
 * "attached N hooks" once every hook is attached; the bpftrace scripts
 * print a marker from BEGIN, which bpftrace runs after attaching).
 * Then runs STORM to completion while draining the loader's output and
 * sampling its VmRSS every 20 ms, stops the loader with SIGINT and waits
 * for it.
 *
 * Prints one line:
 *   ATTACH_MS HWM_AT_ATTACH_KB RSS_STREAMING_MAX_KB HWM_END_KB MAP_KB
 * (VmHWM is the peak resident set so far, from /proc/PID/status; MAP_KB
 * is the part of the resident set that is BPF maps mapped into the
 * loader, the ring buffer: the kernel maps its data pages twice, for
 * reads across the wrap-around, and populates them at mmap.) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* the value in kB of one "Name:   N kB" line of /proc/PID/status, -1 if gone */
static long status_kb(pid_t pid, const char *name)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long v = -1;
	size_t n = strlen(name);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* resident kB of the BPF map mappings (smaps entries "anon_inode:bpf-map") */
static long map_rss_kb(pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long total = 0;
	int in_map = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Rss:", 4) == 0) {
			if (in_map)
				total += strtol(line + 4, NULL, 10);
		} else if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
			/* a mapping's header line, "start-end perms offset dev inode
			 * [name]" in lower-case hex; field lines start upper-case */
			in_map = strstr(line, "anon_inode:bpf-map") != NULL;
		}
	}
	fclose(f);
	return total;
}

/* Reads what is available on fd; keeps the last bytes in tail (for the
 * marker search across reads). Returns 0 at EOF. */
static ssize_t drain(int fd, char *tail, size_t tailsz)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return n;
	size_t keep = strlen(tail);
	size_t take = (size_t)n < tailsz - 1 ? (size_t)n : tailsz - 1;
	if (keep + take > tailsz - 1) {
		size_t drop = keep + take - (tailsz - 1);
		memmove(tail, tail + drop, keep - drop + 1);
		keep -= drop;
	}
	memcpy(tail + keep, buf + n - take, take);
	tail[keep + take] = 0;
	/* NULs in the output would end the string early */
	for (size_t i = keep; i < keep + take; i++)
		if (!tail[i])
			tail[i] = ' ';
	return n;
}

int main(int argc, char **argv)
{
	int sep1 = 0, sep2 = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			if (!sep1)
				sep1 = i;
			else if (!sep2)
				sep2 = i;
		}
	}
	if (argc < 2 || sep1 != 2 || !sep2 || sep2 == sep1 + 1 || sep2 == argc - 1) {
		fprintf(stderr, "usage: tpc-bench-startup MARKER -- LOADER ARGS... -- STORM ARGS...\n");
		return 2;
	}
	const char *marker = argv[1];
	char **loader = argv + sep1 + 1, **storm = argv + sep2 + 1;
	argv[sep2] = NULL;

	int p[2];
	if (pipe(p)) {
		perror("pipe");
		return 1;
	}
	double t0 = now_ms();
	pid_t lpid = fork();
	if (lpid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(loader[0], loader);
		fprintf(stderr, "tpc-bench-startup: cannot run %s: %s\n", loader[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);

	char tail[4096] = "";
	double attach_ms = -1;
	long hwm_attach = -1;
	while (attach_ms < 0) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		if (poll(&pfd, 1, 30000) <= 0) {
			fprintf(stderr, "tpc-bench-startup: no '%s' from %s within 30 s\n", marker, loader[0]);
			kill(lpid, SIGKILL);
			waitpid(lpid, NULL, 0);
			return 1;
		}
		if (drain(p[0], tail, sizeof(tail)) <= 0) {
			fprintf(stderr, "tpc-bench-startup: %s exited before '%s': %s\n", loader[0], marker, tail);
			waitpid(lpid, NULL, 0);
			return 1;
		}
		if (strstr(tail, marker)) {
			attach_ms = now_ms() - t0;
			hwm_attach = status_kb(lpid, "VmHWM");
		}
	}

	pid_t spid = fork();
	if (spid == 0) {
		int null = open("/dev/null", 1);
		if (null >= 0)
			dup2(null, 1);
		execvp(storm[0], storm);
		_exit(127);
	}
	long rss_max = status_kb(lpid, "VmRSS");
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		if (poll(&pfd, 1, 20) > 0)
			drain(p[0], tail, sizeof(tail));
		long rss = status_kb(lpid, "VmRSS");
		if (rss > rss_max)
			rss_max = rss;
		if (waitpid(spid, NULL, WNOHANG) == spid)
			break;
	}
	long hwm_end = status_kb(lpid, "VmHWM");
	long map_kb = map_rss_kb(lpid);
	kill(lpid, SIGINT);
	while (drain(p[0], tail, sizeof(tail)) > 0)
		;
	waitpid(lpid, NULL, 0);
	printf("%.1f %ld %ld %ld %ld\n", attach_ms, hwm_attach, rss_max, hwm_end, map_kb);
	return 0;
}
