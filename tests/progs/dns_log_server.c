/* dns_log_server: a minimal DNS responder for the DnsLookup tests.
 *
 *   dns_log_server ADDR PORT LOGFILE IPV4 READYFILE
 *
 * Listens on UDP ADDR:PORT.  Every query's name and type ("x.test A",
 * "x.test AAAA", "x.test TYPE15") is appended to LOGFILE before the
 * answer is sent; A queries are answered with IPV4, other types with no
 * record (NOERROR, zero answers).  READYFILE is created once the socket
 * is bound.  Runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define T_A 1
#define T_AAAA 28

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Decode the question's name at q[12..len) into dotted text; returns the
 * offset just past it, or 0 when the name is malformed or compressed. */
static size_t read_qname(const unsigned char *q, size_t len, char *name, size_t n)
{
	size_t off = 12, o = 0;

	while (off < len) {
		unsigned l = q[off++];
		if (l == 0) {
			name[o ? o - 1 : 0] = '\0'; /* drop the trailing dot */
			return off;
		}
		if (l > 63 || off + l > len || o + l + 2 > n)
			return 0;
		for (unsigned i = 0; i < l; i++) {
			unsigned char c = q[off + i];
			name[o++] = c > 0x20 && c < 0x7f ? (char)c : '?';
		}
		name[o++] = '.';
		off += l;
	}
	return 0;
}

static void log_query(const char *path, const char *name, unsigned type)
{
	FILE *f = fopen(path, "a");

	if (!f)
		die(path);
	if (type == T_A)
		fprintf(f, "%s A\n", name);
	else if (type == T_AAAA)
		fprintf(f, "%s AAAA\n", name);
	else
		fprintf(f, "%s TYPE%u\n", name, type);
	if (fclose(f) != 0)
		die(path);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct in_addr answer;
	int s;
	FILE *ready;

	if (argc != 6) {
		fprintf(stderr, "usage: %s ADDR PORT LOGFILE IPV4 READYFILE\n", argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[4], &answer) != 1) {
		fprintf(stderr, "%s: bad address\n", argv[0]);
		return 2;
	}
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		die("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	ready = fopen(argv[5], "w");
	if (!ready || fclose(ready) != 0)
		die(argv[5]);

	for (;;) {
		unsigned char q[512], r[512 + 16];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		char name[256];
		ssize_t len = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		size_t end;

		if (len < 12 || (q[2] & 0x80)) /* too short, or not a query */
			continue;
		if (((q[4] << 8) | q[5]) != 1)
			continue; /* exactly one question */
		end = read_qname(q, (size_t)len, name, sizeof(name));
		if (!end || end + 4 > (size_t)len)
			continue;
		unsigned type = (q[end] << 8) | q[end + 1];
		log_query(argv[3], name, type);

		/* header: same id, QR=1, opcode and RD copied, RA=1, NOERROR */
		end += 4;
		memcpy(r, q, end);
		r[2] = 0x80 | (q[2] & 0x79);
		r[3] = 0x80;
		r[6] = r[7] = 0;                 /* ancount */
		memset(r + 8, 0, 4);             /* nscount, arcount */
		if (type == T_A) {
			static const unsigned char rr[] = {
				0xc0, 0x0c,             /* name: the question's */
				0x00, T_A, 0x00, 0x01,  /* type A, class IN */
				0x00, 0x00, 0x00, 0x3c, /* ttl 60 */
				0x00, 0x04,             /* rdlength */
			};
			memcpy(r + end, rr, sizeof(rr));
			memcpy(r + end + sizeof(rr), &answer, 4);
			end += sizeof(rr) + 4;
			r[7] = 1;
		}
		if (sendto(s, r, end, 0, (struct sockaddr *)&from, flen) < 0)
			perror("sendto");
	}
}
