/* fd_ops: drives FollowFD/CopyFD/UnfollowFD through real syscalls.
 *   fd_ops DIR NAME READY GO [noclose]
 * In DIR: opens NAME (relative), dup2()s it to fd 100, writes "A" through
 * the first fd and "B" through fd 100, creates READY, waits until GO
 * exists, then closes both fds (unless noclose: then it exits with them
 * open) and writes "C" to stdout's fd 1. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: fd_ops DIR NAME READY GO [noclose]\n");
		return 2;
	}
	if (chdir(argv[1])) {
		perror(argv[1]);
		return 1;
	}
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || dup2(fd, 100) != 100) {
		perror("open/dup2");
		return 1;
	}
	if (write(fd, "A", 1) != 1 || write(100, "B", 1) != 1)
		return 1;
	close(open(argv[3], O_WRONLY | O_CREAT, 0644));
	while (access(argv[4], F_OK))
		usleep(20000);
	if (argc > 5)
		return 0; /* exit with the fds open: the kernel closes them */
	close(fd);
	close(100);
	return 0;
}
