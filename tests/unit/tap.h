/* tap.h: the few TAP helpers the C unit tests use. */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;
static const char *tap_prefix = "unit";

#define OK(cond, ...)                                                         \
	do {                                                                  \
		int ok_ = (cond);                                             \
		printf("%sok %d %s: ", ok_ ? "" : "not ", ++tap_n, tap_prefix); \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		if (!ok_) {                                                   \
			tap_failed++;                                         \
			printf("# failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                             \
	} while (0)

#define STR_EQ(got, want, ...)                                                \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		OK(g_ && w_ && !strcmp(g_, w_), __VA_ARGS__);                 \
		if (!(g_ && w_ && !strcmp(g_, w_)))                           \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

#endif
