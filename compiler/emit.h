/* emit.h: shared between the code generator's files (emit*.c). */
#ifndef TPC_EMIT_H
#define TPC_EMIT_H

#include "tpc.h"

struct str_plan {
	int index;    /* arg index */
	bool used;    /* some check reads it */
	bool postfix; /* needs the whole string */
	int size;     /* bytes of the check buffer (multiple of 8) */
	int slot;     /* scratch slot, or -1 for a stack buffer */
	bool is_buf;  /* char_buf: size from another arg */
	bool is_path; /* file, path, dentry or fd: resolved to a path string */
};

/* What one hook's generated code needs, decided before emitting it. */
struct hook_plan {
	const struct hook *h;
	int id;
	int na; /* slots of the raw arg array */
	struct str_plan strs[16];
	int nstrs;
	bool user_mem;    /* pointers are user memory (syscalls) */
	bool need_proc;   /* reads the process table entry */
	bool need_task;   /* reads the current task */
	bool need_nspid;  /* the pid in its own namespace */
	bool need_pid;    /* the caller's tgid, before a selector matches */
	bool need_cfg;    /* tpc_config (host_ns) before a selector matches */
	unsigned ns_used; /* namespace kinds read, 1 << TPC_NS_* */
	unsigned caps_used; /* capability sets read, 1 << set */
};

/* Condition: the first strlen(v) bytes at the u64 words `w` are v. */
void cond_words_prefix(struct buf *b, const char *w, const char *v);

/* emit_process.c */
void plan_process(struct hook_plan *hp);
void emit_process_locals(struct buf *b, const struct hook_plan *hp);
/* pass 0: pids, 1: namespaces, 2: capabilities and changes, 3: binaries */
void emit_process_checks(struct buf *b, const struct hook_plan *hp, const struct selector *s, int pass);
int assign_follow_bits(struct policy *p);
void emit_fork_follow(struct buf *b, const struct policy *p);
void manifest_follow_records(struct buf *b, const struct policy *p);

#endif
