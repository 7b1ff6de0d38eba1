/* objstrip.c: what tpc trims from the object clang wrote, in process.
 *
 * clang -g is what makes BTF for a BPF target (the maps' definitions and
 * CO-RE need .BTF and .BTF.ext), but it also writes DWARF, and .BTF.ext
 * carries a line-info record (with its relocation) per few instructions.
 * Nothing at load time reads DWARF, the relocations of .BTF/.BTF.ext
 * (libbpf skips relocations of sections without code), .llvm_addrsig
 * (only a linker's identical-code folding reads it), the file symbol,
 * section symbols no relocation uses or the branch labels (LBB*) LLVM
 * leaves in the symbol table; line info only annotates the verifier's log
 * with source lines. Dropping them takes the default policy's object from
 * 171 KB to 49 KB. tpc --keep-debug keeps it all.
 *
 * This used to be llvm-objcopy run as a subprocess (~20 ms a compile, and
 * one more tool to install). Here libelf reads and checks the image and
 * the new one is laid out by hand: the sections kept, in their order,
 * each at its alignment, then the section headers. Section and symbol
 * indices are renumbered (headers' links, symbols' sections, relocations'
 * symbols) and the string table is rebuilt from the names still used,
 * a name that ends another sharing its bytes. Anything unexpected (another
 * byte order, section groups, a relocation against a dropped symbol) is
 * an error rather than a guess; --keep-debug is the way around it. */
#include "tpc.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

#define BTF_EXT_MAGIC 0xeB9F

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

/* The header of .BTF.ext (linux/btf.h's btf_ext_header, with the CO-RE
 * part every clang that builds tpc's objects writes). */
struct ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

/* .BTF.ext's bytes SEC (N of them) with func info and CO-RE relocations
 * only, or false: nothing to drop, or a layout not known here (another
 * byte order, version or a longer header), which then stays as is. */
static bool btf_ext_trim(const char *sec, size_t n, char **ext, size_t *ext_len)
{
	struct ext_hdr h;
	if (!sec || n < sizeof(h))
		return false;
	memcpy(&h, sec, sizeof(h));
	if (h.magic != BTF_EXT_MAGIC || h.version != 1 || h.hdr_len != sizeof(h) || !h.line_info_len)
		return false;
	size_t body = n - h.hdr_len;
	if (h.func_info_off > body || h.func_info_len > body - h.func_info_off || h.core_relo_off > body ||
	    h.core_relo_len > body - h.core_relo_off)
		return false;
	char *out = xrealloc(NULL, sizeof(h) + h.func_info_len + h.core_relo_len);
	const char *b = sec + h.hdr_len;
	memcpy(out + sizeof(h), b + h.func_info_off, h.func_info_len);
	memcpy(out + sizeof(h) + h.func_info_len, b + h.core_relo_off, h.core_relo_len);
	h.func_info_off = 0;
	h.line_info_off = h.func_info_len;
	h.line_info_len = 0;
	h.core_relo_off = h.func_info_len;
	memcpy(out, &h, sizeof(h));
	*ext = out;
	*ext_len = sizeof(h) + h.func_info_len + h.core_relo_len;
	return true;
}

/* ---- the string table ---- */

struct strtab {
	char *s;
	size_t len;
};

/* NAME's offset in T, appended unless it is already there, whole or as
 * the tail of a longer name (which is why the longest go in first). */
static uint32_t strtab_add(struct strtab *t, const char *name)
{
	size_t n = strlen(name) + 1;
	if (n == 1)
		return 0;
	for (size_t i = 0; i + n <= t->len; i++)
		if (!memcmp(t->s + i, name, n))
			return (uint32_t)i;
	t->s = xrealloc(t->s, t->len + n);
	memcpy(t->s + t->len, name, n);
	t->len += n;
	return (uint32_t)(t->len - n);
}

static int by_length_desc(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strcmp(x, y);
}

/* A table holding NAMES (N of them): the same names always give the same
 * bytes, whatever order they come in. */
static struct strtab strtab_build(const char **names, size_t n)
{
	struct strtab t = {xrealloc(NULL, 1), 1};
	t.s[0] = 0;
	const char **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	memcpy(sorted, names, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_length_desc);
	for (size_t i = 0; i < n; i++)
		strtab_add(&t, sorted[i]);
	free(sorted);
	return t;
}

