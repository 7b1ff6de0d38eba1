/* hooks.h: everything tp-load does differently per hook kind and per
 * program variant, in one place (hooks.c). The kinds and variants
 * themselves are tpc_abi.h's TPC_HOOK_KINDS and TPC_PROG_VARIANTS; every
 * function here switches over their enums without a default, so a new
 * kind or variant is a build warning until each is written.
 *
 * A hook kind says what the hook's record carries (tpl_hook_parse: its
 * own fields, in struct tpc_hook's union, which nothing else reads), how
 * messages and events name it, and its JSON event key. A variant
 * says what kind of BPF program it is, at which ELF sections, and whether
 * this kernel can attach it. Nothing else in tp-load looks at a kind or a
 * variant: attach.c chooses and attaches variants generically, the
 * printers ask here what an event names. */
#ifndef TPL_HOOKS_H
#define TPL_HOOKS_H

#include <stddef.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "manifest.h"

/* ---- hook kinds ---- */

const char *tpl_hook_kind_name(enum tpc_hook_kind k); /* manifest kind=, "kprobe" */
const char *tpl_hook_json_key(enum tpc_hook_kind k);  /* "process_kprobe" */
int tpl_hook_kind_from_name(const char *s);           /* -1 when unknown */
/* "kprobe, tracepoint": the kind names, for messages */
const char *tpl_hook_kind_names(void);

/* Read the kind's own fields of hook record r into h (its kind set) and
 * check them: 0, or -1 with the problem reported through r ("missing
 * field function="). tpl_hook_free frees them. */
int tpl_hook_parse(struct tpc_record *r, struct tpc_hook *h);
void tpl_hook_free(struct tpc_hook *h);

/* 1 when a hook of kind k may have programs of variant v (a kprobe may
 * have a tracepoint twin; a tracepoint is never a kprobe): --attach=v
 * concerns only the hooks of those kinds. */
int tpl_hook_kind_has_variant(enum tpc_hook_kind k, enum tpc_prog_variant v);

/* How messages name the hook: "kprobe sys_openat",
 * "tracepoint syscalls/sys_enter_openat". */
void tpl_hook_describe(const struct tpc_hook *h, char *buf, size_t len);
/* The same, and for a variant that is not the kind's own ", tracepoint
 * twin": how attach messages name the hook. */
void tpl_hook_describe_variant(const struct tpc_hook *h, enum tpc_prog_variant v, char *buf, size_t len);

/* What the hook's events name: the compact form's name
 * ("__x64_sys_openat", "syscalls/sys_enter_openat"), and the JSON fields
 * (",\"function_name\":...", ",\"subsys\":...,\"event\":..."). */
const char *tpl_hook_target(const struct tpc_hook *h);
void tpl_hook_json_target(FILE *f, const struct tpc_hook *h);

/* How JSON events of kind k differ in shape, where Tetragon's kinds do. */
#define TPL_JSON_NO_LABELS 1      /* args carry no "label" (process_uprobe) */
#define TPL_JSON_RETURN_IN_ARGS 2 /* the return value is the last element of args, not "return" */
unsigned tpl_hook_json_style(enum tpc_hook_kind k);

/* ---- attaching a hook ---- */

/* What a hook's programs attach to, made ready once per hook before they
 * attach (a uprobe's binary: opened once, checked against its digests,
 * the symbol found in it, attached through /proc/self/fd/N). */
struct tpl_hook_site {
	int fd; /* the binary, or -1 */
	char path[64];
	unsigned long long offset, ref_ctr_offset;
};

/* 0, or -1 with the problem in err ("/bin/x: no symbol main"). Records
 * what it resolved in h (the offset a uprobe's events report). */
int tpl_hook_open(struct tpc_hook *h, struct tpl_hook_site *s, char *err, size_t errlen);
/* Attaches p, a program of variant v and role r of hook h; NULL with
 * errno on failure. Section-attached variants (kprobes, tracepoints) go
 * where their ELF section says; uprobes where s says. */
struct bpf_link *tpl_hook_attach(const struct tpc_hook *h, const struct tpl_hook_site *s, struct bpf_program *p,
				 enum tpc_prog_variant v, enum tpc_prog_role r);
void tpl_hook_close(struct tpl_hook_site *s);

/* ---- program variants ---- */

const char *tpl_variant_name(enum tpc_prog_variant v); /* manifest variant=, --attach */
int tpl_variant_from_name(const char *s);              /* -1 when unknown */
const char *tpl_variant_names(void);                   /* "kprobe, tracepoint" */
const char *tpl_role_name(enum tpc_prog_role r);
int tpl_role_from_name(const char *s); /* -1 when unknown */

/* The BPF program type of the variant's programs, and the ELF section
 * prefix of its programs of role r ("kretprobe/"). */
enum bpf_prog_type tpl_variant_prog_type(enum tpc_prog_variant v);
const char *tpl_variant_section(enum tpc_prog_variant v, enum tpc_prog_role r);

/* What the section of a variant's program names after its prefix, for
 * messages: "kernel function", "tracepoint". */
const char *tpl_variant_target(enum tpc_prog_variant v);

/* 1 when this kernel can load the variant's programs (through the
 * verifier: kprobes can be loaded where they cannot be attached); else
 * 0 and *why names the facility missing. */
int tpl_variant_loadable(enum tpc_prog_variant v, const char **why);

/* 1 when this kernel can attach the variant's programs; else 0 and *why
 * says why not ("this kernel has no kprobes (CONFIG_KPROBES off)"). */
int tpl_variant_attachable(enum tpc_prog_variant v, const char **why);

/* 1 when the variant's programs attach where their ELF section says
 * (kprobe/SYM, tracepoint/SUBSYS/EVENT), 0 when where the hook says. */
int tpl_variant_by_section(enum tpc_prog_variant v);

/* What an Override needs of the variant that performs it: "a kprobe and
 * bpf_override_return", "an lsm program (its return value is the
 * verdict)". */
const char *tpl_variant_override_needs(enum tpc_prog_variant v);

/* How messages name the variant's programs in a hook of kind k: the
 * variant itself when it is the kind's own ("kprobe"; a USDT's are
 * uprobes), else a twin ("tracepoint twin"). */
void tpl_variant_noun(enum tpc_prog_variant v, enum tpc_hook_kind k, char *buf, size_t len);

#endif
