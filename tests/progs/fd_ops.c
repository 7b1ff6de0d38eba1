/* fd_ops: drives FollowFD/CopyFD/UnfollowFD through real syscalls.
 *   fd_ops DIR NAME READY GO [noclose|exec]
 * In DIR: opens NAME (relative), dup2()s it to fd 100, writes "A" through
 * the first fd and "B" through fd 100, creates READY, waits until GO
 * exists, then closes both fds (unless noclose: then it exits with them
 * open).
 * exec: NAME is opened with O_CLOEXEC and, once GO exists, the process
 * executes fd_ops again as "fd_ops DIR other.txt READY.exec GO noclose":
 * the new program's other.txt gets the fd number NAME had (and fd 100),
 * so a FollowFD name kept across the exec would be misreported on it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: fd_ops DIR NAME READY GO [noclose|exec]\n");
		return 2;
	}
	int exec_after = argc > 5 && strcmp(argv[5], "exec") == 0;
	if (chdir(argv[1])) {
		perror(argv[1]);
		return 1;
	}
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | (exec_after ? O_CLOEXEC : 0), 0644);
	if (fd < 0 || dup2(fd, 100) != 100) {
		perror("open/dup2");
		return 1;
	}
	if (write(fd, "A", 1) != 1 || write(100, "B", 1) != 1)
		return 1;
	close(open(argv[3], O_WRONLY | O_CREAT, 0644));
	while (access(argv[4], F_OK))
		usleep(20000);
	if (exec_after) {
		char ready[4096];
		snprintf(ready, sizeof(ready), "%s.exec", argv[3]);
		execl("/proc/self/exe", argv[0], ".", "other.txt", ready, argv[4], "noclose", (char *)NULL);
		perror("exec");
		return 1;
	}
	if (argc > 5)
		return 0; /* exit with the fds open: the kernel closes them */
	close(fd);
	close(100);
	return 0;
}
