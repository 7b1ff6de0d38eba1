/* emit_sets.c: the generated side of valueset.c: each large value set as
 * a constant table (one row per slot, each value quoted beside its row)
 * and a lookup function that hashes the words it is given and compares
 * the few rows a value may sit in. */
#include "emit.h"

#include <string.h>

static void emit_table(struct buf *b, const struct hook_plan *hp, const struct valueset *vs)
{
	int size = 1 << vs->bits;
	if (vs->ints)
		buf_printf(b, "// %d integers", vs->n);
	else
		buf_printf(b, "// %d values of %zu bytes", vs->n, vs->len);
	buf_printf(b, ", hashed into %d rows; a lookup compares %d of them at most\n", size, vs->probes);
	buf_printf(b, "static const __u64 tpc_h%d_vs%d[%d][%d] = {\n", hp->id, vs->id, size, vs->words);
	for (int r = 0; r < size; r++) {
		int v = vs->row_value[r];
		if (v < 0)
			continue;
		buf_printf(b, "\t[%d] = {", r);
		for (int k = 0; k < vs->words; k++)
			buf_printf(b, "%s0x%llxULL", k ? ", " : "", (unsigned long long)vs->rows[(size_t)r * vs->words + k]);
		buf_puts(b, "},");
		if (vs->src) {
			buf_puts(b, " /* ");
			comment_value(b, vs->src[v]);
			buf_puts(b, " */");
		} else {
			buf_printf(b, " /* %lld */", (long long)vs->rows[(size_t)r * vs->words + 1]);
		}
		buf_puts(b, "\n");
	}
	buf_puts(b, "};\n");
}

static void emit_lookup(struct buf *b, const struct hook_plan *hp, const struct valueset *vs)
{
	int size = 1 << vs->bits;
	if (vs->ints)
		buf_printf(b, "static __always_inline bool tpc_h%d_vs%d_has(__u64 key)\n{\n\t__u64 w0 = 1, w1 = key;\n",
			   hp->id, vs->id);
	else
		buf_printf(b, "static __always_inline bool tpc_h%d_vs%d_has(const __u64 *w)\n{\n", hp->id, vs->id);
	if (!vs->ints)
		for (int k = 0; k < vs->words; k++) {
			int bytes = (size_t)(k + 1) * 8 <= vs->len ? 8 : (int)(vs->len - (size_t)k * 8);
			if (bytes == 8)
				buf_printf(b, "\t__u64 w%d = w[%d];\n", k, k);
			else /* past the value's last byte the buffer holds stale data */
				buf_printf(b, "\t__u64 w%d = w[%d] & 0x%llxULL;\n", k, k, (1ULL << (8 * bytes)) - 1);
		}
	if (vs->prefix) /* an empty row is all zero; no value's first word is */
		buf_puts(b, "\tif (!w0)\n\t\treturn false;\n");
	buf_printf(b, "\t__u64 h = 0x%llxULL;\n", (unsigned long long)vs->seed);
	for (int k = 0; k < vs->words; k++)
		buf_printf(b, "\th = tpc_mix(h, w%d);\n", k);
	buf_printf(b, "\t__u32 at = h >> %d;\n\treturn ", 64 - vs->bits);
	for (int p = 0; p < vs->probes; p++) {
		if (p)
			buf_puts(b, " ||\n\t       ");
		char row[64];
		if (p)
			snprintf(row, sizeof(row), "tpc_h%d_vs%d[(at + %d) & %d]", hp->id, vs->id, p, size - 1);
		else
			snprintf(row, sizeof(row), "tpc_h%d_vs%d[at]", hp->id, vs->id);
		buf_puts(b, "(");
		for (int k = 0; k < vs->words; k++)
			buf_printf(b, "%s%s[%d] == w%d", k ? " && " : "", row, k, k);
		buf_puts(b, ")");
	}
	buf_puts(b, ";\n}\n\n");
}

void emit_valuesets(struct buf *b, const struct hook_plan *hp)
{
	for (int i = 0; i < hp->nsets; i++) {
		emit_table(b, hp, &hp->sets[i]);
		emit_lookup(b, hp, &hp->sets[i]);
	}
}

