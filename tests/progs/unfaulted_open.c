/* unfaulted_open: opens PATH through a pointer into a page the process
 * has never touched: the name is written to a fresh file with write(2),
 * mapped privately, and the mapping's address is given to openat without
 * reading it first. A BPF read of the pointer at syscall entry finds no
 * page (BPF cannot fault it in); the kernel then faults it in and opens
 * the file.
 *   unfaulted_open PATH SCRATCH
 * SCRATCH: a file the name is written to. Exits 0 when the open
 * succeeded, 1 when it failed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: unfaulted_open PATH SCRATCH\n");
		return 2;
	}
	int s = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (s < 0 || write(s, argv[1], strlen(argv[1]) + 1) != (ssize_t)strlen(argv[1]) + 1) {
		perror("scratch");
		return 2;
	}
	/* drop the page from the cache too, so nothing maps it early */
	fsync(s);
	posix_fadvise(s, 0, 0, POSIX_FADV_DONTNEED);
	char *name = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, s, 0);
	if (name == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	/* the raw syscall: libc must not touch the name either */
	long fd = syscall(SYS_openat, AT_FDCWD, name, O_RDONLY);
	if (fd >= 0)
		close((int)fd);
	return fd >= 0 ? 0 : 1;
}
