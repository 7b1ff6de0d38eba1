/* optional.h: hooks the policy marked ignore.callNotFound (manifest
 * optional=1), and whether their function is on the running kernel. */
#ifndef TPL_OPTIONAL_H
#define TPL_OPTIONAL_H

#include "manifest.h"

/* 1 when hook h is optional and its function is not on this kernel (a
 * kprobe's not in /proc/kallsyms, a fentry's not in the vmlinux BTF): the
 * hook is to be skipped. 0 otherwise, also when that cannot be told (then
 * attaching fails or succeeds as for any hook). */
int tpl_hook_missing(const struct tpc_hook *h);

#endif
