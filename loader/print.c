/* print.c: what the JSON and compact printers share. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "print.h"

int tpl_out_init(struct tpl_out *o, int fd)
{
	struct timespec rt, bt;

	/* a batch of events goes out in one write (output.c) */
	if (tpl_batch_init(&o->batch, fd))
		return -1;
	o->f = o->batch.f;
	if (gethostname(o->node_name, sizeof(o->node_name)) != 0)
		o->node_name[0] = '\0';
	o->node_name[sizeof(o->node_name) - 1] = '\0';
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	o->boot_to_real_ns = (rt.tv_sec - bt.tv_sec) * 1000000000LL +
			     (rt.tv_nsec - bt.tv_nsec);
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

size_t tpl_event_binary(const struct tpc_ev *ev, char *buf, size_t len)
{
	size_t n = tpc_value_strlen(&ev->bin);
	char link[64];
	ssize_t r;

	if (len == 0)
		return 0;
	if (n > 0) {
		if (n >= len)
			n = len - 1;
		memcpy(buf, ev->bin.data, n);
		buf[n] = '\0';
		return n;
	}
	snprintf(link, sizeof(link), "/proc/%u/exe", ev->h.pid);
	r = readlink(link, buf, len - 1);
	if (r > 0) {
		buf[r] = '\0';
		return (size_t)r;
	}
	n = strlen(ev->comm);
	if (n >= len)
		n = len - 1;
	memcpy(buf, ev->comm, n);
	buf[n] = '\0';
	return n;
}

void tpl_event_time(const struct tpl_out *o, const struct tpc_ev *ev,
		    struct timespec *ts)
{
	long long ns = (long long)(ev->h.ktime_ns % (1ULL << 62)) +
		       o->boot_to_real_ns;

	if (ns < 0)
		ns = 0;
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}
