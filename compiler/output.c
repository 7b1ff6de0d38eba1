/* output.c: see tpc.h ("outputs").
 *
 * tpc runs in CI as whoever builds, often root, into directories others
 * may share, so writing the object must neither follow nor replace what
 * it should not:
 *   - a destination that exists and is not a regular file (/dev/null, a
 *     directory, a FIFO, a symbolic link) is refused, not replaced;
 *   - each file is written into a temporary that mkstemp creates
 *     (O_CREAT|O_EXCL: a planted symlink or file at its name is never
 *     followed or reused) in the destination's directory, then renamed
 *     over the destination;
 *   - the object, its .sha256 and its .sig are all written before any
 *     is renamed, and the renames happen under an exclusive flock of
 *     their directory, so two tpc runs writing the same object leave one
 *     run's files, never one's object with the other's digest;
 *   - a temporary is removed on every failure and on SIGINT, SIGTERM or
 *     SIGHUP (main.c calls outputs_abort before dying of the signal). */
#include "tpc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t tpc_signal;

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* A destination tpc may replace: absent, or a regular file. */
static int check_dest(const char *path, char **err)
{
	struct stat st;
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return 0;
	*err = xasprintf("cannot write %s: it is %s; tpc replaces only regular files", path, kind_of(st.st_mode));
	return -1;
}

static char *dir_of(const char *path)
{
	char *copy = xstrdup(path);
	char *d = xstrdup(dirname(copy));
	free(copy);
	return d;
}

int outputs_prepare(struct outputs *o, char **err)
{
	*err = NULL;
	for (int i = 0; i < o->n; i++) {
		o->v[i].fd = -1;
		o->v[i].tmp = NULL;
	}
	for (int i = 0; i < o->n; i++)
		if (check_dest(o->v[i].path, err))
			goto fail;
	for (int i = 0; i < o->n; i++) {
		struct output *f = &o->v[i];
		char *copy = xstrdup(f->path);
		char *dir = dir_of(f->path);
		/* hidden, and not named *.bpf.o: tp-load --dir never takes it
		 * for an object */
		f->tmp = xasprintf("%s/.%s.XXXXXX", dir, basename(copy));
		free(copy);
		free(dir);
		f->fd = mkstemp(f->tmp);
		if (f->fd < 0) {
			*err = xasprintf("cannot write %s: %s", f->path, strerror(errno));
			free(f->tmp);
			f->tmp = NULL;
			goto fail;
		}
		/* mkstemp makes 0600; the object is as readable as any file
		 * this user creates */
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(f->fd, 0666 & ~mask)) {
			*err = xasprintf("cannot write %s: %s", f->path, strerror(errno));
			goto fail;
		}
	}
	return 0;
fail:
	outputs_abort(o);
	return -1;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int outputs_commit(struct outputs *o, char **err)
{
	*err = NULL;
	for (int i = 0; i < o->n; i++) {
		struct output *f = &o->v[i];
		if (write_all(f->fd, f->data, f->len) || fsync(f->fd) || close(f->fd)) {
			f->fd = -1;
			*err = xasprintf("cannot write %s: %s", f->path, strerror(errno));
			outputs_abort(o);
			return -1;
		}
		f->fd = -1;
	}
	/* every output is beside the object: one directory, one lock */
	char *dir = dir_of(o->v[0].path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (dfd < 0) {
		*err = xasprintf("cannot write %s: %s: %s", o->v[0].path, dir, strerror(errno));
		rc = -1;
	}
	/* a file system without flock (some network ones) goes unlocked */
	while (!rc && flock(dfd, LOCK_EX) && errno == EINTR && !tpc_signal)
		;
	/* under the lock: nothing was put at a destination meanwhile that
	 * tpc must not replace, and no signal asked to stop */
	for (int i = 0; i < o->n && !rc; i++)
		rc = check_dest(o->v[i].path, err);
	if (!rc && tpc_signal) {
		*err = xasprintf("interrupted");
		rc = -1;
	}
	/* the object last: a reader that sees the new object sees its
	 * digest and signature */
	for (int i = o->n - 1; i >= 0 && !rc; i--) {
		struct output *f = &o->v[i];
		if (rename(f->tmp, f->path)) {
			*err = xasprintf("cannot write %s: %s", f->path, strerror(errno));
			rc = -1;
			break;
		}
		free(f->tmp);
		f->tmp = NULL;
	}
	if (!rc)
		fsync(dfd); /* the renames themselves are durable */
	if (dfd >= 0)
		close(dfd); /* and unlocked */
	free(dir);
	if (rc)
		outputs_abort(o);
	return rc;
}

void outputs_abort(struct outputs *o)
{
	for (int i = 0; i < o->n; i++) {
		struct output *f = &o->v[i];
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		if (f->tmp)
			unlink(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
}
