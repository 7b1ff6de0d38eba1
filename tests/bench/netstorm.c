/* netstorm.c: a connect() storm for the network rows of the benchmarks.
 *
 *   tpc-bench-netstorm [-d SECONDS] PORT
 *
 * Connects one UDP socket to 127.0.0.1:PORT again and again for SECONDS
 * seconds, as fast as it can. Nobody listens there: a UDP connect only
 * sets the socket's peer (no packet is sent), so each iteration is one
 * connect(2) and fires syscalls/sys_enter_connect once with a
 * sockaddr_in in the caller's memory, the cheapest loopback event there
 * is that carries an address and a port.
 *
 * Prints one line, as tpc-bench-storm: "calls SECONDS_ELAPSED CALLS_PER_SECOND". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	fprintf(stderr, "usage: tpc-bench-netstorm [-d SECONDS] PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 1.0;
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			usage();
		seconds = atof(optarg);
	}
	if (optind + 1 != argc || seconds <= 0)
		usage();
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[optind]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("tpc-bench-netstorm: socket");
		return 1;
	}
	unsigned long long calls = 0;
	double start = now(), end = start + seconds, t = start;
	while (t < end) {
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("tpc-bench-netstorm: connect");
			return 1;
		}
		calls++;
		t = now();
	}
	close(fd);
	double elapsed = t - start;
	printf("%llu %.6f %.0f\n", calls, elapsed, calls / elapsed);
	return 0;
}
