/* export.c: see export.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "export.h"
#include "log.h"

/* a backup's time: 2026-11-30T12-00-00.000 */
#define STAMP_LEN 23
/* room for a path, a stamp and suffixes */
#define PBUF (PATH_MAX * 2 + 64)

struct job {
	struct job *next;
	char path[];
};

static struct {
	struct tpl_export_opts o;
	char dir[PATH_MAX];  /* the file's directory */
	char prefix[256];    /* its name up to the extension, "events" */
	char ext[64];        /* ".json", or "" */
	int fd;
	unsigned rotate_failures;
	/* the backup worker: compresses and prunes */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	int stop, started;
	pthread_t th;
} X = { .fd = -1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* ---- backups ---- */

/* Is name prefix-STAMP ext, or that + ".gz"? */
static int is_backup(const char *name, int *gz)
{
	size_t pl = strlen(X.prefix), el = strlen(X.ext), n = strlen(name);
	if (n < pl + 1 + STAMP_LEN + el || strncmp(name, X.prefix, pl) != 0 || name[pl] != '-')
		return 0;
	const char *st = name + pl + 1;
	/* digits where a time has digits */
	static const char shape[] = "dddd-dd-ddTdd-dd-dd.ddd";
	for (int i = 0; i < STAMP_LEN; i++)
		if (shape[i] == 'd' ? (st[i] < '0' || st[i] > '9') : st[i] != shape[i])
			return 0;
	const char *rest = st + STAMP_LEN;
	if (strncmp(rest, X.ext, el) != 0)
		return 0;
	rest += el;
	*gz = strcmp(rest, ".gz") == 0;
	return *rest == '\0' || *gz;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the oldest backups beyond max_backups (the time in their names
 * sorts them). */
static void prune(void)
{
	if (!X.o.max_backups)
		return;
	DIR *d = opendir(X.dir);
	if (!d)
		return;
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int gz;
		if (!is_backup(de->d_name, &gz))
			continue;
		if (n == cap) {
			char **nv = realloc(v, sizeof(*v) * (cap = cap ? cap * 2 : 16));
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i + X.o.max_backups < n; i++) {
		char p[PBUF];
		snprintf(p, sizeof(p), "%s/%s", X.dir, v[i]);
		if (unlink(p) && errno != ENOENT)
			tpl_warn("%s: cannot delete an old backup: %s", p, strerror(errno));
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* path -> path.gz, then path is deleted; on failure path stays as it is. */
static void compress_file(const char *path)
{
	char tmp[PBUF + 16], gzpath[PBUF + 8];
	char buf[1 << 16];
	int in = open(path, O_RDONLY | O_CLOEXEC), out, ok = 0;
	ssize_t r;

	snprintf(tmp, sizeof(tmp), "%s.gz.tmp", path);
	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	if (in < 0)
		return;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, X.o.perm);
	gzFile gz = out >= 0 ? gzdopen(out, "wb6") : NULL;
	if (gz) {
		ok = 1;
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (gzwrite(gz, buf, (unsigned)r) != (int)r) {
				ok = 0;
				break;
			}
		if (r < 0)
			ok = 0;
		if (gzclose(gz) != Z_OK) /* closes out */
			ok = 0;
	} else if (out >= 0) {
		close(out);
	}
	close(in);
	if (ok && rename(tmp, gzpath) == 0) {
		unlink(path);
		return;
	}
	tpl_warn("%s: cannot compress it (kept as it is): %s", path, strerror(errno ? errno : EIO));
	unlink(tmp);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&X.mu);
	for (;;) {
		while (!X.head && !X.stop)
			pthread_cond_wait(&X.cv, &X.mu);
		struct job *j = X.head;
		if (!j)
			break; /* stopping, and nothing left */
		X.head = j->next;
		if (!X.head)
			X.tail = NULL;
		pthread_mutex_unlock(&X.mu);
		if (j->path[0] && X.o.compress)
			compress_file(j->path);
		prune();
		free(j);
		pthread_mutex_lock(&X.mu);
	}
	pthread_mutex_unlock(&X.mu);
	return NULL;
}

/* Queues a backup for compression (path may be "": prune only). */
static void queue(const char *path)
{
	struct job *j = malloc(sizeof(*j) + strlen(path) + 1);
	if (!j)
		return;
	j->next = NULL;
	strcpy(j->path, path);
	pthread_mutex_lock(&X.mu);
	if (!X.started) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		X.started = pthread_create(&X.th, NULL, worker, NULL) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (!X.started) { /* no thread: do it here */
		pthread_mutex_unlock(&X.mu);
		if (path[0] && X.o.compress)
			compress_file(path);
		prune();
		free(j);
		return;
	}
	if (X.tail)
		X.tail->next = j;
	else
		X.head = j;
	X.tail = j;
	pthread_cond_signal(&X.cv);
	pthread_mutex_unlock(&X.mu);
}

/* A backup left uncompressed by an earlier run (stopped mid-way), and
 * temporary files of compressions it did not finish. */
static void queue_leftovers(void)
{
	DIR *d = opendir(X.dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[PBUF];
		size_t n = strlen(de->d_name);
		int gz;
		snprintf(p, sizeof(p), "%s/%s", X.dir, de->d_name);
		if (n > 7 && strcmp(de->d_name + n - 7, ".gz.tmp") == 0) {
			char base[NAME_MAX + 1];
			snprintf(base, sizeof(base), "%.*s", (int)(n - 7), de->d_name);
			if (is_backup(base, &gz))
				unlink(p);
		} else if (is_backup(de->d_name, &gz) && !gz) {
			queue(p);
		}
	}
	closedir(d);
}

/* ---- the file ---- */

static int open_file(void)
{
	return open(X.o.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, X.o.perm);
}

int tpl_export_open(const struct tpl_export_opts *o)
{
	struct stat st;
	const char *slash = strrchr(o->path, '/');
	const char *base = slash ? slash + 1 : o->path;
	const char *dot = strrchr(base, '.');

	X.o = *o;
	if (!*base || strlen(o->path) >= PATH_MAX - 64) {
		tpl_err("--export-filename %s: not a file name", o->path);
		return -1;
	}
	if (slash)
		snprintf(X.dir, sizeof(X.dir), "%.*s", (int)(slash - o->path) ? (int)(slash - o->path) : 1, o->path);
	else
		snprintf(X.dir, sizeof(X.dir), ".");
	if (!dot || dot == base)
		dot = base + strlen(base);
	snprintf(X.prefix, sizeof(X.prefix), "%.*s", (int)(dot - base), base);
	snprintf(X.ext, sizeof(X.ext), "%s", dot);
	if (stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
		tpl_err("--export-filename %s: is a directory", o->path);
		return -1;
	}
	X.fd = open_file();
	if (X.fd < 0) {
		tpl_err("--export-filename %s: %s", o->path, strerror(errno));
		return -1;
	}
	if (fstat(X.fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		tpl_err("--export-filename %s: not a regular file", o->path);
		close(X.fd);
		X.fd = -1;
		return -1;
	}
	if (X.o.compress)
		queue_leftovers();
	return X.fd;
}

/* The backup name for now; one that exists already gets a later
 * millisecond. */
static int backup_name(char *out, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (int i = 0; i < 1000; i++) {
		long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + i;
		time_t sec = (time_t)(ms / 1000);
		struct tm tm;
		char stamp[32];
		gmtime_r(&sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H-%M-%S", &tm);
		snprintf(out, len, "%s/%s-%s.%03lld%s", X.dir, X.prefix, stamp, (long long)(ms % 1000), X.ext);
		char gz[PBUF + 8];
		snprintf(gz, sizeof(gz), "%s.gz", out);
		if (access(out, F_OK) != 0 && access(gz, F_OK) != 0)
			return 0;
	}
	return -1;
}

static int rotate(struct tpl_batch *b, void *ctx)
{
	char backup[PBUF];
	(void)ctx;

	if (backup_name(backup, sizeof(backup)) || renameat2(AT_FDCWD, X.o.path, AT_FDCWD, backup, RENAME_NOREPLACE)) {
		if (X.rotate_failures++ % 1000 == 0) /* said once in a while, not per batch */
			tpl_err("%s: cannot rotate (writing on past the size limit): %s", X.o.path, strerror(errno));
		return -1;
	}
	int fd = open_file();
	if (fd < 0) {
		int e = errno;
		/* put it back: events go on into the file they were going to */
		renameat2(AT_FDCWD, backup, AT_FDCWD, X.o.path, RENAME_NOREPLACE);
		if (X.rotate_failures++ % 1000 == 0)
			tpl_err("%s: cannot start a new file (writing on past the size limit): %s", X.o.path,
				strerror(e));
		return -1;
	}
	close(b->fd);
	tpl_batch_set_fd(b, fd);
	X.fd = fd;
	X.rotate_failures = 0;
	queue(X.o.compress ? backup : "");
	return 0;
}

void tpl_export_attach(struct tpl_batch *b)
{
	b->keep_going = 1;
	if (X.o.max_size_mb) {
		b->limit = (off_t)X.o.max_size_mb << 20;
		b->rotate = rotate;
	}
}

void tpl_export_reopen(struct tpl_batch *b, const char *why)
{
	int fd = open_file();
	if (fd < 0) {
		tpl_err("%s: cannot reopen %s (writing on to the file open): %s", why, X.o.path, strerror(errno));
		return;
	}
	close(b->fd);
	tpl_batch_set_fd(b, fd);
	X.fd = fd;
	tpl_info("%s: reopened %s", why, X.o.path);
}

void tpl_export_finish(void)
{
	pthread_mutex_lock(&X.mu);
	int started = X.started;
	X.stop = 1;
	pthread_cond_broadcast(&X.cv);
	pthread_mutex_unlock(&X.mu);
	if (started)
		pthread_join(X.th, NULL);
	X.started = 0;
}
