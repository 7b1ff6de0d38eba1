/* sha512.h: SHA-512 and SHA-384 (FIPS 180-4), written for tp-load's
 * binaryDigests (`sha512:<hex>`, `sha384:<hex>` of a uprobe's binary).
 * SHA-384 is SHA-512 with another initial value, cut to 48 bytes. */
#ifndef TPC_SHA512_H
#define TPC_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_LEN 64
#define SHA384_LEN 48

struct sha512 {
	uint64_t h[8];
	uint64_t bytes; /* files are far below 2^64 bytes: the high half of the length is 0 */
	unsigned char blk[128];
	size_t used;
	int out_len; /* SHA512_LEN or SHA384_LEN */
};

void sha512_init(struct sha512 *s);
void sha384_init(struct sha512 *s);
void sha512_update(struct sha512 *s, const void *data, size_t len);
/* out holds s->out_len bytes */
void sha512_final(struct sha512 *s, unsigned char *out);

#endif
