/* ksyms.c: see ksyms.h. /proc/kallsyms has ~120k text symbols here: the
 * table keeps 16 bytes per symbol and each name once (about 5 MB), not a
 * line per symbol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"
#include "log.h"

struct ent {
	uint64_t addr;
	uint32_t name; /* offsets into pool */
	uint32_t module;
};

static struct {
	struct ent *v;
	size_t n, cap;
	char *pool;
	size_t plen, pcap;
	int loaded; /* 1: read, -1: unusable (said once) */
} tab;

static int pool_add(const char *s, size_t n, uint32_t *off)
{
	if (tab.plen + n + 1 > tab.pcap) {
		size_t cap = tab.pcap ? tab.pcap * 2 : 1 << 20;
		while (cap < tab.plen + n + 1)
			cap *= 2;
		char *p = realloc(tab.pool, cap);
		if (!p)
			return -1;
		tab.pool = p;
		tab.pcap = cap;
	}
	memcpy(tab.pool + tab.plen, s, n);
	tab.pool[tab.plen + n] = 0;
	*off = (uint32_t)tab.plen;
	tab.plen += n + 1;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void tpl_ksyms_free(void)
{
	free(tab.v);
	free(tab.pool);
	memset(&tab, 0, sizeof(tab));
}

int tpl_ksyms_load(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], last_mod[128] = "";
	uint32_t mod_off = 0, empty = 0;
	int nonzero = 0, opened = f != NULL;

	tpl_ksyms_free();
	if (!f)
		goto unusable;
	if (pool_add("", 0, &empty))
		goto oom;
	mod_off = empty;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256], mod[128] = "";
		/* "ffffffff81000000 T _stext" or "... t ext4_read [ext4]" */
		if (sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod) < 3)
			continue;
		/* code only: a stack holds return addresses in text */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		nonzero |= addr != 0;
		if (strcmp(mod, last_mod)) { /* a module's symbols come together */
			if (pool_add(mod, strlen(mod), &mod_off))
				goto oom;
			snprintf(last_mod, sizeof(last_mod), "%s", mod);
		}
		if (tab.n == tab.cap) {
			size_t cap = tab.cap ? tab.cap * 2 : 65536;
			struct ent *v = realloc(tab.v, cap * sizeof(*v));
			if (!v)
				goto oom;
			tab.v = v;
			tab.cap = cap;
		}
		struct ent *e = &tab.v[tab.n];
		if (pool_add(name, strlen(name), &e->name))
			goto oom;
		e->addr = addr;
		e->module = mod_off;
		tab.n++;
	}
	fclose(f);
	f = NULL;
	if (!nonzero)
		goto unusable;
	/* the kernel's own symbols are sorted, modules' are not */
	qsort(tab.v, tab.n, sizeof(*tab.v), by_addr);
	tab.loaded = 1;
	return 0;
oom:
	if (f)
		fclose(f);
	tpl_err("out of memory reading %s: kernel stacks are not symbolised", path);
	tpl_ksyms_free();
	tab.loaded = -1;
	return -1;
unusable:
	if (f)
		fclose(f);
	tpl_err("%s %s: kernel stacks are not symbolised", path,
		opened ? "shows no addresses (kernel.kptr_restrict?)" : "cannot be read");
	tpl_ksyms_free();
	tab.loaded = -1;
	return -1;
}

void tpl_ksyms_ready(void)
{
	if (!tab.loaded)
		tpl_ksyms_load("/proc/kallsyms");
}

int tpl_ksym_find(uint64_t addr, struct tpl_ksym *out)
{
	tpl_ksyms_ready();
	if (tab.loaded < 0 || !tab.n || addr < tab.v[0].addr)
		return -1;
	size_t lo = 0, hi = tab.n; /* the last entry with addr <= the address */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tab.v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	out->name = tab.pool + tab.v[lo].name;
	out->module = tab.pool + tab.v[lo].module;
	out->offset = addr - tab.v[lo].addr;
	return 0;
}
