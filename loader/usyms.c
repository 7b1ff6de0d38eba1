/* usyms.c: see usyms.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfbin.h"
#include "usyms.h"

struct umap {
	uint64_t start, end, off;
	unsigned long long ino;
	unsigned major, minor;
	char *path;
};

struct tpl_umaps {
	pid_t pid;
	struct umap *v;
	size_t n;
};

static void free_maps(struct umap *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

struct tpl_umaps *tpl_umaps_read(pid_t pid, pid_t tid)
{
	char p[64], line[4096 + 128];
	snprintf(p, sizeof(p), "/proc/%d/maps", (int)tid);
	FILE *f = fopen(p, "re");
	if (!f) {
		snprintf(p, sizeof(p), "/proc/%d/maps", (int)pid);
		f = fopen(p, "re");
	}
	if (!f)
		return NULL;
	struct tpl_umaps *m = calloc(1, sizeof(*m));
	size_t cap = 0;
	if (!m)
		goto fail;
	m->pid = pid;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, ino;
		unsigned major, minor;
		char perms[8];
		int at = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &major, &minor, &ino,
			   &at) < 7 || !at)
			continue;
		/* return addresses are in code mapped from files */
		if (!strchr(perms, 'x') || line[at] != '/')
			continue;
		line[strcspn(line, "\n")] = 0;
		if (m->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct umap *v = realloc(m->v, cap * sizeof(*v));
			if (!v)
				goto fail;
			m->v = v;
		}
		struct umap *u = &m->v[m->n];
		u->path = strdup(line + at);
		if (!u->path)
			goto fail;
		u->start = start;
		u->end = end;
		u->off = off;
		u->ino = ino;
		u->major = major;
		u->minor = minor;
		m->n++;
	}
	fclose(f);
	return m;
fail:
	fclose(f);
	if (m)
		free_maps(m->v, m->n);
	free(m);
	return NULL;
}

void tpl_umaps_free(struct tpl_umaps *m)
{
	if (!m)
		return;
	free_maps(m->v, m->n);
	free(m);
}

/* ---- the functions of mapped files, by file offset ---- */

struct fsym {
	uint64_t off, size;
	uint32_t name; /* offset into the file's pool */
};

struct ufile {
	unsigned major, minor;
	unsigned long long ino;
	int valid;             /* 0: a free slot */
	unsigned long long used; /* clock of the last lookup: the least recent goes first */
	struct fsym *v;
	size_t n, cap;
	char *pool;
	size_t plen, pcap;
	struct elfbin *elf;    /* while it is read */
};

#define UFILES 32 /* files whose functions are kept */
static struct ufile files[UFILES];
static unsigned long long clock_;

static void ufile_clear(struct ufile *u)
{
	free(u->v);
	free(u->pool);
	memset(u, 0, sizeof(*u));
}

void tpl_usyms_free(void)
{
	for (int i = 0; i < UFILES; i++)
		ufile_clear(&files[i]);
}

static int add_sym(void *arg, const char *name, uint64_t addr, uint64_t size)
{
	struct ufile *u = arg;
	uint64_t off;
	/* the symbol's place in the file: where stack offsets point */
	if (elfbin_addr_to_offset(u->elf, addr, 1, &off))
		return 0;
	size_t len = strlen(name);
	if (u->plen + len + 1 > u->pcap) {
		size_t cap = u->pcap ? u->pcap * 2 : 4096;
		while (cap < u->plen + len + 1)
			cap *= 2;
		char *p = realloc(u->pool, cap);
		if (!p)
			return -1;
		u->pool = p;
		u->pcap = cap;
	}
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 256;
		struct fsym *v = realloc(u->v, cap * sizeof(*v));
		if (!v)
			return -1;
		u->v = v;
		u->cap = cap;
	}
	memcpy(u->pool + u->plen, name, len + 1);
	u->v[u->n++] = (struct fsym){off, size, (uint32_t)u->plen};
	u->plen += len + 1;
	return 0;
}

static int by_off(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The file of mapping u, its functions read on first use. A file that
 * cannot be read is kept with no functions (its frames name no symbol). */
static struct ufile *file_of(const struct tpl_umaps *m, const struct umap *mp)
{
	struct ufile *slot = &files[0];
	for (int i = 0; i < UFILES; i++) {
		struct ufile *u = &files[i];
		if (u->valid && u->ino == mp->ino && u->major == mp->major && u->minor == mp->minor) {
			u->used = ++clock_;
			return u;
		}
		if (!u->valid || (slot->valid && u->used < slot->used))
			slot = u;
	}
	ufile_clear(slot);
	slot->valid = 1;
	slot->used = ++clock_;
	slot->ino = mp->ino;
	slot->major = mp->major;
	slot->minor = mp->minor;
	/* the very file mapped (also when the path now names another or
	 * none), through map_files; the path when that is not there */
	char p[128];
	snprintf(p, sizeof(p), "/proc/%d/map_files/%llx-%llx", (int)m->pid, (unsigned long long)mp->start,
		 (unsigned long long)mp->end);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(mp->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return slot;
	char err[256];
	slot->elf = elfbin_open(fd, err, sizeof(err));
	if (slot->elf) {
		if (elfbin_each_func(slot->elf, add_sym, slot))
			slot->n = 0; /* out of memory: no symbols rather than some */
		elfbin_close(slot->elf);
		slot->elf = NULL;
		qsort(slot->v, slot->n, sizeof(*slot->v), by_off);
	}
	close(fd);
	return slot;
}

int tpl_usym_find(struct tpl_umaps *m, uint64_t addr, struct tpl_usym *out)
{
	const struct umap *mp = NULL;
	for (size_t i = 0; i < m->n && !mp; i++)
		if (addr >= m->v[i].start && addr < m->v[i].end)
			mp = &m->v[i];
	if (!mp)
		return -1;
	out->module = mp->path;
	out->offset = addr - mp->start + mp->off;
	out->name = "";
	struct ufile *u = file_of(m, mp);
	if (!u->n || out->offset < u->v[0].off)
		return 0;
	size_t lo = 0, hi = u->n; /* the last function starting at or before the offset */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->v[mid].off <= out->offset)
			lo = mid;
		else
			hi = mid;
	}
	/* covering it: within its size (a function of size 0, as some
	 * assembly entry points are, covers up to the next one) */
	const struct fsym *s = &u->v[lo];
	if (!s->size || out->offset - s->off < s->size)
		out->name = u->pool + s->name;
	return 0;
}
