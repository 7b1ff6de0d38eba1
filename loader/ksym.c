/* ksym.c: see ksym.h. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "ksym.h"

/* Wrapper prefixes a policy may already carry. */
static const char *const prefixes[] = {
	"__x64_", "__arm64_", "__ia32_", "__s390x_", "__riscv_",
};

const char *tpl_syscall_prefix(void)
{
	static char prefix[16];
	static int done;
	struct utsname u;

	if (done)
		return prefix;
	done = 1;
	if (uname(&u) != 0)
		return prefix;
	if (strcmp(u.machine, "x86_64") == 0)
		strcpy(prefix, "__x64_");
	else if (strcmp(u.machine, "aarch64") == 0)
		strcpy(prefix, "__arm64_");
	else if (strcmp(u.machine, "s390x") == 0)
		strcpy(prefix, "__s390x_");
	else if (strcmp(u.machine, "riscv64") == 0)
		strcpy(prefix, "__riscv_");
	return prefix;
}

void tpl_hook_symbol(const struct tpc_hook *h, char *buf, size_t len)
{
	const char *call;

	if (h->kind == TPC_HOOK_TRACEPOINT) {
		snprintf(buf, len, "%s", h->tp);
		return;
	}
	call = h->call;
	if (!h->syscall) {
		snprintf(buf, len, "%s", call);
		return;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(call, prefixes[i], n) == 0) {
			call += n;
			break;
		}
	}
	snprintf(buf, len, "%s%s%s", tpl_syscall_prefix(),
		 strncmp(call, "sys_", 4) == 0 ? "" : "sys_", call);
}
