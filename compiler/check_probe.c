/* check_probe.c: uprobes and USDTs against their binary.
 *
 * The binary is read where tpc runs when it is there (binary.c). A
 * uprobe's symbols are looked up only to catch mistakes early: tp-load
 * finds them again on the node, in the file it attaches to (a node's
 * build of a library may differ from the build machine's), so a binary
 * missing here is a warning. A USDT's sites and the reads of its
 * arguments are decided here, from this binary (the object is pinned to
 * it by its SHA-256), so a missing one is an error. */
#include "check.h"
#include "bindigest.h"
#include "elfbin.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UPROBE_ARGS 5 /* the argument registers PT_REGS_PARM1..5 */

static const char *arch_machine_name(const char *arch)
{
	return !strcmp(arch, "arm64") ? "arm64" : "x86_64";
}

/* The binary, when it is there and usable; diagnostics otherwise. */
static struct binary *probe_binary(const struct policy *p, const struct hook *h, const struct target *t,
				   struct diags *d)
{
	if (!h->path)
		return NULL; /* missing-key, from parse */
	if (h->path[0] != '/') {
		diag_add(d, p->file, h->path_pos, SEV_ERROR, "probe-path",
			 "path '%s' is not absolute: tp-load runs wherever its unit starts it; write the full path",
			 h->path);
		return NULL;
	}
	struct binary *b = binary_get(t->root, h->path);
	if (b->missing) {
		char *where = t->root ? xasprintf("is not under %s (--root)", t->root) : xstrdup("is not on this machine");
		if (h->kind == HOOK_USDT)
			diag_add(d, p->file, h->path_pos, SEV_ERROR, "binary-missing",
				 "%s %s: a USDT's sites and argument reads are taken from the binary when the policy is "
				 "compiled (--root DIR reads the node's files under DIR)",
				 h->path, where);
		else
			diag_add(d, p->file, h->path_pos, SEV_WARNING, "binary-missing",
				 "%s %s: its symbols are not checked here (tp-load looks them up when it attaches)", h->path,
				 where);
		free(where);
		return NULL;
	}
	if (b->problem) {
		diag_add(d, p->file, h->path_pos, SEV_ERROR, "probe-path", "%s: %s", h->path, b->problem);
		return NULL;
	}
	int want = !strcmp(t->arch, "arm64") ? EM_AARCH64 : EM_X86_64;
	if (elfbin_machine(b->elf) != want || !elfbin_is64(b->elf)) {
		diag_add(d, p->file, h->path_pos, SEV_ERROR, "probe-path",
			 "%s is not a 64-bit %s binary, which this object is compiled for (tpc --arch)", h->path,
			 arch_machine_name(t->arch));
		return NULL;
	}
	return b;
}

static void check_symbol(const struct policy *p, const struct hook *h, const struct probe_site *s, struct binary *b,
			 struct diags *d)
{
	char name[256], dym[160];
	uint64_t off;
	if (elfbin_split_symbol(s->symbol, name, sizeof(name), &off)) {
		diag_add(d, p->file, s->pos, SEV_ERROR, "probe-target",
			 "symbol '%s' is not NAME or NAME+OFFSET (one '+', an offset in decimal or with 0x, 0o, 0b)",
			 s->symbol);
		return;
	}
	if (!b)
		return;
	struct elfbin_sym sym;
	if (elfbin_symbol(b->elf, name, &sym)) {
		diag_add(d, p->file, s->pos, SEV_ERROR, "probe-symbol", "no symbol '%s' in %s%s", name, h->path,
			 did_you_mean(name, elfbin_func_names(b->elf), "", dym, sizeof(dym)));
		return;
	}
	switch (sym.kind) {
	case ELFBIN_SYM_FUNC: break;
	case ELFBIN_SYM_IFUNC:
		diag_add(d, p->file, s->pos, SEV_ERROR, "probe-symbol",
			 "'%s' in %s is an ifunc: it chooses an implementation when the program starts, and a probe on it "
			 "fires only then; probe the implementation",
			 name, h->path);
		return;
	case ELFBIN_SYM_OTHER:
		diag_add(d, p->file, s->pos, SEV_ERROR, "probe-symbol", "'%s' in %s is not a function", name, h->path);
		return;
	}
	if (off && sym.size && off >= sym.size)
		diag_add(d, p->file, s->pos, SEV_ERROR, "probe-symbol",
			 "offset %llu is past the end of '%s' (%llu bytes) in %s", (unsigned long long)off, name,
			 (unsigned long long)sym.size, h->path);
}

