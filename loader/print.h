/* print.h: event output (JSON lines in Tetragon's export shape, or one
 * compact human line as `tetra getevents -o compact` prints), and what
 * both forms share. */
#ifndef TPL_PRINT_H
#define TPL_PRINT_H

#include <stdio.h>
#include <time.h>

#include "event.h"
#include "output.h"
#include "pevents.h"

struct tpl_out {
	FILE *f;               /* the batch's stream: printers write here */
	struct tpl_batch batch;
	char node_name[256];   /* $NODE_NAME, else the host name */
	int no_emoji;          /* compact: no emoji before the event's name */
	int timestamps;        /* compact: the event's time first */
	int json_extensions;   /* TPC_JSON_EXTENSIONS=1: JSON fields beyond Tetragon's */
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

/* Wall-clock time (UTC) of a boot-clock time. The offset between the two
 * clocks is read again every second: a clock set by NTP, or a machine
 * that slept, moves it. */
void tpl_boot_to_wall(tpc_u64 ktime_ns, struct timespec *ts);

/* The permission string of a file mode, as `ls -l` (and Tetragon's
 * file_arg permission): "-rw-r--r--"; "" for mode 0. */
void tpl_mode_str(unsigned mode, char out[11]);

/* The signal name of an exit code's signal ("SIGKILL"), or NULL. */
const char *tpl_signal_name(unsigned sig);

/* Print one event; return 0, or -1 when the output failed. */
int tpl_print_json(const struct tpl_out *o, const struct tpl_event *e);
int tpl_print_compact(const struct tpl_out *o, const struct tpl_event *e);

#endif
