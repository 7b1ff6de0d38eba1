/* test_objstrip.c: compiler/objstrip.c's rewrite of an object, on a small
 * ELF image made here with what clang's BPF objects have: DWARF with its
 * relocations, .BTF and .BTF.ext with theirs, .llvm_addrsig, and the file
 * symbol, section symbols and branch labels in .symtab. Sections that go
 * sit before the code, so the survivors are renumbered; the result is
 * read back with libelf. */
#include "tpc.h"
#include "tap.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* the input's sections, by index */
enum { S_STRTAB = 1, S_DEBUG, S_REL_DEBUG, S_TEXT, S_REL_TEXT, S_BTF, S_REL_BTF, S_EXT, S_ADDRSIG, S_SYMTAB, S_N };
/* the input's symbols */
enum { Y_NULL, Y_FILE, Y_SEC_TEXT, Y_SEC_DEBUG, Y_SEC_BTF, Y_LBB, Y_SUB, Y_PROG, Y_G, Y_N };

static const char text[32] = "0123456789abcdef0123456789ABCDEF";
static const char btf[8] = "BTFBYTES";

struct img {
	char buf[4096];
	size_t len;
	char str[512];
	size_t strlen;
	Elf64_Shdr sh[S_N];
};

static uint32_t str(struct img *m, const char *s)
{
	uint32_t off = (uint32_t)m->strlen;
	memcpy(m->str + m->strlen, s, strlen(s) + 1);
	m->strlen += strlen(s) + 1;
	return off;
}

static void sec(struct img *m, int i, const char *name, uint32_t type, uint64_t flags, const void *data, size_t n,
		uint32_t link, uint32_t info, uint64_t align, uint64_t entsize)
{
	m->len = (m->len + 7) / 8 * 8;
	memcpy(m->buf + m->len, data, n);
	m->sh[i] = (Elf64_Shdr){str(m, name), type, flags, 0, m->len, n, link, info, align, entsize};
	m->len += n;
}

static Elf64_Sym sym(uint32_t name, int bind, int type, uint16_t shndx, uint64_t value)
{
	return (Elf64_Sym){.st_name = name, .st_info = ELF64_ST_INFO(bind, type), .st_shndx = shndx, .st_value = value};
}

/* The input; BAD_RELOC points a relocation of the code at the label. */
/* LINKER_ORDER: the local function sub and the global g trade places, so a
 * local comes after the globals, as libbpf's BPF linker writes them */
