/* dir.c: see dir.h.
 *
 * The objects of the directory are entries sorted by file name. A rescan
 * works in three steps, so that events are neither lost nor unattached
 * during a change:
 *   1. start the new and changed objects (attached from now on);
 *   2. detach the removed and replaced ones and drain every ring buffer
 *      through the current ring set (ring.h);
 *   3. build a new set over the objects now in use, then close the
 *      old ones.
 * A ring set has no removal (a rescan is rare), hence the rebuild. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sha256.h"
#include "digest.h"
#include "dir.h"
#include "pevents.h"
#include "fdsweep.h"
#include "keep.h"
#include "log.h"
#include "procs.h"
#include "metrics.h"
#include "notify.h"
#include "safefile.h"

struct entry {
	char *name; /* file name inside the directory */
	char *path; /* dir/name; tpl_obj keeps a pointer to it */
	char digest[SHA256_HEX_LEN + 1];
	struct tpl_obj *obj;
	int nhooks;
};

struct dir_state {
	const struct tpl_dir_opts *o;
	struct tpl_dir_totals *t;
	struct entry *v; /* sorted by name */
	int n;
	struct tpl_rings *rb;
	int dirfd; /* the directory, held open: renaming a parent swaps nothing */
};

static volatile sig_atomic_t reload;

