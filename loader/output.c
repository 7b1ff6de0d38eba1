/* output.c: see output.h.
 *
 * The printers write through a stdio stream whose bytes land in a batch
 * buffer (fopencookie, unbuffered), and each finished event marks where it
 * ends. A flush writes the batch to the fd with write(2), retrying after
 * signals; on an error it knows exactly how many events reached the fd:
 * the others are counted as lost, and a regular file is cut back to the
 * end of the last whole event, so no partial line stays behind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static ssize_t batch_write(void *cookie, const char *data, size_t n)
{
	struct tpl_batch *b = cookie;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->len + n)
			cap *= 2;
		char *nb = realloc(b->buf, cap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return (ssize_t)n;
}

int tpl_batch_init(struct tpl_batch *b, int fd)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	cookie_io_functions_t io = { .write = batch_write };
	b->f = fopencookie(b, "w", io);
	if (!b->f)
		return -1;
	setvbuf(b->f, NULL, _IONBF, 0);
	struct stat st;
	b->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (b->regular)
		b->offset = lseek(fd, 0, SEEK_CUR);
	return 0;
}

void tpl_batch_event_done(struct tpl_batch *b)
{
	if (b->nends == b->ends_cap) {
		size_t cap = b->ends_cap ? b->ends_cap * 2 : 256;
		size_t *ne = realloc(b->ends, cap * sizeof(*ne));
		if (!ne) { /* cannot track it: count it as lost at the next flush */
			b->untracked++;
			return;
		}
		b->ends = ne;
		b->ends_cap = cap;
	}
	b->ends[b->nends++] = b->len;
}

/* Drops the first `events` events and `bytes` bytes of the batch. */
static void batch_reset(struct tpl_batch *b)
{
	b->len = 0;
	b->nends = 0;
	b->untracked = 0;
}

int tpl_batch_flush(struct tpl_batch *b)
{
	size_t done = 0;
	if (b->err) { /* the fd failed before: whatever is here is lost */
		b->lost += b->nends + b->untracked;
		batch_reset(b);
		return -1;
	}
	while (done < b->len) {
		ssize_t w = write(b->fd, b->buf + done, b->len - done);
		if (w < 0 && errno == EINTR && !(b->give_up && *b->give_up))
			continue; /* a signal is no reason to lose a line */
		if (w < 0 && errno == EINTR)
			errno = ECANCELED;
		if (w <= 0) {
			b->err = w < 0 ? errno : EIO;
			break;
		}
		done += (size_t)w;
		/* a signal during a write that had moved some bytes ends it
		 * short instead of failing it with EINTR: the second signal
		 * gives up here too, or a reader that stopped reading would
		 * hold tp-load in the next write forever */
		if (done < b->len && b->give_up && *b->give_up) {
			b->err = ECANCELED;
			break;
		}
	}
	/* events wholly written */
	size_t whole = 0;
	while (whole < b->nends && b->ends[whole] <= done)
		whole++;
	b->written += whole;
	b->lost += b->nends - whole + b->untracked;
	size_t keep = whole ? b->ends[whole - 1] : 0;
	if (b->err && done > keep && b->regular) /* no partial line in a file */
		if (ftruncate(b->fd, b->offset + (off_t)keep) == 0)
			lseek(b->fd, b->offset + (off_t)keep, SEEK_SET);
	b->offset += (off_t)(b->err ? keep : done);
	batch_reset(b);
	return b->err ? -1 : 0;
}

void tpl_batch_fini(struct tpl_batch *b)
{
	if (b->f)
		fclose(b->f);
	free(b->buf);
	free(b->ends);
	memset(b, 0, sizeof(*b));
}
