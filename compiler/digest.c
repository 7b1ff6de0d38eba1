/* digest.c: see digest.h. */
#include "digest.h"
#include "sha256.h"
#include "tpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *policy_text_digest(const char *text, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex(text, len, hex);
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
