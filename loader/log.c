/* log.c: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "log.h"

int tpl_quiet;

/* The capture keeps at most this many bytes (the tail). */
#define CAPTURE_MAX (1u << 20)

/* stderr is the journal's stream: every line starts with its syslog
 * priority ("<3>"), which journald takes as the entry's priority. */
static int journal;

static int capturing;
static char *cap;
static size_t cap_len;

const char *tpl_log_prefix(int prio)
{
	static const char *const p[] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };
	return journal && prio >= 0 && prio <= 7 ? p[prio] : "";
}

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected to the
 * journal; it is ours only when stderr is still that stream (a shell
 * started from the unit, or a redirection, changes it). */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char c;

	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &c) != 2 || fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void vmsg(int prio, const char *fmt, va_list ap)
{
	/* action workers report from their threads: keep each line whole */
	flockfile(stderr);
	fputs(tpl_log_prefix(prio), stderr);
	fputs("tp-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}

void tpl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(TPL_LOG_ERR, fmt, ap);
	va_end(ap);
}

void tpl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(TPL_LOG_WARNING, fmt, ap);
	va_end(ap);
}

void tpl_info(const char *fmt, ...)
{
	va_list ap;

	if (tpl_quiet)
		return;
	va_start(ap, fmt);
	vmsg(TPL_LOG_INFO, fmt, ap);
	va_end(ap);
}

static void cap_append(const char *s, size_t n)
{
	if (n >= CAPTURE_MAX) { /* keep only the tail of a huge message */
		s += n - CAPTURE_MAX / 2;
		n = CAPTURE_MAX / 2;
	}
	if (!cap) {
		cap = malloc(CAPTURE_MAX);
		if (!cap)
			return;
		cap_len = 0;
	}
	if (cap_len + n > CAPTURE_MAX) { /* keep the newest text */
		size_t keep = CAPTURE_MAX - n;
		memmove(cap, cap + cap_len - keep, keep);
		cap_len = keep;
	}
	memcpy(cap + cap_len, s, n);
	cap_len += n;
}

static int print_cb(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	char small[1024], *s = small;
	va_list ap2;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return 0;
	}
	if ((size_t)n >= sizeof(small)) {
		s = malloc((size_t)n + 1);
		if (!s) {
			va_end(ap2);
			return 0;
		}
		vsnprintf(s, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);

	if (capturing) {
		cap_append(s, (size_t)n);
	} else {
		/* one prefix per line: libbpf's messages may hold several */
		int prio = level == LIBBPF_WARN ? TPL_LOG_WARNING : TPL_LOG_INFO;
		const char *p = s;
		flockfile(stderr);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			fputs(tpl_log_prefix(prio), stderr);
			if (strncmp(p, "libbpf: ", 8) != 0)
				fputs("libbpf: ", stderr);
			fwrite(p, 1, len, stderr);
			fputc('\n', stderr);
			p += len + (nl ? 1 : 0);
		}
		fflush(stderr);
		funlockfile(stderr);
	}
	if (s != small)
		free(s);
	return n;
}

void tpl_log_init(void)
{
	journal = stderr_is_journal();
	libbpf_set_print(print_cb);
}

void tpl_capture_begin(void)
{
	capturing = 1;
	cap_len = 0;
}

void tpl_capture_end(void)
{
	capturing = 0;
}

void tpl_capture_print_tail(int nlines)
{
	size_t start = cap_len;
	int seen = 0;

	if (!cap || cap_len == 0)
		return;
	/* Walk back over nlines line ends (ignoring a final newline). */
	if (start > 0 && cap[start - 1] == '\n')
		start--;
	while (start > 0) {
		if (cap[start - 1] == '\n' && ++seen == nlines)
			break;
		start--;
	}
	const char *p = cap + start, *end = cap + cap_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		fprintf(stderr, "%s  %.*s\n", tpl_log_prefix(TPL_LOG_ERR), (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	fflush(stderr);
}

static const char *cap_find(const char *needle)
{
	size_t nl = strlen(needle);

	if (!cap || cap_len < nl)
		return NULL;
	for (size_t i = 0; i + nl <= cap_len; i++)
		if (memcmp(cap + i, needle, nl) == 0)
			return cap + i;
	return NULL;
}

/* The helper name that follows needle in the capture ("" if none). */
static int helper_after(const char *needle, char *name, size_t len)
{
	const char *p = cap_find(needle);
	size_t n = 0;

	if (!p)
		return 0;
	p += strlen(needle);
	while (p + n < cap + cap_len && n + 1 < len &&
	       (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
		(p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
		n++;
	memcpy(name, p, n);
	name[n] = '\0';
	return 1;
}

int tpl_capture_feature(char *buf, size_t len)
{
	char helper[64];

	/* The verifier says "unknown func bpf_X#N" for a helper the kernel
	 * lacks, and "program of this type cannot use helper bpf_X#N" when
	 * it lacks it for this program type (bpf_override_return without
	 * CONFIG_BPF_KPROBE_OVERRIDE). */
	if (helper_after("unknown func ", helper, sizeof(helper)) ||
	    (helper_after("cannot use helper ", helper, sizeof(helper)) &&
	     strcmp(helper, "bpf_override_return") == 0)) {
		snprintf(buf, len, "%s is not available on this kernel%s", helper,
			 strcmp(helper, "bpf_override_return") == 0 ?
				 " (needs CONFIG_BPF_KPROBE_OVERRIDE)" : "");
		return 1;
	}
	if (helper_after("cannot use helper ", helper, sizeof(helper))) {
		snprintf(buf, len, "%s cannot be used by this program type on this kernel",
			 helper);
		return 1;
	}
	if (cap_find("failed to find valid kernel BTF") ||
	    cap_find("Error loading vmlinux BTF")) {
		snprintf(buf, len, "no BTF at /sys/kernel/btf/vmlinux");
		return 1;
	}
	return 0;
}

void tpl_log_fini(void)
{
	free(cap);
	cap = NULL;
	cap_len = 0;
}
