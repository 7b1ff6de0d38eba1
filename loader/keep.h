/* keep.h: --keep-on-exit. An object's links (and the maps the next
 * tp-load needs: its event ring buffer and its lost counter) are pinned
 * in TPL_KEEP_DIR/<sha256 of the object>/, so its programs stay attached,
 * and its actions (Sigkill, Override) keep acting, while no tp-load runs.
 *
 * The next tp-load that loads the same object (same sha256) attaches its
 * own copy first, then takes the old pins: it removes them, detaches the
 * old links and drains the old ring buffer; with --keep-on-exit it pins
 * its own copy in their place. There is never a moment with nothing
 * attached. Pins of other objects are not touched.
 *
 * Everything read from bpffs is untrusted: every directory is opened
 * without following symlinks and must be bpffs, owned by root and
 * writable by no one else; every pin must be a regular bpffs file owned
 * by root, of a name we write, and of the kind of object we pinned. */
#ifndef TPL_KEEP_H
#define TPL_KEEP_H

#include "attach.h"

#define TPL_KEEP_DIR TPC_PIN_DIR "/keep"

extern int tpl_keep_on_exit;

/* The pins of a previous tp-load, taken over (keep.c): the pins are
 * already removed; closing links detaches the old copy. */
struct tpl_keep_old {
	int events_fd, lost_fd; /* -1 when absent */
	int missed_fd;          /* tpc_missed: -1 when absent (no enforcer) */
	int links[TPL_MAX_LINKS];
	int nlinks;
};

/* After o is attached: take over the pins of o's sha256 (*old; found is
 * set to 1 when there were any), then, with --keep-on-exit, pin o's.
 * 0, or -1 (printed). */
int tpl_keep_start(struct tpl_obj *o, struct tpl_keep_old *old, int *found);

/* Detach the old copy (close its links); its ring buffer and lost
 * counter stay open for the caller to drain and read. */
void tpl_keep_old_detach(struct tpl_keep_old *old);
/* Sum over CPUs of the old lost counter. */
unsigned long long tpl_keep_old_lost(const struct tpl_keep_old *old);
/* Sum over CPUs of the old missed-verdict counter (0 without one). */
unsigned long long tpl_keep_old_missed(const struct tpl_keep_old *old);
void tpl_keep_old_close(struct tpl_keep_old *old);

/* o goes away for good while tp-load runs (--dir removed or replaced
 * it): its pins too, so that the old policy does not stay attached. */
void tpl_keep_unpin(struct tpl_obj *o);

/* Pins of other objects (other versions of a policy): said once at
 * start, never removed by tp-load. objs[i] are the objects loaded. */
void tpl_keep_report_others(const struct tpl_obj *const *objs, int nobj);

#endif
