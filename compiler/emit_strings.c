/* emit_strings.c: how generated code compares a string with a constant.
 *
 * A string is read into a zero-initialised or scratch buffer of u64
 * words; a value becomes compares of whole little-endian words (the last
 * one masked to the value's bytes), so an 11-byte value is two compares,
 * not eleven. Bytes past the value are never looked at (a scratch slot
 * holds stale data there): Equal is a prefix compare plus a length
 * compare that puts the NUL in place. Postfix needs the string's end,
 * known only at run time: it compares bytes at offsets from the length,
 * masked so the verifier can bound them. Every value is quoted in a
 * comment beside its compares. */
#include "emit.h"

#include <string.h>

void comment_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			buf_puts(b, " ");
		else if (*s == '*' && s[1] == '/')
			buf_puts(b, "*\\");
		else
			buf_printf(b, "%c", *s);
	}
}

void comment_value(struct buf *b, const struct value *v)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '*' && i + 1 < v->len && v->s[i + 1] == '/')
			buf_puts(b, "*\\");
		else if (c < 32 || c >= 127)
			buf_printf(b, "\\x%02x", c);
		else
			buf_printf(b, "%c", c);
	}
	buf_puts(b, "\"");
}

/* Little-endian 8-byte word k of s, zero-padded; *bytes: how many of its
 * bytes belong to s. */
static unsigned long long word_of(const char *s, size_t len, int k, int *bytes)
{
	unsigned long long w = 0;
	int n = 0;
	for (int i = 0; i < 8; i++) {
		size_t at = (size_t)k * 8 + (size_t)i;
		if (at < len) {
			w |= (unsigned long long)(unsigned char)s[at] << (8 * i);
			n = i + 1;
		}
	}
	*bytes = n;
	return w;
}

void cond_words_prefix(struct buf *b, const char *w, const struct value *v)
{
	size_t len = v->len;
	buf_puts(b, "(");
	for (int k = 0; (size_t)k * 8 < len; k++) {
		int nb;
		unsigned long long x = word_of(v->s, len, k, &nb);
		if (nb == 8)
			buf_printf(b, "%sTPC_WORD(%s, %d) == 0x%llxULL", k ? " && " : "", w, k, x);
		else
			buf_printf(b, "%s(TPC_WORD(%s, %d) & 0x%llxULL) == 0x%llxULL", k ? " && " : "", w, k,
				   (1ULL << (8 * nb)) - 1, x);
	}
	if (len == 0)
		buf_puts(b, "1");
	buf_puts(b, " /* ");
	comment_value(b, v);
	buf_puts(b, " */)");
}

/* A byte as C: a character literal when it prints, else its number. */
void c_byte(struct buf *b, unsigned char c)
{
	if (c == '\'' || c == '\\')
		buf_printf(b, "'\\%c'", c);
	else if (c >= 32 && c < 127)
		buf_printf(b, "'%c'", c);
	else
		buf_printf(b, "%d", c);
}

void cond_postfix(struct buf *b, const char *at_end, const char *len, const struct value *v, const char *indent)
{
	size_t n = v->len;
	buf_printf(b, "(%s >= %zu /* ends with ", len, n);
	comment_value(b, v);
	buf_puts(b, " */");
	for (size_t k = 0; k < n; k++) {
		buf_puts(b, k % 8 ? " && " : " &&\n");
		if (k % 8 == 0)
			buf_printf(b, "%s    ", indent);
		buf_printf(b, "%s, %zu) == ", at_end, n - k);
		c_byte(b, (unsigned char)v->s[k]);
	}
	buf_puts(b, ")");
}

void emit_break_if(struct buf *b, bool when, const char *cond)
{
	if (when)
		buf_printf(b, "\t\tif (%s)\n\t\t\tbreak;\n", cond);
	else
		buf_printf(b, "\t\tif (!(%s))\n\t\t\tbreak;\n", cond);
}
