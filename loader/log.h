/* log.h: tp-load's own diagnostics ("tp-load: ..." on stderr) and the
 * libbpf print callback, which can capture libbpf's output (the verifier
 * log) instead of printing it, so that a failed load is explained by the
 * tail of the log and by the missing kernel feature it reveals. */
#ifndef TPL_LOG_H
#define TPL_LOG_H

#include <stddef.h>

extern int tpl_quiet;

/* syslog priorities of the lines */
#define TPL_LOG_ERR 3
#define TPL_LOG_WARNING 4
#define TPL_LOG_INFO 6

/* "tp-load: <text>\n" on stderr; tpl_info is silenced by -q. When stderr
 * is the journal (JOURNAL_STREAM names it), each line starts with its
 * syslog priority: <3> errors, <4> warnings, <6> the rest. */
void tpl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tpl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tpl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "<N>" when stderr is the journal, else "": for lines written to stderr
 * without tpl_err (usage errors). Valid after tpl_log_init. */
const char *tpl_log_prefix(int prio);

/* Find out whether stderr is the journal; install the libbpf print
 * callback: DEBUG is dropped, the rest goes to stderr prefixed "libbpf: "
 * (or into the capture buffer, see below). */
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
