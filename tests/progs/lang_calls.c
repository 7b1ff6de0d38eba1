/* lang_calls: the syscalls language.bats triggers, each named on the
 * command line so the test knows exactly which calls this process made.
 *
 *   lang_calls PATH OP...   OP: chmod | fchmod | fchmodat | fchown |
 *                               lseek:N (SEEK_SET to offset N) |
 *                               open:FILE (openat of FILE, O_RDONLY)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: lang_calls PATH OP...\n");
		return 2;
	}
	const char *path = argv[1];
	int fd = open(path, O_RDONLY | O_NONBLOCK); /* a fifo too, without waiting for a writer */
	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		const char *op = argv[i];
		long r = 0;
		if (!strcmp(op, "chmod"))
			r = syscall(SYS_chmod, path, 0644);
		else if (!strcmp(op, "fchmod"))
			r = syscall(SYS_fchmod, fd, 0644);
		else if (!strcmp(op, "fchmodat"))
			r = syscall(SYS_fchmodat, AT_FDCWD, path, 0644);
		else if (!strcmp(op, "fchown"))
			r = syscall(SYS_fchown, fd, -1, -1);
		else if (!strncmp(op, "lseek:", 6))
			r = syscall(SYS_lseek, fd, strtoll(op + 6, NULL, 0), SEEK_SET);
		else if (!strncmp(op, "open:", 5)) {
			int f = (int)syscall(SYS_openat, AT_FDCWD, op + 5, O_RDONLY);
			if (f >= 0)
				close(f);
			r = f < 0 ? -1 : 0;
		} else {
			fprintf(stderr, "lang_calls: unknown op %s\n", op);
			return 2;
		}
		if (r < 0 && strncmp(op, "lseek:", 6) && strncmp(op, "open:", 5))
			perror(op);
	}
	close(fd);
	return 0;
}
