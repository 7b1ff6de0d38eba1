/* main.c: tp-load: options, signals, the main loop.
 *
 *   tp-load [options] OBJ.bpf.o [OBJ...]
 *
 * Every object is opened, loaded and attached (attach.c); their ring
 * buffers are polled as one ring set (ring.c); each record is decoded
 * against its object's manifest (event.c) and printed (print_*.c). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "actions.h"
#include "attach.h"
#include "export.h"
#include "filter.h"
#include "metrics.h"
#include "notify.h"
#include "fdsweep.h"
#include "hooks.h"
#include "keep.h"
#include "procs.h"
#include "digest.h"
#include "dir.h"
#include "event.h"
#include "log.h"
#include "pevents.h"
#include "print.h"
#include "stacks.h"
#include "stamp.h"
#include "trust.h"
#include "verify.h"

#define TPL_VERSION "0.1.0"
#define MAX_MALFORMED_REPORTS 10

enum output { OUT_JSON, OUT_COMPACT };

struct options {
	enum output output;
	unsigned long long count; /* 0: no limit */
	double timeout;           /* seconds; 0: no limit */
	tpl_attach_mode attach; /* TPL_ATTACH_AUTO or a variant */
	int verify;
	const char *dir;    /* --dir: keep this directory's objects attached */
	int require_digest; /* --require-digest: OBJ.sha256 must match */
	int hold; /* --debug-hold (not in --help): read no event until exit, so
		   * that a test can overflow the ring buffer on purpose and
		   * read tpc_lost while tp-load still holds the object */
	/* operations: metrics, the export file and its filters */
	const char *metrics_addr;
	struct tpl_export_opts export;
	const char *allowlist, *denylist, *redaction;
};

static volatile sig_atomic_t stop;
/* Set when no more events may be printed: --count reached, stdout failed,
 * or a second signal cut the final drain short. */
static volatile sig_atomic_t no_more;
/* Signals received: a signal during the final wait for GetUrl/DnsLookup
 * actions (actions.c) cuts that wait short. */
static volatile sig_atomic_t nsignals;

