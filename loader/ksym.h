/* ksym.h: kernel symbol names of hooks (the syscall wrapper prefix). */
#ifndef TPL_KSYM_H
#define TPL_KSYM_H

#include <stddef.h>

#include "manifest.h"

/* The syscall wrapper prefix of this machine ("__x64_" on x86_64,
 * "__arm64_" on aarch64, from uname), "" when unknown. */
const char *tpl_syscall_prefix(void);

/* The symbol a kprobe hook attaches to, which is also the function_name
 * its events report: for syscall=1 the prefix + "sys_X" whatever prefix
 * the policy wrote; else the call name as is.  For tracepoint hooks,
 * "<subsys>/<event>". */
void tpl_hook_symbol(const struct tpc_hook *h, char *buf, size_t len);

#endif
