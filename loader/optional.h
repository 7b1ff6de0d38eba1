/* optional.h: hooks the policy marked ignore.callNotFound (manifest
 * optional=1), and whether their function is on the running kernel. */
#ifndef TPL_OPTIONAL_H
#define TPL_OPTIONAL_H

#include "manifest.h"

/* For every hook i of m: missing[i] = 1 when it is optional and its
 * function is not on this kernel (a kprobe's not in /proc/kallsyms, a
 * fentry's not in the vmlinux BTF): the hook is to be skipped. 0
 * otherwise, also when that cannot be told (then attaching fails or
 * succeeds as for any hook). One pass for the whole object: kallsyms is
 * read at most once, the vmlinux BTF loaded at most once. */
void tpl_hooks_missing(const struct tpc_manifest *m, int *missing);

/* The same for the optional fentry hooks alone (a kprobe's program loads
 * without its function: --verify verifies it as usual). */
void tpl_fentries_missing(const struct tpc_manifest *m, int *missing);

#endif
