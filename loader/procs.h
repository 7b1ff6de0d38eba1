/* procs.h: seed the object's process map from /proc, so that processes
 * started before tp-load are known (parent, binary). */
#ifndef TPL_PROCS_H
#define TPL_PROCS_H

/* Insert an entry for every readable /proc/<pid> into the tpc_procs map
 * (without overwriting entries the kernel side made meanwhile).  What
 * cannot be read is skipped.  Returns the number of entries written. */
int tpl_seed_procs(int procs_fd);

#endif
