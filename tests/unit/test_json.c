/* test_json.c: common/json.c's string writers. json_write_str keeps every
 * byte (a byte that is not UTF-8 as \u00XX); json_write_utf8 writes what a
 * protobuf string may hold: a run of bytes that is not UTF-8 is one U+FFFD
 * (as Go's strings.ToValidUTF8, which Tetragon's export goes through),
 * valid multi-byte characters pass unchanged. */
#include "json.h"
#include "tap.h"

#include <stdlib.h>

static char *out;

static const char *w(void (*fn)(FILE *, const char *, size_t), const char *s, size_t n)
{
	size_t len = 0;
	free(out);
	out = NULL;
	FILE *f = open_memstream(&out, &len);
	fn(f, s, n);
	fclose(f);
	return out;
}

#define UTF8(s) w(json_write_utf8, s, sizeof(s) - 1)
#define RAW(s) w(json_write_str, s, sizeof(s) - 1)

int main(void)
{
	tap_prefix = "json";
	STR_EQ(UTF8("plain"), "\"plain\"", "ASCII unchanged");
	STR_EQ(UTF8("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"", "quotes, backslash and control bytes escaped");
	STR_EQ(UTF8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"",
	       "valid 2, 3 and 4 byte characters unchanged");
	STR_EQ(UTF8("a\xff" "b"), "\"a\xef\xbf\xbd" "b\"", "one invalid byte is one U+FFFD");
	STR_EQ(UTF8("a\xff\xfe\x80" "b"), "\"a\xef\xbf\xbd" "b\"", "a run of invalid bytes is one U+FFFD");
	STR_EQ(UTF8("\xff\xc3\xa9"), "\"\xef\xbf\xbd\xc3\xa9\"", "the run ends at the next valid character");
	STR_EQ(UTF8("x\xe2\x82"), "\"x\xef\xbf\xbd\"", "a sequence cut at the end is replaced");
	STR_EQ(UTF8("\xed\xa0\x80"), "\"\xef\xbf\xbd\"", "a surrogate (CESU) is not UTF-8");
	STR_EQ(UTF8("\xc0\xaf"), "\"\xef\xbf\xbd\"", "an overlong encoding is not UTF-8");
	STR_EQ(RAW("a\xff" "b"), "\"a\\u00ff" "b\"", "json_write_str keeps the byte as \\u00XX");
	free(out);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
