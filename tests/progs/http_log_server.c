/* http_log_server: a minimal HTTP server on 127.0.0.1 for the GetUrl tests.
 *
 *   http_log_server PORTFILE LOGFILE            answer every request with 200
 *   http_log_server PORTFILE LOGFILE --silent   listen, never accept or answer
 *
 * Binds an ephemeral port and writes its number to PORTFILE (complete once
 * the file exists: written to PORTFILE.tmp, then renamed).  In the default
 * mode every request's first line ("GET /path HTTP/1.1") is appended to
 * LOGFILE before the answer is sent, so a client that got its answer has
 * its request logged.  --silent is a server that never answers: the kernel
 * completes connections into the listen backlog and the clients wait.
 * A request for a path under /redirect/ is answered with a 302 to /landed
 * on the same server (logged like any other), for the test that tp-load
 * does not follow redirects. Runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0)
		die(tmp);
	if (rename(tmp, path) != 0)
		die("rename");
}

/* Read the request head (up to the blank line, at most sizeof(buf)-1
 * bytes); returns its length, 0 on a closed or silent client. */
static size_t read_head(int c, char *buf, size_t n)
{
	size_t len = 0;

	while (len + 1 < n) {
		ssize_t r = read(c, buf + len, n - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[len] = '\0';
	return len;
}

static int port;

static void serve(int c, const char *logpath)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				    "Content-Length: 3\r\nConnection: close\r\n\r\nok\n";
	char buf[8192];
	struct timeval tv = { .tv_sec = 5 };
	FILE *log;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!read_head(c, buf, sizeof(buf)))
		return;
	buf[strcspn(buf, "\r\n")] = '\0';
	log = fopen(logpath, "a");
	if (!log)
		die(logpath);
	fprintf(log, "%s\n", buf);
	if (fclose(log) != 0)
		die(logpath);
	if (strncmp(buf, "GET /redirect/", 14) == 0) {
		char moved[256];
		int n = snprintf(moved, sizeof(moved),
				 "HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:%d/landed\r\n"
				 "Content-Length: 0\r\nConnection: close\r\n\r\n",
				 port);
		if (write(c, moved, (size_t)n) < 0)
			perror("write");
		return;
	}
	if (write(c, reply, sizeof(reply) - 1) < 0)
		perror("write");
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int silent, s, one = 1;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--silent") != 0)) {
		fprintf(stderr, "usage: %s PORTFILE LOGFILE [--silent]\n", argv[0]);
		return 2;
	}
	silent = argc == 4;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	if (listen(s, 128) != 0)
		die("listen");
	if (getsockname(s, (struct sockaddr *)&a, &alen) != 0)
		die("getsockname");
	port = ntohs(a.sin_port);
	write_port(argv[1], port);
	if (silent)
		for (;;)
			pause();
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		serve(c, argv[2]);
		close(c);
	}
}
