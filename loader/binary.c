/* binary.c: see binary.h. The file is opened once: its digests are of
 * the bytes read through that descriptor, its symbols are read through it,
 * and the uprobe is attached through it (/proc/self/fd/N), so a file
 * swapped at the path in between is never the one probed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindigest.h"
#include "binary.h"
#include "elfbin.h"

/* 0 when the file matches one of want's digests (or there are none). */
static int check_digests(const struct tpl_binary_want *w, int fd, struct elfbin *e, char *err, size_t errlen)
{
	char hex[BD_COUNT][BINDIGEST_HEX_MAX] = {{0}};
	unsigned need = 0;
	int have_id = 0;

	if (!w->ndigests && !w->sha256)
		return 0;
	for (int i = 0; i < w->ndigests; i++) {
		char canon[BINDIGEST_HEX_MAX + 16];
		const char *why;
		int a = bindigest_canonical(w->digests[i], canon, sizeof(canon), &why);
		if (a == BD_BUILD_ID)
			have_id = 1;
		else if (a >= 0)
			need |= 1u << a;
	}
	if (w->sha256)
		need |= 1u << BD_SHA256;
	if (bindigest_file(fd, need, hex)) {
		snprintf(err, errlen, "%s: cannot read: %s", w->path, strerror(errno));
		return -1;
	}
	if (have_id && e) {
		unsigned char id[64];
		size_t n = elfbin_build_id(e, id, sizeof(id));
		for (size_t k = 0; k < n; k++)
			snprintf(hex[BD_BUILD_ID] + 2 * k, 3, "%02x", id[k]);
	}
	if (w->sha256 && strcmp(hex[BD_SHA256], w->sha256)) {
		snprintf(err, errlen,
			 "%s is not the build tpc read this USDT from (its sha256 is %s, tpc's was %s): compile the policy "
			 "against this binary",
			 w->path, hex[BD_SHA256], w->sha256);
		return -1;
	}
	if (!w->ndigests)
		return 0;
	for (int i = 0; i < w->ndigests; i++) {
		char canon[BINDIGEST_HEX_MAX + 16];
		const char *why;
		int a = bindigest_canonical(w->digests[i], canon, sizeof(canon), &why);
		if (a >= 0 && hex[a][0] && !strcmp(strchr(canon, ':') + 1, hex[a]))
			return 0;
	}
	if (need & (1u << BD_SHA256))
		snprintf(err, errlen, "%s matches none of its binaryDigests (its sha256 is %s): refusing to attach",
			 w->path, hex[BD_SHA256]);
	else
		snprintf(err, errlen, "%s matches none of its binaryDigests: refusing to attach", w->path);
	return -1;
}

/* The file offset of want's symbol or address, through e. */
static int resolve(const struct tpl_binary_want *w, struct elfbin *e, unsigned long long *offset, char *err,
		   size_t errlen)
{
	char name[256];
	uint64_t off = 0, at;

	if (w->has_offset) {
		*offset = w->offset;
		return 0;
	}
	if (w->has_addr) {
		if (elfbin_addr_to_offset(e, w->addr, 1, &at)) {
			snprintf(err, errlen, "%s: address 0x%llx is in no executable segment", w->path, w->addr);
			return -1;
		}
		*offset = at;
		return 0;
	}
	if (!w->symbol || elfbin_split_symbol(w->symbol, name, sizeof(name), &off)) {
		snprintf(err, errlen, "%s: bad symbol '%s'", w->path, w->symbol ? w->symbol : "");
		return -1;
	}
	struct elfbin_sym sym;
	if (elfbin_symbol(e, name, &sym)) {
		snprintf(err, errlen, "%s: no symbol %s", w->path, name);
		return -1;
	}
	if (sym.kind == ELFBIN_SYM_IFUNC) {
		snprintf(err, errlen, "%s: %s is an ifunc (it picks an implementation at start-up): probe the implementation",
			 w->path, name);
		return -1;
	}
	if (sym.kind != ELFBIN_SYM_FUNC) {
		snprintf(err, errlen, "%s: %s is not a function", w->path, name);
		return -1;
	}
	if (elfbin_addr_to_offset(e, sym.addr + off, 1, &at)) {
		snprintf(err, errlen, "%s: %s (at 0x%llx) is in no executable segment", w->path, w->symbol,
			 (unsigned long long)(sym.addr + off));
		return -1;
	}
	*offset = at;
	return 0;
}

int tpl_binary_open(const struct tpl_binary_want *w, int *fdp, unsigned long long *offset, char *err, size_t errlen)
{
	struct stat st;
	struct elfbin *e = NULL;
	char why[256];
	int fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */

	*fdp = -1;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", w->path);
		goto fail;
	}
	/* offsets alone need no ELF reading (nor an ELF file) */
	if (!w->has_offset || w->ndigests) {
		e = elfbin_open(fd, why, sizeof(why));
		if (!e && !w->has_offset) {
			snprintf(err, errlen, "%s: %s", w->path, why);
			goto fail;
		}
	}
	if (check_digests(w, fd, e, err, errlen) || resolve(w, e, offset, err, errlen))
		goto fail;
	elfbin_close(e);
	*fdp = fd;
	return 0;
fail:
	elfbin_close(e);
	close(fd);
	return -1;
}
