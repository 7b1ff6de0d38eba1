/* output.c: see output.h.
 *
 * The printers write through a stdio stream whose bytes land in a batch
 * buffer (fopencookie, unbuffered), and each finished event marks where it
 * ends. A flush writes the batch to the fd with write(2), retrying after
 * signals; on an error it knows exactly how many events reached the fd:
 * the others are counted as lost, and a regular file is cut back to the
 * end of the last whole event, so no partial line stays behind.
 *
 * With a size limit the batch goes out in chunks of whole events: the
 * events that still fit, then a rotation, then the next ones. An event
 * larger than the limit goes alone into a file of its own. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

void tpl_batch_set_fd(struct tpl_batch *b, int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	b->fd = fd;
	b->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	b->append = fl >= 0 && (fl & O_APPEND);
	b->offset = 0;
	if (b->regular) /* a file opened with O_APPEND is at 0 until written */
		b->offset = b->append ? st.st_size : lseek(fd, 0, SEEK_CUR);
}

int tpl_batch_init(struct tpl_batch *b, int fd)
{
	memset(b, 0, sizeof(*b));
	cookie_io_functions_t io = { .write = batch_write };
	b->f = fopencookie(b, "w", io);
	if (!b->f)
		return -1;
	setvbuf(b->f, NULL, _IONBF, 0);
	tpl_batch_set_fd(b, fd);
	return 0;
}

void tpl_batch_event_done(struct tpl_batch *b)
{
	if (b->nends == b->ends_cap) {
		size_t cap = b->ends_cap ? b->ends_cap * 2 : 256;
		size_t *ne = realloc(b->ends, cap * sizeof(*ne));
		if (ne)
			b->ends = ne;
		unsigned *nt = ne ? realloc(b->tags, cap * sizeof(*nt)) : NULL;
		if (nt)
			b->tags = nt;
		if (!ne || !nt) { /* cannot track it: count it as lost at the next flush */
			b->untracked++;
			b->tag = 0;
			return;
		}
		b->ends_cap = cap;
	}
	b->tags[b->nends] = b->tag;
	b->ends[b->nends++] = b->len;
	b->tag = 0;
}

int tpl_batch_writable(const struct tpl_batch *b)
{
	struct pollfd p = { .fd = b->fd, .events = POLLOUT };
	return b->regular || (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT));
}

static void batch_reset(struct tpl_batch *b)
{
	b->len = 0;
	b->nends = 0;
	b->untracked = 0;
}

/* Writes buf[start, end) to the fd; returns the bytes that got there
 * (all of them unless b->err is set). */
static size_t write_range(struct tpl_batch *b, size_t start, size_t end)
{
	size_t done = 0;
	while (start + done < end) {
		ssize_t w = write(b->fd, b->buf + start + done, end - start - done);
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
	return done;
}

/* Where in the file the next write lands: with O_APPEND, its size (the
 * file may have been cut by someone else, as logrotate's copytruncate
 * does). */
static off_t file_position(struct tpl_batch *b)
{
	struct stat st;
	if (b->regular && b->append && fstat(b->fd, &st) == 0)
		return st.st_size;
	return b->offset;
}

/* The end (exclusive event index) of the next chunk starting at event ev,
 * byte start: with a limit, the events that fit in the room left (at
 * least one); without, all of them. May rotate first. */
static size_t next_chunk(struct tpl_batch *b, size_t ev, size_t start, int *nolimit)
{
	if (!b->limit || *nolimit || ev >= b->nends)
		return b->nends;
	off_t room = b->limit - b->offset;
	if (b->offset > 0 && (off_t)(b->ends[ev] - start) > room) {
		if (b->rotate && b->rotate(b, b->rotate_ctx) == 0) {
			b->offset = file_position(b);
			room = b->limit - b->offset;
		} else { /* cannot rotate: write on, try again next flush */
			*nolimit = 1;
			return b->nends;
		}
	}
	size_t k = ev + 1;
	while (k < b->nends && (off_t)(b->ends[k] - start) <= room)
		k++;
	return k;
}

int tpl_batch_flush(struct tpl_batch *b)
{
	size_t start = 0, ev = 0;
	int nolimit = 0;

	if (b->err && b->keep_going)
		b->err = 0;
	if (b->err) { /* the fd failed before: whatever is here is lost */
		b->lost += b->nends + b->untracked;
		batch_reset(b);
		return -1;
	}
	while (start < b->len) {
		size_t k = next_chunk(b, ev, start, &nolimit);
		/* the last chunk takes what follows the last end too */
		size_t end = k == b->nends ? b->len : b->ends[k - 1];
		off_t at = file_position(b);
		size_t done = write_range(b, start, end);
		/* events of the chunk wholly written */
		size_t whole = ev;
		while (whole < k && b->ends[whole] <= start + done)
			whole++;
		b->written += whole - ev;
		if (b->on_written && whole > ev)
			b->on_written(b->written_ctx, b->tags + ev, whole - ev);
		if (b->err) {
			b->lost += b->nends - whole;
			size_t keep = (whole > 0 ? b->ends[whole - 1] : 0);
			if (keep < start)
				keep = start;
			/* no partial line in a file */
			if (done > keep - start && b->regular &&
			    ftruncate(b->fd, at + (off_t)(keep - start)) == 0 && !b->append)
				lseek(b->fd, at + (off_t)(keep - start), SEEK_SET);
			b->offset = at + (off_t)(keep - start);
			break;
		}
		b->offset = at + (off_t)done;
		start = end;
		ev = k;
	}
	b->lost += b->untracked;
	batch_reset(b);
	return b->err ? -1 : 0;
}

void tpl_batch_fini(struct tpl_batch *b)
{
	if (b->f)
		fclose(b->f);
	free(b->buf);
	free(b->ends);
	free(b->tags);
	memset(b, 0, sizeof(*b));
}
