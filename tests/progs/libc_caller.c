/* libc_caller: calls libc's getenv with NAME (a known argument for a
 * uprobe on libc), COUNT times (default 1), and prints what it found.
 *
 *   libc_caller NAME [COUNT] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: libc_caller NAME [COUNT]\n");
		return 2;
	}
	int count = argc > 2 ? atoi(argv[2]) : 1;
	for (int i = 0; i < count; i++) {
		const char *v = getenv(argv[1]);
		printf("%s=%s\n", argv[1], v ? v : "(unset)");
	}
	return 0;
}
