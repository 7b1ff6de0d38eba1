/* corebtf.c: see corebtf.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "corebtf.h"
#include "log.h"
#include "minbtf.h"
#include "safefile.h"
#include "sha256.h"
#include "stamp.h"

#define CACHE_DIR "/var/cache/tpc"
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
#define MAGIC "tpc-core-btf 1"
#define MAX_ENTRY (8u << 20)
/* entries kept for this kernel (about 3 KB each); TPL_CORE_BTF_CACHE_MAX */
#define MAX_ENTRIES 256

/* This kernel: its GNU build id (hex) from /sys/kernel/notes and the size
 * of its BTF. 0, or -1 when either cannot be had. */
static int kernel_id(char *bid, size_t bidlen, long long *btfsize)
{
	unsigned char buf[4096];
	struct stat st;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	if (stat(KERNEL_BTF, &st) || n <= 0)
		return -1;
	*btfsize = (long long)st.st_size;
	/* ELF notes: namesz, descsz, type, name and desc padded to 4 */
	for (size_t off = 0; off + 12 <= (size_t)n;) {
		unsigned int namesz, descsz, type;
		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		size_t name = off + 12, desc = name + ((namesz + 3u) & ~3u), next = desc + ((descsz + 3u) & ~3u);
		if (namesz > sizeof(buf) || descsz > sizeof(buf) || next > (size_t)n)
			return -1;
		if (type == 3 && namesz == 4 && memcmp(buf + name, "GNU", 4) == 0 && descsz >= 8 &&
		    descsz * 2 < bidlen) { /* NT_GNU_BUILD_ID */
			for (unsigned int i = 0; i < descsz; i++)
				snprintf(bid + 2 * i, 3, "%02x", buf[desc + i]);
			return 0;
		}
		off = next;
	}
	return -1;
}

/* The cache directory, opened and checked (root's, writable by no one
 * else, not a link), or -1. create: make it when it is missing. */
static int cache_dir(const char *dir, int create)
{
	char err[512];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0 && errno == ENOENT && create && mkdir(dir, 0755) == 0)
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	struct stat st;
	if (tpl_check_dir(dfd, dir, err, sizeof(err)) || fstat(dfd, &st) || st.st_uid != 0) {
		close(dfd);
		return -1;
	}
	return dfd;
}

struct key {
	char bid[130];
	long long btfsize;
	const char *object; /* sha256 hex */
};

static void header(char *h, size_t len, const struct key *k, size_t size, const char *digest)
{
	snprintf(h, len, MAGIC " kernel=%s btfsize=%lld object=%s size=%zu sha256=%s\n", k->bid, k->btfsize,
		 k->object, size, digest);
}

/* The entry's BTF bytes, when it is there and right: 1 (*btf, *len
 * malloc'd), 0 when there is none, -1 when there is one that is not right
 * (why in why[]). */
static int cache_read(int dfd, const char *name, const struct key *k, void **btf, size_t *len, char *why,
		      size_t whylen)
{
	char err[640], want[512];
	void *buf = NULL;
	size_t n = 0;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || st.st_uid != 0) {
		close(fd);
		snprintf(why, whylen, "not root's");
		return -1;
	}
	int rc = tpl_read_fd(fd, name, MAX_ENTRY, 1, &buf, &n, err, sizeof(err));
	close(fd);
	if (rc) {
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	char *nl = memchr(buf, '\n', n < 512 ? n : 512);
	if (!nl) {
		free(buf);
		snprintf(why, whylen, "no header");
		return -1;
	}
	size_t hlen = (size_t)(nl - (char *)buf) + 1, blen = n - hlen;
	char digest[SHA256_HEX_LEN + 1];
	sha256_hex((char *)buf + hlen, blen, digest);
	header(want, sizeof(want), k, blen, digest);
	if (hlen != strlen(want) || memcmp(buf, want, hlen)) {
		free(buf);
		snprintf(why, whylen, "its header is not this kernel's, this object's and its bytes'");
		return -1;
	}
	memmove(buf, (char *)buf + hlen, blen);
	*btf = buf;
	*len = blen;
	return 1;
}

/* Writes the entry (a file of its own, then renamed over the name: a
 * reader never sees half of one). Failing is no error: the next start
 * makes it again. */
static void cache_write(int dfd, const char *name, const struct key *k, const void *btf, size_t len)
{
	if (!len)
		btf = "";
	char h[512], tmp[64], digest[SHA256_HEX_LEN + 1];
	sha256_hex(btf, len, digest);
	header(h, sizeof(h), k, len, digest);
	snprintf(tmp, sizeof(tmp), ".tmp-%d", (int)getpid());
	unlinkat(dfd, tmp, 0);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	size_t hl = strlen(h);
	int ok = fchmod(fd, 0644) == 0 && write(fd, h, hl) == (ssize_t)hl && write(fd, btf, len) == (ssize_t)len;
	ok &= close(fd) == 0;
	if (!ok || renameat(dfd, tmp, dfd, name))
		unlinkat(dfd, tmp, 0);
}

