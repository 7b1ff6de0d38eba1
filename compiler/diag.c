/* diag.c: collect problems with their positions, sort them, print them as
 * `file:line:col: error|warning: message [rule]` with the source line and
 * a caret under the column. */
#include "json.h"
#include "tpc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diags *d, const char *file, struct pos p, enum severity sev,
	      const char *rule, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = xstrdup("(out of memory formatting message)");
	va_end(ap);
	/* one problem said once: a hook cloned per list member, or a macro
	 * used by several selectors, is checked once per use */
	for (int i = 0; i < d->n; i++) {
		const struct diag *o = &d->v[i];
		if (o->pos.line == p.line && o->pos.col == p.col && o->sev == sev && !strcmp(o->msg, msg) &&
		    (o->file == file || (o->file && file && !strcmp(o->file, file)))) {
			free(msg);
			return;
		}
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, sizeof(*d->v) * (size_t)d->cap);
	}
	struct diag *x = &d->v[d->n++];
	x->msg = msg;
	x->file = file;
	x->pos = p;
	x->sev = sev;
	x->rule = rule;
	if (sev == SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static int cmp_diag(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line - y->pos.line;
	if (x->pos.col != y->pos.col)
		return x->pos.col - y->pos.col;
	return x < y ? -1 : x > y;
}

void diags_sort(struct diags *d)
{
	/* qsort is not stable; cmp_diag breaks ties by insertion address */
	if (d->n > 1)
		qsort(d->v, (size_t)d->n, sizeof(*d->v), cmp_diag);
}

void diags_add_source(struct diags *d, const char *file, const char *text, size_t len)
{
	d->src = xrealloc(d->src, sizeof(*d->src) * (size_t)(d->nsrc + 1));
	d->src[d->nsrc++] = (struct source){file, text, len};
}

/* Print line `line` (1-based) of the bytes the file was parsed from, and a
 * caret under the column; nothing when the source is not known. */
static void print_source_line(const struct diags *d, FILE *out, const char *file, struct pos p, bool color)
{
	const struct source *src = NULL;
	for (int i = 0; file && i < d->nsrc; i++)
		if (d->src[i].file == file || !strcmp(d->src[i].file, file))
			src = &d->src[i];
	if (!src || p.line <= 0)
		return;
	const char *s = src->text, *end = src->text + src->len;
	for (int i = 1; i < p.line && s < end; i++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		s = nl ? nl + 1 : end;
	}
	if (s >= end)
		return;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	int n = (int)((nl ? nl : end) - s);
	fprintf(out, "  %.*s\n  ", n, s);
	for (int i = 1; i < p.col && i <= n; i++)
		fputc(s[i - 1] == '\t' ? '\t' : ' ', out);
	fprintf(out, "%s^%s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "");
}

void diags_print_text(const struct diags *d, FILE *out, bool color)
{
	for (int i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const char *sev = x->sev == SEV_ERROR ? "error" : "warning";
		const char *sc = !color ? "" : x->sev == SEV_ERROR ? "\033[1;31m" : "\033[1;35m";
		fprintf(out, "%s%s:%d:%d:%s %s%s:%s %s [%s]\n", color ? "\033[1m" : "",
			x->file ? x->file : "-", x->pos.line, x->pos.col, color ? "\033[0m" : "",
			sc, sev, color ? "\033[0m" : "", x->msg, x->rule);
		print_source_line(d, out, x->file, x->pos, color);
	}
}

void diags_free(struct diags *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	free(d->src);
	memset(d, 0, sizeof(*d));
}

/* {"diagnostics":[{"file":..,"line":..,"column":..,"severity":..,"rule":..,
 *  "message":..}...],"errors":N,"warnings":N} */
void diags_print_json(const struct diags *d, FILE *out)
{
	fputs("{\"diagnostics\":[", out);
	for (int i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		fputs(i ? ",{\"file\":" : "{\"file\":", out);
		json_write_cstr(out, x->file ? x->file : "-");
		fprintf(out, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\",\"rule\":", x->pos.line, x->pos.col,
			x->sev == SEV_ERROR ? "error" : "warning");
		json_write_cstr(out, x->rule);
		fputs(",\"message\":", out);
		json_write_cstr(out, x->msg);
		fputc('}', out);
	}
	fprintf(out, "],\"errors\":%d,\"warnings\":%d}\n", d->errors, d->warnings);
}

/* A file name as a relative URI reference: unreserved bytes and '/' as
 * they are, everything else percent-encoded (spaces, '%', '#', UTF-8). */
static void json_uri(FILE *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			fputc(*p, out);
		else
			fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	fputc('"', out);
}

/* SARIF 2.1.0 (OASIS), the subset code-scanning UIs read: one run whose
 * driver lists every rule, and one result per diagnostic with its
 * artifact and region. Rules are referenced by id and index. */
void diags_print_sarif(const struct diags *d, FILE *out)
{
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
	      "\"tool\":{\"driver\":{\"name\":\"tpc\",\"version\":\"" TPC_VERSION "\",\"rules\":[",
	      out);
	for (int i = 0; lint_rules[i].id; i++) {
		fputs(i ? ",{\"id\":" : "{\"id\":", out);
		json_write_cstr(out, lint_rules[i].id);
		fputs(",\"shortDescription\":{\"text\":", out);
		json_write_cstr(out, lint_rules[i].summary);
		fputs("}}", out);
	}
	fputs("]}},\"results\":[", out);
	for (int i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		fputs(i ? ",{\"ruleId\":" : "{\"ruleId\":", out);
		json_write_cstr(out, x->rule);
		const struct lint_rule *r = lint_rule_find(x->rule);
		if (r)
			fprintf(out, ",\"ruleIndex\":%d", (int)(r - lint_rules));
		fprintf(out, ",\"level\":\"%s\",\"message\":{\"text\":", x->sev == SEV_ERROR ? "error" : "warning");
		json_write_cstr(out, x->msg);
		fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
		json_uri(out, x->file ? x->file : "-");
		fputc('}', out);
		if (x->pos.line > 0)
			fprintf(out, ",\"region\":{\"startLine\":%d,\"startColumn\":%d}", x->pos.line,
				x->pos.col > 0 ? x->pos.col : 1);
		fputs("}}]}", out);
	}
	fputs("]}]}\n", out);
}
