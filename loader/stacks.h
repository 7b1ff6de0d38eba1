/* stacks.h: kernelStackTrace / userStackTrace. An event whose actions
 * have TPC_ACT_KSTACK / TPC_ACT_USTACK carries stack ids of its object's
 * TPC_STACKS_MAP; here they are looked up and symbolised (ksyms.h for
 * kernel frames, usyms.h for user ones) for the printers. A stack that
 * could not be had (bpf_get_stackid failed, or its entry is gone) is said
 * on stderr, never left out silently. */
#ifndef TPL_STACKS_H
#define TPL_STACKS_H

#include <stdint.h>

#include "event.h"

/* --expose-stack-addresses: frames carry their addresses (Tetragon's
 * flag of the same name); off by default, as there. */
extern int tpl_stack_addresses;

struct tpl_frame {
	uint64_t address;
	uint64_t offset;     /* kernel: from the symbol's start; user: in the file */
	const char *symbol;  /* "" when unknown */
	const char *module;  /* kernel: the module, "" for the kernel image; user: the file */
};

struct tpl_stack {
	int err;   /* 0, or the negative errno that lost the stack */
	int n;     /* frames, innermost first; those that did not symbolise are skipped */
	struct tpl_frame f[TPC_STACK_DEPTH];
	char strs[16384]; /* the frames' strings */
	size_t slen;
};

/* Look up and symbolise ev's stacks into ev->kstack / ev->ustack (NULL
 * when not asked for), from the stack map map_fd (-1: the object has
 * none). The stacks are tp-load's until the next call. */
void tpl_stacks_resolve(int map_fd, const char *objpath, struct tpc_ev *ev);

/* Stacks that could not be had since start, by kind (the exit report). */
void tpl_stacks_report(void);

/* Free the symbol tables (at exit). */
void tpl_stacks_free(void);

#endif
