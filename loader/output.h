/* output.h: where events go. Events are formatted into a batch and
 * written with one write(2) per batch; the batch knows where each event
 * ends, so a failed write (a closed pipe, a full disk) counts exactly the
 * events that did not get out as lost and never leaves half a line in a
 * file.
 *
 * Two optional extensions, both unused unless set (the printers and
 * tpl_batch_event_done need not know about them):
 * - a size limit with a rotate callback (export.c): before an event would
 *   take the fd past `limit` bytes, the batch asks for a new fd, so a
 *   rotated file always ends with a whole event;
 * - tags (metrics.c): each event may carry a number (`tag`, set before
 *   tpl_batch_event_done), and `on_written` is told the tags of the events
 *   that reached the fd, so counters of written events are exact. */
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
	unsigned *tags;     /* the tag of each finished event */
	size_t nends, ends_cap;
	unsigned long long untracked; /* events whose end could not be recorded */
	int regular;        /* fd is a regular file: a partial event can be cut */
	int append;         /* fd has O_APPEND: its size, not offset, is where a batch starts */
	off_t offset;       /* its offset where the batch starts */
	unsigned long long written; /* events that reached fd */
	unsigned long long lost;    /* events formatted that did not */
	int err;            /* the errno that stopped output, or 0 */
	/* when set, a write interrupted by a signal gives up (ECANCELED):
	 * a second SIGINT ends a tp-load whose reader stopped reading */
	volatile sig_atomic_t *give_up;
	/* a failed flush is not the end: the next one tries the fd again
	 * (an export file on a disk that was full); what failed is lost */
	int keep_going;

	/* size limit (0: none) and what to do when an event would pass it:
	 * rotate() replaces fd (and sets offset) and returns 0, or returns -1
	 * to go on writing to the current fd until the next flush */
	off_t limit;
	int (*rotate)(struct tpl_batch *b, void *ctx);
	void *rotate_ctx;

	/* the tag of the next event marked done (0 by default) */
	unsigned tag;
	/* told the tags of the events that reached fd, after each write */
	void (*on_written)(void *ctx, const unsigned *tags, size_t n);
	void *written_ctx;
};

int tpl_batch_init(struct tpl_batch *b, int fd);
/* Points the batch at another fd (the batch must have been flushed):
 * what it knows of the fd (regular file, append mode, offset) is read
 * again. */
void tpl_batch_set_fd(struct tpl_batch *b, int fd);
/* the event just printed into b->f is complete */
void tpl_batch_event_done(struct tpl_batch *b);
/* the fd can take bytes without blocking now (a pipe with room, a file) */
int tpl_batch_writable(const struct tpl_batch *b);
/* writes the batch out; -1 once output has failed (b->err says why) */
int tpl_batch_flush(struct tpl_batch *b);
void tpl_batch_fini(struct tpl_batch *b);

#endif
