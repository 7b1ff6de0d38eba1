/* output.h: where events go. Events are formatted into a batch and
 * written with one write(2) per batch; the batch knows where each event
 * ends, so a failed write (a closed pipe, a full disk) counts exactly the
 * events that did not get out as lost and never leaves half a line in a
 * file. */
#ifndef TPL_OUTPUT_H
#define TPL_OUTPUT_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

struct tpl_batch {
	FILE *f;            /* printers write here (into buf) */
	int fd;             /* where batches go */
	char *buf;
	size_t len, cap;
	size_t *ends;       /* end offset in buf of each finished event */
	size_t nends, ends_cap;
	unsigned long long untracked; /* events whose end could not be recorded */
	int regular;        /* fd is a regular file: a partial event can be cut */
	off_t offset;       /* its offset where the batch starts */
	unsigned long long written; /* events that reached fd */
	unsigned long long lost;    /* events formatted that did not */
	int err;            /* the errno that stopped output, or 0 */
	/* when set, a write interrupted by a signal gives up (ECANCELED):
	 * a second SIGINT ends a tp-load whose reader stopped reading */
	volatile sig_atomic_t *give_up;
};

int tpl_batch_init(struct tpl_batch *b, int fd);
/* the event just printed into b->f is complete */
void tpl_batch_event_done(struct tpl_batch *b);
/* writes the batch out; -1 once output has failed (b->err says why) */
int tpl_batch_flush(struct tpl_batch *b);
void tpl_batch_fini(struct tpl_batch *b);

#endif
