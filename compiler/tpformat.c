/* tpformat.c: read a tracepoint's format file from tracefs at compile
 * time. The field list gives tracepoint arg indexes their meaning (index i
 * is the i-th field, common fields included) and tells the generator each
 * field's name, type, offset and size. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

/* "field:const char * filename;" -> ctype "const char *", name "filename";
 * "field:char comm[16];" -> ctype "char [16]"-ish, name "comm". */
static bool split_decl(const char *decl, char **ctype, char **name)
{
	size_t len = strlen(decl);
	while (len && (decl[len - 1] == ' ' || decl[len - 1] == ';'))
		len--;
	const char *end = decl + len;
	const char *br = memchr(decl, '[', len);
	/* "char[] filename" (a __data_loc field): the brackets belong to the
	 * type and the name is the last word */
	const char *close = br ? memchr(br, ']', (size_t)(end - br)) : NULL;
	if (close && close + 1 < end) {
		const char *name_start = end;
		while (name_start > close + 1 && name_start[-1] != ' ')
			name_start--;
		if (name_start == end)
			return false;
		*name = strndup(name_start, (size_t)(end - name_start));
		const char *type_end = name_start;
		while (type_end > decl && type_end[-1] == ' ')
			type_end--;
		*ctype = strndup(decl, (size_t)(type_end - decl));
		return true;
	}
	const char *name_end = br ? br : end;
	while (name_end > decl && name_end[-1] == ' ')
		name_end--;
	const char *name_start = name_end;
	while (name_start > decl && name_start[-1] != ' ' && name_start[-1] != '*')
		name_start--;
	if (name_start == name_end)
		return false;
	*name = strndup(name_start, (size_t)(name_end - name_start));
	size_t tl = (size_t)(name_start - decl);
	while (tl && decl[tl - 1] == ' ')
		tl--;
	struct buf t = {0};
	char *base = strndup(decl, tl);
	buf_puts(&t, base);
	free(base);
	if (br) {
		char *arr = strndup(br, (size_t)(end - br));
		buf_puts(&t, " ");
		buf_puts(&t, arr);
		free(arr);
	}
	*ctype = t.s ? t.s : xstrdup("");
	return true;
}

static bool format_read(const char *tracefs, const char *subsys, const char *event, struct tp_field **fields,
			int *nfields)
{
	*fields = NULL;
	*nfields = 0;
	if (strchr(subsys, '/') || strchr(event, '/') || !strcmp(subsys, "..") || !strcmp(event, ".."))
		return false;
	char *path = xasprintf("%s/events/%s/%s/format", tracefs, subsys, event);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return false;
	char line[1024];
	int cap = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "field:");
		if (!p)
			continue;
		p += 6;
		char *semi = strchr(p, ';');
		if (!semi)
			continue;
		*semi = 0;
		struct tp_field fld = {0};
		char *o = strstr(semi + 1, "offset:"), *s = strstr(semi + 1, "size:"), *sg = strstr(semi + 1, "signed:");
		if (!o || !s)
			continue;
		fld.offset = atoi(o + 7);
		fld.size = atoi(s + 5);
		fld.is_signed = sg && atoi(sg + 7) == 1;
		const char *decl = p;
		if (!strncmp(decl, "__data_loc ", 11)) {
			fld.data_loc = true;
			decl += 11;
		} else if (!strncmp(decl, "__rel_loc ", 10)) {
			fld.rel_loc = true;
			decl += 10;
		}
		if (!split_decl(decl, &fld.ctype, &fld.name))
			continue;
		fld.is_array = !fld.data_loc && !fld.rel_loc && strchr(fld.ctype, '[') != NULL;
		fld.is_pointer = !fld.data_loc && !fld.rel_loc && strchr(fld.ctype, '*') != NULL;
		if (*nfields == cap) {
			cap = cap ? cap * 2 : 16;
			*fields = xrealloc(*fields, sizeof(**fields) * (size_t)cap);
		}
		(*fields)[(*nfields)++] = fld;
	}
	fclose(f);
	return *nfields > 0;
}

/* Formats read so far, and the events found missing: each is read once
 * per run, however many hooks and checks ask. Entries are allocated one
 * by one: callers keep pointers to them. */
static struct tp_format **cache;
static int ncache;

const struct tp_format *tp_format_get(const char *tracefs, const char *subsys, const char *event)
{
	for (int i = 0; i < ncache; i++)
		if (!strcmp(cache[i]->subsys, subsys) && !strcmp(cache[i]->event, event))
			return cache[i]->nfields ? cache[i] : NULL;
	struct tp_format *f = xcalloc(1, sizeof(*f));
	f->subsys = xstrdup(subsys);
	f->event = xstrdup(event);
	if (!format_read(tracefs, subsys, event, &f->fields, &f->nfields))
		f->nfields = 0;
	cache = xrealloc(cache, sizeof(*cache) * (size_t)(ncache + 1));
	cache[ncache++] = f;
	return f->nfields ? f : NULL;
}

void tp_format_release(void)
{
	for (int i = 0; i < ncache; i++) {
		for (int j = 0; j < cache[i]->nfields; j++) {
			free(cache[i]->fields[j].name);
			free(cache[i]->fields[j].ctype);
		}
		free(cache[i]->fields);
		free(cache[i]->subsys);
		free(cache[i]->event);
		free(cache[i]);
	}
	free(cache);
	cache = NULL;
	ncache = 0;
}