static struct tpl_out out;
static struct tpl_out scratch; /* the JSON form of a compact event, for the export filters */
static struct options opt;
static unsigned long long filtered;    /* events the export filters kept out */
static volatile sig_atomic_t reopen;   /* SIGUSR1: reopen the export file */
static unsigned long long formatted;   /* events formatted (--count counts these) */
static unsigned long long unformatted; /* events not formatted: out of memory, or output had failed */
static unsigned long long malformed_reported;
static int write_errno;
static volatile sig_atomic_t hup;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tp-load [options] OBJ.bpf.o [OBJ.bpf.o...]\n"
		"       tp-load [options] --dir DIR\n"
		"\n"
		"Load objects compiled by tpc, attach their hooks and print their events\n"
		"(Tetragon-style JSON lines by default) until interrupted.\n"
		"\n"
		"Options:\n"
		"  -o, --output json|compact  event format on stdout (default json)\n"
		"      --count N              exit after N events\n"
		"      --timeout SECONDS      exit after that long (fractions allowed)\n"
		"      --attach auto|kprobe|tracepoint\n"
		"                             how syscall kprobes attach: auto uses kprobes\n"
		"                             when the kernel has them, else the\n"
		"                             syscalls/sys_enter_X twin (default auto)\n"
		"      --verify               load every program through the verifier,\n"
		"                             print its size, attach nothing\n"
		"      --dir DIR              load every *.bpf.o in DIR; on SIGHUP add new,\n"
		"                             remove deleted and replace changed objects\n"
		"      --require-digest       refuse an object unless OBJ.sha256 (written\n"
		"                             by tpc) names its SHA-256\n"
		"      --trusted-keys DIR     refuse an object unless OBJ.sig (tpc --sign-key)\n"
		"                             is its Ed25519 signature by a key of DIR\n"
		"                             (*.pub, PEM); DIR and its keys must be root's\n"
		"                             and writable by no one else\n"
		"      --host-ns-pid PID      host_ns means the namespaces of PID (default 1;\n"
		"                             tp-load's own when /proc/PID/ns is unreadable)\n"
		"      --no-process-events    print no process_exec and process_exit events\n"
		"                             (policy events still name their process)\n"
		"      --no-emoji             compact output: no emoji before each event\n"
		"      --timestamps           compact output: each event's local time first\n"
		"      --expose-stack-addresses  kernelStackTrace/userStackTrace frames carry\n"
		"                             their addresses (kernel addresses: off by default)\n"
		"      --ring-buffer SIZE     event ring buffer per object, a power of two\n"
		"                             (e.g. 256K, 4M; default 512K): bigger rides\n"
		"                             out longer bursts, costs resident memory\n"
		"      --keep-on-exit         pin every object's links in bpffs (" TPL_KEEP_DIR "/SHA256)\n"
		"                             and leave them attached at exit: enforcement\n"
		"                             goes on while tp-load restarts; the next\n"
		"                             tp-load of the same object replaces the pins\n"
		"                             (without the flag: removes them)\n"
		"  -q, --quiet                no status lines on stderr\n"
		"\n"
		"Operations:\n"
		"      --metrics-server ADDR:PORT\n"
		"                             serve Prometheus metrics at /metrics, and\n"
		"                             /healthz, /livez (e.g. :2112, 127.0.0.1:2112)\n"
		"      --export-filename FILE write events to FILE instead of stdout;\n"
		"                             SIGHUP or SIGUSR1 reopens it (logrotate)\n"
		"      --export-file-max-size-mb N\n"
		"                             rotate FILE before it passes N MiB (default 10;\n"
		"                             0: never)\n"
		"      --export-file-max-backups K\n"
		"                             keep K rotated files (default 5; 0: all)\n"
		"      --export-file-compress gzip rotated files\n"
		"      --export-file-perm MODE\n"
		"                             permissions of FILE (octal, default 600)\n"
		"      --export-allowlist JSON\n"
		"                             export only events one of these Tetragon\n"
		"                             filters matches\n"
		"      --export-denylist JSON export no event one of these matches\n"
		"      --redaction-filters JSON\n"
		"                             replace what capture groups match in process\n"
		"                             arguments with *****\n"
		"      --help                 this text\n"
		"      --version              print the version\n"
		"\n"
		"Status lines go to stderr prefixed \"tp-load: \" (and by their syslog\n"
		"priority when stderr is the journal); events to stdout, or to the\n"
		"export file.\n"
		"Exit status: 0 ok (also on --count, --timeout, SIGINT, SIGTERM),\n"
		"1 load or runtime error, 2 usage error.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs(tpl_log_prefix(TPL_LOG_ERR), stderr);
	fputs("tp-load: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%sTry 'tp-load --help'.\n", tpl_log_prefix(TPL_LOG_ERR));
	return 2;
}

/* The operations options, in the order of their O_ values from O_METRICS.
 * Returns 2 (reported) on a bad value. */
static int ops_option(int which, const char *arg)
{
	char *end, err[160];
	unsigned long v;

	switch (which) {
	case 0: /* --metrics-server */
		if (tpl_metrics_check_addr(arg, err, sizeof(err))) {
			char msg[512];
			snprintf(msg, sizeof(msg), "--metrics-server %s: %s", arg, err);
			return usage_error("%s", msg);
		}
		opt.metrics_addr = arg;
		return 0;
	case 1: /* --export-filename */
		if (!*arg)
			return usage_error("%s", "--export-filename needs a file name");
		opt.export.path = arg;
		return 0;
	case 2: /* --export-file-max-size-mb */
	case 3: /* --export-file-max-backups */
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || !*arg || *end || arg[0] == '-' || v > (which == 2 ? 1ul << 20 : 100000ul))
			return usage_error(which == 2 ? "--export-file-max-size-mb %s: expected a number of MiB (0: no rotation)"
						      : "--export-file-max-backups %s: expected a number of files (0: keep all)",
					   arg);
		if (which == 2)
			opt.export.max_size_mb = v;
		else
			opt.export.max_backups = (unsigned)v;
		return 0;
	case 4: /* --export-file-compress */
		opt.export.compress = 1;
		return 0;
	case 5: /* --export-file-perm */
		errno = 0;
		v = strtoul(arg, &end, 8);
		if (errno || !*arg || *end || v > 0777)
			return usage_error("--export-file-perm %s: expected an octal mode such as 600 or 640", arg);
		opt.export.perm = (mode_t)v;
		return 0;
	case 6:
		opt.allowlist = arg;
		return 0;
	case 7:
		opt.denylist = arg;
		return 0;
	case 8:
		opt.redaction = arg;
		return 0;
	}
	return 0;
}