/* binaryDigests: well formed; the binary here should match one. */
static void check_digests(const struct policy *p, const struct hook *h, struct binary *b, struct diags *d)
{
	char canon[BINDIGEST_HEX_MAX + 16];
	unsigned want = 0;
	int bad = 0;
	for (int i = 0; i < h->ndigests; i++) {
		const char *why;
		int a = bindigest_canonical(h->digests[i].s, canon, sizeof(canon), &why);
		if (a < 0) {
			diag_add(d, p->file, h->digests[i].pos, SEV_ERROR, "binary-digest", "binaryDigests entry '%s': %s",
				 h->digests[i].s, why);
			bad++;
		} else if (a != BD_BUILD_ID) {
			want |= 1u << a;
		}
	}
	if (!b || bad || !h->ndigests)
		return;
	char hex[BD_COUNT][BINDIGEST_HEX_MAX] = {{0}};
	unsigned char id[64];
	size_t idlen = elfbin_build_id(b->elf, id, sizeof(id));
	for (size_t k = 0; k < idlen; k++)
		snprintf(hex[BD_BUILD_ID] + 2 * k, 3, "%02x", id[k]);
	if (want && bindigest_file(b->fd, want, hex))
		return;
	for (int i = 0; i < h->ndigests; i++) {
		const char *why;
		int a = bindigest_canonical(h->digests[i].s, canon, sizeof(canon), &why);
		if (hex[a][0] && !strcmp(strchr(canon, ':') + 1, hex[a]))
			return;
	}
	diag_add(d, p->file, h->digests_pos, SEV_WARNING, "binary-digest",
		 "%s here matches none of binaryDigests: tp-load refuses to attach to a file that matches none", h->path);
}

/* Arg types a user-space probe can read: numbers, strings, buffers. */
static void check_probe_args(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int i = 0; i < h->nargs; i++) {
		const struct arg *a = &h->args[i];
		if (a->resolve) {
			diag_add(d, p->file, a->resolve_pos, SEV_ERROR, "probe-arg-type",
				 "a %s reads user-space values: resolve walks kernel types, which the binary's memory "
				 "does not have",
				 hook_kind_name(h->kind));
			continue;
		}
		switch (arg_types[a->type].cls) {
		case AC_PATH:
		case AC_FD:
		case AC_IOVEC:
		case AC_CONST_BUF:
		case AC_KSTRUCT:
			diag_add(d, p->file, a->type_pos, SEV_ERROR, "probe-arg-type",
				 "a %s reads user-space values: type %s names a kernel object; read it as an integer, "
				 "string or char_buf",
				 hook_kind_name(h->kind), a->type_name);
			break;
		case AC_NONE:
		case AC_INT:
		case AC_STRING:
		case AC_BUF:
		case AC_NOP: break;
		}
	}
}

/* Actions a user-space probe can take. */
static void check_probe_actions(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++)
		for (int k = 0; k < h->selectors[j].nactions; k++) {
			const struct action *a = &h->selectors[j].actions[k];
			switch (a->kind) {
			case ACT_GETURL:
			case ACT_DNSLOOKUP:
				diag_add(d, p->file, a->kind_pos, SEV_ERROR, "probe-action",
					 "%s is not supported on a %s (Tetragon refuses GetUrl and DnsLookup there too)", a->name,
					 hook_kind_name(h->kind));
				break;
			case ACT_FOLLOWFD:
			case ACT_UNFOLLOWFD:
			case ACT_COPYFD:
				diag_add(d, p->file, a->kind_pos, SEV_ERROR, "unsupported",
					 "unsupported: %s on a %s (fd tracking follows the kernel's calls: put it on a kprobe)",
					 a->name, hook_kind_name(h->kind));
				break;
			case ACT_UNKNOWN:
			case ACT_POST:
			case ACT_SIGKILL:
			case ACT_SIGNAL:
			case ACT_OVERRIDE: /* check_actions.c */
			case ACT_NOPOST:
			case ACT_TRACKSOCK: /* its argSock must be a sock, which a probe cannot read */
			case ACT_UNTRACKSOCK:
			case ACT_NOTIFYENFORCER: /* a no-op there: check_actions.c warns */
			case ACT_CLEANUPENFORCERNOTIFICATION:
			case ACT_OTHER:
			case ACT_COUNT: break;
			}
		}
}