/* ---- the rewrite ---- */

struct sec {
	GElf_Shdr sh;
	const char *name;
	const char *data; /* the bytes written: clang's, or own */
	size_t size;
	char *own;
	bool drop;
	uint32_t idx; /* in the output */
};

static bool is_debug(const char *name)
{
	return !strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7) || !strcmp(name, ".gdb_index");
}

/* The branch labels LLVM leaves behind (llvm-objcopy --strip-symbol=LBB*
 * used to drop them): local, untyped, named LBB<function>_<block>. */
static bool is_label(const GElf_Sym *sym, const char *name)
{
	return GELF_ST_BIND(sym->st_info) == STB_LOCAL && GELF_ST_TYPE(sym->st_info) == STT_NOTYPE &&
	       !strncmp(name, "LBB", 3);
}

static size_t align_up(size_t off, uint64_t align)
{
	if (align <= 1)
		return off;
	return (off + align - 1) / align * align;
}

struct strip {
	Elf *e;
	struct sec *s;
	size_t shnum, shstrndx, symtab;
	/* the symbols kept, renumbered */
	Elf64_Sym *syms;
	const char **sym_names;
	uint32_t *sym_map; /* old index -> new, UINT32_MAX when dropped */
	size_t nsyms_in, nsyms, nlocals;
	char *err;
};

static int fail(struct strip *st, const char *fmt, const char *what)
{
	if (!st->err)
		st->err = xasprintf(fmt, what);
	return -1;
}

/* The section headers and bytes, and what goes. */
static int read_sections(struct strip *st)
{
	if (elf_getshdrnum(st->e, &st->shnum) || elf_getshdrstrndx(st->e, &st->shstrndx))
		return fail(st, "%s", elf_errmsg(-1));
	if (st->shnum < 2 || st->shnum >= SHN_LORESERVE || st->shstrndx >= st->shnum)
		return fail(st, "%s", "unexpected section count or names section");
	st->s = xcalloc(st->shnum, sizeof(*st->s));
	for (size_t i = 1; i < st->shnum; i++) {
		struct sec *c = &st->s[i];
		Elf_Scn *scn = elf_getscn(st->e, i);
		if (!scn || !gelf_getshdr(scn, &c->sh))
			return fail(st, "%s", elf_errmsg(-1));
		c->name = elf_strptr(st->e, st->shstrndx, c->sh.sh_name);
		if (!c->name)
			return fail(st, "%s", "a section name outside the names section");
		if (c->sh.sh_type != SHT_NOBITS) {
			Elf_Data *d = elf_rawdata(scn, NULL);
			if (!d && c->sh.sh_size)
				return fail(st, "section %s is outside the file", c->name);
			c->data = d ? d->d_buf : NULL;
			c->size = d ? d->d_size : 0;
		}
		switch (c->sh.sh_type) {
		case SHT_SYMTAB:
			if (st->symtab)
				return fail(st, "%s", "two symbol tables");
			st->symtab = i;
			break;
		case SHT_GROUP:
		case SHT_SYMTAB_SHNDX:
		case SHT_DYNSYM:
			return fail(st, "unexpected section %s", c->name);
		}
		c->drop = is_debug(c->name) || c->sh.sh_type == SHT_LLVM_ADDRSIG || !strcmp(c->name, ".llvm_addrsig");
	}
	if (!st->symtab)
		return fail(st, "%s", "no symbol table");
	/* relocations go with their section; those of .BTF and .BTF.ext
	 * are never applied (libbpf relocates code only) */
	for (size_t i = 1; i < st->shnum; i++) {
		struct sec *c = &st->s[i];
		if (c->sh.sh_type != SHT_REL && c->sh.sh_type != SHT_RELA)
			continue;
		if (c->sh.sh_info == 0 || c->sh.sh_info >= st->shnum || c->sh.sh_link != st->symtab)
			return fail(st, "relocation section %s names no section or another symbol table", c->name);
		const struct sec *to = &st->s[c->sh.sh_info];
		if (to->drop || !strcmp(to->name, ".BTF") || !strcmp(to->name, ".BTF.ext"))
			c->drop = true;
	}
	uint32_t n = 0;
	for (size_t i = 1; i < st->shnum; i++)
		st->s[i].idx = st->s[i].drop ? 0 : ++n;
	for (size_t i = 1; i < st->shnum; i++) {
		const struct sec *c = &st->s[i];
		if (!c->drop && c->sh.sh_link && (c->sh.sh_link >= st->shnum || st->s[c->sh.sh_link].drop))
			return fail(st, "section %s links to a section that goes", c->name);
	}
	if (st->s[st->shstrndx].drop || st->s[st->shstrndx].sh.sh_type != SHT_STRTAB)
		return fail(st, "%s", "unexpected section names section");
	return 0;
}

