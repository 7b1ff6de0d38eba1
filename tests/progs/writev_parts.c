/* writev_parts: one writev(2) of its arguments as separate buffers.
 *   writev_parts FILE PART...   (at most 64 parts) */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct iovec iov[64];
	int n = 0;
	if (argc < 3 || argc - 2 > 64) {
		fprintf(stderr, "usage: writev_parts FILE PART...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++, n++) {
		iov[n].iov_base = argv[i];
		iov[n].iov_len = strlen(argv[i]);
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	return writev(fd, iov, n) < 0;
}
