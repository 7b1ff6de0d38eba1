/* elfbin.c: see elfbin.h. The file is untrusted input (any path a policy
 * names): every offset and size from it is checked before use, and libelf
 * reads through its own bounds checks. */
#include "elfbin.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PHDRS 4096
#define MAX_USDTS 65536

struct elfbin {
	Elf *elf;
	GElf_Ehdr eh;
	GElf_Phdr *ph;
	size_t nph;
	const char **funcs; /* elfbin_func_names, built on first use */
	struct elfbin_usdt *usdts;
	int nusdts;
	int usdts_read;
};

struct elfbin *elfbin_open(int fd, char *err, size_t errlen)
{
	struct elfbin *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
		goto fail;
	}
	e->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		snprintf(err, errlen, "not an ELF file");
		goto fail;
	}
	if (!gelf_getehdr(e->elf, &e->eh)) {
		snprintf(err, errlen, "bad ELF header: %s", elf_errmsg(-1));
		goto fail;
	}
	if (e->eh.e_type != ET_EXEC && e->eh.e_type != ET_DYN) {
		snprintf(err, errlen, "an ELF file that is neither an executable nor a shared object (type %u)",
			 (unsigned)e->eh.e_type);
		goto fail;
	}
	if (e->eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "a big-endian ELF file (tpc probes little-endian x86_64 and arm64 binaries)");
		goto fail;
	}
	if (elf_getphdrnum(e->elf, &e->nph) || e->nph > MAX_PHDRS) {
		snprintf(err, errlen, "bad ELF program headers");
		goto fail;
	}
	e->ph = calloc(e->nph ? e->nph : 1, sizeof(*e->ph));
	if (!e->ph) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < e->nph; i++)
		if (!gelf_getphdr(e->elf, (int)i, &e->ph[i])) {
			snprintf(err, errlen, "bad ELF program header %zu", i);
			goto fail;
		}
	return e;
fail:
	elfbin_close(e);
	return NULL;
}

void elfbin_close(struct elfbin *e)
{
	if (!e)
		return;
	free(e->funcs); /* the names point into libelf's data */
	for (int i = 0; i < e->nusdts; i++) {
		free(e->usdts[i].provider);
		free(e->usdts[i].name);
		free(e->usdts[i].args);
	}
	free(e->usdts);
	free(e->ph);
	if (e->elf)
		elf_end(e->elf);
	free(e);
}

int elfbin_machine(const struct elfbin *e)
{
	return e->eh.e_machine;
}

int elfbin_is64(const struct elfbin *e)
{
	return e->eh.e_ident[EI_CLASS] == ELFCLASS64;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

int elfbin_split_symbol(const char *text, char *name, size_t len, uint64_t *off)
{
	const char *plus = strchr(text, '+');
	size_t n = plus ? (size_t)(plus - text) : strlen(text);
	*off = 0;
	if (n == 0 || n >= len)
		return -1;
	memcpy(name, text, n);
	name[n] = 0;
	if (!plus)
		return 0;
	const char *s = plus + 1;
	if (!*s || strchr(s, '+'))
		return -1;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1])
		base = 8, s += 1;
	if (!*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		int d = digit_value(*s);
		if (d >= base || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*off = v;
	return 0;
}

/* Calls fn on every defined symbol of section type `type` (SHT_SYMTAB or
 * SHT_DYNSYM); stops when it returns non-zero and returns that. */
static int each_symbol(struct elfbin *e, Elf64_Word type, int (*fn)(void *, const char *, const GElf_Sym *), void *arg)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		size_t n = d->d_size / (elfbin_is64(e) ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym));
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
				continue;
			const char *nm = elf_strptr(e->elf, sh.sh_link, sym.st_name);
			if (!nm || !*nm)
				continue;
			int rc = fn(arg, nm, &sym);
			if (rc)
				return rc;
		}
	}
	return 0;
}

struct sym_search {
	const char *name;
	GElf_Sym best;
	int found; /* 0, 1 local, 2 global or weak */
};

