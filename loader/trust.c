/* trust.c: see trust.h.
 *
 * --require-digest proves that an object is the one its .sha256 names,
 * not who made it: whoever can write the policy directory can write both.
 * A signature by a key whose private half only the build holds proves
 * authorship, as long as the set of trusted public keys is itself out of
 * reach: like sshd's StrictModes, the key directory and every key in it
 * must be root's and writable by no one else, and keys are opened
 * relative to the directory without following symlinks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sign.h"
#include "trust.h"

#define KEY_FILE_MAX 65536

struct trusted {
	struct tpc_key *key;
	char *file; /* DIR/NAME.pub, for messages */
};

static struct trusted *keys;
static int nkeys;
static char *keydir;

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Owned by root and writable by no one else: 0, else prints why not
 * (what names the directory or the file in it). */
static int strict_mode(const char *dir, const char *what, const struct stat *st)
{
	if (st->st_uid != 0) {
		tpl_err("--trusted-keys %s: refused: %sowned by uid %u, not root", dir, what, (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		tpl_err("--trusted-keys %s: refused: %swritable by group or others (mode %04o)", dir, what,
			(unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Reads and parses DIR/name (dfd is DIR). */
static int load_key(const char *dir, int dfd, const char *name)
{
	char what[600], why[256], *text = NULL, *file = NULL;
	struct stat st;
	int fd, rc = -1;
	ssize_t n;

	snprintf(what, sizeof(what), "%s is ", name);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			tpl_err("--trusted-keys %s: refused: %s is a symbolic link", dir, name);
		else
			tpl_err("--trusted-keys %s: cannot open %s: %s", dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		tpl_err("--trusted-keys %s: cannot read %s: %s", dir, name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		tpl_err("--trusted-keys %s: refused: %s is not a regular file", dir, name);
		goto out;
	}
	if (strict_mode(dir, what, &st))
		goto out;
	if (st.st_size > KEY_FILE_MAX) {
		tpl_err("--trusted-keys %s: %s: longer than a public key (%lld bytes)", dir, name, (long long)st.st_size);
		goto out;
	}
	text = malloc(KEY_FILE_MAX + 1);
	file = malloc(strlen(dir) + strlen(name) + 2);
	if (!text || !file) {
		tpl_err("out of memory");
		goto out;
	}
	sprintf(file, "%s/%s", dir, name);
	size_t len = 0;
	while (len <= KEY_FILE_MAX && (n = read(fd, text + len, KEY_FILE_MAX + 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tpl_err("--trusted-keys %s: cannot read %s: %s", dir, name, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	struct tpc_key *k = tpc_key_parse_public(text, len, why, sizeof(why));
	if (!k) {
		tpl_err("--trusted-keys %s: %s: %s (make it with: openssl pkey -in KEY.pem -pubout -out %s)", dir,
			name, why, name);
		goto out;
	}
	struct trusted *nk = realloc(keys, sizeof(*keys) * (size_t)(nkeys + 1));
	if (!nk) {
		tpc_key_free(k);
		tpl_err("out of memory");
		goto out;
	}
	keys = nk;
	keys[nkeys].key = k;
	keys[nkeys].file = file;
	file = NULL;
	nkeys++;
	rc = 0;
out:
	free(text);
	free(file);
	close(fd);
	return rc;
}

int tpl_trusted_keys_load(const char *dir)
{
	struct stat st;
	char **names = NULL;
	int n = 0, rc = -1;
	DIR *d = NULL;
	int dfd;

	tpl_trusted_keys_free(); /* the last --trusted-keys counts */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		tpl_err("--trusted-keys %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(dfd, &st)) {
		tpl_err("--trusted-keys %s: %s", dir, strerror(errno));
		goto out;
	}
	if (strict_mode(dir, "", &st))
		goto out;
	int lfd = dup(dfd);
	d = lfd >= 0 ? fdopendir(lfd) : NULL;
	if (!d) {
		if (lfd >= 0)
			close(lfd);
		tpl_err("--trusted-keys %s: cannot list it: %s", dir, strerror(errno));
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".pub"))
			continue;
		char **nn = realloc(names, sizeof(*names) * (size_t)(n + 1));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			tpl_err("out of memory");
			goto out;
		}
		names = nn;
		n++;
	}
	if (n) /* qsort's base may not be NULL, even for no elements */
		qsort(names, (size_t)n, sizeof(*names), cmp_names);
	for (int i = 0; i < n; i++)
		if (load_key(dir, dfd, names[i]))
			goto out;
	if (!nkeys) {
		tpl_err("--trusted-keys %s: no public keys (*.pub) in it", dir);
		goto out;
	}
	keydir = strdup(dir);
	if (!keydir) {
		tpl_err("out of memory");
		goto out;
	}
	static int registered;
	if (!registered++)
		atexit(tpl_trusted_keys_free); /* whatever path main leaves by */
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	close(dfd);
	if (rc)
		tpl_trusted_keys_free();
	return rc;
}

void tpl_trusted_keys_free(void)
{
	for (int i = 0; i < nkeys; i++) {
		tpc_key_free(keys[i].key);
		free(keys[i].file);
	}
	free(keys);
	keys = NULL;
	nkeys = 0;
	free(keydir);
	keydir = NULL;
}

/* OBJ.sig's text, at most TPC_SIG_TEXT_MAX bytes; a FIFO or a device is
 * never read (it could block or never end). -1 reported. */
static int read_sig(const char *obj, const char *path, char *text, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* symlinks: ConfigMap volumes use them */
	ssize_t n;

	if (fd < 0) {
		if (errno == ENOENT)
			tpl_err("%s: refused: no signature file %s (--trusted-keys)", obj, path);
		else
			tpl_err("%s: refused: cannot read %s: %s", obj, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		tpl_err("%s: refused: %s is not a regular file", obj, path);
		close(fd);
		return -1;
	}
	*len = 0;
	while (*len < TPC_SIG_TEXT_MAX && (n = read(fd, text + *len, TPC_SIG_TEXT_MAX - *len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tpl_err("%s: refused: cannot read %s: %s", obj, path, strerror(errno));
			close(fd);
			return -1;
		}
		*len += (size_t)n;
	}
	close(fd);
	return 0;
}

int tpl_trust_check(const char *obj, const void *image, size_t len)
{
	char text[TPC_SIG_TEXT_MAX], id[TPC_KEY_ID_LEN + 1];
	unsigned char sig[TPC_SIG_LEN];
	size_t tlen;
	int rc = -1;

	if (!nkeys)
		return 0;
	size_t n = strlen(obj) + sizeof(".sig");
	char *path = malloc(n);
	if (!path) {
		tpl_err("out of memory");
		return -1;
	}
	snprintf(path, n, "%s.sig", obj);
	if (read_sig(obj, path, text, &tlen))
		goto out;
	if (tpc_sig_parse(text, tlen, id, sig)) {
		tpl_err("%s: refused: %s is not a tpc signature (one line: ed25519 key=sha256:<hex> sig=<base64>)", obj,
			path);
		goto out;
	}
	for (int i = 0; i < nkeys; i++) {
		if (strcmp(tpc_key_id(keys[i].key), id))
			continue;
		if (tpc_sig_verify(keys[i].key, image, len, sig)) {
			rc = 0;
			goto out;
		}
		tpl_err("%s: refused: bad signature: %s does not sign these bytes with key %s (%s)", obj, path, id,
			keys[i].file);
		goto out;
	}
	tpl_err("%s: refused: %s is signed by key %s, which is not in --trusted-keys %s", obj, path, id, keydir);
out:
	free(path);
	return rc;
}
