/* stamp.c: see stamp.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "stamp.h"

static int on;
static double t0;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void tpl_stamp_init(void)
{
	const char *e = getenv("TPL_TIMING");
	on = e && *e && *e != '0';
	t0 = now_ms();
}

void tpl_stamp(const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!on)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tp-load: timing %8.3f ms [%d] %s\n", now_ms() - t0, (int)getpid(), what);
}