static size_t make(struct img *m, bool bad_reloc, bool linker_order)
{
	int ix[Y_N];
	for (int i = 0; i < Y_N; i++)
		ix[i] = i;
	if (linker_order)
		ix[Y_SUB] = Y_G, ix[Y_G] = Y_SUB;
	memset(m, 0, sizeof(*m));
	m->len = sizeof(Elf64_Ehdr);
	m->strlen = 1;
	Elf64_Sym syms[Y_N] = {0};
	syms[ix[Y_FILE]] = sym(str(m, "x.c"), STB_LOCAL, STT_FILE, SHN_ABS, 0);
	syms[ix[Y_SEC_TEXT]] = sym(0, STB_LOCAL, STT_SECTION, S_TEXT, 0);
	syms[ix[Y_SEC_DEBUG]] = sym(0, STB_LOCAL, STT_SECTION, S_DEBUG, 0);
	/* a kept section's symbol no kept relocation uses */
	syms[ix[Y_SEC_BTF]] = sym(0, STB_LOCAL, STT_SECTION, S_BTF, 0);
	syms[ix[Y_LBB]] = sym(str(m, "LBB0_1"), STB_LOCAL, STT_NOTYPE, S_TEXT, 8);
	syms[ix[Y_SUB]] = sym(str(m, "sub"), STB_LOCAL, STT_FUNC, S_TEXT, 16);
	syms[ix[Y_PROG]] = sym(str(m, "prog"), STB_GLOBAL, STT_FUNC, S_TEXT, 0);
	syms[ix[Y_G]] = sym(str(m, "g"), STB_GLOBAL, STT_NOTYPE, SHN_UNDEF, 0);
	Elf64_Rel rel_text[2] = {{8, ELF64_R_INFO(bad_reloc ? Y_LBB : ix[Y_G], 1)}, {24, ELF64_R_INFO(Y_SEC_TEXT, 10)}};
	Elf64_Rel rel_debug[1] = {{0, ELF64_R_INFO(Y_SEC_DEBUG, 3)}};
	Elf64_Rel rel_btf[2] = {{4, ELF64_R_INFO(ix[Y_G], 3)}, {8, ELF64_R_INFO(Y_SEC_BTF, 3)}};
	/* .BTF.ext: header, then func info (8), line info (16), CO-RE (8) */
	char ext[64] = {0};
	uint32_t hdr[8] = {0x0001eB9F, 32, 0, 8, 8, 16, 24, 8};
	memcpy(ext, hdr, sizeof(hdr));
	memcpy(ext + 32, "FUNCINFO", 8);
	memcpy(ext + 40, "LINEINFOLINEINFO", 16);
	memcpy(ext + 56, "CORERELO", 8);
	sec(m, S_DEBUG, ".debug_info", SHT_PROGBITS, 0, "DWARFDWARF", 10, 0, 0, 1, 0);
	sec(m, S_REL_DEBUG, ".rel.debug_info", SHT_REL, SHF_INFO_LINK, rel_debug, sizeof(rel_debug), S_SYMTAB, S_DEBUG, 8,
	    sizeof(Elf64_Rel));
	sec(m, S_TEXT, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, text, sizeof(text), 0, 0, 8, 0);
	sec(m, S_REL_TEXT, ".rel.text", SHT_REL, SHF_INFO_LINK, rel_text, sizeof(rel_text), S_SYMTAB, S_TEXT, 8,
	    sizeof(Elf64_Rel));
	sec(m, S_BTF, ".BTF", SHT_PROGBITS, 0, btf, sizeof(btf), 0, 0, 4, 0);
	sec(m, S_REL_BTF, ".rel.BTF", SHT_REL, SHF_INFO_LINK, rel_btf, sizeof(rel_btf), S_SYMTAB, S_BTF, 8,
	    sizeof(Elf64_Rel));
	sec(m, S_EXT, ".BTF.ext", SHT_PROGBITS, 0, ext, sizeof(ext), 0, 0, 4, 0);
	sec(m, S_ADDRSIG, ".llvm_addrsig", 0x6fff4c03, SHF_EXCLUDE, "\x06", 1, S_SYMTAB, 0, 1, 0);
	sec(m, S_SYMTAB, ".symtab", SHT_SYMTAB, 0, syms, sizeof(syms), S_STRTAB, Y_PROG, 8, sizeof(Elf64_Sym));
	sec(m, S_STRTAB, ".strtab", SHT_STRTAB, 0, "", 0, 0, 0, 1, 0);
	/* the names are all in now: the string table goes last */
	m->sh[S_STRTAB].sh_offset = m->len;
	m->sh[S_STRTAB].sh_size = m->strlen;
	memcpy(m->buf + m->len, m->str, m->strlen);
	m->len = (m->len + m->strlen + 7) / 8 * 8;
	Elf64_Ehdr eh = {.e_type = ET_REL, .e_machine = EM_BPF, .e_version = EV_CURRENT, .e_shoff = m->len,
			 .e_ehsize = sizeof(Elf64_Ehdr), .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = S_N,
			 .e_shstrndx = S_STRTAB};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(m->buf, &eh, sizeof(eh));
	memcpy(m->buf + m->len, m->sh, sizeof(m->sh));
	m->len += sizeof(m->sh);
	return m->len;
}

static Elf_Scn *by_name(Elf *e, const char *name, size_t *idx)
{
	size_t shstr;
	elf_getshdrstrndx(e, &shstr);
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
		GElf_Shdr sh;
		gelf_getshdr(s, &sh);
		const char *n = elf_strptr(e, shstr, sh.sh_name);
		if (n && !strcmp(n, name)) {
			if (idx)
				*idx = elf_ndxscn(s);
			return s;
		}
	}
	return NULL;
}