void cond_in_set(struct buf *b, const struct hook_plan *hp, const struct valueset *vs, const char *arg)
{
	buf_printf(b, "tpc_h%d_vs%d_has(%s)", hp->id, vs->id, arg);
}

/* ---- address range tables (addrtable.c) ---- */

static void emit_atab(struct buf *b, const struct hook_plan *hp, const struct addrtable *at)
{
	int size = 1 << at->bits, l = at->limbs;
	buf_printf(b, "// %d IPv%d CIDRs as %d sorted ranges (start, end: %s), padded to %d rows with the last\n", at->n,
		   at->alen == 4 ? 4 : 6, at->nranges, l == 1 ? "the address" : "its four 32-bit words", size);
	buf_printf(b, "static const __u64 tpc_h%d_at%d[%d][%d] = {\n", hp->id, at->id, size, 2 * l);
	for (int r = 0; r < at->nranges; r++) {
		const uint32_t *w = &at->rows[(size_t)r * 2 * (size_t)l];
		buf_puts(b, "\t{");
		for (int k = 0; k < 2 * l; k++)
			buf_printf(b, "%s0x%08x", k ? ", " : "", w[k]);
		buf_puts(b, "},");
		if (l == 1)
			buf_printf(b, " /* %u.%u.%u.%u - %u.%u.%u.%u */", w[0] >> 24, w[0] >> 16 & 255, w[0] >> 8 & 255,
				   w[0] & 255, w[1] >> 24, w[1] >> 16 & 255, w[1] >> 8 & 255, w[1] & 255);
		buf_puts(b, "\n");
	}
	for (int r = at->nranges; r < size; r++) {
		const uint32_t *w = &at->rows[(size_t)r * 2 * (size_t)l];
		buf_puts(b, "\t{");
		for (int k = 0; k < 2 * l; k++)
			buf_printf(b, "%s0x%08x", k ? ", " : "", w[k]);
		buf_puts(b, "}, /* the last, again */\n");
	}
	buf_puts(b, "};\n");
}

static void emit_atab_lookup(struct buf *b, const struct hook_plan *hp, const struct addrtable *at)
{
	int size = 1 << at->bits, l = at->limbs;
	buf_printf(b, "static __always_inline bool tpc_h%d_at%d_has(const __u8 *addr)\n{\n", hp->id, at->id);
	for (int k = 0; k < l; k++)
		buf_printf(b, "\t__u64 x%d = tpc_net_word(addr, %d);\n", k, k);
	buf_puts(b, "\t__u64 i = 0, b, e;\n\tconst __u64 *r;\n");
	buf_puts(b, "\t/* the last row that starts at or below the address */\n");
	for (int step = size / 2; step >= 1; step /= 2) {
		buf_printf(b, "\tr = tpc_h%d_at%d[(i + %d) & %d];\n", hp->id, at->id, step, size - 1);
		for (int k = l - 1; k >= 0; k--)
			buf_printf(b, "\tb = (x%d - r[%d]%s) >> 63;\n", k, k, k == l - 1 ? "" : " - b");
		buf_printf(b, "\ti += (b ^ 1) << %d;\n", __builtin_ctz((unsigned)step));
	}
	buf_printf(b, "\tr = tpc_h%d_at%d[i & %d];\n", hp->id, at->id, size - 1);
	buf_puts(b, "\t/* in it: not below its start, its end not below the address */\n");
	for (int k = l - 1; k >= 0; k--)
		buf_printf(b, "\tb = (x%d - r[%d]%s) >> 63;\n", k, k, k == l - 1 ? "" : " - b");
	for (int k = l - 1; k >= 0; k--)
		buf_printf(b, "\te = (r[%d] - x%d%s) >> 63;\n", l + k, k, k == l - 1 ? "" : " - e");
	buf_puts(b, "\treturn !(b | e);\n}\n\n");
}

void emit_addrtables(struct buf *b, const struct hook_plan *hp)
{
	for (int i = 0; i < hp->natabs; i++) {
		emit_atab(b, hp, &hp->atabs[i]);
		emit_atab_lookup(b, hp, &hp->atabs[i]);
	}
}