/* An entry's name: HEX-HEX.core.btf; what it names is cut at the dash. */
static int entry_name(const char *n, size_t *bidlen)
{
	size_t len = strlen(n), dash = strcspn(n, "-"), suffix = strlen(".core.btf");
	if (len <= suffix || strcmp(n + len - suffix, ".core.btf") || !dash || n[dash] != '-')
		return 0;
	*bidlen = dash;
	return strspn(n, "0123456789abcdef") == dash && strspn(n + dash + 1, "0123456789abcdef") == len - suffix - dash - 1;
}

struct aged {
	char name[256];
	long long mtime_ns;
};

static int oldest_first(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;
	return (x->mtime_ns > y->mtime_ns) - (x->mtime_ns < y->mtime_ns);
}

/* Keeps the cache bounded once an entry was written: entries of other
 * kernels go (a node runs one kernel until it reboots, and an entry is
 * made again in one start), and of this kernel's, the least recently
 * written past MAX_ENTRIES (objects that were replaced). Only names an
 * entry can have are touched, never followed. */
static void cache_trim(int dfd, const char *bid)
{
	const char *env = getenv("TPL_CORE_BTF_CACHE_MAX");
	long max = env && *env ? strtol(env, NULL, 10) : MAX_ENTRIES;
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct aged *mine = NULL;
	size_t n = 0, cap = 0, bidlen;
	for (struct dirent *e; (e = readdir(d));) {
		struct stat st;
		if (!entry_name(e->d_name, &bidlen) || strlen(e->d_name) >= sizeof(mine->name) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (bidlen != strlen(bid) || strncmp(e->d_name, bid, bidlen)) {
			unlinkat(dfd, e->d_name, 0);
			continue;
		}
		if (n == cap) {
			struct aged *m = realloc(mine, (cap = cap ? 2 * cap : 64) * sizeof(*mine));
			if (!m)
				break;
			mine = m;
		}
		snprintf(mine[n].name, sizeof(mine[n].name), "%s", e->d_name);
		mine[n++].mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
	closedir(d);
	if (max >= 1 && n > (size_t)max) {
		qsort(mine, n, sizeof(*mine), oldest_first);
		for (size_t i = 0; i < n - (size_t)max; i++)
			unlinkat(dfd, mine[i].name, 0);
	}
	free(mine);
}

/* A memfd holding btf, named for libbpf by /proc/self/fd/N. */
static const char *as_path(const void *btf, size_t len, char *path, size_t plen, int *fdp)
{
	int fd = memfd_create("tpc-core-btf", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (write(fd, btf, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	if (access(path, R_OK)) { /* no /proc here */
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return path;
}

const char *tpl_core_btf(const struct tpl_obj *o, char *path, size_t plen, int *fdp)
{
	const char *dir = getenv("TPL_CORE_BTF_CACHE");
	char name[256], why[640];
	struct key k = { .object = o->sha256 };
	void *btf = NULL;
	size_t len = 0;
	const char *res = NULL;

	*fdp = -1;
	if (!dir || !*dir)
		dir = CACHE_DIR;
	if (strcmp(dir, "off") == 0 || kernel_id(k.bid, sizeof(k.bid), &k.btfsize))
		return NULL;
	snprintf(name, sizeof(name), "%s-%s.core.btf", k.bid, k.object);
	int dfd = cache_dir(dir, 1);
	int hit = dfd >= 0 ? cache_read(dfd, name, &k, &btf, &len, why, sizeof(why)) : 0;
	if (hit < 0)
		tpl_warn("%s: the cached kernel types %s/%s are not used (%s): made anew", o->path, dir, name, why);
	if (hit > 0) {
		/* an empty entry: this object is relocated against the whole
		 * kernel BTF (minbtf.c declined it) */
		tpl_stamp("%s kernel BTF, from the cache (%zu bytes)", len ? "minimal" : "whole", len);
		if (!len)
			goto out;
	} else {
		struct btf *vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux) {
			tpl_stamp("whole kernel BTF: unreadable");
			goto out;
		}
		int made = tpl_min_btf(o->image, o->image_len, vmlinux, &btf, &len, why, sizeof(why)) == 0;
		btf__free(vmlinux);
		tpl_stamp("%s kernel BTF made (%zu bytes)%s%s", made ? "minimal" : "whole", len, made ? "" : ": ",
			  made ? "" : why);
		if (dfd >= 0) {
			cache_write(dfd, name, &k, btf, made ? len : 0);
			cache_trim(dfd, k.bid);
		}
		if (!made)
			goto out;
	}
	res = as_path(btf, len, path, plen, fdp);
out:
	if (dfd >= 0)
		close(dfd);
	free(btf);
	return res;
}
