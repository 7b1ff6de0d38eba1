/* valueset.c: large sets of constants searched by hash, so that a filter
 * of a thousand values costs about what one value costs.
 *
 * A set holds values of one byte length (the generated code selects the
 * set by the length it read). Each value is the words of its bytes, the
 * last word zero-padded; the generated code hashes the words it read the
 * same way (tpc_mix in runtime-bpf, the mixer below) and looks at the
 * rows from the hash's slot on: a table built here, at compile time, with
 * at most `probes` rows to look at for any value, so the lookup is a few
 * unrolled word compares whatever the number of values. Rows that hold no
 * value are all zero, which no value is (values have no NUL byte, so
 * their first word is not zero). This is a constant table in .rodata, not
 * selector data interpreted at run time. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

/* The mixer of tpc_mix() in runtime-bpf/tpc_runtime.bpf.h: both sides
 * must compute the same slot. */
static uint64_t mix(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x9e3779b97f4a7c15ULL;
}

uint64_t valueset_word(const char *s, size_t len, int k)
{
	uint64_t w = 0;
	for (int i = 0; i < 8; i++) {
		size_t at = (size_t)k * 8 + (size_t)i;
		if (at < len)
			w |= (uint64_t)(unsigned char)s[at] << (8 * i);
	}
	return w;
}

uint64_t valueset_hash(const struct valueset *vs, const uint64_t *words)
{
	uint64_t h = vs->seed;
	for (int k = 0; k < vs->words; k++)
		h = mix(h, words[k]);
	return h;
}

static int slot_of(const struct valueset *vs, const uint64_t *words)
{
	return (int)(valueset_hash(vs, words) >> (64 - vs->bits));
}

/* Places every value with linear probing; false when a value would need
 * more than max_probes rows. */
static bool place(struct valueset *vs, int max_probes)
{
	int size = 1 << vs->bits;
	memset(vs->rows, 0, sizeof(uint64_t) * (size_t)size * (size_t)vs->words);
	for (int r = 0; r < size; r++)
		vs->row_value[r] = -1;
	vs->probes = 1;
	for (int i = 0; i < vs->n; i++) {
		const uint64_t *w = &vs->values[(size_t)i * (size_t)vs->words];
		int at = slot_of(vs, w);
		for (int p = 0;; p++) {
			if (p == max_probes)
				return false;
			uint64_t *row = &vs->rows[(size_t)((at + p) & (size - 1)) * (size_t)vs->words];
			if (row[0] == 0) {
				memcpy(row, w, sizeof(uint64_t) * (size_t)vs->words);
				vs->row_value[(at + p) & (size - 1)] = i;
				if (p + 1 > vs->probes)
					vs->probes = p + 1;
				break;
			}
			if (!memcmp(row, w, sizeof(uint64_t) * (size_t)vs->words))
				break; /* a value given twice */
		}
	}
	return true;
}

/* Chooses the table size and seed for the values already in vs. */
static void build_table(struct valueset *vs)
{
	int n = vs->n;
	/* at most half full; a few seeds, then a bigger table, until every
	 * value is within 4 rows of its slot (deterministic: same input, same
	 * table) */
	vs->bits = 1;
	while ((1 << vs->bits) < 2 * n)
		vs->bits++;
	for (;;) {
		vs->rows = xrealloc(vs->rows, sizeof(uint64_t) * ((size_t)1 << vs->bits) * (size_t)vs->words);
		vs->row_value = xrealloc(vs->row_value, sizeof(int) * ((size_t)1 << vs->bits));
		for (uint64_t s = 0; s < 16; s++) {
			vs->seed = 0x243f6a8885a308d3ULL + s * 0x13198a2e03707344ULL;
			if (place(vs, 4))
				return;
		}
		vs->bits++;
	}
}

void valueset_build(struct valueset *vs, const struct value *const *vals, int n, size_t len)
{
	memset(vs, 0, sizeof(*vs));
	vs->len = len;
	vs->words = (int)((len + 7) / 8);
	vs->n = n;
	vs->src = xcalloc((size_t)n, sizeof(*vs->src));
	vs->values = xcalloc((size_t)n * (size_t)vs->words, sizeof(uint64_t));
	for (int i = 0; i < n; i++) {
		vs->src[i] = vals[i];
		for (int k = 0; k < vs->words; k++)
			vs->values[(size_t)i * (size_t)vs->words + (size_t)k] = valueset_word(vals[i]->s, len, k);
	}
	build_table(vs);
}

/* An integer key may be 0, which an empty row is: a row of a set of
 * integers is {1, key}, the 1 marking it taken. */
void valueset_build_ints(struct valueset *vs, const uint64_t *keys, int n)
{
	memset(vs, 0, sizeof(*vs));
	vs->len = 8;
	vs->ints = true;
	vs->words = 2;
	vs->n = n;
	vs->values = xcalloc((size_t)n * 2, sizeof(uint64_t));
	for (int i = 0; i < n; i++) {
		vs->values[2 * i] = 1;
		vs->values[2 * i + 1] = keys[i];
	}
	build_table(vs);
}

void valueset_free(struct valueset *vs)
{
	free(vs->values);
	free(vs->rows);
	free(vs->row_value);
	free(vs->src);
	memset(vs, 0, sizeof(*vs));
}
