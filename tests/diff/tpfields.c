/* tpfields.c: the field layouts of the tracepoints the test uses, read
 * once from this kernel's tracefs (they are facts about the kernel, read
 * with the compiler's format reader): where each field of a record is,
 * its size and signedness, whether it is a string. */
#include "model.h"
#include "check.h" /* DEFAULT_TRACEFS */

#include <stdlib.h>
#include <string.h>

const struct tp_field *dev_tp_fields(const char *subsys, const char *event, int *n)
{
	static struct {
		char *subsys, *event;
		const struct tp_field *f;
		int n;
	} cache[32];
	static int ncache;
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i].event, event) && !strcmp(cache[i].subsys, subsys)) {
			*n = cache[i].n;
			return cache[i].f;
		}
	const struct tp_format *fmt = tp_format_get(DEFAULT_TRACEFS, subsys, event);
	const struct tp_field *f = fmt ? fmt->fields : NULL;
	int nf = fmt ? fmt->nfields : 0;
	if (!fmt || ncache == 32) {
		fprintf(stderr, "diffcheck: cannot read the format of %s/%s under %s\n", subsys, event, DEFAULT_TRACEFS);
		exit(2);
	}
	cache[ncache].subsys = xstrdup(subsys);
	cache[ncache].event = xstrdup(event);
	cache[ncache].f = f;
	cache[ncache].n = nf;
	ncache++;
	*n = nf;
	return f;
}

bool dev_rich(const struct hook *h)
{
	return h->kind == HOOK_TRACEPOINT && strcmp(h->subsystem, "syscalls");
}

bool dev_field_is_text(const struct tp_field *f)
{
	return f->data_loc || (strchr(f->ctype, '[') && strstr(f->ctype, "char"));
}

/* An integer field's value, as its C type gives it, in 64 bits. */
uint64_t dev_field_int(const struct tp_field *f, const unsigned char *rec)
{
	uint64_t v = 0;
	int size = f->size > 8 ? 8 : f->size;
	memcpy(&v, rec + f->offset, (size_t)size); /* little-endian */
	if (size < 8 && f->is_signed && (v >> (8 * size - 1)) & 1)
		v |= ~0ULL << (8 * size);
	return v;
}

/* A text field's string: a char array up to its NUL, or a __data_loc
 * (offset in the low 16 bits, length in the high 16) up to its NUL.
 * NULL when it runs out of the record without one. */
const char *dev_field_text(const struct tp_field *f, const unsigned char *rec, size_t reclen)
{
	size_t off = (size_t)f->offset, end = off + (size_t)f->size;
	if (f->data_loc) {
		uint32_t loc;
		memcpy(&loc, rec + f->offset, 4);
		off = loc & 0xffff;
		end = reclen;
	}
	if (off >= reclen || !memchr(rec + off, 0, (end < reclen ? end : reclen) - off))
		return NULL;
	return (const char *)rec + off;
}
