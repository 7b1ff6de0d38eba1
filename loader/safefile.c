/* safefile.c: see safefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "safefile.h"

/* Whoever owns an object or can write it decides what tp-load, as root,
 * attaches: root, or tp-load's own user, and nobody else. */
static int planted(const struct stat *st, const char *path, const char *what, char *err, size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen,
			 "%s: refusing a %s owned by uid %u: its owner could plant objects that tp-load runs "
			 "as root (chown root %s)",
			 path, what, (unsigned)st->st_uid, path);
		return 1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s: refusing a %s that group or others can write (mode %04o): they could plant "
			 "objects that tp-load runs as root (chmod go-w %s)",
			 path, what, (unsigned)(st->st_mode & 07777), path);
		return 1;
	}
	return 0;
}

int tpl_check_dir(int dirfd, const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(dirfd, &st)) {
		snprintf(err, errlen, "%s: cannot read the policy directory: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	return planted(&st, dir, "policy directory", err, errlen) ? -1 : 0;
}

int tpl_open_file(int dirfd, const char *name)
{
	if (dirfd < 0)
		return open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
}

const char *tpl_open_strerror(int e)
{
	return e == EXDEV ? "refusing a symbolic link that leads out of the policy directory" : strerror(e);
}

int tpl_read_fd(int fd, const char *path, size_t max, int strict, void **buf, size_t *len, char *err,
		size_t errlen)
{
	struct stat st;
	*buf = NULL;
	*len = 0;
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (strict && planted(&st, path, "file", err, errlen))
		return -1;
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, errlen, "%s: %lld bytes, more than %zu: not a tpc object", path, (long long)st.st_size,
			 max);
		return -1;
	}
	/* the size from fstat, and no more: a file that grows meanwhile is cut */
	size_t want = (size_t)st.st_size;
	char *b = malloc(want ? want : 1);
	if (!b) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	size_t got = 0;
	while (got < want) {
		ssize_t n = read(fd, b + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
			free(b);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*buf = b;
	*len = got;
	return 0;
}