/* Which symbols the relocations kept use (in USED, one per symbol). */
static void mark_used(const struct strip *st, bool *used, size_t nsyms)
{
	for (size_t i = 1; i < st->shnum; i++) {
		const struct sec *c = &st->s[i];
		if (c->drop || (c->sh.sh_type != SHT_REL && c->sh.sh_type != SHT_RELA))
			continue;
		size_t esz = c->sh.sh_type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
		for (size_t k = 0; k + esz <= c->size; k += esz) {
			Elf64_Rel r;
			memcpy(&r, c->data + k, sizeof(r));
			if (ELF64_R_SYM(r.r_info) < nsyms)
				used[ELF64_R_SYM(r.r_info)] = true;
		}
	}
}

/* The symbols kept: not the file's, not those of sections that go, not
 * the branch labels, and a section's own symbol only when a relocation
 * kept names it (the code's calls and jumps to .text do; libbpf finds
 * programs by their function symbols, not these: 24 bytes each). Locals
 * stay ahead of globals. */
static int read_symbols(struct strip *st)
{
	const struct sec *c = &st->s[st->symtab];
	size_t strndx = c->sh.sh_link;
	if (!strndx || strndx >= st->shnum || st->s[strndx].sh.sh_type != SHT_STRTAB)
		return fail(st, "%s", "the symbol table has no string table");
	if (c->sh.sh_entsize != sizeof(Elf64_Sym) || c->size % sizeof(Elf64_Sym) || !c->size)
		return fail(st, "%s", "unexpected symbol table layout");
	st->nsyms_in = c->size / sizeof(Elf64_Sym);
	st->syms = xcalloc(st->nsyms_in, sizeof(*st->syms));
	st->sym_names = xcalloc(st->nsyms_in, sizeof(*st->sym_names));
	st->sym_map = xcalloc(st->nsyms_in, sizeof(*st->sym_map));
	Elf_Data *d = elf_getdata(elf_getscn(st->e, st->symtab), NULL);
	bool *used = xcalloc(st->nsyms_in, sizeof(*used));
	mark_used(st, used, st->nsyms_in);
	int rc = 0;
	for (size_t j = 0; j < st->nsyms_in; j++)
		st->sym_map[j] = UINT32_MAX;
	/* two passes, locals then globals: ELF wants the locals first
	 * (sh_info counts them), and libbpf's BPF linker, which wrote the
	 * object when the runtime was linked in, appends symbols in the order
	 * it meets them */
	for (int pass = 0; pass < 2 && !rc; pass++)
	for (size_t j = 0; j < st->nsyms_in; j++) {
		GElf_Sym sym;
		if (!d || !gelf_getsym(d, (int)j, &sym)) {
			rc = fail(st, "%s", elf_errmsg(-1));
			break;
		}
		const char *name = j ? elf_strptr(st->e, strndx, sym.st_name) : "";
		if (!name) {
			rc = fail(st, "%s", "a symbol name outside the string table");
			break;
		}
		bool local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
		if (sym.st_shndx == SHN_XINDEX || (sym.st_shndx < SHN_LORESERVE && sym.st_shndx >= st->shnum)) {
			rc = fail(st, "symbol %s names no section", name);
			break;
		}
		bool in_dropped = sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE && st->s[sym.st_shndx].drop;
		int type = GELF_ST_TYPE(sym.st_info);
		if (j && (type == STT_FILE || in_dropped || is_label(&sym, name) || (type == STT_SECTION && !used[j])))
			continue;
		if (local != (pass == 0))
			continue;
		Elf64_Sym *o = &st->syms[st->nsyms];
		o->st_info = sym.st_info;
		o->st_other = sym.st_other;
		o->st_shndx = sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE ? st->s[sym.st_shndx].idx
											  : sym.st_shndx;
		o->st_value = sym.st_value;
		o->st_size = sym.st_size;
		st->sym_names[st->nsyms] = name;
		st->sym_map[j] = (uint32_t)st->nsyms++;
		if (local)
			st->nlocals = st->nsyms;
	}
	free(used);
	return rc;
}

