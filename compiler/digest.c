/* digest.c: see digest.h. */
#include "digest.h"
#include "sha256.h"
#include "tpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Reads all of fd 0; NULL on a read error. */
static unsigned char *slurp_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	unsigned char *b = xrealloc(NULL, cap);
	for (;;) {
		if (n == cap)
			b = xrealloc(b, cap *= 2);
		ssize_t r = read(0, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return b;
}

/* Standard input can be read once only: keep its bytes in a memfd that
 * takes fd 0's place, positioned at the start. */
static bool replace_stdin(const unsigned char *data, size_t len)
{
	int fd = memfd_create("tpc-policy", MFD_CLOEXEC);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return false;
		}
		done += (size_t)w;
	}
	bool ok = lseek(fd, 0, SEEK_SET) == 0 && dup2(fd, 0) == 0;
	close(fd);
	return ok;
}

char *policy_source_digest(const char *file)
{
	char hex[SHA256_HEX_LEN + 1];
	if (strcmp(file, "-")) {
		if (sha256_file_hex(file, hex))
			return NULL;
		return xasprintf("sha256:%s", hex);
	}
	size_t len = 0;
	unsigned char *data = slurp_stdin(&len);
	if (!data)
		return NULL;
	sha256_hex(data, len, hex);
	bool ok = replace_stdin(data, len);
	free(data);
	if (!ok) {
		fprintf(stderr, "tpc: cannot keep standard input for parsing: %s\n", strerror(errno));
		return NULL;
	}
	return xasprintf("sha256:%s", hex);
}

int write_object_digest(const char *obj, char **err)
{
	char hex[SHA256_HEX_LEN + 1];
	if (sha256_file_hex(obj, hex)) {
		*err = xasprintf("cannot read %s to digest it: %s", obj, strerror(errno));
		return -1;
	}
	const char *base = strrchr(obj, '/') ? strrchr(obj, '/') + 1 : obj;
	char *path = xasprintf("%s.sha256", obj);
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	bool ok = f && fprintf(f, "%s  %s\n", hex, base) > 0;
	if (f && fclose(f))
		ok = false;
	/* a reader sees the old digest file or the new one, never half of one */
	if (ok && rename(tmp, path))
		ok = false;
	if (!ok) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return ok ? 0 : -1;
}