static int parse_options(int argc, char **argv)
{
	enum { O_COUNT = 256, O_TIMEOUT, O_ATTACH, O_VERIFY, O_HELP, O_VERSION,
	       O_DIR, O_REQUIRE_DIGEST, O_RINGBUF, O_HOSTNS,
	       O_HOLD, O_NOPEV, O_NOEMOJI, O_TIMESTAMPS, O_STACK_ADDRS,
	       /* operations */
	       O_METRICS, O_EXPORT, O_EXPORT_SIZE, O_EXPORT_BACKUPS, O_EXPORT_COMPRESS, O_EXPORT_PERM,
	       O_ALLOW, O_DENY, O_REDACT, O_TRUSTED_KEYS, O_KEEP };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, O_COUNT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "dir", required_argument, NULL, O_DIR },
		{ "require-digest", no_argument, NULL, O_REQUIRE_DIGEST },
		{ "trusted-keys", required_argument, NULL, O_TRUSTED_KEYS },
		{ "ring-buffer", required_argument, NULL, O_RINGBUF },
		{ "host-ns-pid", required_argument, NULL, O_HOSTNS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "keep-on-exit", no_argument, NULL, O_KEEP },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ "debug-hold", no_argument, NULL, O_HOLD },
		{ "no-process-events", no_argument, NULL, O_NOPEV },
		{ "no-emoji", no_argument, NULL, O_NOEMOJI },
		{ "timestamps", no_argument, NULL, O_TIMESTAMPS },
		{ "expose-stack-addresses", no_argument, NULL, O_STACK_ADDRS },
		/* operations (Tetragon's names) */
		{ "metrics-server", required_argument, NULL, O_METRICS },
		{ "export-filename", required_argument, NULL, O_EXPORT },
		{ "export-file-max-size-mb", required_argument, NULL, O_EXPORT_SIZE },
		{ "export-file-max-backups", required_argument, NULL, O_EXPORT_BACKUPS },
		{ "export-file-compress", no_argument, NULL, O_EXPORT_COMPRESS },
		{ "export-file-perm", required_argument, NULL, O_EXPORT_PERM },
		{ "export-allowlist", required_argument, NULL, O_ALLOW },
		{ "export-denylist", required_argument, NULL, O_DENY },
		{ "redaction-filters", required_argument, NULL, O_REDACT },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	opterr = 0;
	opt.attach = TPL_ATTACH_AUTO;
	opt.export.max_size_mb = TPL_EXPORT_MAX_SIZE_MB;
	opt.export.max_backups = TPL_EXPORT_MAX_BACKUPS;
	opt.export.perm = TPL_EXPORT_PERM;
	while ((c = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (strcmp(optarg, "json") == 0)
				opt.output = OUT_JSON;
			else if (strcmp(optarg, "compact") == 0)
				opt.output = OUT_COMPACT;
			else
				return usage_error("--output %s: expected json or compact",
						   optarg);
			break;
		case O_COUNT:
			errno = 0;
			opt.count = strtoull(optarg, &end, 10);
			if (errno || !*optarg || *end || optarg[0] == '-' ||
			    opt.count == 0)
				return usage_error("--count %s: expected a positive integer",
						   optarg);
			break;
		case O_TIMEOUT:
			errno = 0;
			opt.timeout = strtod(optarg, &end);
			if (errno || !*optarg || *end || !isfinite(opt.timeout) ||
			    opt.timeout <= 0 || opt.timeout > 1e9)
				return usage_error("--timeout %s: expected a positive number of seconds",
						   optarg);
			break;
		case O_ATTACH:
			if (strcmp(optarg, "auto") == 0)
				opt.attach = TPL_ATTACH_AUTO;
			else if ((opt.attach = tpl_variant_from_name(optarg)) < 0) {
				/* "auto, kprobe or tracepoint" */
				char fmt[256];
				const char *names = tpl_variant_names(), *last = strrchr(names, ',');
				if (last)
					snprintf(fmt, sizeof(fmt), "--attach %%s: expected auto, %.*s or %s",
						 (int)(last - names), names, last + 2);
				else
					snprintf(fmt, sizeof(fmt), "--attach %%s: expected auto or %s", names);
				return usage_error(fmt, optarg);
			}
			break;
		case O_VERIFY:
			opt.verify = 1;
			break;
		case O_DIR:
			opt.dir = optarg;
			break;
		case O_REQUIRE_DIGEST:
			opt.require_digest = 1;
			tpl_require_digest = 1;
			break;
		case O_KEEP:
			tpl_keep_on_exit = 1;
			break;
		case O_HOLD:
			opt.hold = 1;
			break;
		case O_TRUSTED_KEYS: /* read once, now: a bad key directory is fatal */
			if (tpl_trusted_keys_load(optarg))
				return 1;
			break;
		case O_NOPEV:
			tpl_no_process_events = 1;
			break;
		case O_NOEMOJI:
			out.no_emoji = 1;
			break;
		case O_TIMESTAMPS:
			out.timestamps = 1;
			break;
		case O_STACK_ADDRS:
			tpl_stack_addresses = 1;
			break;
		case O_HOSTNS: {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || !*optarg || *end || v < 1 || v > 0x3fffffff)
				return usage_error("--host-ns-pid %s: expected a process id", optarg);
			tpl_host_ns_pid = (int)v;
			break;
		}
		case O_RINGBUF: {
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end == 'K' || *end == 'k')
				v <<= 10, end++;
			else if (*end == 'M' || *end == 'm')
				v <<= 20, end++;
			if (errno || !*optarg || *end || v < 4096 || v > (1ul << 30) || (v & (v - 1)))
				return usage_error("--ring-buffer %s: expected a power of two from 4K to 1024M (e.g. 512K, 4M)",
						   optarg);
			tpl_ringbuf_bytes = v;
			break;
		}
		case 'q':
			tpl_quiet = 1;
			break;
		case O_METRICS:
		case O_EXPORT:
		case O_EXPORT_SIZE:
		case O_EXPORT_BACKUPS:
		case O_EXPORT_COMPRESS:
		case O_EXPORT_PERM:
		case O_ALLOW:
		case O_DENY:
		case O_REDACT:
			if (ops_option(c - O_METRICS, optarg))
				return 2;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("tp-load " TPL_VERSION "\n");
			exit(0);
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256) {
				char s[3] = { '-', (char)optopt, 0 };
				return usage_error("unknown option %s", s);
			}
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (opt.verify && (opt.metrics_addr || opt.export.path || opt.allowlist || opt.denylist || opt.redaction))
		return usage_error("%s", "--verify prints no events: no metrics, export file or filters");
	if (opt.allowlist || opt.denylist || opt.redaction) { /* bad filter JSON is a usage error */
		char err[1024];
		if (tpl_filters_init(opt.allowlist, opt.denylist, opt.redaction, err, sizeof(err)))
			return usage_error("%s", err);
	}
	if (tpl_keep_on_exit && opt.verify)
		return usage_error("%s", "--verify attaches nothing: no --keep-on-exit");
	if (opt.dir && (optind < argc || opt.verify))
		return usage_error("%s", "--dir takes no object arguments and no --verify");
	if (optind >= argc && !opt.dir)
		return usage_error("%s", "no object given");
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	if (stop) /* a second signal: do not wait for the final drain */
		no_more = 1;
	stop = 1;
	nsignals++;
}