/* Kept relocation sections, their symbols renumbered. */
static int rewrite_relocations(struct strip *st)
{
	for (size_t i = 1; i < st->shnum; i++) {
		struct sec *c = &st->s[i];
		if (c->drop || (c->sh.sh_type != SHT_REL && c->sh.sh_type != SHT_RELA))
			continue;
		bool rela = c->sh.sh_type == SHT_RELA;
		size_t esz = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
		if (c->sh.sh_entsize != esz || c->size % esz)
			return fail(st, "unexpected layout of %s", c->name);
		c->own = xrealloc(NULL, c->size ? c->size : 1);
		memcpy(c->own, c->data, c->size);
		for (size_t k = 0; k < c->size / esz; k++) {
			/* r_info sits at the same place in both */
			Elf64_Rel r;
			memcpy(&r, c->own + k * esz, sizeof(r));
			size_t sym = ELF64_R_SYM(r.r_info);
			if (sym >= st->nsyms_in || st->sym_map[sym] == UINT32_MAX)
				return fail(st, "a relocation in %s refers to a symbol that goes", c->name);
			r.r_info = ELF64_R_INFO(st->sym_map[sym], ELF64_R_TYPE(r.r_info));
			memcpy(c->own + k * esz, &r, sizeof(r));
		}
		c->data = c->own;
	}
	return 0;
}

/* The string tables the section names and the symbols use, rebuilt from
 * the names kept (clang writes one for both); returns each name's offset
 * through SEC_OFF and SYM_OFF. */
static void rebuild_strings(struct strip *st, uint32_t *sec_off, uint32_t *sym_off)
{
	size_t symstr = st->s[st->symtab].sh.sh_link;
	size_t tabs[2] = {st->shstrndx, symstr};
	for (size_t t = 0; t < (symstr == st->shstrndx ? 1u : 2u); t++) {
		size_t ti = tabs[t];
		const char **names = xcalloc(st->shnum + st->nsyms + 1, sizeof(*names));
		size_t n = 0;
		if (ti == st->shstrndx)
			for (size_t i = 1; i < st->shnum; i++)
				if (!st->s[i].drop)
					names[n++] = st->s[i].name;
		if (ti == symstr)
			for (size_t j = 0; j < st->nsyms; j++)
				names[n++] = st->sym_names[j];
		struct strtab tab = strtab_build(names, n);
		if (ti == st->shstrndx)
			for (size_t i = 1; i < st->shnum; i++)
				if (!st->s[i].drop)
					sec_off[i] = strtab_add(&tab, st->s[i].name);
		if (ti == symstr)
			for (size_t j = 0; j < st->nsyms; j++)
				sym_off[j] = strtab_add(&tab, st->sym_names[j]);
		free(names);
		free(st->s[ti].own);
		st->s[ti].own = tab.s;
		st->s[ti].data = tab.s;
		st->s[ti].size = tab.len;
	}
}

