/* procread.h: what the process-table seeds (procs.h) read of one
 * /proc/PID, each file at most once, whichever tables the reading is for:
 * one walk of /proc can then fill tp-load's process table and an
 * object's tpc_procs map together. */
#ifndef TPL_PROCREAD_H
#define TPL_PROCREAD_H

#include <sys/types.h>

#include "tpc_abi.h"

/* What to read (bits of tpl_proc_read's `what`). */
enum {
	TPL_READ_STAT = 1,   /* ppid and start time (stat) */
	TPL_READ_EXE = 2,    /* the executable's path */
	TPL_READ_STATUS = 4, /* capabilities, effective uid, NSpid, ppid (status) */
	TPL_READ_NS = 8,     /* the namespace inodes (ten stat(2) calls) */
	TPL_READ_PCACHE = 16, /* what only tp-load's table uses: cwd, auid, argv, cgroup (with an executable) */
};

struct tpl_proc_read {
	tpc_u32 pid, ppid;
	tpc_u32 nspid;                /* innermost of NSpid: (pid when unknown) */
	tpc_u32 euid;                 /* second of Uid: (0 when unknown) */
	tpc_u32 auid;                 /* loginuid (0xffffffff when unknown) */
	unsigned long long ticks;     /* start time in clock ticks (with STAT) */
	unsigned long long caps[3];   /* effective, inheritable, permitted */
	tpc_u32 ns[TPC_NS_COUNT];     /* with NS */
	char exe[TPC_STR_MAX];
	size_t exe_len;               /* 0: none (a kernel thread, or not allowed) */
	char cwd[TPC_STR_MAX];
	ssize_t cwd_len;              /* -1: not readable */
	char *argv;                   /* NULL: not readable; else NUL-terminated */
	size_t argv_len;
	char *cgroup;
	size_t cgroup_len;
};

/* A handle on /proc/<pid> (-1: gone): every file of one process is read
 * through it, so that were the pid reused meanwhile, reads fail rather
 * than mix two processes. Close it with close(2). */
int tpl_proc_open(const char *pid);
/* Clear *r for the process pid (the defaults the fields say). */
void tpl_proc_init(struct tpl_proc_read *r, tpc_u32 pid);
/* Read what `what` asks into *r, each file once (call again for more).
 * -1 when stat, or status without stat, cannot be read (the process is
 * gone); what else cannot be read keeps its default. Free with
 * tpl_proc_read_free. */
int tpl_proc_read(int dfd, unsigned what, struct tpl_proc_read *r);
void tpl_proc_read_free(struct tpl_proc_read *r);

/* /proc/<pid>/ns/<name> inodes for each TPC_NS_* index; how many were read. */
int tpl_read_ns(const char *pid, tpc_u32 ns[TPC_NS_COUNT]);

#endif
