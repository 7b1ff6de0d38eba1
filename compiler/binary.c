/* binary.c: the user-space binaries that uprobes and USDTs name, opened
 * once per run and kept (tpc lint may check many hooks of one binary):
 * whether the file is on this machine, its ELF (common/elfbin.c) and its
 * SHA-256. A uprobe's symbols are only checked here (tp-load resolves
 * them on the node, in the file it attaches to); a USDT's sites and
 * argument reads are decided here, from this file. */
#include "tpc.h"
#include "elfbin.h"
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct binary **cache;
static int ncache;

static void binary_open(struct binary *b, const char *root)
{
	char err[256];
	struct stat st;
	char *full = xasprintf("%s%s", root ? root : "", b->path);
	b->fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block tpc */
	free(full);
	if (b->fd < 0) {
		b->missing = errno == ENOENT || errno == ENOTDIR;
		b->problem = xasprintf("cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(b->fd, &st) || !S_ISREG(st.st_mode)) {
		b->problem = xstrdup("not a regular file");
		return;
	}
	b->elf = elfbin_open(b->fd, err, sizeof(err));
	if (!b->elf)
		b->problem = xstrdup(err);
}

struct binary *binary_get(const char *root, const char *path)
{
	if (!path)
		return NULL;
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i]->path, path))
			return cache[i];
	struct binary *b = xcalloc(1, sizeof(*b));
	b->path = xstrdup(path);
	b->fd = -1;
	binary_open(b, root);
	cache = xrealloc(cache, sizeof(*cache) * (size_t)(ncache + 1));
	cache[ncache++] = b;
	return b;
}

const char *binary_sha256(struct binary *b)
{
	if (b->sha256[0])
		return b->sha256;
	if (b->fd < 0 || lseek(b->fd, 0, SEEK_SET) < 0)
		return NULL;
	struct sha256 s;
	unsigned char chunk[65536], d[SHA256_LEN];
	sha256_init(&s);
	for (;;) {
		ssize_t n = read(b->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		sha256_update(&s, chunk, (size_t)n);
	}
	sha256_final(&s, d);
	sha256_to_hex(d, b->sha256);
	return b->sha256;
}

void binary_release(void)
{
	for (int i = 0; i < ncache; i++) {
		struct binary *b = cache[i];
		elfbin_close(b->elf);
		if (b->fd >= 0)
			close(b->fd);
		free(b->problem);
		free(b->path);
		free(b);
	}
	free(cache);
	cache = NULL;
	ncache = 0;
}