/* Without --dir there is nothing to reload: a SIGHUP (a service manager's
 * reload, a closed terminal) is said and otherwise ignored, not fatal.
 * --dir installs its own handler (dir.c). */
static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	reopen = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	/* SIGUSR1: reopen the export file (logrotate's postrotate) and no
	 * more; SIGHUP reopens it too, and under --dir also rescans */
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN; /* a closed stdout is a write error, not death */
	sigaction(SIGPIPE, &sa, NULL);
}

/* The bytes of the event just printed into o's batch from mark: with
 * redaction filters its process arguments are redacted in place. */
static void redact_event(struct tpl_out *o, size_t mark)
{
	char *red;
	size_t n;

	if (tpl_redact_json(o->batch.buf + mark, o->batch.len - mark, &red, &n) == 1) {
		o->batch.len = mark;
		fwrite(red, 1, n, o->f);
		free(red);
	}
}

/* Every event to print, process events included: into the batch.
 * Redaction and the export filters (filter.h) see its JSON form, whatever
 * the output form; the metrics count it once its bytes are out (the
 * batch's tag). Returns 0 (a ring buffer callback's "go on"). */
static void flush_events(void);

/* A batch this large is written out from inside the ring buffer
 * callback when the output can take it now: a ring that never runs dry (a
 * steady stream of events) never hands control back to the loop's flush,
 * and the batch would hold every event of the stream (30 MB after 2 s at
 * 100k events/s). When the reader lags, the batch keeps growing instead:
 * blocking in write would stop draining the ring, and the kernel would
 * drop events once it is full. */
#define FLUSH_BYTES (64 * 1024)

