/* print.h: event output (JSON lines in Tetragon's export shape, or one
 * compact human line), and what both forms share. */
#ifndef TPL_PRINT_H
#define TPL_PRINT_H

#include <stdio.h>
#include <time.h>

#include "event.h"
#include "output.h"

struct tpl_out {
	FILE *f;               /* the batch's stream: printers write here */
	struct tpl_batch batch;
	char node_name[256];
	long long boot_to_real_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME at start */
};

/* What tp-load knows about the hook of an event besides its manifest
 * record. */
struct tpl_hookinfo {
	const char *policy; /* the hook's policy name */
};

enum tpl_argclass {
	TPL_ARG_INT32, TPL_ARG_INT16, TPL_ARG_INT8,
	TPL_ARG_UINT32, TPL_ARG_UINT16, TPL_ARG_UINT8,
	TPL_ARG_INT64, TPL_ARG_UINT64,
	TPL_ARG_FD, TPL_ARG_STRING, TPL_ARG_BYTES, TPL_ARG_FILE, TPL_ARG_PATH,
	TPL_ARG_CONST_BUF, /* an array of a tracepoint record: value is its element size */
	TPL_ARG_OTHER,
};

/* Events go to fd in batches (output.h); -1 when the batch cannot be set up. */
int tpl_out_init(struct tpl_out *o, int fd);
void tpl_out_fini(struct tpl_out *o);

enum tpl_argclass tpl_arg_class(const char *type);

/* "KPROBE_ACTION_POST" etc. from TPC_ACT_* bits. */
const char *tpl_action_name(tpc_u32 actions);

/* The event's binary record if non-empty, else /proc/<pid>/exe, else the
 * comm.  Returns the length written to buf (not NUL-terminated beyond). */
size_t tpl_event_binary(const struct tpc_ev *ev, char *buf, size_t len);

/* Wall-clock time (UTC) of the event. */
void tpl_event_time(const struct tpl_out *o, const struct tpc_ev *ev,
		    struct timespec *ts);

/* Print one event; return 0, or -1 when the output failed. */
int tpl_print_json(const struct tpl_out *o, const struct tpl_hookinfo *hi,
		   const struct tpc_ev *ev);
int tpl_print_compact(const struct tpl_out *o, const struct tpl_hookinfo *hi,
		      const struct tpc_ev *ev);

#endif
