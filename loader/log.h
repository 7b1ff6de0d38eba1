/* log.h: tp-load's own diagnostics ("tp-load: ..." on stderr) and the
 * libbpf print callback, which can capture libbpf's output (the verifier
 * log) instead of printing it, so that a failed load is explained by the
 * tail of the log and by the missing kernel feature it reveals. */
#ifndef TPL_LOG_H
#define TPL_LOG_H

#include <stddef.h>

extern int tpl_quiet;

/* "tp-load: <text>\n" on stderr; tpl_info is silenced by -q. */
void tpl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tpl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Install the libbpf print callback: DEBUG is dropped, the rest goes to
 * stderr prefixed "libbpf: " (or into the capture buffer, see below). */
void tpl_log_init(void);

/* Between begin and end, libbpf output (all but DEBUG) is kept in memory
 * instead of printed. */
void tpl_capture_begin(void);
void tpl_capture_end(void);

/* Print the last nlines lines of the captured text to stderr, each
 * prefixed with "  ". */
void tpl_capture_print_tail(int nlines);

/* Explain a failure from the captured text: if it reveals a missing kernel
 * feature (e.g. "unknown func bpf_override_return#58"), write a sentence
 * naming it to buf and return 1; else 0. */
int tpl_capture_feature(char *buf, size_t len);

/* Free the capture buffer. */
void tpl_log_fini(void);

#endif
