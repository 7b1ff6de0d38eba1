/* util.c: allocation that never returns NULL, a growable string buffer, the
 * "did you mean" suggestion used by every enum check, integer text. */
#include "tpc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("tpc: out of memory\n", stderr);
	exit(3);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	va_end(ap);
	return s;
}

static void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void buf_puts(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	buf_reserve(b, n);
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Case-insensitive Levenshtein distance, bounded inputs. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 1000;
	int prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
			int sub = prev[j - 1] + (ca != cb);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

const char *suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	int bestd = 1000;
	for (int i = 0; candidates[i]; i++) {
		int d = edit_distance(word, candidates[i]);
		if (d < bestd) {
			bestd = d;
			best = candidates[i];
		}
	}
	/* close enough: at most a third of the word wrong, and at least 1 */
	size_t len = strlen(word);
	int limit = (int)(len / 3) > 1 ? (int)(len / 3) : 2;
	return bestd <= limit ? best : NULL;
}

const char *did_you_mean(const char *word, const char *const *candidates, const char *otherwise, char *out,
			 size_t outlen)
{
	const char *s = suggest(word, candidates);
	if (!s)
		return otherwise;
	snprintf(out, outlen, "; did you mean '%s'?", s);
	return out;
}

/* Integers as Kubernetes YAML writes them: decimal, 0x hex, 0 octal, sign. */
bool parse_integer_text(const char *s, long long *out)
{
	if (!s || !*s)
		return false;
	errno = 0;
	char *end;
	long long v;
	if (s[0] == '-')
		v = strtoll(s, &end, 0);
	else {
		unsigned long long u = strtoull(s, &end, 0);
		v = (long long)u;
	}
	if (errno || *end)
		return false;
	*out = v;
	return true;
}
