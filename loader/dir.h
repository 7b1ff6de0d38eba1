/* dir.h: tp-load --dir DIR: keep the policies of a directory attached.
 *
 * Every *.bpf.o in DIR is loaded and attached. On SIGHUP the directory is
 * read again: new objects are attached, objects whose file was deleted are
 * detached, and an object whose bytes changed (its SHA-256 differs) is
 * replaced by attaching the new version before detaching the old, so a
 * policy that stays is never unattached (for a moment both versions
 * report). Each change is reported on stderr. An object that fails to
 * load is reported and skipped (a changed one keeps its old version
 * attached); it is tried again on the next SIGHUP. */
#ifndef TPL_DIR_H
#define TPL_DIR_H

#include <signal.h>

#include <bpf/libbpf.h>

#include "attach.h"
#include "ring.h"

struct tpl_dir_opts {
	const char *dir;
	tpl_attach_mode attach;
	int require_digest;             /* check OBJ.sha256 (digest.h) */
	double timeout;                 /* seconds; 0: none */
	tpl_ring_fn on_event;           /* its ctx is the struct tpl_obj * */
	void (*flush)(void);            /* writes out the events printed so far */
	void (*tick)(void);             /* called every turn of the event loop */
	void (*on_hup)(void);           /* called at a SIGHUP, before the rescan */
	volatile sig_atomic_t *stop;    /* set by the caller's signal handler */
	volatile sig_atomic_t *no_more; /* set: do not drain at exit */
	const int *output_failed;       /* set: drain anyway, on_event counts the rest lost */
	int (*adopt)(struct tpl_obj *); /* once attached: take over its pins (keep.h); 0 or -1 */
};

struct tpl_dir_totals {
	unsigned long long lost, malformed; /* over every object of the run */
	unsigned long long missed;          /* enforcer verdicts unused (tpl_obj_missed) */
	int enforcers;                      /* some object had enforcers: missed is reported */
	int started;                        /* the first load was done */
};

/* Runs until *stop or the timeout. Returns 0, or 1 when DIR cannot be read
 * at start or polling fails. */
int tpl_dir_run(const struct tpl_dir_opts *o, struct tpl_dir_totals *t);

#endif
