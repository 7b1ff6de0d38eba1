/* link.c: links the policy's unit with tpc's runtime programs.
 *
 * The programs every object carries (process table, process events,
 * whoami: runtime-bpf/tpc_procs.bpf.h) depend on no policy, yet were most
 * of clang's work for a small one. The build compiles them once per
 * architecture (tpc_procs.<arch>.bpf.o, embedded in tpc); here libbpf's
 * BPF linker joins that object with the unit clang wrote for the policy:
 * maps both define (weak) become one, the fork program's call to the
 * policy's tpc_fork_follow is resolved, BTF is merged and deduplicated.
 * The result is an ordinary CO-RE object, as portable as either input. */
#include "tpc.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What libbpf says while linking, for the error message (it would
 * otherwise print to stderr). */
static struct buf link_log;

static int log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || link_log.len > 4096)
		return 0;
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n > 0)
		buf_puts(&link_log, line);
	return n;
}

int cc_link(const char *dir, const char *unit, const char *arch, const char *out, char **err)
{
	char *name = xasprintf("tpc_procs.%s.bpf.o", arch);
	size_t len = 0;
	const char *data = embedded_get(name, &len);
	char *rt = xasprintf("%s/%s", dir, name);
	free(name);
	if (!data) {
		*err = xasprintf("this tpc carries no runtime object for %s", arch);
		free(rt);
		return -1;
	}
	if (!cc_write_new(rt, data, len)) {
		*err = xasprintf("cannot write %s: %s", rt, strerror(errno));
		free(rt);
		return -1;
	}
	link_log = (struct buf){0};
	libbpf_print_fn_t old = libbpf_set_print(log_print);
	int rc = -1;
	struct bpf_linker *l = bpf_linker__new(out, NULL);
	if (l && !bpf_linker__add_file(l, unit, NULL) && !bpf_linker__add_file(l, rt, NULL) && !bpf_linker__finalize(l))
		rc = 0;
	if (rc)
		*err = xasprintf("linking the runtime programs failed\n%s", link_log.s ? link_log.s : "");
	bpf_linker__free(l);
	libbpf_set_print(old);
	buf_free(&link_log);
	free(rt);
	return rc;
}
