/* emit.h: shared between the code generator's files (emit*.c). They write
 * C from the plan (plan.c) and decide nothing of their own. */
#ifndef TPC_EMIT_H
#define TPC_EMIT_H

#include "tpc.h"

/* emit_strings.c: string compares, as words of the zero-padded buffer */
/* Condition: the first v->len bytes at the u64 words `w` are v's; the
 * value is quoted in a comment beside its words. */
void cond_words_prefix(struct buf *b, const char *w, const struct value *v);
/* Condition: a string of `len` bytes (without its NUL) ends with v.
 * `at_end` opens the macro (prologue.c.tmpl) giving its k-th byte from the end,
 * e.g. "TPC_END_BYTE(w4, n4" (the caller's macro adds ", k)"). */
void cond_postfix(struct buf *b, const char *at_end, const char *len, const struct value *v, const char *indent);
/* A filter that fails ends the selector: `cond` is the filter's positive
 * form without outer parentheses; the selector stops when cond == when
 * is false (when: the operator is negated, so it stops when cond holds). */
/* a byte as a C character constant */
void c_byte(struct buf *b, unsigned char c);
void emit_break_if(struct buf *b, bool when, const char *cond);
/* A comment-safe copy of user text (no comment end, no newlines). */
void comment_text(struct buf *b, const char *s);
/* A value in a C comment: "/etc/passwd" with non-printing bytes escaped. */
void comment_value(struct buf *b, const struct value *v);

/* emit_sets.c: large value sets (valueset.c) as tables and lookups */
void emit_valuesets(struct buf *b, const struct hook_plan *hp);
/* and address filters' range tables (addrtable.c) and searches */
void emit_addrtables(struct buf *b, const struct hook_plan *hp);
/* "tpc_h<N>_vs<K>_has(arg)" */
void cond_in_set(struct buf *b, const struct hook_plan *hp, const struct valueset *vs, const char *arg);

/* emit_args.c: reads, checks and event records of declared args */
/* the lazy computation of an arg's value (v<slot>, e<slot>) when it has a
 * value function; nothing otherwise */
void emit_value_eval(struct buf *b, const struct hook_plan *hp, const struct arg *a, const char *indent);
/* its pointers point into the caller's memory */
bool arg_user_memory(const struct hook_plan *hp, const struct arg *a);
void emit_resolve(struct buf *b, const struct hook_plan *hp, const struct arg *a, const struct str_plan *sp,
		  const char *indent);
/* The C expression of an arg's value (a[index], or v<slot>). */
void emit_value_c(struct buf *b, const struct hook_plan *hp, const struct arg *a);
/* the bpf_loop step functions of the hook's SubString filters */
void emit_substr_fns(struct buf *b, const struct hook_plan *hp);
/* a CelExpr filter: its slots' values, then its expression */
void emit_cel_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma);
void emit_arg_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma, const struct arg *a);
void emit_output_arg(struct buf *b, const struct hook_plan *hp, const struct arg *a, bool at_return);
void emit_str_locals(struct buf *b, const struct hook_plan *hp);
/* A returned sock (returnArg sock/socket): its network filters in
 * matchReturnArgs, the tuple they read, its record after the args'. */
void emit_return_net_check(struct buf *b, const struct hook_plan *hp, const struct match_arg *ma);
void emit_return_locals(struct buf *b, const struct hook_plan *hp);
void emit_return_record(struct buf *b, const struct hook_plan *hp);
/* a sleepable hook: every pre-loaded arg not read yet, read now (at_return:
 * in the return half, where returnCopy sizes come from the return value) */
void emit_preloads(struct buf *b, const struct hook_plan *hp, bool at_return);
/* the C expression of integer constant x as an arg of type t */
void c_int_const(struct buf *b, enum arg_type t, long long x);

/* emit_access.c: resolve paths and data sources: the local struct types
 * of the object's paths (once per object), and per arg with a value
 * function the function itself */
void emit_access_types(struct buf *b, const struct plan *pl);
void emit_value_fns(struct buf *b, const struct hook_plan *hp);

/* emit_process.c: process-aware filters and the fork-time follow code */
void emit_process_locals(struct buf *b, const struct hook_plan *hp);
/* pass 0: pids, 1: namespaces, 2: capabilities and changes, 3: binaries */
void emit_process_checks(struct buf *b, const struct plan *pl, const struct hook_plan *hp, const struct selector *s,
			 int pass);
void emit_fork_follow(struct buf *b, const struct plan *pl);

#endif
