/* fdsweep.h: removal of FollowFD entries of processes that have exited. */
#ifndef TPL_FDSWEEP_H
#define TPL_FDSWEEP_H

#include "attach.h"

/* Deletes the tpc_fds entries whose process is gone; returns how many.
 * The kernel side removes entries on UnfollowFD only: a process that
 * exits without closing its followed fds would otherwise leave them. */
int tpl_fd_sweep(const struct tpl_obj *o);

#endif
