/* addrtable.c: many address values (SAddr, DAddr and their Not forms) of
 * one family as a sorted table of disjoint ranges, searched by halving,
 * so that a filter of a hundred CIDRs of any mix of prefix lengths costs
 * a few steps whatever their number.
 *
 * A CIDR is the range from its address with the host bits cleared to
 * that address with them set; the ranges of a filter's values of one
 * family are sorted and the overlapping ones merged, so an address is in
 * the filter exactly when it is in the last range that starts at or
 * below it (an address in no CIDR is in none). That is what a chain of
 * masked compares decides, and what an LPM trie would: "in any of these
 * prefixes", with no value to the match, is a range question.
 *
 * The table is a constant in .rodata, written by emit_sets.c like the
 * hashed value sets (valueset.c): no map to fill at load time, nothing
 * interpreted at run time. Each address is its 32-bit words ("limbs",
 * host order, one for IPv4 and four for IPv6), each held in a __u64 so
 * the generated compare is a chain of subtractions whose borrow is the
 * answer: no branch per step, so the verifier walks one path, not one
 * per leaf. The table is padded to a power of two with copies of its
 * last range, which the search may land on and which match exactly what
 * that range does (also when few ranges are left: a table is at least 64
 * bytes).
 *
 * Not an LPM trie map: libbpf gives a map contents at load only for
 * global data (array maps), so a trie would be filled by tp-load, one
 * more thing to keep in step with the object, for the same answer.
 *
 * The threshold (ADDRTABLE_MIN), measured with tp-load --verify on a raw
 * inet_sock_set_state hook with one DAddr filter of N CIDRs of lengths
 * 8..32 (IPv4) or 16..128 (IPv6), instructions/verifier steps:
 *            N=8       16        24        64        128
 *   v4 chain 382/495   403/508   451/576   566/870   707/1348
 *   v4 table 399/519   409/537   419/555   429/573   439/591
 *   v6 chain 431/559   463/726   520/927   922/4017  1158/4790
 *   v6 table 480/679   509/733   524/765   553/819   586/881
 * (the v4 chains already use the hashed sets of one prefix length). */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

static int cmp_limbs(const uint32_t *a, const uint32_t *b, int limbs)
{
	for (int k = 0; k < limbs; k++)
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

static int limbs_of_range;
static int cmp_range(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;
	int c = cmp_limbs(a, b, limbs_of_range);
	return c ? c : cmp_limbs(a + limbs_of_range, b + limbs_of_range, limbs_of_range);
}

/* addr + 1 would carry out of its last limb: it is the family's last address */
static bool is_last(const uint32_t *a, int limbs)
{
	for (int k = 0; k < limbs; k++)
		if (a[k] != 0xffffffffu)
			return false;
	return true;
}

/* a + 1 == b (the ranges touch) */
static bool follows(const uint32_t *a, const uint32_t *b, int limbs)
{
	uint32_t t[4];
	memcpy(t, a, sizeof(uint32_t) * (size_t)limbs);
	for (int k = limbs - 1; k >= 0; k--)
		if (++t[k] != 0)
			break;
	return !cmp_limbs(t, b, limbs);
}

void addrtable_build(struct addrtable *at, const struct net_value *nv, int n, int alen)
{
	memset(at, 0, sizeof(*at));
	int limbs = alen / 4;
	at->limbs = limbs;
	at->n = n;
	/* each range: start limbs, then end limbs */
	uint32_t *r = xcalloc((size_t)(n ? n : 1) * 2 * (size_t)limbs, sizeof(uint32_t));
	for (int i = 0; i < n; i++) {
		uint32_t *s = &r[(size_t)i * 2 * (size_t)limbs], *e = s + limbs;
		for (int k = 0; k < limbs; k++) {
			const unsigned char *b = &nv[i].addr[4 * k];
			uint32_t w = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
			int bits = nv[i].prefix - 32 * k;
			uint32_t mask = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~(0xffffffffu >> bits);
			s[k] = w & mask;
			e[k] = (w & mask) | ~mask;
		}
	}
	limbs_of_range = limbs;
	qsort(r, (size_t)n, sizeof(uint32_t) * 2 * (size_t)limbs, cmp_range);
	int m = 0; /* merged ranges, in place */
	for (int i = 0; i < n; i++) {
		uint32_t *s = &r[(size_t)i * 2 * (size_t)limbs], *e = s + limbs;
		if (m) {
			uint32_t *pe = &r[(size_t)(m - 1) * 2 * (size_t)limbs + (size_t)limbs];
			/* starts at or before the last one's end + 1: one range */
			if (cmp_limbs(s, pe, limbs) <= 0 || (!is_last(pe, limbs) && follows(pe, s, limbs))) {
				if (cmp_limbs(e, pe, limbs) > 0)
					memcpy(pe, e, sizeof(uint32_t) * (size_t)limbs);
				continue;
			}
		}
		memmove(&r[(size_t)m * 2 * (size_t)limbs], s, sizeof(uint32_t) * 2 * (size_t)limbs);
		m++;
	}
	at->nranges = m;
	/* at least 64 bytes: clang puts a constant of 4 to 32 bytes in a
	 * mergeable .rodata.cst<N> section, which libbpf cannot load */
	at->bits = limbs == 1 ? 2 : 0;
	while ((1 << at->bits) < m)
		at->bits++;
	int size = 1 << at->bits;
	at->rows = xcalloc((size_t)size * 2 * (size_t)limbs, sizeof(uint32_t));
	for (int i = 0; i < size; i++)
		memcpy(&at->rows[(size_t)i * 2 * (size_t)limbs], &r[(size_t)(i < m ? i : m - 1) * 2 * (size_t)limbs],
		       sizeof(uint32_t) * 2 * (size_t)limbs);
	free(r);
}

bool addrtable_has(const struct addrtable *at, const uint32_t *addr)
{
	/* what the generated search does (emit_sets.c), for the unit test */
	int size = 1 << at->bits, limbs = at->limbs, i = 0;
	for (int step = size / 2; step >= 1; step /= 2)
		if (cmp_limbs(&at->rows[(size_t)(i + step) * 2 * (size_t)limbs], addr, limbs) <= 0)
			i += step;
	const uint32_t *s = &at->rows[(size_t)i * 2 * (size_t)limbs];
	return cmp_limbs(s, addr, limbs) <= 0 && cmp_limbs(addr, s + limbs, limbs) <= 0;
}

void addrtable_free(struct addrtable *at)
{
	free(at->rows);
	memset(at, 0, sizeof(*at));
}