static int match_symbol(void *arg, const char *nm, const GElf_Sym *sym)
{
	struct sym_search *s = arg;
	if (strcmp(nm, s->name))
		return 0;
	int rank = GELF_ST_BIND(sym->st_info) == STB_LOCAL ? 1 : 2;
	if (rank > s->found) {
		s->best = *sym;
		s->found = rank;
	}
	return rank == 2; /* a global one: done */
}

int elfbin_symbol(struct elfbin *e, const char *name, struct elfbin_sym *out)
{
	struct sym_search s = {.name = name};
	each_symbol(e, SHT_SYMTAB, match_symbol, &s);
	if (s.found < 2)
		each_symbol(e, SHT_DYNSYM, match_symbol, &s);
	if (!s.found)
		return -1;
	out->addr = s.best.st_value;
	out->size = s.best.st_size;
	int t = GELF_ST_TYPE(s.best.st_info);
	out->kind = t == STT_FUNC ? ELFBIN_SYM_FUNC : t == STT_GNU_IFUNC ? ELFBIN_SYM_IFUNC : ELFBIN_SYM_OTHER;
	return 0;
}

struct name_list {
	const char **v;
	size_t n, cap;
};

static int add_func(void *arg, const char *nm, const GElf_Sym *sym)
{
	struct name_list *l = arg;
	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return 0;
	if (l->n + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		const char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = nm;
	l->v[l->n] = NULL;
	return 0;
}

const char *const *elfbin_func_names(struct elfbin *e)
{
	static const char *const none[] = {NULL};
	if (!e->funcs) {
		struct name_list l = {0};
		each_symbol(e, SHT_SYMTAB, add_func, &l);
		each_symbol(e, SHT_DYNSYM, add_func, &l);
		e->funcs = l.v;
	}
	return e->funcs ? e->funcs : none;
}

int elfbin_addr_to_offset(const struct elfbin *e, uint64_t addr, int exec, uint64_t *off)
{
	for (size_t i = 0; i < e->nph; i++) {
		const GElf_Phdr *p = &e->ph[i];
		if (p->p_type != PT_LOAD || !(p->p_flags & PF_X) != !exec)
			continue;
		if (addr >= p->p_vaddr && addr - p->p_vaddr < p->p_filesz) {
			*off = addr - p->p_vaddr + p->p_offset;
			return 0;
		}
	}
	return -1;
}

int elfbin_offset_to_addr(const struct elfbin *e, uint64_t off, uint64_t *addr)
{
	for (size_t i = 0; i < e->nph; i++) {
		const GElf_Phdr *p = &e->ph[i];
		if (p->p_type == PT_LOAD && off >= p->p_offset && off - p->p_offset < p->p_filesz) {
			*addr = off - p->p_offset + p->p_vaddr;
			return 0;
		}
	}
	return -1;
}

struct each_func {
	int (*fn)(void *, const char *, uint64_t, uint64_t);
	void *arg;
};

static int call_func(void *arg, const char *nm, const GElf_Sym *sym)
{
	struct each_func *ef = arg;
	int t = GELF_ST_TYPE(sym->st_info);
	if (t != STT_FUNC && t != STT_GNU_IFUNC)
		return 0;
	return ef->fn(ef->arg, nm, sym->st_value, sym->st_size);
}

int elfbin_each_func(struct elfbin *e, int (*fn)(void *arg, const char *name, uint64_t addr, uint64_t size),
		     void *arg)
{
	struct each_func ef = {fn, arg};
	int rc = each_symbol(e, SHT_SYMTAB, call_func, &ef);
	return rc ? rc : each_symbol(e, SHT_DYNSYM, call_func, &ef);
}

/* Calls fn on each note of every SHT_NOTE section; stops when it returns
 * non-zero. */
static void each_note(struct elfbin *e, int (*fn)(void *, const GElf_Nhdr *, const char *, const char *), void *arg)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while (off < d->d_size && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			/* gelf_getnote checked that name and desc lie inside d */
			if (fn(arg, &nh, (const char *)d->d_buf + name_off, (const char *)d->d_buf + desc_off))
				return;
		}
	}
}

