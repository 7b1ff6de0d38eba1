/* setresuid_open: sets its real, effective and saved uids, then opens
 * PATH.
 *   setresuid_open RUID EUID SUID PATH
 * Exits 0 when the open succeeded, 1 when it failed, 2 on bad use. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__ /* make test SANITIZE=1 */
#include <sanitizer/lsan_interface.h>
#endif

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: setresuid_open RUID EUID SUID PATH\n");
		return 2;
	}
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer inspects the process at exit by tracing it, which
	 * the changed uids no longer allow (a fatal error, exit 99): check
	 * for leaks now, which makes the check at exit a no-op */
	__lsan_do_leak_check();
#endif
	if (setresuid((uid_t)atoi(argv[1]), (uid_t)atoi(argv[2]), (uid_t)atoi(argv[3]))) {
		perror("setresuid");
		return 2;
	}
	int fd = open(argv[4], O_RDONLY);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : 1;
}
