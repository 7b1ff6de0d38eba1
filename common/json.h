/* json.h: JSON string writing, shared by tpc (diagnostics as JSON and
 * SARIF) and tp-load (events). Any input gives valid JSON: quotes,
 * backslashes and control bytes are escaped, and bytes that are not valid
 * UTF-8 become \u00XX (the byte's value). */
#ifndef TPC_JSON_H
#define TPC_JSON_H

#include <stddef.h>
#include <stdio.h>

/* "..." of s[0..n) */
void json_write_str(FILE *f, const char *s, size_t n);
/* "..." of the C string s (NULL: "") */
void json_write_cstr(FILE *f, const char *s);
/* "..." of s[0..n) as a protobuf string must be, valid UTF-8: each run of
 * bytes that are not UTF-8 becomes one U+FFFD, as Tetragon's export does
 * (Go's strings.ToValidUTF8). */
void json_write_utf8(FILE *f, const char *s, size_t n);

#endif
