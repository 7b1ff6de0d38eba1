/* jparse.h: a small JSON reader: parses one text into a flat array of
 * nodes that point into it (nothing is copied), with the tree kept as
 * first-child / next-sibling indexes. Used for the export filters' JSON
 * flags and to look at the fields of an event line being exported.
 *
 * Strict RFC 8259 syntax; nesting is limited (JP_MAX_DEPTH) so that no
 * input can exhaust the stack. */
#ifndef TPL_JPARSE_H
#define TPL_JPARSE_H

#include <stddef.h>

#define JP_MAX_DEPTH 64

enum jp_type { JP_OBJECT, JP_ARRAY, JP_STRING, JP_NUMBER, JP_TRUE, JP_FALSE, JP_NULL };

struct jp_node {
	enum jp_type type;
	const char *s; /* the value's text; a string's without its quotes (still escaped) */
	size_t n;
	const char *key; /* a member of an object: its key, escaped, without quotes */
	size_t keylen;
	int first; /* first child (objects, arrays), or -1 */
	int next;  /* next sibling, or -1 */
};

struct jp_doc {
	struct jp_node *v;
	int n, cap;
	const char *text, *end;
	const char *err;  /* what is wrong */
	size_t err_at;    /* where: a byte offset into the text */
};

/* Parses the JSON value at *p (whitespace around it is skipped; *p is
 * left after it). Nodes are appended to d (index of the root returned),
 * or -1 with d->err set. d may be reused: jp_reset empties it. */
int jp_parse(struct jp_doc *d, const char *text, size_t len, const char **p);
void jp_reset(struct jp_doc *d);
void jp_free(struct jp_doc *d);

/* The member of object o whose key is key (NUL-terminated), or -1. */
int jp_get(const struct jp_doc *d, int o, const char *key);
/* Follows a path of keys: jp_path(d, root, "process_kprobe", "process", "binary", NULL). */
int jp_path(const struct jp_doc *d, int o, ...);

/* A string node's value, unescaped into buf (NUL-terminated, cut at
 * len - 1 bytes); its length. Invalid escapes and lone surrogates become
 * U+FFFD. *buf is grown with realloc when it is too small. */
size_t jp_string(const struct jp_doc *d, int i, char **buf, size_t *cap);
/* The same for a member's key. */
size_t jp_key(const struct jp_doc *d, int i, char **buf, size_t *cap);
/* Unescapes JSON string text s[0..n) into *buf (grown as needed). */
size_t jp_unescape(const char *s, size_t n, char **buf, size_t *cap);

#endif
