/* pevents.h: process_exec and process_exit, and the identity of the
 * process of every event.
 *
 * The kernel reports execs, forks and exits (tpc_procs.bpf.h) into a ring
 * buffer of their own, from the programs of tp-load's first object only:
 * once per tp-load, however many objects. Each one updates tp-load's
 * process table (pcache.h); execs and exits are also events of their own.
 * An event of a policy names the process image that made it (its pid and
 * the kernel's start_boottime and self_exec_id); that image's exec may
 * still wait in the process ring buffer when the policy's event is read,
 * so a lookup that misses reads the process ring buffer first: an exec is
 * always printed before the events of the program it started. An exit is
 * printed once the policies' ring buffers have been read past it, after
 * the events the process made before it ended. */
#ifndef TPL_PEVENTS_H
#define TPL_PEVENTS_H

#include <bpf/libbpf.h>

#include "event.h"
#include "pcache.h"
#include "ring.h"

enum tpl_evkind {
	TPL_EV_EXEC, /* process_exec */
	TPL_EV_EXIT, /* process_exit */
	TPL_EV_HOOK, /* a policy's hook: process_kprobe, process_tracepoint */
};

/* One event to print, whatever its kind: what the printers (print.h)
 * and whatever filters events read. */
struct tpl_event {
	enum tpl_evkind kind;
	const struct tpl_proc *proc;   /* the process: never NULL */
	const struct tpl_proc *parent; /* NULL: none known */
	tpc_u32 tid;                   /* the thread */
	tpc_u32 uid;                   /* the effective uid at the event */
	tpc_u64 ktime_ns;              /* boot time of the event */
	tpc_u32 code;                  /* TPL_EV_EXIT: status << 8 | signal */
	const struct tpc_ev *ev;       /* TPL_EV_HOOK: the decoded record */
	const char *policy;            /* TPL_EV_HOOK: its hook's policy */
};

/* Where events go (main.c): prints, counts; 0, or -1 when output failed. */
typedef int (*tpl_event_sink)(const struct tpl_event *e);

/* --no-process-events: no process_exec or process_exit is printed (the
 * table is still kept: every event names its process). */
extern int tpl_no_process_events;

void tpl_pev_init(tpl_event_sink sink);

/* 1 until an object's process event programs are attached: the next
 * object to load attaches its own (attach.c). */
int tpl_pev_wanted(void);
/* The attached programs' ring buffer and lost counter, and their links:
 * tp-load keeps them until tpl_pev_detach, whatever becomes of the
 * object. 0, or -1 (printed). */
int tpl_pev_adopt(const char *path, int ring_fd, int lost_fd, const int *links, int nlinks);
/* Once, after tpl_pev_adopt: 1 when tp-load's table is to be seeded from
 * /proc now (procs.h; the caller does, in the walk that seeds the adopting
 * object's table if it has one), with the seed's time set; 0 where /proc
 * shows another pid namespace than the kernel's (a note says so). */
int tpl_pev_seed_begin(void);
/* Detach the process event programs (after the hooks: exits go on being
 * reported until no hook can fire). */
void tpl_pev_detach(void);
/* Process events the kernel could not write (a full ring buffer). */
unsigned long long tpl_pev_lost(void);
void tpl_pev_fini(void);

/* The event of a decoded policy record, its process looked up. */
void tpl_event_of_hook(const struct tpc_ev *ev, const char *policy, struct tpl_event *e);

/* The poll loops' step: process events, then the policies' ring buffers
 * rb (NULL: none; then only waits up to ms), then the exits read. Returns
 * the number of records read, or a negative errno (-EINTR included). */
int tpl_events_poll(struct tpl_rings *rb, int ms);
/* At exit, after every program is detached: all that is left. Returns a
 * negative errno, or 0. */
int tpl_events_drain(struct tpl_rings *rb);

#endif