int main(void)
{
	tap_prefix = "objstrip";
	elf_version(EV_CURRENT);
	static struct img m;
	size_t len = make(&m, false, false);
	char *out = NULL, *err = NULL;
	size_t out_len = 0;
	OK(!objstrip_trim(m.buf, len, &out, &out_len, &err), "trims the image (%s)", err ? err : "no error");
	Elf *e = elf_memory(out, out_len);
	OK(e && elf_kind(e) == ELF_K_ELF, "the result is an ELF image");

	/* the sections kept, in order, renumbered */
	size_t shnum = 0, shstr = 0;
	elf_getshdrnum(e, &shnum);
	elf_getshdrstrndx(e, &shstr);
	struct buf names = {0};
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
		GElf_Shdr sh;
		gelf_getshdr(s, &sh);
		buf_printf(&names, "%s%s", names.len ? " " : "", elf_strptr(e, shstr, sh.sh_name));
	}
	STR_EQ(names.s, ".strtab .text .rel.text .BTF .BTF.ext .symtab", "DWARF, .rel.BTF, .llvm_addrsig go");
	buf_free(&names);
	size_t text_i = 0, symtab_i = 0;
	Elf_Scn *text_s = by_name(e, ".text", &text_i), *symtab_s = by_name(e, ".symtab", &symtab_i);
	Elf_Scn *rel_s = by_name(e, ".rel.text", NULL);
	GElf_Shdr rel_sh, sym_sh;
	gelf_getshdr(rel_s, &rel_sh);
	gelf_getshdr(symtab_s, &sym_sh);
	OK(text_i == 2 && symtab_i == 6 && rel_sh.sh_link == 6 && rel_sh.sh_info == 2,
	   ".rel.text links the new .symtab (%zu) and .text (%zu)", symtab_i, text_i);
	Elf_Data *d = elf_getdata(text_s, NULL);
	OK(d && d->d_size == sizeof(text) && !memcmp(d->d_buf, text, sizeof(text)), "the code is unchanged");
	d = elf_getdata(by_name(e, ".BTF", NULL), NULL);
	OK(d && d->d_size == sizeof(btf) && !memcmp(d->d_buf, btf, sizeof(btf)), ".BTF is unchanged");

	/* .BTF.ext: func info and CO-RE relocations, no line info */
	d = elf_getdata(by_name(e, ".BTF.ext", NULL), NULL);
	uint32_t hdr[8] = {0};
	if (d && d->d_size >= 32)
		memcpy(hdr, d->d_buf, 32);
	OK(d && d->d_size == 48 && hdr[2] == 0 && hdr[3] == 8 && hdr[4] == 8 && hdr[5] == 0 && hdr[6] == 8 &&
		   hdr[7] == 8 && !memcmp((char *)d->d_buf + 32, "FUNCINFOCORERELO", 16),
	   ".BTF.ext keeps func info and CO-RE, drops line info");

	/* the symbols: no file, no DWARF section, no label, no section
	 * symbol without a relocation; locals first */
	d = elf_getdata(symtab_s, NULL);
	size_t nsyms = d ? d->d_size / sizeof(Elf64_Sym) : 0;
	struct buf syms = {0};
	for (size_t j = 0; j < nsyms; j++) {
		GElf_Sym s;
		gelf_getsym(d, (int)j, &s);
		buf_printf(&syms, "%s%s/%d/%d", j ? " " : "", elf_strptr(e, sym_sh.sh_link, s.st_name),
			   GELF_ST_TYPE(s.st_info), s.st_shndx);
	}
	STR_EQ(syms.s, "/0/0 /3/2 sub/2/2 prog/2/2 g/0/0", "symbols kept, their sections renumbered");
	buf_free(&syms);
	OK(sym_sh.sh_info == 3, "three locals (%u)", (unsigned)sym_sh.sh_info);

	/* relocations name the same symbols by their new indices */
	d = elf_getdata(rel_s, NULL);
	GElf_Rel r0 = {0}, r1 = {0};
	gelf_getrel(d, 0, &r0);
	gelf_getrel(d, 1, &r1);
	OK(r0.r_offset == 8 && ELF64_R_SYM(r0.r_info) == 4 && ELF64_R_TYPE(r0.r_info) == 1 && r1.r_offset == 24 &&
		   ELF64_R_SYM(r1.r_info) == 1 && ELF64_R_TYPE(r1.r_info) == 10,
	   "relocations: g is 4, .text's section symbol 1");

	/* only the names still used */
	d = elf_getdata(by_name(e, ".strtab", NULL), NULL);
	OK(d && !memmem(d->d_buf, d->d_size, "LBB", 3) && !memmem(d->d_buf, d->d_size, "debug", 5) &&
		   !memmem(d->d_buf, d->d_size, "x.c", 3) && !memmem(d->d_buf, d->d_size, ".rel.BTF", 8),
	   "the string table has no name of what went");
	/* longest first; .text is the tail of .rel.text, g of prog */
	static const char want[] = "\0.rel.text\0.BTF.ext\0.strtab\0.symtab\0.BTF\0prog\0sub";
	OK(d && d->d_size == sizeof(want) && !memcmp(d->d_buf, want, sizeof(want)),
	   "the string table: longest names first, tails shared");
	elf_end(e);

	/* once trimmed, there is nothing more to take: the same bytes */
	char *again = NULL;
	size_t again_len = 0;
	free(err);
	err = NULL;
	OK(!objstrip_trim(out, out_len, &again, &again_len, &err) && again_len == out_len &&
		   !memcmp(again, out, out_len),
	   "trimming a trimmed object changes nothing");
	free(again);
	free(out);
	free(err);

	/* the linker's order: locals are moved ahead of the globals, and the
	 * relocations follow their symbols */
	len = make(&m, false, true);
	err = NULL;
	OK(!objstrip_trim(m.buf, len, &out, &out_len, &err), "trims a local after the globals (%s)",
	   err ? err : "no error");
	e = out ? elf_memory(out, out_len) : NULL;
	symtab_s = e ? by_name(e, ".symtab", NULL) : NULL;
	rel_s = e ? by_name(e, ".rel.text", NULL) : NULL;
	d = symtab_s ? elf_getdata(symtab_s, NULL) : NULL;
	if (symtab_s)
		gelf_getshdr(symtab_s, &sym_sh);
	nsyms = d ? d->d_size / sizeof(Elf64_Sym) : 0;
	struct buf order = {0};
	for (size_t j = 0; j < nsyms; j++) {
		GElf_Sym s;
		gelf_getsym(d, (int)j, &s);
		buf_printf(&order, "%s%s", j ? " " : "", elf_strptr(e, sym_sh.sh_link, s.st_name));
	}
	STR_EQ(order.s, "  sub g prog", "locals first, then the globals in their order");
	buf_free(&order);
	OK(symtab_s && sym_sh.sh_info == 3, "three locals (%u)", (unsigned)sym_sh.sh_info);
	d = rel_s ? elf_getdata(rel_s, NULL) : NULL;
	r0 = (GElf_Rel){0};
	if (d)
		gelf_getrel(d, 0, &r0);
	OK(ELF64_R_SYM(r0.r_info) == 3, "the relocation against g follows it to 3 (%u)",
	   (unsigned)ELF64_R_SYM(r0.r_info));
	if (e)
		elf_end(e);
	free(out);
	free(err);
	out = NULL;

	/* what cannot be done is said, not guessed at */
	len = make(&m, true, false);
	OK(objstrip_trim(m.buf, len, &out, &out_len, &err) == -1 && out == NULL, "a relocation against a label fails");
	STR_EQ(err, "a relocation in .rel.text refers to a symbol that goes", "and says where");
	free(err);
	OK(objstrip_trim("obj", 3, &out, &out_len, &err) == -1, "not ELF fails");
	STR_EQ(err, "it is no ELF file", "and says so");
	free(err);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
