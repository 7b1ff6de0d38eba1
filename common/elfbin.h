/* elfbin.h: what tpc and tp-load read from a user-space ELF binary to
 * probe it (libelf): its symbols, the program headers that map addresses
 * to file offsets, its GNU build id and its USDT notes (.note.stapsdt).
 *
 * tpc reads the binary at build time when it is there (lint: does the
 * symbol exist; USDTs: where the probes are and how their arguments are
 * passed); tp-load reads the file it attaches to, through the descriptor
 * it hashed, so a uprobe's symbol is found in the very bytes probed. */
#ifndef TPC_ELFBIN_H
#define TPC_ELFBIN_H

#include <stddef.h>
#include <stdint.h>

struct elfbin;

/* Opens the ELF file behind fd (which stays the caller's; it must stay
 * open until elfbin_close). NULL, with the reason in err, when it is not
 * an ELF executable or shared object. */
struct elfbin *elfbin_open(int fd, char *err, size_t errlen);
void elfbin_close(struct elfbin *e);

int elfbin_machine(const struct elfbin *e); /* e_machine: EM_X86_64, EM_AARCH64, ... */
int elfbin_is64(const struct elfbin *e);

/* "name" or "name+off" (off decimal, or with a 0x, 0o, 0b or 0 prefix, as
 * Tetragon reads it): the name into name[0..len) and off. -1 when the
 * text is malformed (empty name, a second '+', a bad number). */
int elfbin_split_symbol(const char *text, char *name, size_t len, uint64_t *off);

enum elfbin_sym_kind {
	ELFBIN_SYM_FUNC,  /* a function: probe it */
	ELFBIN_SYM_IFUNC, /* an ifunc: its resolver, not the implementation chosen at run time */
	ELFBIN_SYM_OTHER, /* data, or a symbol without a type */
};

struct elfbin_sym {
	uint64_t addr; /* st_value: the link-time virtual address */
	uint64_t size;
	enum elfbin_sym_kind kind;
};

/* Symbol name in .symtab, else .dynsym (a defined one: st_shndx set and
 * a non-zero value; global before local). 0, or -1 when there is none. */
int elfbin_symbol(struct elfbin *e, const char *name, struct elfbin_sym *out);

/* The names of the binary's defined functions, NULL-terminated (owned by
 * e), for "did you mean" suggestions. */
const char *const *elfbin_func_names(struct elfbin *e);

/* The file offset of virtual address addr through the PT_LOAD segment
 * holding it (an executable one when exec, a non-executable one when not).
 * 0, or -1 when no such segment holds it. */
int elfbin_addr_to_offset(const struct elfbin *e, uint64_t addr, int exec, uint64_t *off);

/* The virtual address of file offset off through the PT_LOAD segment
 * holding it. 0, or -1 when no segment maps it. */
int elfbin_offset_to_addr(const struct elfbin *e, uint64_t off, uint64_t *addr);

/* Calls fn on every defined function (STT_FUNC, STT_GNU_IFUNC) of .symtab
 * and .dynsym (a function in both comes twice); stops when fn returns
 * non-zero and returns that. name is valid until elfbin_close. */
int elfbin_each_func(struct elfbin *e, int (*fn)(void *arg, const char *name, uint64_t addr, uint64_t size),
		     void *arg);

/* The GNU build id (.note.gnu.build-id) into id[0..max); its length, or 0
 * when the binary has none. */
size_t elfbin_build_id(struct elfbin *e, unsigned char *id, size_t max);

/* One USDT probe site: a stapsdt note (type 3) of a SHT_NOTE section. */
struct elfbin_usdt {
	uint64_t pc;   /* the probe's address, adjusted for prelinking (.stapsdt.base) */
	uint64_t base; /* the note's link-time .stapsdt.base */
	uint64_t sema; /* the semaphore's address, or 0 */
	char *provider, *name, *args; /* args: the argument specs, "-4@%edi 8@-16(%rbp)" */
};

/* Every USDT site of the binary, in file order (owned by e). */
const struct elfbin_usdt *elfbin_usdts(struct elfbin *e, int *n);

#endif
