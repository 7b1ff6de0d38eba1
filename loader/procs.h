/* procs.h: the host-side half of the process table: seed the object's
 * tpc_procs map from /proc, so that processes started before tp-load are
 * known (parent, binary, namespaces and capabilities, follow bits), and
 * find the host's namespaces for host_ns. */
#ifndef TPL_PROCS_H
#define TPL_PROCS_H

#include "manifest.h"
#include "tpc_abi.h"

/* Where host_ns is read from: the namespaces of this pid (default 1, the
 * host's init). When /proc/<pid>/ns cannot be read, tp-load's own are used
 * and a note says so, once. */
extern int tpl_host_ns_pid;

/* Inode numbers of the host's namespaces, by TPC_NS_* (0 when unknown). */
void tpl_host_ns(tpc_u32 ns[TPC_NS_COUNT]);

/* Insert an entry for every readable /proc/<pid> into the tpc_procs map
 * (without overwriting entries the kernel side made meanwhile), with the
 * follow bits of the manifest's follow filters computed from the current
 * process tree. What cannot be read is skipped. With pcache, the same walk
 * of /proc also seeds tp-load's process table (as tpl_seed_pcache): one
 * read of each process for both, where one object brought both tables.
 * Returns the number of entries written. */
int tpl_seed_procs(int procs_fd, const struct tpc_manifest *m, int pcache);

/* Every process /proc shows, into tp-load's process table (pcache.h):
 * the images events name that began before tp-load did. Kernel threads
 * (no executable) are left out. Returns the number seeded. */
int tpl_seed_pcache(void);

/* The walks of one start (tp-load's objects, or one --dir scan) share what
 * they read: a later object's walk reads again only the processes that
 * are new, or whose start time or executable changed, and their parents.
 * Called once the start is over, to free what was kept. */
void tpl_seed_forget(void);
/* How many processes the last table walk took from the one before. */
int tpl_seed_reused(void);

#endif
