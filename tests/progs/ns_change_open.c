/* ns_change_open: changes namespace after exec, then opens a file.
 *   ns_change_open mnt|uts|net|none PATH
 * Used to test matchNamespaceChanges: the namespaces recorded at exec
 * differ from the ones at the open. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ns_change_open mnt|uts|net|none PATH\n");
		return 2;
	}
	int flags = !strcmp(argv[1], "mnt") ? CLONE_NEWNS :
		    !strcmp(argv[1], "uts") ? CLONE_NEWUTS :
		    !strcmp(argv[1], "net") ? CLONE_NEWNET : 0;
	if (flags && unshare(flags)) {
		perror("unshare");
		return 1;
	}
	int fd = open(argv[2], O_RDONLY);
	if (fd >= 0)
		close(fd);
	return 0;
}
