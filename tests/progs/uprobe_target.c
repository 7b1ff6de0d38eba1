/* uprobe_target: calls a function of its own, for uprobes to probe.
 *
 *   uprobe_target N...              for each N: tpc_probe_me(N, "value-N")
 *   uprobe_target --unfaulted STR SCRATCH
 *                                   tpc_probe_me(7, STR), STR in a page the
 *                                   process has never touched
 *
 * Each call is framed by "before N" and "after N = R" lines on stdout
 * (unbuffered), so a test sees which calls ran to their end: a Sigkill at
 * the function's entry leaves "before N" without its "after". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* noinline and used: a real call the uprobe sees, with n in the first
 * argument register and s in the second */
__attribute__((noinline, used)) int tpc_probe_me(int n, const char *s)
{
	int r = n * 3;
	/* the compiler may not drop the call or read s before it */
	__asm__ volatile("" : "+r"(r) : "r"(s) : "memory");
	return r;
}

static int call(int n, const char *s)
{
	printf("before %d\n", n);
	int r = tpc_probe_me(n, s);
	printf("after %d = %d\n", n, r);
	return r;
}

/* STR written to a fresh file, dropped from the page cache, mapped: the
 * mapping's page is not present until something reads it */
static const char *unfaulted(const char *str, const char *scratch)
{
	int fd = open(scratch, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, str, strlen(str) + 1) != (ssize_t)strlen(str) + 1) {
		perror("scratch");
		exit(2);
	}
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	close(fd);
	return p;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && !strcmp(argv[1], "--unfaulted")) {
		call(7, unfaulted(argv[2], argv[3]));
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: uprobe_target N... | --unfaulted STR SCRATCH\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char s[32];
		int n = atoi(argv[i]);
		snprintf(s, sizeof(s), "value-%d", n);
		call(n, s);
	}
	return 0;
}
