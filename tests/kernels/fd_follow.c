/* fd_follow DIR: drives FollowFD at fd_install without dup2 to stdout (as
 * a shell's redirections would do), for vm-tests.sh:
 *   opens DIR/followed.txt (fd_install: FollowFD), dup2()s it to fd 100
 *   (CopyFD), renames the file to DIR/renamed.txt, writes "a" through the
 *   first fd and "b" through fd 100 (both still named followed.txt: the
 *   map comes first), closes both (UnfollowFD), opens DIR/plain.txt (the
 *   same fd number, not followed) and writes "c" through it. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char followed[4096], renamed[4096], plain[4096];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: fd_follow DIR\n");
		return 2;
	}
	snprintf(followed, sizeof(followed), "%s/followed.txt", argv[1]);
	snprintf(renamed, sizeof(renamed), "%s/renamed.txt", argv[1]);
	snprintf(plain, sizeof(plain), "%s/plain.txt", argv[1]);
	fd = open(followed, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 100) != 100 || rename(followed, renamed)) {
		perror("open/dup2/rename");
		return 1;
	}
	if (write(fd, "a", 1) != 1 || write(100, "b", 1) != 1)
		return 1;
	close(100);
	close(fd);
	fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "c", 1) != 1)
		return 1;
	return close(fd) ? 1 : 0;
}
