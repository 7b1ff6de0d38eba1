/* sha1.h: SHA-1 (FIPS 180-4), written for tp-load's binaryDigests: a
 * uprobe's `sha1:<hex>` is checked against the file it attaches to. SHA-1
 * is there because Tetragon's policies may name it, not for new uses. */
#ifndef TPC_SHA1_H
#define TPC_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20

struct sha1 {
	uint32_t h[5];
	uint64_t bytes;
	unsigned char blk[64];
	size_t used;
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
void sha1_final(struct sha1 *s, unsigned char out[SHA1_LEN]);

#endif