void check_uprobe(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	struct binary *b = probe_binary(p, h, t, d);
	if (h->nby != 1)
		diag_add(d, p->file, h->nby ? h->by_pos : h->pos, SEV_ERROR, "probe-target",
			 "a uprobe needs exactly one of symbols, offsets and addrs (this one has %s)",
			 h->nby ? "more than one" : "none");
	else if (!h->nsites)
		diag_add(d, p->file, h->by_pos, SEV_ERROR, "probe-target", "the uprobe's %s list is empty",
			 h->by == PROBE_BY_SYMBOL ? "symbols" : h->by == PROBE_BY_OFFSET ? "offsets" : "addrs");
	if (h->has_ref_ctr && h->nby == 1 && h->nref_ctr != h->nsites)
		diag_add(d, p->file, h->ref_ctr_pos, SEV_ERROR, "probe-target",
			 "refCtrOffsets has %d entr%s but %s has %d: one semaphore per probe", h->nref_ctr,
			 h->nref_ctr == 1 ? "y" : "ies", h->by == PROBE_BY_SYMBOL ? "symbols" : h->by == PROBE_BY_OFFSET ? "offsets" : "addrs", h->nsites);
	for (int i = 0; i < h->nsites; i++) {
		const struct probe_site *s = &h->sites[i];
		uint64_t off;
		switch (h->by) {
		case PROBE_BY_SYMBOL: check_symbol(p, h, s, b, d); break;
		case PROBE_BY_ADDR:
			if (b && elfbin_addr_to_offset(b->elf, s->value, 1, &off))
				diag_add(d, p->file, s->pos, SEV_ERROR, "probe-symbol",
					 "address 0x%llx is in no executable segment of %s", (unsigned long long)s->value,
					 h->path);
			break;
		case PROBE_BY_OFFSET:
		case PROBE_BY_NONE: break;
		}
	}
	check_digests(p, h, b, d);
	for (int i = 0; i < h->nargs; i++)
		if (h->args[i].index >= MAX_UPROBE_ARGS)
			diag_add(d, p->file, h->args[i].index_pos, SEV_ERROR, "arg-index",
				 "arg index %d is beyond the %d argument registers a uprobe reads (0-%d; stack and "
				 "floating-point arguments are not reachable)",
				 h->args[i].index, MAX_UPROBE_ARGS, MAX_UPROBE_ARGS - 1);
	check_probe_args(p, h, d);
	check_probe_actions(p, h, d);
}

void check_usdt(const struct policy *p, const struct hook *h, const struct target *t, struct diags *d)
{
	struct binary *b = probe_binary(p, h, t, d);
	check_probe_args(p, h, d);
	check_probe_actions(p, h, d);
	if (!b || !h->provider || !h->probe)
		return;
	int n;
	struct usdt_site *s = usdt_sites(b, h->provider, h->probe, t->arch, &n);
	if (!n) {
		char *all = usdt_probe_list(b);
		diag_add(d, p->file, h->call_pos, SEV_ERROR, "usdt-probe", "no USDT probe %s:%s in %s%s%s%s", h->provider,
			 h->probe, h->path, *all ? " (it has " : " (it has no USDT probes)", all, *all ? ")" : "");
		free(all);
		return;
	}
	for (int k = 0; k < n; k++) {
		if (s[k].problem) {
			diag_add(d, p->file, h->call_pos, SEV_ERROR, "usdt-arg", "USDT %s:%s at offset 0x%llx of %s: %s",
				 h->provider, h->probe, (unsigned long long)s[k].offset, h->path, s[k].problem);
			continue;
		}
		for (int i = 0; i < h->nargs; i++)
			if (h->args[i].index >= s[k].nargs)
				diag_add(d, p->file, h->args[i].index_pos, SEV_ERROR, "usdt-arg",
					 "arg index %d: USDT %s:%s at offset 0x%llx of %s has %d argument%s (\"%s\")",
					 h->args[i].index, h->provider, h->probe, (unsigned long long)s[k].offset, h->path,
					 s[k].nargs, s[k].nargs == 1 ? "" : "s", s[k].spec);
	}
	usdt_sites_free(s, n);
}
