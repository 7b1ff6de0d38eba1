/* usyms.h: user addresses of a process to (file, file offset, function),
 * as Tetragon symbolises user stacks: the mapping that holds the address
 * in /proc/PID/maps, then the ELF function (.symtab, else .dynsym)
 * covering the file offset. The maps are read once per stack; the
 * functions of a file once per file (a small cache keyed by device and
 * inode, shared by every process that maps it). */
#ifndef TPL_USYMS_H
#define TPL_USYMS_H

#include <stdint.h>
#include <sys/types.h>

struct tpl_umaps; /* one process's file mappings */

/* /proc/TID/maps (else /proc/PID/maps): NULL when the process is gone. */
struct tpl_umaps *tpl_umaps_read(pid_t pid, pid_t tid);
void tpl_umaps_free(struct tpl_umaps *m);

struct tpl_usym {
	const char *module; /* the mapped file's path */
	const char *name;   /* the function, "" when the file has no symbol for it */
	uint64_t offset;    /* the address's offset in the file */
};

/* 0, or -1 when no file mapping holds addr (anonymous memory, the vdso).
 * The strings stay valid until the next call. */
int tpl_usym_find(struct tpl_umaps *m, uint64_t addr, struct tpl_usym *out);

/* Drop the cached symbol tables (at exit). */
void tpl_usyms_free(void);

#endif
