/* env.h: the fake world the generated checks run in when compiled for the
 * host (differential test of selector semantics, tests/diff/README).
 *
 * The shim runtime (shim/tpc_runtime.bpf.h) answers every question the
 * generated code asks the kernel (who is calling, its namespaces and
 * capabilities, its process-table entry, user memory, fd table) from one
 * struct tpcd_env, and records what the code did (the event it began,
 * signals it sent) in the same struct. The driver fills it per event.
 * Plain C types only: included by the shim (with the ABI's types) and by
 * the driver. */
#ifndef TPCD_ENV_H
#define TPCD_ENV_H

#include <stdint.h>
#include "tpc_abi.h"

#define TPCD_NS 10       /* TPC_NS_COUNT */
#define TPCD_MAX_REGIONS 16
#define TPCD_MAX_FDS 8
#define TPCD_MAX_SIGNALS 4
#define TPCD_MAX_HOOKS 1024

/* A readable piece of "user memory": args point into these. Anything
 * else faults, like an unmapped user address. */
struct tpcd_region {
	const unsigned char *p;
	uint64_t len;
};

/* The current task as the shim's tpc_task() hands it out. */
struct tpcd_task {
	uint32_t tgid, tid, nspid;
	uint32_t ns[TPCD_NS];
	uint64_t caps[3];
};

/* A kernel object a file or path arg points at, and the path the
 * runtime's dentry walk would give for it. */
struct tpcd_kobj {
	const void *p;
	const char *path;
};

struct tpcd_fd {
	int fd;
	const char *path; /* NULL: the fd cannot be resolved */
};

/* What the generated code did for one call. */
struct tpcd_out {
	int began;        /* tpc_event_begin calls */
	int hook, sel;    /* its arguments */
	uint32_t act;
	int nargs, origin;
	int submitted;    /* tpc_event_submit calls */
	int nsignals;
	int signals[TPCD_MAX_SIGNALS];
	int overrides;
};

/* Per-thread stash of a return hook (tpc_stash_put / _take). */
struct tpcd_stash {
	int valid;
	uint64_t a[6];
	uint64_t mask;
};

struct tpcd_env {
	struct tpcd_task task;          /* current */
	int proc_known;                 /* tpc_procs has an entry for task.tgid */
	struct tpc_proc proc;           /* that entry */
	struct tpc_config cfg;
	uint32_t loader_tgid; /* the tp-load of the world (tpc_loaders) */
	struct tpcd_region regions[TPCD_MAX_REGIONS];
	int nregions;
	struct tpcd_fd fds[TPCD_MAX_FDS];
	int nfds;
	struct tpcd_kobj kobjs[6];
	int nkobjs;
	uint32_t garbage;               /* seed of the stale bytes past a read */
	struct tpcd_stash stash[TPCD_MAX_HOOKS];
	struct tpcd_out out;
	int64_t func_ret;               /* what bpf_get_func_ret says in a fexit program */
	/* reads, for the statistics: how often each path of the shim ran */
	uint64_t str_reads, buf_reads, path_reads, faults;
};

#endif
