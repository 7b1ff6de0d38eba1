/* bindigest.c: see bindigest.h. */
#include "bindigest.h"
#include "sha1.h"
#include "sha256.h"
#include "sha512.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	int hexlen; /* 0: any even length (a build id) */
} algos[BD_COUNT] = {
	[BD_SHA1] = {"sha1", 40},     [BD_SHA256] = {"sha256", 64},	  [BD_SHA384] = {"sha384", 96},
	[BD_SHA512] = {"sha512", 128}, [BD_BUILD_ID] = {"build-id", 0},
};

const char *bindigest_algo_name(enum bindigest_algo a)
{
	return (unsigned)a < BD_COUNT ? algos[a].name : "?";
}

int bindigest_canonical(const char *text, char *out, size_t len, const char **why)
{
	while (isspace((unsigned char)*text))
		text++;
	size_t n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	const char *colon = memchr(text, ':', n);
	if (!colon) {
		*why = "not <algorithm>:<hex digest>";
		return -1;
	}
	size_t alen = (size_t)(colon - text), hlen = n - alen - 1;
	int a;
	for (a = 0; a < BD_COUNT; a++)
		if (strlen(algos[a].name) == alen && !strncasecmp(text, algos[a].name, alen))
			break;
	if (a == BD_COUNT) {
		*why = "unknown algorithm (sha1, sha256, sha384, sha512 or build-id)";
		return -1;
	}
	if (algos[a].hexlen ? hlen != (size_t)algos[a].hexlen : (hlen < 2 || hlen > 128 || hlen % 2)) {
		*why = "a digest of the wrong length for its algorithm";
		return -1;
	}
	if (alen + 1 + hlen + 1 > len) {
		*why = "too long";
		return -1;
	}
	size_t o = 0;
	for (size_t i = 0; i < alen; i++)
		out[o++] = (char)tolower((unsigned char)text[i]);
	out[o++] = ':';
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)colon[1 + i];
		if (!isxdigit(c)) {
			*why = "the digest is not hexadecimal";
			return -1;
		}
		out[o++] = (char)tolower(c);
	}
	out[o] = 0;
	return a;
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = 0;
}

int bindigest_file(int fd, unsigned want, char hex[BD_COUNT][BINDIGEST_HEX_MAX])
{
	struct sha1 s1;
	struct sha256 s256;
	struct sha512 s384, s512;
	unsigned char chunk[1 << 14];
	off_t at = 0;
	sha1_init(&s1);
	sha256_init(&s256);
	sha384_init(&s384);
	sha512_init(&s512);
	for (;;) {
		ssize_t n = pread(fd, chunk, sizeof(chunk), at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		at += n;
		if (want & (1u << BD_SHA1))
			sha1_update(&s1, chunk, (size_t)n);
		if (want & (1u << BD_SHA256))
			sha256_update(&s256, chunk, (size_t)n);
		if (want & (1u << BD_SHA384))
			sha512_update(&s384, chunk, (size_t)n);
		if (want & (1u << BD_SHA512))
			sha512_update(&s512, chunk, (size_t)n);
	}
	unsigned char d[64];
	if (want & (1u << BD_SHA1)) {
		sha1_final(&s1, d);
		to_hex(d, SHA1_LEN, hex[BD_SHA1]);
	}
	if (want & (1u << BD_SHA256)) {
		sha256_final(&s256, d);
		to_hex(d, SHA256_LEN, hex[BD_SHA256]);
	}
	if (want & (1u << BD_SHA384)) {
		sha512_final(&s384, d);
		to_hex(d, SHA384_LEN, hex[BD_SHA384]);
	}
	if (want & (1u << BD_SHA512)) {
		sha512_final(&s512, d);
		to_hex(d, SHA512_LEN, hex[BD_SHA512]);
	}
	return 0;
}
