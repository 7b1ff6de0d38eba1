/* stack_target: opens PATH from stack_inner, called by stack_outer,
 * called by main, so that a userStackTrace names this program's own
 * functions. Built with -O0 -fno-omit-frame-pointer (Makefile): the
 * kernel walks user stacks by frame pointers. On x86_64 the openat is
 * made right here (no libc function between, which may use rbp for
 * something else and end the walk).
 *
 * tp-load symbolises a user stack from the process's mappings when it
 * prints the event: with GO, the program stays until the file GO exists
 * (at most 10 s), so that a test can wait for the event first.
 *
 *   stack_target PATH [GO] */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static long stack_inner(const char *path)
{
#ifdef __x86_64__
	long ret;
	register long r10 __asm__("r10") = 0;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_openat), "D"((long)AT_FDCWD), "S"(path), "d"((long)O_RDONLY), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
#endif
}

__attribute__((noinline)) static long stack_outer(const char *path)
{
	return stack_inner(path);
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: stack_target PATH [GO]\n");
		return 2;
	}
	long fd = stack_outer(argv[1]);
	if (fd >= 0)
		close((int)fd);
	struct stat st;
	const struct timespec tick = {0, 10 * 1000 * 1000};
	for (int i = 0; argc == 3 && i < 1000 && stat(argv[2], &st); i++)
		nanosleep(&tick, NULL);
	return fd >= 0 ? 0 : 1;
}
