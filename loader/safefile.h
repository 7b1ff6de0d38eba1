/* safefile.h: reading files tp-load runs as root on, when whoever planted
 * them may not be root: the policy directory must be root's and not
 * writable by others (as sshd's StrictModes asks of ~/.ssh), a file is
 * opened without following links out of its directory and without
 * blocking (a FIFO), checked with fstat (a regular file, not too large)
 * before a byte is read. */
#ifndef TPL_SAFEFILE_H
#define TPL_SAFEFILE_H

#include <stddef.h>

/* Largest object tp-load reads (an object is a few dozen KiB; a 16 GB
 * sparse file once took 88 s to read). */
#define TPL_MAX_OBJECT (64u << 20)

/* 0 when dirfd is a directory owned by root (or by tp-load's user) that
 * group and others cannot write; else -1 with the reason in err. Only
 * the directory itself: tp-load holds it open, so renaming a parent
 * does not swap it. */
int tpl_check_dir(int dirfd, const char *dir, char *err, size_t errlen);

/* Opens name read-only: below dirfd without leaving it (symlinks inside
 * it are followed: a Kubernetes ConfigMap volume is made of them), or,
 * dirfd < 0, the path as given. Never blocks on a FIFO. -1 with errno. */
int tpl_open_file(int dirfd, const char *name);

/* What to say of errno e from tpl_open_file: EXDEV is a link that leads
 * out of the directory. */
const char *tpl_open_strerror(int e);

/* Reads a whole regular file of at most max bytes from fd (closed by the
 * caller); strict: also refuses a file owned by someone other than root
 * or tp-load's user, or that group or others can write. -1 with a message
 * naming path in err. */
int tpl_read_fd(int fd, const char *path, size_t max, int strict, void **buf, size_t *len, char *err,
		size_t errlen);

#endif
