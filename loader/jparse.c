/* jparse.c: see jparse.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jparse.h"

void jp_reset(struct jp_doc *d)
{
	d->n = 0;
	d->err = NULL;
	d->err_at = 0;
}

void jp_free(struct jp_doc *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static int fail(struct jp_doc *d, const char *p, const char *what)
{
	if (!d->err) {
		d->err = what;
		d->err_at = (size_t)(p - d->text);
	}
	return -1;
}

static int add(struct jp_doc *d, enum jp_type t, const char *s)
{
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct jp_node *nv = realloc(d->v, sizeof(*nv) * (size_t)cap);
		if (!nv)
			return fail(d, s, "out of memory");
		d->v = nv;
		d->cap = cap;
	}
	d->v[d->n] = (struct jp_node){ .type = t, .s = s, .first = -1, .next = -1 };
	return d->n++;
}

static void ws(struct jp_doc *d, const char **p)
{
	while (*p < d->end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
		(*p)++;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at *p (at its opening quote): its text span. */
static int string(struct jp_doc *d, const char **p, const char **s, size_t *n)
{
	const char *q = *p + 1;
	while (q < d->end && *q != '"') {
		unsigned char c = (unsigned char)*q;
		if (c < 0x20)
			return fail(d, q, "a control character in a string");
		if (c == '\\') {
			if (q + 1 >= d->end)
				break;
			char e = q[1];
			if (e == 'u') {
				if (q + 6 > d->end || hex4(q + 2) < 0)
					return fail(d, q, "a bad \\u escape");
				q += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e))
				return fail(d, q, "a bad escape in a string");
			q += 2;
			continue;
		}
		q++;
	}
	if (q >= d->end)
		return fail(d, *p, "a string that does not end");
	*s = *p + 1;
	*n = (size_t)(q - *s);
	*p = q + 1;
	return 0;
}

static int value(struct jp_doc *d, const char **p, int depth);

