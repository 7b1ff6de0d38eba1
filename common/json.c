/* json.c: see json.h. */
#include "json.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F; /* <= U+10FFFF */
	} else
		return 0;
	if (n < need + 1)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need + 1;
}

/* invalid: 0 bytes as \u00XX each, 1 runs as one U+FFFD */
static void write_str(FILE *f, const char *str, size_t n, int replace)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t k = utf8_seq(s + i, n - i);
			if (k) {
				fwrite(s + i, 1, k, f);
				i += k;
			} else if (replace) {
				fputs("\xef\xbf\xbd", f); /* U+FFFD */
				while (i < n && s[i] >= 0x80 && !utf8_seq(s + i, n - i))
					i++;
			} else {
				fprintf(f, "\\u%04x", c);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
		i++;
	}
	fputc('"', f);
}

void json_write_str(FILE *f, const char *s, size_t n)
{
	write_str(f, s, n, 0);
}

void json_write_utf8(FILE *f, const char *s, size_t n)
{
	write_str(f, s, n, 1);
}

void json_write_cstr(FILE *f, const char *s)
{
	json_write_str(f, s ? s : "", s ? strlen(s) : 0);
}
