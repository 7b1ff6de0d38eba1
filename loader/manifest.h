/* manifest.h: the object's ".tpc.manifest" section, parsed and validated.
 *
 * The manifest is untrusted input: tpc_manifest_parse() checks every bound
 * and reports the first problem as "manifest line N: ...".  A parsed
 * manifest is self-consistent: hooks are numbered 0..nhooks-1, every hook
 * has exactly its nargs arg records, the fields its kind needs, and one
 * entry program per variant (and one return program with return=1), and
 * names are well formed.
 */
#ifndef TPL_MANIFEST_H
#define TPL_MANIFEST_H

#include <stddef.h>

#include "tpc_abi.h"

/* Limits of this loader (the grammar itself has none). */
#define TPL_MAX_HOOKS TPC_MAX_HOOKS /* tpc refuses more, at the policy's line */
#define TPL_MAX_ARGS 64
#define TPL_MAX_MANIFEST (16u << 20)

struct tpc_marg {
	int index;   /* index= of the policy arg (or tracepoint field) */
	char *type;  /* type= as the policy wrote it */
	char *label; /* label=, or NULL */
};

/* A prog record: one program of a hook. */
struct tpc_mprog {
	char *name; /* the program's symbol in the object */
	enum tpc_prog_variant variant;
	enum tpc_prog_role role;
	int override; /* it performs the hook's Override */
};

struct tpc_hook {
	enum tpc_hook_kind kind;
	int nargs;
	char *policy;  /* policy=, the hook's own policy name, or NULL */
	char *message; /* or NULL */
	char **tags;   /* ntags strings */
	int ntags;
	struct tpc_marg *args;   /* nargs, by pos */
	struct tpc_mprog *progs; /* nprogs, in manifest order: each variant
				  * has one entry program (one return
				  * program too when ret) */
	int nprogs;
	int ret;           /* return=1: the event comes at return */
	/* the manifest's retaction records (all hooks': match hook and
	 * selector), set once the manifest is parsed */
	const struct tpc_mretaction *retactions;
	int nretactions;
	char *return_type; /* its type, or NULL */
	int override;      /* a selector overrides the return value */
	int enforcer;      /* enforcer=1: a spec.enforcers program, no events */
	int optional;      /* optional=1 (kprobe, fentry: ignore.callNotFound):
			    * a function this kernel lacks skips the hook */

	/* The kind's own fields: read, checked, used and freed by
	 * loader/hooks.c only. */
	union {
		struct {
			char *function; /* the kernel symbol attached: function_name */
			char *call;     /* as the policy wrote it, or NULL */
			int syscall;
		} kprobe;
		struct {
			char *tp; /* "<subsys>/<event>" */
		} tracepoint;
		struct {
			char *path;     /* the binary, absolute */
			char *symbol;   /* symbol=: "name" or "name+off", or NULL */
			unsigned long long offset, addr; /* offset=, addr= */
			int has_offset, has_addr;
			unsigned long long ref_ctr_offset;
			char **digests; /* digests=: "algo:hex", canonical */
			int ndigests;
			char *target;   /* "path:symbol", "path@0x..." for messages and the compact form */
			unsigned long long attached; /* the file offset attached (tpl_hook_open) */
		} uprobe;
		struct {
			char *path, *provider, *name;
			unsigned long long offset, ref_ctr_offset;
			char *sha256;   /* of the binary tpc decoded the probe from */
			char *target;   /* "path:provider:name" */
		} usdt;
	};
};

struct tpc_maction {
	int hook;
	int selector;
	char *kind;  /* "GetUrl" or "DnsLookup" */
	char *value;
};

/* A selector with matchReturnActions (tpc_abi.h "retaction" record):
 * the TPC_ACT_* bits of its matchActions and of its matchReturnActions,
 * which the event's actions hold together. */
struct tpc_mretaction {
	int hook;
	int selector;
	int entry, ret;
};

/* A filter with followForks/followChildren (tpc_abi.h "follow" record):
 * tp-load sets its bit for processes it seeds from /proc. */
enum tpc_follow_kind { TPC_FOLLOW_PID = 1, TPC_FOLLOW_BINARY = 2 };
enum tpc_follow_op { TPC_FOLLOW_IN = 1, TPC_FOLLOW_PREFIX = 2, TPC_FOLLOW_POSTFIX = 3 };

struct tpc_mfollow {
	int bit;
	enum tpc_follow_kind kind;
	int ns;                 /* pid: compare the pid in its own namespace */
	enum tpc_follow_op op;  /* binary */
	char **values;          /* decoded; pids as decimal text */
	int nvalues;
};

struct tpc_manifest {
	int version;
	char *tpc_version; /* or NULL */
	char *arch;        /* the target architecture, a TPC_ARCHES name */
	char *policy;
	int seed_procs;      /* policy seed=procs: seed the process table */
	int seed_exec_state; /* policy seed=...,exec-state */
	int kernel_stacks;   /* policy stacks=kernel...: events carry kernel stacks */
	struct tpc_hook *hooks;
	int nhooks;
	struct tpc_maction *actions;
	int nactions;
	struct tpc_mretaction *retactions;
	int nretactions;
	struct tpc_mfollow *follows;
	int nfollows;
};

/* Parse buf[0..len) (a trailing run of NUL bytes is allowed).  On success
 * returns 0 and fills *m (free with tpc_manifest_free); on failure returns
 * -1, leaves *m empty and writes a message to err. */
int tpc_manifest_parse(const char *buf, size_t len, struct tpc_manifest *m,
		       char *err, size_t errlen);

/* Read the manifest section of the ELF file at path and parse it.  Errors
 * are prefixed with the path: "x.bpf.o: manifest line 3: ...". */
int tpc_manifest_read(const char *path, struct tpc_manifest *m, char *err,
		      size_t errlen);

void tpc_manifest_free(struct tpc_manifest *m);

/* The same from an object image already in memory (what tp-load loads:
 * the bytes whose digest it checked are the bytes it parses and loads). */
int tpc_manifest_read_mem(const void *img, size_t size, const char *path, struct tpc_manifest *m, char *err,
			  size_t errlen);

/* Reads a whole file into a malloc()ed buffer. */
int tpc_file_read(const char *path, void **img, size_t *size, char *err, size_t errlen);

/* The record being parsed, for hooks.c to read a hook's kind fields
 * from. Each returns 0, or -1 having made the parse fail with
 * "manifest line N: <problem>". */
struct tpc_record;
int tpc_record_str(struct tpc_record *r, const char *key, int required, char **out); /* decoded copy */
int tpc_record_flag(struct tpc_record *r, const char *key, int *out); /* optional 0|1 */
/* an optional decimal u64: *present says whether it was there */
int tpc_record_u64(struct tpc_record *r, const char *key, unsigned long long *out, int *present);
int tpc_record_fail(struct tpc_record *r, const char *problem);

/* Names the manifest may hold: a C identifier (a program or type name);
 * a kernel symbol (also '.', as in "foo.isra.0"); "<subsys>/<event>". */
int tpc_is_ident(const char *s);
int tpc_is_symbol(const char *s);
int tpc_is_tp_name(const char *s);

#endif
