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
 * process tree. What cannot be read is skipped. Returns the number of
 * entries written. */
int tpl_seed_procs(int procs_fd, const struct tpc_manifest *m);

/* Every process /proc shows, into tp-load's process table (pcache.h):
 * the images events name that began before tp-load did. Kernel threads
 * (no executable) are left out. Returns the number seeded. */
int tpl_seed_pcache(void);

#endif
