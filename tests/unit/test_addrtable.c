/* test_addrtable.c: compiler/addrtable.c, the range tables of address
 * filters with many CIDRs. For random sets of CIDRs of mixed prefix
 * lengths (nested, overlapping, touching, /0, the family's last address)
 * and addresses at and around every range's edges, the table must answer
 * exactly what the chain of masked compares answers; the search is run
 * both as addrtable_has does and as the generated BPF C does it (64-bit
 * subtractions whose borrow is the compare). tests/bats/network.bats runs
 * the generated code on real connections. */
#include "tpc.h"
#include "tap.h"

#include <stdlib.h>

static uint32_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s >> 11);
}

static void limbs_of(const struct net_value *nv, uint32_t *w)
{
	for (int k = 0; k < nv->alen / 4; k++)
		w[k] = (uint32_t)nv->addr[4 * k] << 24 | (uint32_t)nv->addr[4 * k + 1] << 16 |
		       (uint32_t)nv->addr[4 * k + 2] << 8 | nv->addr[4 * k + 3];
}

/* what the chain compares: the address under each value's mask */
static bool chain_has(const struct net_value *nv, int n, const uint32_t *a, int limbs)
{
	for (int i = 0; i < n; i++) {
		uint32_t w[4];
		limbs_of(&nv[i], w);
		bool in = true;
		for (int k = 0; k < limbs && in; k++) {
			int bits = nv[i].prefix - 32 * k;
			uint32_t mask = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~(0xffffffffu >> bits);
			in = (a[k] & mask) == (w[k] & mask);
		}
		if (in)
			return true;
	}
	return false;
}

/* emit_sets.c's tpc_h<N>_at<M>_has, in C */
static bool generated_has(const struct addrtable *at, const uint32_t *a)
{
	int size = 1 << at->bits, l = at->limbs;
	uint64_t i = 0, b = 0, e = 0;
	const uint32_t *r;
	for (int step = size / 2; step >= 1; step /= 2) {
		r = &at->rows[((i + (uint64_t)step) & (uint64_t)(size - 1)) * 2 * (size_t)l];
		b = 0;
		for (int k = l - 1; k >= 0; k--)
			b = ((uint64_t)a[k] - (uint64_t)r[k] - b) >> 63;
		i += (b ^ 1) << __builtin_ctz((unsigned)step);
	}
	r = &at->rows[(i & (uint64_t)(size - 1)) * 2 * (size_t)l];
	b = 0;
	for (int k = l - 1; k >= 0; k--)
		b = ((uint64_t)a[k] - (uint64_t)r[k] - b) >> 63;
	for (int k = l - 1; k >= 0; k--)
		e = ((uint64_t)r[l + k] - (uint64_t)a[k] - e) >> 63;
	return !(b | e);
}

static void random_value(struct net_value *nv, int alen, const uint32_t *near)
{
	memset(nv, 0, sizeof(*nv));
	nv->alen = alen;
	static const int v4[] = {0, 1, 7, 8, 12, 16, 20, 23, 24, 28, 31, 32};
	static const int v6[] = {0, 1, 16, 32, 33, 48, 63, 64, 65, 96, 112, 127, 128};
	nv->prefix = alen == 4 ? v4[rnd() % 12] : v6[rnd() % 13];
	if (rnd() % 50 == 0) /* the family's first or last address */
		nv->prefix = alen * 8;
	for (int k = 0; k < alen / 4; k++) {
		uint32_t w = near && rnd() % 2 ? near[k] ^ (rnd() % 4 ? rnd() & 0xff : 0) : rnd();
		if (nv->prefix == alen * 8 && rnd() % 3 == 0)
			w = rnd() % 2 ? 0xffffffffu : 0;
		for (int j = 0; j < 4; j++)
			nv->addr[4 * k + j] = (unsigned char)(w >> (24 - 8 * j));
	}
	/* host bits cleared, as net_value_parse leaves them */
	for (int k = 0; k < alen; k++) {
		int bits = nv->prefix - 8 * k;
		if (bits <= 0)
			nv->addr[k] = 0;
		else if (bits < 8)
			nv->addr[k] &= (unsigned char)(0xff << (8 - bits));
	}
}

static void check(const struct net_value *nv, int n, int alen, int *bad)
{
	struct addrtable at;
	addrtable_build(&at, nv, n, alen);
	int l = alen / 4;
	for (int t = 0; t < 4000; t++) {
		uint32_t a[4];
		if (t < 2 * at.nranges * 3) { /* every range's start and end, and one past each */
			const uint32_t *r = &at.rows[(size_t)(t / 6) * 2 * (size_t)l];
			int which = t % 6;
			memcpy(a, which < 3 ? r : r + l, sizeof(uint32_t) * (size_t)l);
			int d = which % 3 - 1; /* -1, 0, +1 */
			for (int k = l - 1; k >= 0 && d; k--) {
				uint32_t old = a[k];
				a[k] += (uint32_t)d;
				if (d > 0 ? a[k] != 0 : old != 0)
					break;
			}
		} else {
			limbs_of(&nv[rnd() % n], a);
			for (int k = 0; k < l; k++)
				if (rnd() % 3 == 0)
					a[k] = rnd() % 2 ? rnd() : a[k] ^ (1u << (rnd() % 32));
		}
		bool want = chain_has(nv, n, a, l);
		if (addrtable_has(&at, a) != want || generated_has(&at, a) != want) {
			if (*bad < 5)
				printf("# IPv%d, %d values: address %08x... chain says %d, table %d, generated %d\n",
				       alen == 4 ? 4 : 6, n, a[0], want, addrtable_has(&at, a), generated_has(&at, a));
			(*bad)++;
		}
	}
	addrtable_free(&at);
}

int main(void)
{
	tap_prefix = "addrtable";
	for (int alen = 4; alen <= 16; alen += 12) {
		int bad = 0, sets = 0;
		for (int round = 0; round < 300; round++) {
			int n = 1 + (int)(rnd() % 150);
			struct net_value *nv = calloc((size_t)n, sizeof(*nv));
			for (int i = 0; i < n; i++) {
				uint32_t near[4];
				bool close = i && rnd() % 2;
				if (close)
					limbs_of(&nv[rnd() % i], near);
				random_value(&nv[i], alen, close ? near : NULL);
			}
			check(nv, n, alen, &bad);
			sets++;
			free(nv);
		}
		OK(bad == 0, "IPv%d: %d random CIDR sets, each address answered as the masked compares answer it (%d differ)",
		   alen == 4 ? 4 : 6, sets, bad);
	}
	/* merging: nested and touching CIDRs come to one range */
	struct net_value nv[3] = {{.alen = 4, .prefix = 8, .addr = {127}},
				  {.alen = 4, .prefix = 24, .addr = {127, 0, 0}},
				  {.alen = 4, .prefix = 8, .addr = {128}}};
	struct addrtable at;
	addrtable_build(&at, nv, 3, 4);
	OK(at.nranges == 1 && at.rows[0] == 0x7f000000u && at.rows[1] == 0x80ffffffu,
	   "127.0.0.0/8, 127.0.0.0/24 and 128.0.0.0/8 are the one range 127.0.0.0-128.255.255.255");
	OK(at.bits == 2, "an IPv4 table has at least 4 rows (64 bytes: not a mergeable .rodata.cst section)");
	addrtable_free(&at);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