struct build_id {
	unsigned char *id;
	size_t max, len;
};

static int match_build_id(void *arg, const GElf_Nhdr *nh, const char *name, const char *desc)
{
	struct build_id *b = arg;
	if (nh->n_type != NT_GNU_BUILD_ID || nh->n_namesz != 4 || memcmp(name, "GNU", 4))
		return 0;
	b->len = nh->n_descsz < b->max ? nh->n_descsz : b->max;
	memcpy(b->id, desc, b->len);
	return 1;
}

size_t elfbin_build_id(struct elfbin *e, unsigned char *id, size_t max)
{
	struct build_id b = {id, max, 0};
	each_note(e, match_build_id, &b);
	return b.len;
}

static uint64_t word_at(const char *p, int is64)
{
	uint64_t v = 0;
	for (int i = (is64 ? 8 : 4) - 1; i >= 0; i--) /* little-endian (elfbin_open checked) */
		v = v << 8 | (unsigned char)p[i];
	return v;
}

/* the next NUL-terminated string of desc[*at..end), or NULL */
static char *desc_string(const char *desc, size_t *at, size_t end)
{
	const char *s = desc + *at;
	const char *nul = *at < end ? memchr(s, 0, end - *at) : NULL;
	if (!nul)
		return NULL;
	*at += (size_t)(nul - s) + 1;
	return strdup(s);
}

struct usdt_scan {
	struct elfbin *e;
	uint64_t base_addr; /* of .stapsdt.base, or 0 */
	size_t cap;
};

static int add_usdt(void *arg, const GElf_Nhdr *nh, const char *name, const char *desc)
{
	struct usdt_scan *s = arg;
	struct elfbin *e = s->e;
	int is64 = elfbin_is64(e);
	size_t words = 3 * (is64 ? 8 : 4);
	if (nh->n_type != 3 || nh->n_namesz != 8 || memcmp(name, "stapsdt", 8) || nh->n_descsz < words + 3)
		return 0;
	if (e->nusdts >= MAX_USDTS)
		return 1;
	if ((size_t)e->nusdts == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct elfbin_usdt *v = realloc(e->usdts, cap * sizeof(*v));
		if (!v)
			return 1;
		e->usdts = v;
		s->cap = cap;
	}
	struct elfbin_usdt u = {0};
	u.pc = word_at(desc, is64);
	u.base = word_at(desc + words / 3, is64);
	u.sema = word_at(desc + 2 * words / 3, is64);
	size_t at = words;
	u.provider = desc_string(desc, &at, nh->n_descsz);
	u.name = u.provider ? desc_string(desc, &at, nh->n_descsz) : NULL;
	u.args = u.name ? desc_string(desc, &at, nh->n_descsz) : NULL;
	if (!u.args) {
		free(u.provider);
		free(u.name);
		return 0;
	}
	/* prelink moved the binary: the note's base says where it was */
	if (s->base_addr && u.base)
		u.pc += s->base_addr - u.base;
	e->usdts[e->nusdts++] = u;
	return 0;
}

const struct elfbin_usdt *elfbin_usdts(struct elfbin *e, int *n)
{
	if (!e->usdts_read) {
		struct usdt_scan s = {e, 0, 0};
		size_t shstrndx;
		Elf_Scn *scn = NULL;
		if (!elf_getshdrstrndx(e->elf, &shstrndx))
			while ((scn = elf_nextscn(e->elf, scn))) {
				GElf_Shdr sh;
				const char *nm;
				if (gelf_getshdr(scn, &sh) && (nm = elf_strptr(e->elf, shstrndx, sh.sh_name)) &&
				    !strcmp(nm, ".stapsdt.base"))
					s.base_addr = sh.sh_addr;
			}
		each_note(e, add_usdt, &s);
		e->usdts_read = 1;
	}
	*n = e->nusdts;
	return e->usdts;
}
