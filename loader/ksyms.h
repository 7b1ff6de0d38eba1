/* ksyms.h: kernel addresses to symbols, from /proc/kallsyms. The table
 * is read once, when the first object with kernelStackTrace is loaded
 * (else on the first lookup; objects without need none), kept as one sorted array of (address, name, module) over one
 * string pool, and searched by binary search. */
#ifndef TPL_KSYMS_H
#define TPL_KSYMS_H

#include <stdint.h>

struct tpl_ksym {
	const char *name;
	const char *module; /* "" for the kernel image */
	uint64_t offset;    /* address - the symbol's start */
};

/* The text symbol at or below addr. 0, or -1 when there is none (or
 * kallsyms cannot be read, or shows no addresses: said once on stderr). */
int tpl_ksym_find(uint64_t addr, struct tpl_ksym *out);

/* Read /proc/kallsyms now unless it was read already (tp-load does at
 * load for objects whose events carry kernel stacks: ~170 ms here, which
 * would otherwise stall the first such event). */
void tpl_ksyms_ready(void);

/* Free the table (at exit; a later lookup reads it again). */
void tpl_ksyms_free(void);

/* Read the table from path instead of /proc/kallsyms (tests). */
int tpl_ksyms_load(const char *path);

#endif