static int emit(const struct tpl_event *e)
{
	if (write_errno) { /* output failed: what still comes is lost, and counted */
		unformatted++;
		return 0;
	}
	if (no_more)
		return 0;
	if (!e->proc) { /* out of memory for its process: not printed, counted */
		unformatted++;
		return 0;
	}
	const char *json_key = e->kind == TPL_EV_EXEC ? "process_exec"
			       : e->kind == TPL_EV_EXIT ? "process_exit"
							: tpl_hook_json_key(e->ev->hook->kind);
	int json = opt.output == OUT_JSON;
	int look = tpl_filters_active() || (tpl_redaction_active() && json);
	struct tpl_out *jo = json ? &out : &scratch; /* where the JSON form goes */
	size_t mark = jo->batch.len;
	unsigned tag = tpl_metrics_series(json_key, e->policy ? e->policy : "");
	int rc = 0;

	if (json || look) {
		rc = tpl_print_json(jo, e);
		if (!rc && look) {
			redact_event(jo, mark);
			if (!tpl_filters_keep(jo->batch.buf + mark, jo->batch.len - mark)) {
				jo->batch.len = mark;
				filtered++;
				tpl_metrics_filtered(tag);
				return 0;
			}
		}
		if (!json)
			scratch.batch.len = 0;
	}
	mark = out.batch.len;
	if (!json && !rc)
		rc = tpl_print_compact(&out, e);
	if (rc) { /* out of memory: no half event in the batch, and it counts */
		out.batch.len = mark;
		jo->batch.len = 0;
		unformatted++;
		return 0;
	}
	out.batch.tag = tag;
	tpl_batch_event_done(&out.batch);
	formatted++;
	if (out.batch.len >= FLUSH_BYTES && tpl_batch_writable(&out.batch))
		flush_events();
	if (opt.count && formatted >= opt.count)
		no_more = stop = 1;
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tpl_obj *o = ctx;
	struct tpc_ev ev;
	struct tpl_event e;
	char err[256];

	if (write_errno) {
		unformatted++;
		return 0;
	}
	if (no_more)
		return 0;
	if (tpc_event_decode(data, size, &o->m, &ev, err, sizeof(err))) {
		o->malformed++;
		tpl_metrics_malformed();
		if (malformed_reported++ < MAX_MALFORMED_REPORTS)
			tpl_err("%s: dropped a malformed record: %s", o->path, err);
		return 0;
	}
	/* kernelStackTrace/userStackTrace: the frames, while the process
	 * (its mappings) is most likely still there */
	tpl_stacks_resolve(o->stacks_fd, o->path, &ev);
	/* GetUrl/DnsLookup: queued for the workers, never waited for here */
	tpl_actions_submit(&o->m, &ev);
	tpl_event_of_hook(&ev, o->m.hooks[ev.h.hook].policy ? o->m.hooks[ev.h.hook].policy : o->m.policy, &e);
	return emit(&e);
}

/* Events are formatted into a batch and written once per batch the ring
 * buffers hand over: one write(2) per batch, not per event. Once output
 * fails (a closed pipe, a full disk), nothing more is printed and what
 * did not get out is counted as lost (output.c). An export file is
 * different: a write that failed is retried with the next batch (the
 * disk may have room again), what failed is counted lost, and tp-load
 * goes on enforcing. */
static void flush_events(void)
{
	static unsigned long long reported_lost;
	int failed = tpl_batch_flush(&out.batch);

	tpl_metrics_set_unwritten(out.batch.lost + unformatted);
	if (failed && out.batch.keep_going) {
		/* said when it starts, then once per 10000 events lost */
		if (!reported_lost || out.batch.lost >= reported_lost + 10000) {
			tpl_err("writing events to %s: %s; events are counted lost until it can be written again",
				opt.export.path, strerror(out.batch.err));
			reported_lost = out.batch.lost ? out.batch.lost : 1;
		}
		return;
	}
	if (failed && !write_errno) {
		write_errno = out.batch.err;
		no_more = stop = 1;
	}
}

/* SIGHUP or SIGUSR1: the export file was moved away (logrotate): what
 * is formatted goes to the old file, the next events to a new one. */
static void reopen_export(const char *sig)
{
	flush_events();
	tpl_export_reopen(&out.batch, sig);
}

/* SIGHUP under --dir: the export file is reopened before the rescan. */
static void dir_hup(void)
{
	if (opt.export.path)
		reopen_export("SIGHUP");
}

