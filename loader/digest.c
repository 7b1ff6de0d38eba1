/* digest.c: see digest.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "digest.h"
#include "log.h"
#include "safefile.h"

/* The digest on the first line of a sha256sum file: 64 hex digits then a
 * blank or the end of the line. Lower-cased into want. Opened as objects
 * are (see safefile.h): a FIFO or a huge file in its place is refused, not
 * waited on. err is set for anything but a missing or malformed file. */
static int read_digest_file(int dirfd, const char *name, const char *path, char want[SHA256_HEX_LEN + 1],
			    char *err, size_t errlen)
{
	int fd = tpl_open_file(dirfd, name);
	void *buf;
	size_t len;

	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -EIO;
	}
	int rc = tpl_read_fd(fd, path, 4096, dirfd >= 0, &buf, &len, err, errlen);
	close(fd);
	if (rc)
		return -EIO;
	const char *line = buf;
	rc = 0;
	for (int i = 0; i < SHA256_HEX_LEN && !rc; i++) {
		if ((size_t)i >= len || !isxdigit((unsigned char)line[i]))
			rc = -EINVAL;
		else
			want[i] = (char)tolower((unsigned char)line[i]);
	}
	want[SHA256_HEX_LEN] = 0;
	if (!rc && len > SHA256_HEX_LEN) {
		char next = line[SHA256_HEX_LEN];
		if (next != ' ' && next != '\t' && next != '\n')
			rc = -EINVAL;
	}
	free(buf);
	return rc;
}

int tpl_digest_check(int dirfd, const char *name, const char *obj, const char *have)
{
	char want[SHA256_HEX_LEN + 1], err[640];
	size_t n = strlen(dirfd >= 0 ? name : obj) + sizeof(".sha256");
	char *rel = malloc(n), *path = malloc(strlen(obj) + sizeof(".sha256"));
	int rc = -1, e;

	if (!rel || !path) {
		tpl_err("out of memory");
		goto out;
	}
	snprintf(rel, n, "%s.sha256", dirfd >= 0 ? name : obj);
	sprintf(path, "%s.sha256", obj);
	e = read_digest_file(dirfd, rel, path, want, err, sizeof(err));
	if (e == -ENOENT) {
		tpl_err("%s: refused: no digest file %s (--require-digest)", obj, path);
		goto out;
	}
	if (e == -EINVAL) {
		tpl_err("%s: refused: %s does not start with a SHA-256 (64 hex digits)", obj, path);
		goto out;
	}
	if (e) {
		tpl_err("%s: refused: cannot read its digest: %s", obj, err);
		goto out;
	}
	if (strcmp(have, want)) {
		tpl_err("%s: refused: its SHA-256 is %s but %s says %s", obj, have, path, want);
		goto out;
	}
	rc = 0;
out:
	free(rel);
	free(path);
	return rc;
}
