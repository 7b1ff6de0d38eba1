/* objstrip.c: what tpc trims from the object clang wrote (cc.c runs
 * llvm-objcopy with the result).
 *
 * clang -g is what makes BTF for a BPF target (the maps' definitions and
 * CO-RE need .BTF and .BTF.ext), but it also writes DWARF, and .BTF.ext
 * carries a line-info record (with its relocation) per few instructions.
 * Nothing at load time reads DWARF, the relocations of .BTF/.BTF.ext
 * (libbpf skips relocations of sections without code) or the branch
 * labels LLVM leaves in the symbol table; line info only annotates the
 * verifier's log with source lines. Dropping them takes the default
 * policy's object from 171 KB to 49 KB. tpc --keep-debug keeps it all. */
#include "tpc.h"

#include <elf.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BTF_EXT_MAGIC 0xeB9F

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

/* The section called NAME in a little- or native-endian ELF64 image, or
 * NULL. Bounds are checked: the image comes from clang but costs nothing
 * to distrust. */
static const char *elf_section(const char *obj, size_t len, const char *name, size_t *sec_len)
{
	Elf64_Ehdr eh;
	if (len < sizeof(eh))
		return NULL;
	memcpy(&eh, obj, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
	    (len - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum || eh.e_shstrndx >= eh.e_shnum)
		return NULL;
	Elf64_Shdr strs;
	memcpy(&strs, obj + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(strs));
	if (strs.sh_offset > len || strs.sh_size > len - strs.sh_offset)
		return NULL;
	for (size_t i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, obj + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
		if (sh.sh_name >= strs.sh_size || sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			continue;
		const char *n = obj + strs.sh_offset + sh.sh_name;
		size_t room = strs.sh_size - sh.sh_name;
		if (strnlen(n, room) == room || strcmp(n, name))
			continue;
		*sec_len = sh.sh_size;
		return obj + sh.sh_offset;
	}
	return NULL;
}

bool objstrip_btf_ext(const char *obj, size_t len, char **ext, size_t *ext_len)
{
	size_t n = 0;
	const char *sec = elf_section(obj, len, ".BTF.ext", &n);
	struct ext_hdr h;
	if (!sec || n < sizeof(h))
		return false;
	memcpy(&h, sec, sizeof(h));
	/* only the layout known here: another byte order, version or a
	 * longer header (sections this code does not know) stays as is */
	if (h.magic != BTF_EXT_MAGIC || h.version != 1 || h.hdr_len != sizeof(h) || !h.line_info_len)
		return false;
	size_t body = n - h.hdr_len;
	if (h.func_info_off > body || h.func_info_len > body - h.func_info_off ||
	    h.core_relo_off > body || h.core_relo_len > body - h.core_relo_off)
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

/* llvm-objcopy: $TPC_OBJCOPY, else the one beside the real clang (Debian's
 * /usr/bin/clang is /usr/lib/llvm-N/bin/clang, whose llvm-objcopy matches
 * it), else whichever is on PATH. */
char *objstrip_tool(const char *clang)
{
	const char *env = getenv("TPC_OBJCOPY");
	if (env && *env)
		return xstrdup(env);
	char *found = NULL;
	if (!strchr(clang, '/')) {
		const char *path = getenv("PATH");
		char *dirs = xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
			char *p = xasprintf("%s/%s", *d ? d : ".", clang);
			if (!access(p, X_OK))
				found = p;
			else
				free(p);
		}
		free(dirs);
	} else {
		found = xstrdup(clang);
	}
	if (found) {
		char *real = realpath(found, NULL);
		free(found);
		if (real) {
			char *slash = strrchr(real, '/');
			*slash = 0;
			char *p = xasprintf("%s/llvm-objcopy", real);
			free(real);
			if (!access(p, X_OK))
				return p;
			free(p);
		}
	}
	return xstrdup("llvm-objcopy");
}
