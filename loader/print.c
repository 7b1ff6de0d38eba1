/* print.c: what the JSON and compact printers share. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "identity.h"
#include "print.h"

int tpl_out_init(struct tpl_out *o, int fd)
{
	/* a batch of events goes out in one write (output.c) */
	if (tpl_batch_init(&o->batch, fd))
		return -1;
	o->f = o->batch.f;
	tpl_node_name(o->node_name, sizeof(o->node_name));
	const char *x = getenv("TPC_JSON_EXTENSIONS");
	o->json_extensions = x && !strcmp(x, "1");
	return 0;
}

void tpl_out_fini(struct tpl_out *o)
{
	tpl_batch_fini(&o->batch);
	o->f = NULL;
}

static const struct {
	const char *name;
	enum tpl_argclass cls;
} types[] = {
	{ "int", TPL_ARG_INT32 },     { "int32", TPL_ARG_INT32 },
	{ "s32", TPL_ARG_INT32 },     { "short", TPL_ARG_INT16 },
	{ "s16", TPL_ARG_INT16 },     { "char", TPL_ARG_INT8 },
	{ "s8", TPL_ARG_INT8 },       { "uint32", TPL_ARG_UINT32 },
	{ "u32", TPL_ARG_UINT32 },    { "uint16", TPL_ARG_UINT16 },
	{ "u16", TPL_ARG_UINT16 },    { "uint8", TPL_ARG_UINT8 },
	{ "u8", TPL_ARG_UINT8 },      { "int64", TPL_ARG_INT64 },
	{ "s64", TPL_ARG_INT64 },     { "long", TPL_ARG_INT64 },
	{ "uint64", TPL_ARG_UINT64 }, { "u64", TPL_ARG_UINT64 },
	{ "size_t", TPL_ARG_UINT64 }, { "ulong", TPL_ARG_UINT64 },
	{ "fd", TPL_ARG_FD },         { "string", TPL_ARG_STRING },
	{ "char_buf", TPL_ARG_BYTES }, { "char_iovec", TPL_ARG_BYTES },
	{ "file", TPL_ARG_FILE },     { "path", TPL_ARG_PATH },
	{ "dentry", TPL_ARG_PATH },   { "const_buf", TPL_ARG_CONST_BUF },
	{ "filename", TPL_ARG_STRING }, { "net_device", TPL_ARG_STRING }, { "data_loc", TPL_ARG_STRING },
	{ "iov_iter", TPL_ARG_BYTES },
};

enum tpl_argclass tpl_arg_class(const char *type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			return types[i].cls;
	return TPL_ARG_OTHER;
}

/* Tetragon names one action per event (the selector's last one); the
 * event carries a set of bits, so the name is the strongest of them:
 * enforcement first (what happened to the caller), then the userspace
 * actions, then fd tracking, then Post. */
const char *tpl_action_name(tpc_u32 a)
{
	static const struct {
		tpc_u32 bit;
		const char *name;
	} order[] = {
		{ TPC_ACT_SIGKILL, "KPROBE_ACTION_SIGKILL" },
		{ TPC_ACT_OVERRIDE, "KPROBE_ACTION_OVERRIDE" },
		{ TPC_ACT_SIGNAL, "KPROBE_ACTION_SIGNAL" },
		{ TPC_ACT_NOTIFYENFORCER, "KPROBE_ACTION_NOTIFYENFORCER" },
		{ TPC_ACT_CLEANUPENFORCERNOTIFICATION, "KPROBE_ACTION_CLEANUPENFORCERNOTIFICATION" },
		{ TPC_ACT_GETURL, "KPROBE_ACTION_GETURL" },
		{ TPC_ACT_DNSLOOKUP, "KPROBE_ACTION_DNSLOOKUP" },
		{ TPC_ACT_FOLLOWFD, "KPROBE_ACTION_FOLLOWFD" },
		{ TPC_ACT_UNFOLLOWFD, "KPROBE_ACTION_UNFOLLOWFD" },
		{ TPC_ACT_COPYFD, "KPROBE_ACTION_COPYFD" },
		{ TPC_ACT_UNTRACKSOCK, "KPROBE_ACTION_UNTRACKSOCK" },
		{ TPC_ACT_TRACKSOCK, "KPROBE_ACTION_TRACKSOCK" },
		{ TPC_ACT_NOPOST, "KPROBE_ACTION_NOPOST" },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (a & order[i].bit)
			return order[i].name;
	return "KPROBE_ACTION_POST";
}

void tpl_boot_to_wall(tpc_u64 ktime_ns, struct timespec *ts)
{
	static long long offset;
	static time_t read_at = -1;
	struct timespec rt, bt, mono;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	if (read_at < 0 || mono.tv_sec != read_at) {
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		offset = (rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
		read_at = mono.tv_sec;
	}
	long long ns = (long long)(ktime_ns % (1ULL << 62)) + offset;
	if (ns < 0)
		ns = 0;
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

void tpl_mode_str(unsigned mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	if (!mode) {
		out[0] = '\0';
		return;
	}
	switch (mode & 0170000) {
	case 0140000: out[0] = 's'; break;
	case 0120000: out[0] = 'l'; break;
	case 0060000: out[0] = 'b'; break;
	case 0040000: out[0] = 'd'; break;
	case 0020000: out[0] = 'c'; break;
	case 0010000: out[0] = 'p'; break;
	default: out[0] = '-'; break;
	}
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	/* setuid, setgid, sticky: s/t over x, S/T without it */
	if (mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

const char *tpl_signal_name(unsigned sig)
{
	static const char *const names[] = {
		NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
		"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
		"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
		"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
	};
	if (sig < sizeof(names) / sizeof(names[0]))
		return names[sig];
	return NULL;
}
