/* sha1.c: SHA-1 as specified in FIPS 180-4, sections 4.1.1 (functions),
 * 4.2.1 (constants), 5.1.1 (padding), 5.3.1 (initial value) and 6.1.2
 * (the hash computation). Written from the standard; see sha1.h. */
#include "sha1.h"

#include <string.h>

static uint32_t rotl(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* 6.1.2: one 512-bit block into the hash value. */
static void compress(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
		       p[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) ^ (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) ^ (b & d) ^ (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rotl(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	memcpy(s->h, h0, sizeof(h0));
	s->bytes = 0;
	s->used = 0;
}

void sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->bytes += len;
	while (len) {
		if (s->used == 0 && len >= 64) {
			compress(s->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		size_t n = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->blk + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == 64) {
			compress(s->h, s->blk);
			s->used = 0;
		}
	}
}

void sha1_final(struct sha1 *s, unsigned char out[SHA1_LEN])
{
	/* 5.1.1, as for SHA-256 */
	uint64_t bits = s->bytes * 8;
	s->blk[s->used++] = 0x80;
	if (s->used > 56) {
		memset(s->blk + s->used, 0, 64 - s->used);
		compress(s->h, s->blk);
		s->used = 0;
	}
	memset(s->blk + s->used, 0, 56 - s->used);
	for (int i = 0; i < 8; i++)
		s->blk[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(s->h, s->blk);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}