/* Every turn of the event loops (here and dir.c): what the service
 * manager and the metrics watch, and SIGUSR1. */
static void tick(void)
{
	tpl_metrics_heartbeat();
	tpl_notify_watchdog();
	if (reopen) {
		reopen = 0;
		if (opt.export.path)
			reopen_export("SIGUSR1");
		else
			tpl_info("SIGUSR1: no --export-filename to reopen");
	}
}

/* The last line: events printed and lost. Said even with -q when anything
 * was lost: nothing is lost silently. */
static void report_totals(unsigned long long kernel_lost, unsigned long long malformed)
{
	unsigned long long unwritten = out.batch.lost + unformatted;
	tpl_stacks_report();
	tpl_stacks_free();
	unsigned long long lost = kernel_lost + malformed + unwritten;
	char why[160] = "";
	int n = 0;
	if (malformed)
		n += snprintf(why + n, sizeof(why) - n, "%s%llu malformed", n ? ", " : "", malformed);
	if (unwritten)
		n += snprintf(why + n, sizeof(why) - n, "%s%llu not written", n ? ", " : "", unwritten);
	void (*say)(const char *, ...) = lost ? tpl_err : tpl_info;
	if (tpl_filters_active())
		tpl_info("%llu events kept out by the export filters", filtered);
	if (n)
		say("%llu events, %llu lost (%s)", out.batch.written, lost, why);
	else
		say("%llu events, %llu lost", out.batch.written, lost);
}

/* After the totals, for objects with spec.enforcers: the NotifyEnforcer
 * verdicts that were never applied (replaced by the thread's next one, or
 * dropped by CleanupEnforcerNotification, before it entered an enforcer
 * call). Not a loss of tp-load's, but enforcement that did not happen:
 * a warning, kept with -q, when there are any. */
static void report_missed(int enforcers, unsigned long long missed)
{
	if (!enforcers)
		return;
	(missed ? tpl_warn : tpl_info)("enforcer verdicts missed: %llu (replaced or cleaned up before an enforcer "
				       "call applied them)",
				       missed);
}

/* A failure of the event output ends tp-load with status 1, a closed
 * pipe too: the reader of the events is gone. */
static int report_write_error(void)
{
	if (!write_errno)
		return 0;
	if (write_errno == ECANCELED)
		tpl_err("writing events: given up at the second signal (the reader of the events stopped reading)");
	else
		tpl_err("writing events: %s%s", strerror(write_errno),
			write_errno == EPIPE ? " (the reader of the events went away)" : "");
	return 1;
}

/* Process events the kernel could not write are lost events when they
 * are printed; with --no-process-events they are only the table's loss
 * (events then name such a process from what they carry: flag miss). */
