/* tcp_accept: one TCP connection over loopback whose both ends have ports
 * the caller chose, so that a test knows the accepted sock's tuple before
 * it exists: the server listens on ADDR:LPORT, the client binds ADDR:CPORT
 * and connects, the server accepts (inet_csk_accept returns the new sock:
 * local port LPORT, peer port CPORT), then all three are closed.
 *   tcp_accept ADDR LPORT CPORT
 * ADDR: 127.0.0.1 or ::1. Prints "accepted" and exits 0 once accept(2)
 * returned; 1 when a call failed (it says which). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ADDR:port as a sockaddr of its family; its length */
static socklen_t addr_of(const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	return 0;
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: tcp_accept ADDR LPORT CPORT\n");
		return 2;
	}
	struct sockaddr_storage l, c;
	socklen_t ll = addr_of(argv[1], atoi(argv[2]), &l), cl = addr_of(argv[1], atoi(argv[3]), &c);
	if (!ll || !cl) {
		fprintf(stderr, "tcp_accept: '%s' is not an IP address\n", argv[1]);
		return 2;
	}
	int one = 1;
	int srv = socket(l.ss_family, SOCK_STREAM, 0), cli = socket(l.ss_family, SOCK_STREAM, 0);
	if (srv < 0 || cli < 0)
		return fail("socket");
	/* the same ports again in the next run, past TIME_WAIT */
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(cli, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv, (struct sockaddr *)&l, ll) || listen(srv, 1))
		return fail("listen");
	if (bind(cli, (struct sockaddr *)&c, cl))
		return fail("bind (client)");
	if (connect(cli, (struct sockaddr *)&l, ll))
		return fail("connect");
	int conn = accept(srv, NULL, NULL);
	if (conn < 0)
		return fail("accept");
	puts("accepted");
	close(conn);
	close(cli);
	close(srv);
	return 0;
}
