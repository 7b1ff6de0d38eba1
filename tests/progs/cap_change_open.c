/* cap_change_open: changes its effective capabilities after exec, then
 * opens a file.
 *   cap_change_open drop|raise|none CAPNUM PATH
 * drop: clear CAPNUM from the effective set; raise: add it (it must be in
 * the permitted set, e.g. from file capabilities). Used to test
 * matchCapabilityChanges. Talks to capget/capset directly (no libcap). */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: cap_change_open drop|raise|none CAPNUM PATH\n");
		return 2;
	}
	int cap = atoi(argv[2]);
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data)) {
		perror("capget");
		return 1;
	}
	if (strcmp(argv[1], "none")) {
		unsigned bit = 1u << (cap % 32);
		if (!strcmp(argv[1], "drop"))
			data[cap / 32].effective &= ~bit;
		else
			data[cap / 32].effective |= bit;
		if (syscall(SYS_capset, &hdr, data)) {
			perror("capset");
			return 1;
		}
	}
	int fd = open(argv[3], O_RDONLY);
	if (fd >= 0)
		close(fd);
	return 0;
}