static int members(struct jp_doc *d, const char **p, int self, int depth, int object)
{
	int last = -1;
	(*p)++; /* { or [ */
	ws(d, p);
	if (*p < d->end && **p == (object ? '}' : ']')) {
		(*p)++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t keylen = 0;
		ws(d, p);
		if (object) {
			if (*p >= d->end || **p != '"')
				return fail(d, *p, "expected a key (a string)");
			if (string(d, p, &key, &keylen))
				return -1;
			ws(d, p);
			if (*p >= d->end || **p != ':')
				return fail(d, *p, "expected ':' after a key");
			(*p)++;
		}
		int v = value(d, p, depth + 1);
		if (v < 0)
			return -1;
		d->v[v].key = key;
		d->v[v].keylen = keylen;
		if (last < 0)
			d->v[self].first = v;
		else
			d->v[last].next = v;
		last = v;
		ws(d, p);
		if (*p < d->end && **p == ',') {
			(*p)++;
			continue;
		}
		if (*p < d->end && **p == (object ? '}' : ']')) {
			(*p)++;
			return 0;
		}
		return fail(d, *p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int number(struct jp_doc *d, const char **p)
{
	const char *q = *p;
	if (q < d->end && *q == '-')
		q++;
	if (q >= d->end || *q < '0' || *q > '9')
		return fail(d, *p, "not a JSON value");
	if (*q == '0')
		q++;
	else
		while (q < d->end && *q >= '0' && *q <= '9')
			q++;
	if (q < d->end && *q == '.') {
		q++;
		if (q >= d->end || *q < '0' || *q > '9')
			return fail(d, q, "a bad number");
		while (q < d->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < d->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < d->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= d->end || *q < '0' || *q > '9')
			return fail(d, q, "a bad number");
		while (q < d->end && *q >= '0' && *q <= '9')
			q++;
	}
	int i = add(d, JP_NUMBER, *p);
	if (i >= 0)
		d->v[i].n = (size_t)(q - *p);
	*p = q;
	return i;
}

static int word(struct jp_doc *d, const char **p, const char *w, enum jp_type t)
{
	size_t n = strlen(w);
	if ((size_t)(d->end - *p) < n || memcmp(*p, w, n) != 0)
		return fail(d, *p, "not a JSON value");
	int i = add(d, t, *p);
	if (i >= 0)
		d->v[i].n = n;
	*p += n;
	return i;
}

static int value(struct jp_doc *d, const char **p, int depth)
{
	int i;
	if (depth > JP_MAX_DEPTH)
		return fail(d, *p, "nested too deeply");
	ws(d, p);
	if (*p >= d->end)
		return fail(d, *p, "unexpected end of the text");
	switch (**p) {
	case '{':
	case '[': {
		int object = **p == '{';
		const char *start = *p;
		i = add(d, object ? JP_OBJECT : JP_ARRAY, *p);
		if (i < 0 || members(d, p, i, depth, object))
			return -1;
		d->v[i].n = (size_t)(*p - start);
		return i;
	}
	case '"': {
		const char *s;
		size_t n;
		if (string(d, p, &s, &n))
			return -1;
		i = add(d, JP_STRING, s);
		if (i >= 0)
			d->v[i].n = n;
		return i;
	}
	case 't':
		return word(d, p, "true", JP_TRUE);
	case 'f':
		return word(d, p, "false", JP_FALSE);
	case 'n':
		return word(d, p, "null", JP_NULL);
	default:
		return number(d, p);
	}
}

int jp_parse(struct jp_doc *d, const char *text, size_t len, const char **p)
{
	d->text = text;
	d->end = text + len;
	d->err = NULL;
	int r = value(d, p, 0);
	if (r >= 0)
		ws(d, p);
	return r;
}

static int key_is(const struct jp_node *n, const char *key)
{
	size_t kl = strlen(key);
	if (!n->key)
		return 0;
	if (!memchr(n->key, '\\', n->keylen)) /* the usual case: compare as is */
		return n->keylen == kl && memcmp(n->key, key, kl) == 0;
	char *buf = NULL;
	size_t cap = 0, len = jp_unescape(n->key, n->keylen, &buf, &cap);
	int same = buf && len == kl && memcmp(buf, key, kl) == 0;
	free(buf);
	return same;
}

int jp_get(const struct jp_doc *d, int o, const char *key)
{
	if (o < 0 || d->v[o].type != JP_OBJECT)
		return -1;
	for (int i = d->v[o].first; i >= 0; i = d->v[i].next)
		if (key_is(&d->v[i], key))
			return i;
	return -1;
}

int jp_path(const struct jp_doc *d, int o, ...)
{
	va_list ap;
	const char *k;
	va_start(ap, o);
	while (o >= 0 && (k = va_arg(ap, const char *)))
		o = jp_get(d, o, k);
	va_end(ap);
	return o;
}

static int put(char **buf, size_t *cap, size_t at, const char *s, size_t n)
{
	if (at + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < at + n + 1)
			c *= 2;
		char *nb = realloc(*buf, c);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + at, s, n);
	return 0;
}

static size_t utf8(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t jp_unescape(const char *s, size_t n, char **buf, size_t *cap)
{
	size_t out = 0, i = 0;
	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
		if (put(buf, cap, out, s + i, run))
			return 0;
		out += run;
		i += run;
		if (i >= n)
			break;
		char e = s[i + 1], tmp[4];
		size_t tl = 1;
		switch (e) {
		case 'b': tmp[0] = '\b'; break;
		case 'f': tmp[0] = '\f'; break;
		case 'n': tmp[0] = '\n'; break;
		case 'r': tmp[0] = '\r'; break;
		case 't': tmp[0] = '\t'; break;
		case 'u': {
			int cp = i + 6 <= n ? hex4(s + i + 2) : -1;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 8 <= n && s[i + 2] == '\\' && s[i + 3] == 'u') {
				int lo = hex4(s + i + 4);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp < 0 || (cp >= 0xd800 && cp < 0xe000))
				cp = 0xfffd;
			tl = utf8((unsigned)cp, tmp);
			break;
		}
		default: tmp[0] = e; break; /* " \ / */
		}
		if (put(buf, cap, out, tmp, tl))
			return 0;
		out += tl;
		i += 2;
	}
	if (put(buf, cap, out, "", 0))
		return 0;
	(*buf)[out] = '\0';
	return out;
}

size_t jp_string(const struct jp_doc *d, int i, char **buf, size_t *cap)
{
	return jp_unescape(d->v[i].s, d->v[i].n, buf, cap);
}

size_t jp_key(const struct jp_doc *d, int i, char **buf, size_t *cap)
{
	return jp_unescape(d->v[i].key, d->v[i].keylen, buf, cap);
}
