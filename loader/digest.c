/* digest.c: see digest.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "digest.h"
#include "log.h"

/* The digest on the first line of a sha256sum file: 64 hex digits then a
 * blank or the end of the line. Lower-cased into want. */
static int read_digest_file(const char *path, char want[SHA256_HEX_LEN + 1])
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	for (int i = 0; i < SHA256_HEX_LEN; i++) {
		if (!isxdigit((unsigned char)line[i]))
			return -EINVAL;
		want[i] = (char)tolower((unsigned char)line[i]);
	}
	want[SHA256_HEX_LEN] = 0;
	char next = line[SHA256_HEX_LEN];
	return next == ' ' || next == '\t' || next == '\n' || next == 0 ? 0 : -EINVAL;
}

int tpl_digest_check(const char *obj, const char *have)
{
	char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	size_t n = strlen(obj) + sizeof(".sha256");
	char *path = malloc(n);
	int rc = -1, err;

	if (!path) {
		tpl_err("out of memory");
		return -1;
	}
	snprintf(path, n, "%s.sha256", obj);
	err = read_digest_file(path, want);
	if (err == -ENOENT) {
		tpl_err("%s: refused: no digest file %s (--require-digest)", obj, path);
		goto out;
	}
	if (err == -EINVAL) {
		tpl_err("%s: refused: %s does not start with a SHA-256 (64 hex digits)", obj, path);
		goto out;
	}
	if (err) {
		tpl_err("%s: refused: cannot read %s: %s", obj, path, strerror(-err));
		goto out;
	}
	if (have) {
		snprintf(got, sizeof(got), "%s", have);
	} else if (sha256_file_hex(obj, got)) {
		tpl_err("%s: cannot read: %s", obj, strerror(errno));
		goto out;
	}
	if (strcmp(got, want)) {
		tpl_err("%s: refused: its SHA-256 is %s but %s says %s", obj, got, path, want);
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}
