/* optional.c: is an optional hook's function on this kernel? Asked before
 * anything of the object is loaded, so that a missing function skips its
 * hook whole: no program of it is loaded (a fentry's would not even load
 * without its target) or attached, and the other hooks go on.
 *
 * All of an object's optional hooks are answered together: /proc/kallsyms
 * (~120k lines) is read once and the vmlinux BTF (5-6 MB) parsed once per
 * object, not once per hook. */
#include "optional.h"

#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

static int is_optional(const struct tpc_hook *h, enum tpc_hook_kind kind)
{
	return h->optional && h->kprobe.function && h->kind == kind;
}

/* Marks missing the optional kprobe hooks whose function /proc/kallsyms
 * does not name (the kernel image or a loaded module); kprobes attach by
 * kallsyms name. Unreadable: none is marked. */
static void kallsyms_check(const struct tpc_manifest *m, int *missing)
{
	int want = 0;
	for (int i = 0; i < m->nhooks; i++)
		if (is_optional(&m->hooks[i], TPC_HOOK_KPROBE)) {
			missing[i] = 1; /* until the file names it */
			want++;
		}
	if (!want)
		return;
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f) {
		for (int i = 0; i < m->nhooks; i++)
			if (is_optional(&m->hooks[i], TPC_HOOK_KPROBE))
				missing[i] = 0;
		return;
	}
	char line[512];
	while (want && fgets(line, sizeof(line), f)) {
		/* "ADDR TYPE NAME[\t[MODULE]]" */
		char *name = strchr(line, ' ');
		name = name ? strchr(name + 1, ' ') : NULL;
		if (!name)
			continue;
		name++;
		name[strcspn(name, " \t\n")] = 0;
		for (int i = 0; i < m->nhooks; i++)
			if (missing[i] && is_optional(&m->hooks[i], TPC_HOOK_KPROBE) &&
			    strcmp(m->hooks[i].kprobe.function, name) == 0) {
				missing[i] = 0;
				want--;
			}
	}
	fclose(f);
}

/* Marks missing the optional fentry hooks whose function the vmlinux BTF
 * lacks (fentries attach by BTF id). Unreadable: none is marked. */
static void btf_check(const struct tpc_manifest *m, int *missing)
{
	struct btf *btf = NULL;
	for (int i = 0; i < m->nhooks; i++) {
		if (!is_optional(&m->hooks[i], TPC_HOOK_FENTRY))
			continue;
		if (!btf && !(btf = btf__load_vmlinux_btf()))
			return;
		missing[i] = btf__find_by_name_kind(btf, m->hooks[i].kprobe.function, BTF_KIND_FUNC) <= 0;
	}
	btf__free(btf);
}

void tpl_hooks_missing(const struct tpc_manifest *m, int *missing)
{
	for (int i = 0; i < m->nhooks; i++)
		missing[i] = 0;
	kallsyms_check(m, missing);
	btf_check(m, missing);
}

void tpl_fentries_missing(const struct tpc_manifest *m, int *missing)
{
	for (int i = 0; i < m->nhooks; i++)
		missing[i] = 0;
	btf_check(m, missing);
}
