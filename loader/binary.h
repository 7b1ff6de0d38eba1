/* binary.h: the user-space binary a uprobe or USDT hook attaches to. */
#ifndef TPL_BINARY_H
#define TPL_BINARY_H

#include <stddef.h>

/* What a hook record asks of its binary. */
struct tpl_binary_want {
	const char *path;
	const char *symbol;            /* "name" or "name+off", or NULL */
	int has_addr, has_offset;
	unsigned long long addr, offset;
	char *const *digests;          /* canonical "algo:hex": the file must match one (none: any file) */
	int ndigests;
	const char *sha256;            /* a USDT's: the build its argument reads were decoded from, or NULL */
};

/* Opens want->path once (O_CLOEXEC), checks it against the digests, and
 * finds the file offset to probe in the same open file. On success *fd
 * is the open file (attach through /proc/self/fd/<fd>, then close it) and
 * *offset the file offset; else -1 with the problem in err, naming the
 * path and the symbol. */
int tpl_binary_open(const struct tpl_binary_want *want, int *fd, unsigned long long *offset, char *err, size_t errlen);

#endif
