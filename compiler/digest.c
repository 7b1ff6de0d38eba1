/* digest.c: see digest.h. */
#include "digest.h"
#include "sha256.h"
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

char *policy_text_digest(const char *text, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex(text, len, hex);
	return xasprintf("sha256:%s", hex);
}

char *object_digest_text(const void *obj, size_t len, const char *obj_path)
{
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex(obj, len, hex);
	const char *base = strrchr(obj_path, '/') ? strrchr(obj_path, '/') + 1 : obj_path;
	return xasprintf("%s  %s\n", hex, base);
}