static unsigned long long pev_lost(void)
{
	unsigned long long n = tpl_pev_lost();
	if (!tpl_no_process_events)
		return n;
	if (n)
		tpl_err("%llu process records lost (the ring buffer was full): some events name their process "
			"from what they carry",
			n);
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Objects whose FollowFD state the poll loop sweeps once a second. */
static struct tpl_obj *sweep_objs;
static int sweep_nobj;

/* Poll until stopped; returns the exit status. */
static int poll_loop(struct tpl_rings *rb)
{
	double deadline = opt.timeout > 0 ? now_mono() + opt.timeout : 0;
	double next_sweep = now_mono() + 1;

	while (!stop) {
		tick();
		if (hup) {
			hup = 0;
			if (opt.export.path)
				reopen_export("SIGHUP");
			else
				tpl_info("SIGHUP: nothing to reload without --dir");
		}
		if (sweep_nobj && now_mono() >= next_sweep) {
			for (int i = 0; i < sweep_nobj; i++)
				tpl_fd_sweep(&sweep_objs[i]);
			next_sweep = now_mono() + 1;
		}
		int ms = TPL_POLL_MS;
		if (deadline) {
			double left = deadline - now_mono();
			if (left <= 0)
				break;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		if (opt.hold) {
			usleep(ms * 1000); /* a signal cuts it short */
			continue;
		}
		/* process events, then the policies' */
		int err = tpl_events_poll(rb, ms);
		if (err < 0 && err != -EINTR) {
			tpl_err("polling the ring buffers: %s", strerror(-err));
			return 1;
		}
		if (err > 0)
			flush_events();
	}
	return 0;
}

/* Detach every hook, then print what is left in the ring buffers.  Once
 * detached nothing new arrives, so the drain ends, and every event the
 * kernel made is either printed or counted in tpc_lost (read after this):
 * events + lost at exit is exactly what the hooks produced. */
static void detach_and_drain(struct tpl_obj *objs, int nobj,
			     struct tpl_rings *rb)
{
	tpl_metrics_health(0, "stopping");
	tpl_notify("STOPPING=1");
	/* --keep-on-exit: the pins hold the links; what the hooks make from
	 * now on waits in the pinned ring buffers for the next tp-load */
	for (int i = 0; i < nobj && !tpl_keep_on_exit; i++)
		tpl_obj_detach(&objs[i]);
	/* process events last: exits are reported until no hook can fire */
	tpl_pev_detach();
	/* after an output failure the rest is counted as lost, not left */
	if (!no_more || write_errno) {
		int err = tpl_events_drain(rb);
		if (err < 0 && err != -EINTR)
			tpl_err("draining the ring buffers: %s", strerror(-err));
	}
	flush_events();
}

/* Events of a previous tp-load's copy of an object (--keep-on-exit), made
 * while no tp-load ran: decoded with this copy's manifest (same sha256,
 * same object), counted. */
static unsigned long long kept_events, kept_lost, kept_missed;

static int on_kept_event(void *ctx, void *data, size_t size)
{
	kept_events++;
	return on_event(ctx, data, size);
}

/* o is attached: take over its pins from a previous tp-load (keep.h),
 * detach that copy, print what its ring buffer holds. */
static int adopt(struct tpl_obj *o)
{
	struct tpl_keep_old old;
	int found;

	/* -1 with found: the old pins were taken, ours could not be made:
	 * the old copy is still drained and closed here */
	int rc = tpl_keep_start(o, &old, &found);
	if (!found)
		return rc;
	unsigned long long before = kept_events, lost;
	tpl_keep_old_detach(&old); /* nothing new arrives: the drain ends */
	if (old.events_fd >= 0) {
		struct tpl_rings *rb = tpl_rings_new();
		if (rb && tpl_rings_add(rb, old.events_fd, on_kept_event, o) == 0)
			tpl_rings_consume(rb);
		tpl_rings_free(rb);
		flush_events();
	}
	lost = tpl_keep_old_lost(&old);
	kept_lost += lost;
	unsigned long long missed = tpl_keep_old_missed(&old);
	kept_missed += missed;
	if (old.missed_fd >= 0) /* its enforcers ran on while no tp-load did */
		tpl_info("%s: replaced the copy a previous tp-load left attached (%s/%s): %llu events it kept, %llu "
			 "lost, %llu enforcer verdicts missed",
			 o->path, TPL_KEEP_DIR, o->sha256, kept_events - before, lost, missed);
	else
		tpl_info("%s: replaced the copy a previous tp-load left attached (%s/%s): %llu events it kept, "
			 "%llu lost",
			 o->path, TPL_KEEP_DIR, o->sha256, kept_events - before, lost);
	tpl_keep_old_close(&old);
	return rc;
}

static int run(int nobj, char **paths)
{
	struct tpl_obj *objs = calloc(nobj, sizeof(*objs));
	struct tpl_rings *rb = NULL;
	int i, nhooks = 0, rc = 1;

	if (!objs) {
		tpl_err("out of memory");
		return 1;
	}
	tpl_stamp("options read, output set up");
	if (tpl_check_kernel(1))
		goto out;
	tpl_stamp("kernel checked");
	for (i = 0; i < nobj; i++) {
		int before = nhooks;
		if (tpl_obj_open(&objs[i], -1, paths[i], paths[i]))
			goto out;
		tpl_stamp("%s: read, digest and manifest checked", paths[i]);
		if (tpl_obj_start(&objs[i], opt.attach, &nhooks))
			goto out;
		tpl_metrics_add_object(&objs[i], nhooks - before);
		if (adopt(&objs[i]))
			goto out;
		tpl_stamp("%s: started", paths[i]);
		if (stop)
			goto out_ok;
	}
	tpl_seed_forget(); /* what the objects' seeds shared */
	for (i = 0; i < nobj; i++) {
		int err;
		if (!rb)
			rb = tpl_rings_new();
		err = rb ? tpl_rings_add(rb, objs[i].events_fd, on_event, &objs[i]) : -errno;
		if (err) {
			tpl_err("%s: cannot open ring buffer %s: %s", paths[i],
				TPC_MAP_EVENTS, strerror(-err));
			goto out;
		}
	}
	{
		const struct tpl_obj **ps = calloc((size_t)nobj, sizeof(*ps));
		for (i = 0; ps && i < nobj; i++)
			ps[i] = &objs[i];
		if (ps)
			tpl_keep_report_others(ps, nobj);
		free(ps);
	}
	tpl_info("attached %d hooks from %d objects", nhooks, nobj);
	tpl_stamp("every hook on");
	tpl_metrics_health(1, "ok");
	tpl_notify("READY=1\nSTATUS=%d hooks from %d objects attached", nhooks, nobj);
	sweep_objs = objs;
	sweep_nobj = nobj;
	rc = poll_loop(rb);
	sweep_nobj = 0;
	detach_and_drain(objs, nobj, rb);
	tpl_actions_finish(TPL_ACTION_TIMEOUT_S + 1, &nsignals);
	rc |= report_write_error();
	goto report;
out_ok:
	rc = 0;
report: {
	unsigned long long lost = 0, bad = 0, missed = 0;
	int enforcers = 0;
	for (i = 0; i < nobj; i++) {
		lost += tpl_obj_lost(&objs[i]);
		bad += objs[i].malformed;
		missed += tpl_obj_missed(&objs[i]);
		enforcers |= objs[i].missed_fd >= 0;
	}
	report_totals(lost + kept_lost + pev_lost(), bad);
	report_missed(enforcers, missed + kept_missed);
	}
out:
	tpl_rings_free(rb);
	for (i = 0; i < nobj; i++) {
		tpl_metrics_remove_object(&objs[i]);
		tpl_obj_close(&objs[i]);
	}
	free(objs);
	return rc;
}

/* --dir (dir.c): the same events and final report, over a directory whose
 * objects change on SIGHUP. */
static int run_dir(void)
{
	struct tpl_dir_opts d = {
		.dir = opt.dir, .attach = opt.attach,
		.require_digest = opt.require_digest, .timeout = opt.timeout,
		.on_event = on_event, .flush = flush_events, .tick = tick, .on_hup = dir_hup, .stop = &stop, .no_more = &no_more,
		.output_failed = &write_errno, .adopt = adopt,
	};
	struct tpl_dir_totals t = { 0 };
	int rc = tpl_dir_run(&d, &t);

	tpl_actions_finish(TPL_ACTION_TIMEOUT_S + 1, &nsignals);
	rc |= report_write_error();
	if (!t.started) /* nothing was attached: nothing to report */
		return rc;
	report_totals(t.lost + kept_lost + pev_lost(), t.malformed);
	report_missed(t.enforcers, t.missed + kept_missed);
	return rc;
}

/* Each object holds a few dozen fds (maps, programs, links): systemd's
 * default soft limit of 1024 let only 44 of 60 objects load. The soft
 * limit goes up to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	int rc, fd = 1;

	tpl_stamp_init();
	tpl_log_init(); /* first: usage errors carry the journal's priority too */
	rc = parse_options(argc, argv);
	if (rc)
		return rc;
	install_signals();
	tpl_notify_init();
	raise_fd_limit();
	if (opt.export.path && (fd = tpl_export_open(&opt.export)) < 0)
		return 1;
	if (tpl_out_init(&out, fd) || tpl_out_init(&scratch, -1)) {
		tpl_err("cannot set up the event output: %s", strerror(errno));
		return 1;
	}
	memcpy(scratch.node_name, out.node_name, sizeof(out.node_name));
	out.batch.give_up = &no_more;
	if (opt.export.path)
		tpl_export_attach(&out.batch);
	if (opt.metrics_addr) {
		if (tpl_metrics_start(opt.metrics_addr))
			return 1;
		out.batch.on_written = tpl_metrics_written;
	}
	tpl_pev_init(emit);

	if (opt.verify) {
		rc = 0;
		if (tpl_check_kernel(0))
			rc = 1;
		for (int i = optind; i < argc && !rc; i++)
			rc |= tpl_verify(argv[i]);
	} else if (opt.dir) {
		rc = run_dir();
	} else {
		rc = run(argc - optind, argv + optind);
	}
	tpl_pev_fini();
	tpl_loader_forget(); /* every object is closed: no hook of ours can fire */
	tpl_metrics_stop();
	fd = out.batch.fd; /* the export file may have rotated */
	tpl_out_fini(&out);
	tpl_out_fini(&scratch);
	if (opt.export.path) {
		close(fd);
		tpl_export_finish();
	}
	tpl_filters_fini();
	tpl_log_fini();
	return rc;
}