/* Header, the kept sections in order at their alignment, the headers. */
static void lay_out(struct strip *st, const char *obj, const uint32_t *sec_off, char **out, size_t *out_len)
{
	size_t off = sizeof(Elf64_Ehdr), kept = 1;
	for (size_t i = 1; i < st->shnum; i++) {
		struct sec *c = &st->s[i];
		if (c->drop)
			continue;
		kept++;
		off = align_up(off, c->sh.sh_addralign);
		c->sh.sh_offset = off;
		if (c->sh.sh_type != SHT_NOBITS) {
			c->sh.sh_size = c->size;
			off += c->size;
		}
	}
	size_t shoff = align_up(off, 8), total = shoff + kept * sizeof(Elf64_Shdr);
	char *img = xcalloc(1, total);
	Elf64_Ehdr eh;
	memcpy(&eh, obj, sizeof(eh));
	eh.e_shoff = shoff;
	eh.e_shnum = (uint16_t)kept;
	eh.e_shstrndx = (uint16_t)st->s[st->shstrndx].idx;
	memcpy(img, &eh, sizeof(eh));
	for (size_t i = 1; i < st->shnum; i++) {
		const struct sec *c = &st->s[i];
		if (c->drop)
			continue;
		if (c->sh.sh_type != SHT_NOBITS && c->size)
			memcpy(img + c->sh.sh_offset, c->data, c->size);
		Elf64_Shdr h = {
			.sh_name = sec_off[i],
			.sh_type = c->sh.sh_type,
			.sh_flags = c->sh.sh_flags,
			.sh_addr = c->sh.sh_addr,
			.sh_offset = c->sh.sh_offset,
			.sh_size = c->sh.sh_size,
			.sh_link = c->sh.sh_link ? st->s[c->sh.sh_link].idx : 0,
			.sh_info = c->sh.sh_info,
			.sh_addralign = c->sh.sh_addralign,
			.sh_entsize = c->sh.sh_entsize,
		};
		if (c->sh.sh_type == SHT_REL || c->sh.sh_type == SHT_RELA)
			h.sh_info = st->s[c->sh.sh_info].idx;
		else if (c->sh.sh_type == SHT_SYMTAB)
			h.sh_info = (uint32_t)st->nlocals;
		memcpy(img + shoff + c->idx * sizeof(Elf64_Shdr), &h, sizeof(h));
	}
	*out = img;
	*out_len = total;
}

int objstrip_trim(const char *obj, size_t len, char **out, size_t *out_len, char **err)
{
	*out = NULL;
	*out_len = 0;
	*err = NULL;
	struct strip st = {0};
	int rc = -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fail(&st, "%s", elf_errmsg(-1));
		goto out;
	}
	st.e = elf_memory((char *)obj, len);
	GElf_Ehdr eh;
	if (!st.e || elf_kind(st.e) != ELF_K_ELF || !gelf_getehdr(st.e, &eh)) {
		fail(&st, "%s", "it is no ELF file");
		goto out;
	}
	/* symbols and relocations are copied as the host lays them out */
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != HOST_DATA || eh.e_type != ET_REL ||
	    eh.e_phnum || eh.e_shentsize != sizeof(Elf64_Shdr)) {
		fail(&st, "%s", "it is no relocatable 64-bit ELF file of this host's byte order");
		goto out;
	}
	if (read_sections(&st) || read_symbols(&st) || rewrite_relocations(&st))
		goto out;
	for (size_t i = 1; i < st.shnum; i++) {
		struct sec *c = &st.s[i];
		char *ext = NULL;
		size_t ext_len = 0;
		if (!c->drop && !strcmp(c->name, ".BTF.ext") && btf_ext_trim(c->data, c->size, &ext, &ext_len)) {
			c->own = ext;
			c->data = ext;
			c->size = ext_len;
		}
	}
	uint32_t *sec_off = xcalloc(st.shnum, sizeof(*sec_off));
	uint32_t *sym_off = xcalloc(st.nsyms ? st.nsyms : 1, sizeof(*sym_off));
	rebuild_strings(&st, sec_off, sym_off);
	for (size_t j = 0; j < st.nsyms; j++)
		st.syms[j].st_name = sym_off[j];
	struct sec *symtab = &st.s[st.symtab];
	free(symtab->own);
	symtab->own = (char *)st.syms;
	st.syms = NULL;
	symtab->data = symtab->own;
	symtab->size = st.nsyms * sizeof(Elf64_Sym);
	lay_out(&st, obj, sec_off, out, out_len);
	free(sec_off);
	free(sym_off);
	rc = 0;
out:
	if (st.e)
		elf_end(st.e);
	for (size_t i = 0; st.s && i < st.shnum; i++)
		free(st.s[i].own);
	free(st.s);
	free(st.syms);
	free(st.sym_names);
	free(st.sym_map);
	*err = st.err;
	return rc;
}
