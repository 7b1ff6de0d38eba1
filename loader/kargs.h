/* kargs.h: how tp-load prints the args that are kernel structs or kernel
 * numbers with names (cred, user_namespace, bpf_attr, bpf_prog, bpf_map,
 * perf_event, module, load_info, linux_binprm, kiocb, capability masks,
 * capability, bpf_cmd, syscall64) and the network args (sock, socket,
 * skb, sockaddr), with Tetragon's JSON keys. Their
 * records are tpc_abi.h's struct tpc_rec_*; the kernel's names for
 * numbers (CAP_*, BPF_PROG_TYPE_*, TAINT_*, ...) are tables here. */
#ifndef TPL_KARGS_H
#define TPL_KARGS_H

#include <stdio.h>

#include "event.h"

enum tpl_karg {
	TPL_KARG_NONE,
	TPL_KARG_CRED,
	TPL_KARG_USERNS,
	TPL_KARG_BPF_ATTR,
	TPL_KARG_BPF_PROG,
	TPL_KARG_BPF_MAP,
	TPL_KARG_PERF_EVENT,
	TPL_KARG_MODULE,
	TPL_KARG_LOAD_INFO,
	TPL_KARG_LINUX_BINPRM,
	TPL_KARG_KIOCB,
	TPL_KARG_CAPS,       /* kernel_cap_t, cap_inheritable, cap_permitted, cap_effective */
	TPL_KARG_CAPABILITY,
	TPL_KARG_BPF_CMD,
	TPL_KARG_SYSCALL64,
	TPL_KARG_SOCK,     /* sock, socket: sock_arg */
	TPL_KARG_SKB,      /* skb_arg */
	TPL_KARG_SOCKADDR, /* sockaddr_arg */
	TPL_KARG_SOCKADDR_UN, /* sockaddrun_arg */
};

/* The karg an arg type names, or TPL_KARG_NONE. */
enum tpl_karg tpl_karg_of(const char *type);

/* The JSON member of a value of that kind: `"key":{...}` (no braces
 * around it); the caller writes the arg object's braces and label. On a
 * tracepoint's event (tp_event) a network family is named only when it
 * is AF_INET, AF_INET6 or AF_UNIX, as Tetragon's tracepoint events do. */
void tpl_karg_json(FILE *f, enum tpl_karg k, const char *type, const struct tpc_value *v, int tp_event);
/* The compact form's text of it. */
void tpl_karg_compact(FILE *f, enum tpl_karg k, const struct tpc_value *v);

/* "-rwxr-xr-x" of a file mode. */
void tpl_mode_string(unsigned mode, char out[11]);
/* CAP_SYS_ADMIN, or NULL for a number beyond the table. */
const char *tpl_cap_name(unsigned cap);

#endif
