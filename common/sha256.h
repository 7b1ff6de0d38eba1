/* sha256.h: SHA-256 (FIPS 180-4), written for tpc and tp-load.
 *
 * Self-contained (libc only) so that both programs link the same object:
 * tpc digests the policy source and each object it writes; tp-load checks
 * objects against their OUT.bpf.o.sha256 files and notices changed files
 * in a policy directory. */
#ifndef TPC_SHA256_H
#define TPC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64 /* without the NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;        /* message length so far */
	unsigned char blk[64]; /* partial block */
	size_t used;           /* bytes in blk */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);

/* One-shot digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
void sha256_to_hex(const unsigned char d[SHA256_LEN], char hex[SHA256_HEX_LEN + 1]);

/* Digest of a whole file (read with read(2)); 0, or -1 with errno set. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1]);

#endif
