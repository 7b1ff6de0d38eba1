/* optional.c: is an optional hook's function on this kernel? Asked before
 * anything of the object is loaded, so that a missing function skips its
 * hook whole: no program of it is loaded (a fentry's would not even load
 * without its target) or attached, and the other hooks go on. */
#include "optional.h"

#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

/* 1 when /proc/kallsyms names fn (the kernel image or a loaded module),
 * 0 when it does not, -1 when it cannot be read. */
static int kallsyms_has(const char *fn)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %255s", name) == 1 && strcmp(name, fn) == 0)
			found = 1;
	fclose(f);
	return found;
}

/* 1 when the vmlinux BTF has function fn, 0 when not, -1 unreadable */
static int btf_has(const char *fn)
{
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	int found = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

int tpl_hook_missing(const struct tpc_hook *h)
{
	if (!h->optional || !h->kprobe.function)
		return 0;
	if (h->kind == TPC_HOOK_KPROBE) /* kprobes attach by kallsyms name */
		return kallsyms_has(h->kprobe.function) == 0;
	if (h->kind == TPC_HOOK_FENTRY) /* fentries by BTF id */
		return btf_has(h->kprobe.function) == 0;
	return 0;
}
