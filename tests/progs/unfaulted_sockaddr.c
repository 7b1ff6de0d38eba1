/* unfaulted_sockaddr: connects or binds a UDP socket with a sockaddr in a
 * page the process has never touched, as unfaulted_open does with a path:
 * the address is written to a fresh file with write(2), mapped privately,
 * and the mapping's address is given to the raw syscall without reading
 * it first. A BPF read of the sockaddr at syscall entry finds no page; the
 * kernel then faults it in and connects (or binds).
 *   unfaulted_sockaddr connect|bind ADDR PORT SCRATCH [split]
 * ADDR: an IPv4 or IPv6 address. UDP needs no listener to connect.
 * split: the sockaddr's first 16 bytes (family and port) are in a page
 * the process wrote, the rest (a sockaddr_in6's address) in the next,
 * untouched page: a reader that stops at 16 bytes sees a fine sockaddr.
 * Exits 0 when the call succeeded, 1 when it failed. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6 || (strcmp(argv[1], "connect") && strcmp(argv[1], "bind")) ||
	    (argc == 6 && strcmp(argv[5], "split"))) {
		fprintf(stderr, "usage: unfaulted_sockaddr connect|bind ADDR PORT SCRATCH [split]\n");
		return 2;
	}
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, argv[2], &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)atoi(argv[3]));
		len = sizeof(*in);
	} else if (inet_pton(AF_INET6, argv[2], &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)atoi(argv[3]));
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "unfaulted_sockaddr: bad address %s\n", argv[2]);
		return 2;
	}
	bool split = argc == 6;
	/* what goes in the untouched page: all of it, or what follows the
	 * first 16 bytes */
	size_t head = split ? 16 : 0;
	int s = open(argv[4], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (s < 0 || write(s, (char *)&ss + head, len - head) != (ssize_t)(len - head)) {
		perror("scratch");
		return 2;
	}
	fsync(s);
	posix_fadvise(s, 0, 0, POSIX_FADV_DONTNEED);
	/* two adjacent pages: a written anonymous one, then the file's (a
	 * mapping of its own, so no fault of the first maps it around) */
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || mmap(pages + pg, pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, s, 0) == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	memcpy(pages + pg - head, &ss, head);
	void *sa = pages + pg - head;
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	/* the raw syscall: libc must not touch the sockaddr either */
	long r = syscall(strcmp(argv[1], "connect") ? SYS_bind : SYS_connect, fd, sa, len);
	close(fd);
	return r == 0 ? 0 : 1;
}
