/* keep.c: see keep.h.
 *
 * Layout, all written by tp-load only:
 *   TPC_PIN_DIR/keep/<sha256>/hook-N   the links of the object's hooks
 *                            /proc-N   of the process tracking it relies on
 *                            /events   its event ring buffer
 *                            /lost     its lost counter (tpc_lost)
 *                            /missed   its missed-verdict counter (tpc_missed), with enforcers
 * Paths are used through /proc/self/fd/DIRFD/NAME once DIRFD was opened
 * and checked, so no component is looked up twice by name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "keep.h"
#include "log.h"

#define SHA256_HEX 65

int tpl_keep_on_exit;

/* The sha256 this tp-load pinned: a second object of the same bytes
 * (given twice, or two names in --dir) is not pinned again, and must
 * not take the first one's pins for a previous tp-load's. */
static char (*mine)[SHA256_HEX];
static int nmine;

static int is_mine(const char *sha)
{
	for (int i = 0; i < nmine; i++)
		if (!strcmp(mine[i], sha))
			return i;
	return -1;
}

/* Opens name below at as a directory of ours: bpffs, root's, writable by
 * no one else, not a symlink. -1 with errno (ENOENT: absent); a directory
 * that fails the checks is said and is EPERM. */
static int our_dir(int at, const char *name, const char *shown)
{
	struct stat st;
	struct statfs sf;
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			tpl_err("%s: %s (not a directory of tp-load's: left alone)", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || fstatfs(fd, &sf) || sf.f_type != BPF_FS_MAGIC || st.st_uid != 0 ||
	    (st.st_mode & 022)) {
		tpl_err("%s: not a directory of tp-load's (bpffs, owned by root, writable by no one else): left alone",
			shown);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* The keep directory, made when create. -1: absent or refused. */
static int keep_dir(int create)
{
	int root = our_dir(AT_FDCWD, TPC_PIN_DIR, TPC_PIN_DIR), fd;

	if (root < 0)
		return -1;
	if (create && mkdirat(root, "keep", 0700) && errno != EEXIST) {
		tpl_err("%s: %s", TPL_KEEP_DIR, strerror(errno));
		close(root);
		return -1;
	}
	fd = our_dir(root, "keep", TPL_KEEP_DIR);
	close(root);
	return fd;
}

/* "events", "lost", "missed", "hook-N" or "proc-N": the names tp-load writes */
static int our_name(const char *n)
{
	const char *d;
	if (!strcmp(n, "events") || !strcmp(n, "lost") || !strcmp(n, "missed"))
		return 1;
	if (!strncmp(n, "hook-", 5))
		d = n + 5;
	else if (!strncmp(n, "proc-", 5))
		d = n + 5;
	else
		return 0;
	if (!*d || strlen(d) > 5)
		return 0;
	for (; *d; d++)
		if (*d < '0' || *d > '9')
			return 0;
	return 1;
}

/* What kind of BPF object fd is: "bpf-link", "bpf-map" (its anon
 * inode's name), else "". */
static void fd_kind(int fd, char *kind, size_t len)
{
	char p[64], t[64];
	ssize_t n;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = 0;
	snprintf(kind, len, "%s", strncmp(t, "anon_inode:", 11) ? "" : t + 11);
}

static void old_init(struct tpl_keep_old *old)
{
	old->events_fd = old->lost_fd = old->missed_fd = -1;
	old->nlinks = 0;
}

void tpl_keep_old_detach(struct tpl_keep_old *old)
{
	for (int i = 0; i < old->nlinks; i++)
		close(old->links[i]);
	old->nlinks = 0;
}

void tpl_keep_old_close(struct tpl_keep_old *old)
{
	tpl_keep_old_detach(old);
	if (old->events_fd >= 0)
		close(old->events_fd);
	if (old->lost_fd >= 0)
		close(old->lost_fd);
	if (old->missed_fd >= 0)
		close(old->missed_fd);
	old_init(old);
}

/* Sum over CPUs of a per-CPU array[1] of u64 (tpc_lost, tpc_missed). */
static unsigned long long percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u32 key = 0;
	__u64 *v;

	if (fd < 0 || ncpus <= 0 || !(v = calloc(ncpus, sizeof(*v))))
		return 0;
	if (bpf_map_lookup_elem(fd, &key, v) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

unsigned long long tpl_keep_old_lost(const struct tpl_keep_old *old)
{
	return percpu_sum(old->lost_fd);
}

unsigned long long tpl_keep_old_missed(const struct tpl_keep_old *old)
{
	return percpu_sum(old->missed_fd);
}

/* Takes every pin of dir (shown): fds into old, then removes the pins
 * and dir itself (below keep). 0, or -1 (said; nothing removed) when an
 * entry is not one tp-load wrote. */
static int take(int keep, int dir, const char *sha, const char *shown, struct tpl_keep_old *old)
{
	DIR *d = fdopendir(dup(dir));
	struct dirent *e;
	int rc = 0;

	if (!d) {
		tpl_err("%s: %s", shown, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;
		char path[320], kind[64];
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!our_name(e->d_name) || fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != 0) {
			tpl_err("%s/%s: not a pin of tp-load's: the directory is left alone", shown, e->d_name);
			rc = -1;
			break;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			tpl_err("%s/%s: %s", shown, e->d_name, strerror(errno));
			rc = -1;
			break;
		}
		fd_kind(fd, kind, sizeof(kind));
		int is_link = e->d_name[0] == 'h' || e->d_name[0] == 'p';
		if (strcmp(kind, is_link ? "bpf-link" : "bpf-map") ||
		    (is_link && old->nlinks >= TPL_MAX_LINKS)) {
			tpl_err("%s/%s: not the %s tp-load pinned: the directory is left alone", shown, e->d_name,
				is_link ? "link" : "map");
			close(fd);
			rc = -1;
			break;
		}
		if (is_link)
			old->links[old->nlinks++] = fd;
		else if (!strcmp(e->d_name, "events") && old->events_fd < 0)
			old->events_fd = fd;
		else if (!strcmp(e->d_name, "lost") && old->lost_fd < 0)
			old->lost_fd = fd;
		else if (!strcmp(e->d_name, "missed") && old->missed_fd < 0)
			old->missed_fd = fd;
		else
			close(fd);
	}
	if (rc) {
		closedir(d);
		tpl_keep_old_close(old);
		return -1;
	}
	/* every pin is held by an fd now: removing them detaches nothing yet */
	rewinddir(d);
	while ((e = readdir(d)))
		if (our_name(e->d_name) && unlinkat(dir, e->d_name, 0))
			tpl_err("%s/%s: cannot remove: %s", shown, e->d_name, strerror(errno));
	closedir(d);
	if (unlinkat(keep, sha, AT_REMOVEDIR))
		tpl_err("%s: cannot remove: %s", shown, strerror(errno));
	return 0;
}

static int pin_one(int dir, const char *shown, const char *name, int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir, name);
	if (bpf_obj_pin(fd, path)) {
		tpl_err("%s/%s: cannot pin: %s", shown, name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Pins o's links and maps in keep/<sha>. 0, or -1 (said; nothing left). */
static int pin(int keep, struct tpl_obj *o, const char *shown)
{
	const int *pl;
	int npl = tpl_obj_proc_links(o, &pl), dir, rc = 0;
	char name[16];

	if (mkdirat(keep, o->sha256, 0700)) {
		tpl_err("%s: %s", shown, strerror(errno));
		return -1;
	}
	if ((dir = our_dir(keep, o->sha256, shown)) < 0)
		return -1;
	rc |= pin_one(dir, shown, "events", o->events_fd);
	rc |= pin_one(dir, shown, "lost", o->lost_fd);
	/* verdicts the kept enforcers miss while no tp-load runs are counted */
	if (o->missed_fd >= 0)
		rc |= pin_one(dir, shown, "missed", o->missed_fd);
	for (int i = 0; !rc && i < npl; i++) {
		snprintf(name, sizeof(name), "proc-%d", i);
		rc |= pin_one(dir, shown, name, pl[i]);
	}
	for (int i = 0; !rc && i < o->nlinks; i++) {
		snprintf(name, sizeof(name), "hook-%d", i);
		rc |= pin_one(dir, shown, name, o->links[i]);
	}
	close(dir);
	o->pinned = 1;
	if (rc) {
		tpl_keep_unpin(o);
		return rc;
	}
	void *m = realloc(mine, sizeof(*mine) * (size_t)(nmine + 1));
	if (m) { /* else: only the duplicate check misses it */
		mine = m;
		memcpy(mine[nmine++], o->sha256, SHA256_HEX);
	}
	return 0;
}

int tpl_keep_start(struct tpl_obj *o, struct tpl_keep_old *old, int *found)
{
	char shown[sizeof(TPL_KEEP_DIR) + 80];
	int keep = keep_dir(tpl_keep_on_exit), dir, rc = 0;

	old_init(old);
	*found = 0;
	snprintf(shown, sizeof(shown), "%s/%s", TPL_KEEP_DIR, o->sha256);
	if (is_mine(o->sha256) >= 0) {
		tpl_warn("%s: the same bytes as an object already pinned in %s: not pinned again", o->path, shown);
		if (keep >= 0)
			close(keep);
		return 0;
	}
	if (keep < 0)
		return tpl_keep_on_exit || errno != ENOENT ? -1 : 0;
	dir = our_dir(keep, o->sha256, shown);
	if (dir >= 0) {
		rc = take(keep, dir, o->sha256, shown, old);
		close(dir);
		*found = rc == 0;
	} else if (errno != ENOENT) {
		rc = -1;
	}
	if (rc == 0 && tpl_keep_on_exit)
		rc = pin(keep, o, shown);
	close(keep);
	return rc;
}

void tpl_keep_unpin(struct tpl_obj *o)
{
	char shown[sizeof(TPL_KEEP_DIR) + 80];
	struct tpl_keep_old old;
	int keep, dir, at = is_mine(o->sha256);

	if (!o->pinned)
		return; /* nothing of o's was pinned by this tp-load */
	o->pinned = 0;
	if (at >= 0)
		memmove(mine + at, mine + at + 1, sizeof(*mine) * (size_t)(--nmine - at));
	if ((keep = keep_dir(0)) < 0)
		return;
	snprintf(shown, sizeof(shown), "%s/%s", TPL_KEEP_DIR, o->sha256);
	old_init(&old);
	if ((dir = our_dir(keep, o->sha256, shown)) >= 0) {
		take(keep, dir, o->sha256, shown, &old);
		close(dir);
	}
	/* o's own fds still hold what it attached: the caller detaches */
	tpl_keep_old_close(&old);
	close(keep);
}

void tpl_keep_report_others(const struct tpl_obj *const *objs, int nobj)
{
	int keep = keep_dir(0);
	DIR *d;
	struct dirent *e;

	if (keep < 0 || !(d = fdopendir(keep))) {
		if (keep >= 0)
			close(keep);
		return;
	}
	while ((e = readdir(d))) {
		int mine = e->d_name[0] == '.';
		for (int i = 0; !mine && i < nobj; i++)
			mine = !strcmp(e->d_name, objs[i]->sha256);
		if (!mine)
			tpl_warn("%s/%s: pins of an object not loaded now (another version of a policy?) keep it "
				 "attached; tp-load leaves them (rm -r the directory to detach it)",
				 TPL_KEEP_DIR, e->d_name);
	}
	closedir(d);
}
