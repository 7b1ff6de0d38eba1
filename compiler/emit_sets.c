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