static void on_hup(int sig)
{
	(void)sig;
	reload = 1;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Sorted names of the regular files (symlinks followed, as a Kubernetes
 * ConfigMap volume uses them) named *.bpf.o, hidden ones excepted. */
static int list_objects(int dirfd, const char *dir, char ***out, int *nout)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **names = NULL;
	int n = 0, cap = 0;

	if (!d) {
		tpl_err("%s: cannot read the policy directory: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".bpf.o"))
			continue;
		if (fstatat(dirfd, de->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
			if (!nn)
				goto oom;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*nout = n;
	return 0;
oom:
	closedir(d);
	free_names(names, n);
	tpl_err("out of memory");
	return -1;
}

/* The digest of dir/name, read as an object is (safefile.h); -1 with the
 * reason printed. */
static int file_digest(struct dir_state *s, const char *name, const char *path, char hex[SHA256_HEX_LEN + 1])
{
	char err[640];
	void *buf;
	size_t len;
	int fd = tpl_open_file(s->dirfd, name), rc;

	if (fd < 0) {
		if (errno == EXDEV)
			tpl_err("%s: %s", path, tpl_open_strerror(errno));
		else
			tpl_err("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rc = tpl_read_fd(fd, path, TPL_MAX_OBJECT, 1, &buf, &len, err, sizeof(err));
	close(fd);
	if (rc) {
		tpl_err("%s", err);
		return -1;
	}
	sha256_hex(buf, len, hex);
	free(buf);
	return 0;
}

static struct entry *find(struct dir_state *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].name && strcmp(s->v[i].name, name) == 0) /* NULL: taken */
			return &s->v[i];
	return NULL;
}

/* Opens and attaches dir/name; NULL (reported) on failure. */
static struct tpl_obj *start_object(struct dir_state *s, const char *name, const char *path,
				    const char *digest, int *nhooks)
{
	struct tpl_obj *obj;

	/* --require-digest is checked by tpl_obj_open on the bytes it loads
	 * (digest, from the scan, only tells changed files apart) */
	(void)digest;
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		tpl_err("out of memory");
		return NULL;
	}
	*nhooks = 0;
	if (tpl_obj_open(obj, s->dirfd, name, path) || tpl_obj_start(obj, s->o->attach, nhooks) ||
	    (s->o->adopt && s->o->adopt(obj))) {
		tpl_obj_close(obj);
		free(obj);
		return NULL;
	}
	tpl_metrics_add_object(obj, *nhooks);
	return obj;
}

/* Counts an object's losses into the totals and frees it. */
static void retire_object(struct dir_state *s, struct tpl_obj *obj)
{
	s->t->lost += tpl_obj_lost(obj);
	s->t->missed += tpl_obj_missed(obj);
	s->t->enforcers |= obj->missed_fd >= 0;
	s->t->malformed += obj->malformed;
	tpl_metrics_remove_object(obj);
	tpl_obj_close(obj);
	free(obj);
}

static int rebuild_ring(struct dir_state *s)
{
	tpl_rings_free(s->rb);
	s->rb = NULL;
	for (int i = 0; i < s->n; i++) {
		struct tpl_obj *obj = s->v[i].obj;
		int err;
		if (!s->rb)
			s->rb = tpl_rings_new();
		err = s->rb ? tpl_rings_add(s->rb, obj->events_fd, s->o->on_event, obj) : -errno;
		if (err) {
			tpl_err("%s: cannot open ring buffer %s: %s", s->v[i].path, TPC_MAP_EVENTS,
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

static void drain(struct dir_state *s)
{
	if (!*s->o->no_more || *s->o->output_failed) {
		int err = tpl_events_drain(s->rb);
		if (err < 0 && err != -EINTR)
			tpl_err("draining the ring buffers: %s", strerror(-err));
	}
	s->o->flush();
}

/* Moves an entry out of the current list (its slot is left empty). */
static struct entry take(struct entry *e)
{
	struct entry out = *e;
	memset(e, 0, sizeof(*e));
	return out;
}

static void free_entry(struct entry *e)
{
	free(e->name);
	free(e->path);
}

struct counts {
	int added, replaced, removed, failed;
};

/* Reads the directory again and applies the changes (see the top of the
 * file). Returns -1 when the ring buffers cannot be rebuilt (fatal). */
static int rescan(struct dir_state *s, struct counts *k)
{
	char **names = NULL;
	int nnames = 0, nnew = 0, nold = 0, rc = 0;
	struct entry *nv, *old;

	char err[640];

	memset(k, 0, sizeof(*k));
	/* checked at every scan: a directory opened up later loads nothing */
	if (tpl_check_dir(s->dirfd, s->o->dir, err, sizeof(err))) {
		tpl_err("%s; what runs stays, nothing is loaded", err);
		k->failed = 1;
		return 0;
	}
	if (list_objects(s->dirfd, s->o->dir, &names, &nnames))
		return 0; /* reported; what runs stays */
	nv = calloc((size_t)nnames + 1, sizeof(*nv));
	old = calloc((size_t)s->n + 1, sizeof(*old)); /* replaced or removed */
	if (!nv || !old) {
		free(nv);
		free(old);
		free_names(names, nnames);
		tpl_err("out of memory");
		return 0;
	}

	/* step 1: start what is new or changed, keep the rest */
	for (int i = 0; i < nnames; i++) {
		struct entry *cur = find(s, names[i]);
		struct entry e = { 0 };
		e.path = join(s->o->dir, names[i]);
		if (!e.path || file_digest(s, names[i], e.path, e.digest)) {
			k->failed++;
			free(e.path);
			if (cur)
				nv[nnew++] = take(cur);
			continue;
		}
		if (cur && strcmp(cur->digest, e.digest) == 0) {
			free(e.path);
			nv[nnew++] = take(cur);
			continue;
		}
		e.obj = start_object(s, names[i], e.path, e.digest, &e.nhooks);
		if (!e.obj) {
			tpl_err("%s: not loaded%s", e.path,
				cur ? "; its previous version stays attached" : "");
			k->failed++;
			free(e.path);
			if (cur)
				nv[nnew++] = take(cur);
			continue;
		}
		e.name = names[i];
		names[i] = NULL;
		if (cur) {
			old[nold++] = take(cur);
			k->replaced++;
			tpl_info("%s: replaced %s (%d hooks)", s->o->dir, e.name, e.nhooks);
		} else {
			k->added++;
			tpl_info("%s: added %s (%d hooks)", s->o->dir, e.name, e.nhooks);
		}
		nv[nnew++] = e;
	}
	free_names(names, nnames);
	for (int i = 0; i < s->n; i++) {
		if (!s->v[i].name)
			continue;
		tpl_info("%s: removed %s", s->o->dir, s->v[i].name);
		k->removed++;
		old[nold++] = take(&s->v[i]);
	}

	/* step 2: the old versions stop; what they already produced is
	 * printed. A policy the directory dropped or replaced goes for good:
	 * its --keep-on-exit pins too. */
	for (int i = 0; i < nold; i++) {
		tpl_keep_unpin(old[i].obj);
		tpl_obj_detach(old[i].obj);
	}
	if (nold)
		drain(s);

	/* step 3: the new list, its ring buffers, and the old objects freed */
	free(s->v);
	s->v = nv;
	s->n = nnew;
	if (k->added || k->replaced || k->removed || !s->rb)
		rc = rebuild_ring(s);
	for (int i = 0; i < nold; i++) {
		retire_object(s, old[i].obj);
		free_entry(&old[i]);
	}
	free(old);
	return rc;
}

static int total_hooks(const struct dir_state *s)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->v[i].nhooks;
	return n;
}

/* What /healthz and the service manager are told after a scan. */
static void report_state(const struct dir_state *s, const struct counts *k, int reload)
{
	char why[160];
	if (k->failed)
		snprintf(why, sizeof(why), "%d object%s of %s failed to load", k->failed, k->failed == 1 ? "" : "s",
			 s->o->dir);
	tpl_metrics_health(!k->failed, k->failed ? why : "ok");
	tpl_notify("READY=1\nSTATUS=%d hooks from %d objects attached%s%s", total_hooks(s), s->n,
		   k->failed ? "; " : "", k->failed ? why : "");
	(void)reload;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int tpl_dir_run(const struct tpl_dir_opts *o, struct tpl_dir_totals *t)
{
	struct dir_state s = { .o = o, .t = t };
	struct sigaction sa;
	struct counts k;
	double deadline = o->timeout > 0 ? now_mono() + o->timeout : 0;
	int rc = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup; /* no SA_RESTART: a SIGHUP ends the poll at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);

	char **probe, err[640];
	int nprobe;
	s.dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.dirfd < 0) {
		tpl_err("%s: cannot read the policy directory: %s", o->dir, strerror(errno));
		return 1;
	}
	if (tpl_check_dir(s.dirfd, o->dir, err, sizeof(err))) {
		tpl_err("%s", err);
		close(s.dirfd);
		return 1;
	}
	if (tpl_check_kernel(1) || list_objects(s.dirfd, o->dir, &probe, &nprobe)) {
		close(s.dirfd);
		return 1;
	}
	free_names(probe, nprobe);
	t->started = 1;
	int bad = rescan(&s, &k);
	tpl_seed_forget(); /* what the objects' seeds shared */
	if (bad)
		goto out;
	{
		const struct tpl_obj **ps = calloc((size_t)s.n + 1, sizeof(*ps));
		for (int i = 0; ps && i < s.n; i++)
			ps[i] = s.v[i].obj;
		if (ps)
			tpl_keep_report_others(ps, s.n);
		free(ps);
	}
	tpl_info("attached %d hooks from %d objects in %s", total_hooks(&s), s.n, o->dir);
	report_state(&s, &k, 0);

	double next_sweep = now_mono() + 1;
	while (!*o->stop) {
		int ms = TPL_POLL_MS, err;
		if (o->tick)
			o->tick();
		if (now_mono() >= next_sweep) { /* FollowFD entries of exited processes */
			for (int i = 0; i < s.n; i++)
				tpl_fd_sweep(s.v[i].obj);
			next_sweep = now_mono() + 1;
		}
		if (reload) {
			reload = 0;
			if (o->on_hup) /* the export file: reopened (logrotate) */
				o->on_hup();
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			/* MONOTONIC_USEC: what Type=notify-reload units check */
			tpl_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
				   (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000, o->dir);
			bad = rescan(&s, &k);
			tpl_seed_forget();
			if (bad)
				goto out;
			tpl_info("reloaded %s: %d objects, %d hooks (%d added, %d replaced, %d removed, %d failed)",
				 o->dir, s.n, total_hooks(&s), k.added, k.replaced, k.removed, k.failed);
			report_state(&s, &k, 1);
			continue;
		}
		if (deadline) {
			double left = deadline - now_mono();
			if (left <= 0)
				break;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		/* process events, then the policies' (nothing loaded: wait for
		 * a SIGHUP or the end) */
		err = tpl_events_poll(s.rb, ms);
		if (err < 0 && err != -EINTR) {
			tpl_err("polling the ring buffers: %s", strerror(-err));
			goto out;
		}
		if (err > 0)
			o->flush(); /* printers do not flush per event */
	}
	rc = 0;
out:
	/* as for plain objects: detach everything, then print what is left */
	tpl_metrics_health(0, "stopping");
	tpl_notify("STOPPING=1");
	/* --keep-on-exit: the pins hold the hooks attached (keep.h) */
	for (int i = 0; i < s.n && !tpl_keep_on_exit; i++)
		tpl_obj_detach(s.v[i].obj);
	tpl_pev_detach();
	drain(&s);
	tpl_rings_free(s.rb);
	for (int i = 0; i < s.n; i++) {
		retire_object(&s, s.v[i].obj);
		free_entry(&s.v[i]);
	}
	free(s.v);
	close(s.dirfd);
	return rc;
}
