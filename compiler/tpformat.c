/* tpformat.c: read a tracepoint's format file from tracefs at compile
 * time. The field list gives tracepoint arg indexes their meaning (index i
 * is the i-th field, common fields included) and tells the generator each
 * field's name, type, offset and size. */
#include "tpc.h"

#include <stdlib.h>
#include <string.h>

void tp_fields_free(struct tp_field *f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].ctype);
	}
	free(f);
}

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

bool tp_format_read(const char *tracefs, const char *subsys, const char *event, struct tp_field **fields,
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
		}
		if (!split_decl(decl, &fld.ctype, &fld.name))
			continue;
		if (*nfields == cap) {
			cap = cap ? cap * 2 : 16;
			*fields = xrealloc(*fields, sizeof(**fields) * (size_t)cap);
		}
		(*fields)[(*nfields)++] = fld;
	}
	fclose(f);
	return *nfields > 0;
}
