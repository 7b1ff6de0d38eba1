/* hooks.c: see hooks.h. A new hook kind is a row of TPC_HOOK_KINDS in
 * tpc_abi.h, a struct of its fields in struct tpc_hook's union
 * (manifest.h) and a case in each switch below; a new variant, a row of
 * TPC_PROG_VARIANTS and its cases here. Until each case is written the
 * build warns (-Wswitch-enum); nothing else in tp-load changes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindigest.h"
#include "binary.h"
#include "elfbin.h"
#include <bpf/bpf.h>

#include "json.h"
#include "hooks.h"

/* ---- hook kinds ---- */

const char *tpl_hook_kind_name(enum tpc_hook_kind k)
{
#define KIND_NAME(id, name, key) [TPC_HOOK_##id] = name,
	static const char *const names[TPC_HOOK_KIND_COUNT] = { TPC_HOOK_KINDS(KIND_NAME) };
#undef KIND_NAME
	return (unsigned)k < TPC_HOOK_KIND_COUNT ? names[k] : "?";
}

const char *tpl_hook_json_key(enum tpc_hook_kind k)
{
#define KIND_KEY(id, name, key) [TPC_HOOK_##id] = key,
	static const char *const keys[TPC_HOOK_KIND_COUNT] = { TPC_HOOK_KINDS(KIND_KEY) };
#undef KIND_KEY
	return (unsigned)k < TPC_HOOK_KIND_COUNT ? keys[k] : "process_unknown";
}

int tpl_hook_kind_from_name(const char *s)
{
	for (int k = 0; k < TPC_HOOK_KIND_COUNT; k++)
		if (strcmp(s, tpl_hook_kind_name(k)) == 0)
			return k;
	return -1;
}

const char *tpl_hook_kind_names(void)
{
#define KIND_LIST(id, name, key) ", " name
	static const char list[] = TPC_HOOK_KINDS(KIND_LIST);
#undef KIND_LIST
	return list + 2;
}

/* path=: an absolute path of a file (any bytes but NUL, which the
 * manifest's decoding refuses) */
static int parse_path(struct tpc_record *r, char **out)
{
	if (tpc_record_str(r, "path", 1, out))
		return -1;
	if ((*out)[0] != '/' || strlen(*out) >= 4096)
		return tpc_record_fail(r, "path=: not an absolute path");
	return 0;
}

/* digests=: "algo:hex,..." each already canonical */
static int parse_digests(struct tpc_record *r, struct tpc_hook *h)
{
	char *all = NULL, *save = NULL;
	if (tpc_record_str(r, "digests", 0, &all))
		return -1;
	for (char *d = all ? strtok_r(all, ",", &save) : NULL; d; d = strtok_r(NULL, ",", &save)) {
		char canon[BINDIGEST_HEX_MAX + 16];
		const char *why;
		if (bindigest_canonical(d, canon, sizeof(canon), &why) < 0 || strcmp(canon, d) || h->uprobe.ndigests >= 64) {
			free(all);
			return tpc_record_fail(r, "digests=: not a list of <algo>:<lowercase hex>");
		}
		char **v = realloc(h->uprobe.digests, sizeof(*v) * (size_t)(h->uprobe.ndigests + 1));
		if (!v || !(v[h->uprobe.ndigests] = strdup(d))) {
			if (v)
				h->uprobe.digests = v;
			free(all);
			return tpc_record_fail(r, "out of memory");
		}
		h->uprobe.digests = v;
		h->uprobe.ndigests++;
	}
	free(all);
	return 0;
}

static int parse_uprobe(struct tpc_record *r, struct tpc_hook *h)
{
	char name[256], target[4400];
	uint64_t off;
	int ref;
	if (parse_path(r, &h->uprobe.path) || tpc_record_str(r, "symbol", 0, &h->uprobe.symbol) ||
	    tpc_record_u64(r, "offset", &h->uprobe.offset, &h->uprobe.has_offset) ||
	    tpc_record_u64(r, "addr", &h->uprobe.addr, &h->uprobe.has_addr) ||
	    tpc_record_u64(r, "ref_ctr_offset", &h->uprobe.ref_ctr_offset, &ref) || parse_digests(r, h))
		return -1;
	if (!!h->uprobe.symbol + h->uprobe.has_offset + h->uprobe.has_addr != 1)
		return tpc_record_fail(r, "a uprobe needs exactly one of symbol=, offset= and addr=");
	if (h->uprobe.symbol && (elfbin_split_symbol(h->uprobe.symbol, name, sizeof(name), &off) || !tpc_is_symbol(name)))
		return tpc_record_fail(r, "symbol=: not <name> or <name>+<offset>");
	if (h->uprobe.symbol)
		snprintf(target, sizeof(target), "%s:%s", h->uprobe.path, h->uprobe.symbol);
	else
		snprintf(target, sizeof(target), "%s@0x%llx", h->uprobe.path,
			 h->uprobe.has_addr ? h->uprobe.addr : h->uprobe.offset);
	h->uprobe.target = strdup(target);
	return h->uprobe.target ? 0 : tpc_record_fail(r, "out of memory");
}

static int parse_usdt(struct tpc_record *r, struct tpc_hook *h)
{
	char target[4400];
	int has_offset, ref;
	if (parse_path(r, &h->usdt.path) || tpc_record_str(r, "provider", 1, &h->usdt.provider) ||
	    tpc_record_str(r, "name", 1, &h->usdt.name) || tpc_record_u64(r, "offset", &h->usdt.offset, &has_offset) ||
	    tpc_record_u64(r, "ref_ctr_offset", &h->usdt.ref_ctr_offset, &ref) ||
	    tpc_record_str(r, "sha256", 1, &h->usdt.sha256))
		return -1;
	if (!has_offset)
		return tpc_record_fail(r, "missing field offset=");
	if (!tpc_is_ident(h->usdt.provider) || !tpc_is_ident(h->usdt.name))
		return tpc_record_fail(r, "provider=, name=: not names");
	if (strlen(h->usdt.sha256) != 64 || strspn(h->usdt.sha256, "0123456789abcdef") != 64)
		return tpc_record_fail(r, "sha256=: not 64 lowercase hex digits");
	snprintf(target, sizeof(target), "%s:%s:%s", h->usdt.path, h->usdt.provider, h->usdt.name);
	h->usdt.target = strdup(target);
	return h->usdt.target ? 0 : tpc_record_fail(r, "out of memory");
}

int tpl_hook_parse(struct tpc_record *r, struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_LSM: /* function= is the hook's name */
		if (tpc_record_str(r, "function", 1, &h->kprobe.function))
			return -1;
		if (!tpc_is_symbol(h->kprobe.function))
			return tpc_record_fail(r, "function=: not an lsm hook name");
		return 0;
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_FENTRY:
		if (tpc_record_str(r, "function", 1, &h->kprobe.function) ||
		    tpc_record_str(r, "call", 0, &h->kprobe.call) ||
		    tpc_record_flag(r, "syscall", &h->kprobe.syscall))
			return -1;
		if (!tpc_is_symbol(h->kprobe.function))
			return tpc_record_fail(r, "function=: not a kernel symbol name");
		if (h->kprobe.call && !tpc_is_symbol(h->kprobe.call))
			return tpc_record_fail(r, "call=: not a kernel symbol name");
		return 0;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		if (tpc_record_str(r, "tp", 1, &h->tracepoint.tp))
			return -1;
		if (!tpc_is_tp_name(h->tracepoint.tp))
			return tpc_record_fail(r, "tp=: not <subsys>/<event>");
		return 0;
	case TPC_HOOK_UPROBE:
		return parse_uprobe(r, h);
	case TPC_HOOK_USDT:
		return parse_usdt(r, h);
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return tpc_record_fail(r, "unknown hook kind");
}

void tpl_hook_free(struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_FENTRY:
	case TPC_HOOK_LSM:
		free(h->kprobe.function);
		free(h->kprobe.call);
		return;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		free(h->tracepoint.tp);
		return;
	case TPC_HOOK_UPROBE:
		free(h->uprobe.path);
		free(h->uprobe.symbol);
		for (int i = 0; i < h->uprobe.ndigests; i++)
			free(h->uprobe.digests[i]);
		free(h->uprobe.digests);
		free(h->uprobe.target);
		return;
	case TPC_HOOK_USDT:
		free(h->usdt.path);
		free(h->usdt.provider);
		free(h->usdt.name);
		free(h->usdt.sha256);
		free(h->usdt.target);
		return;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
}

int tpl_hook_kind_has_variant(enum tpc_hook_kind k, enum tpc_prog_variant v)
{
	switch (k) {
	case TPC_HOOK_KPROBE:
		return v == TPC_VARIANT_KPROBE || v == TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_TRACEPOINT:
		return v == TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_UPROBE:
	case TPC_HOOK_USDT:
		return v == TPC_VARIANT_UPROBE;
	case TPC_HOOK_RAW_TRACEPOINT:
		return v == TPC_VARIANT_TP_BTF;
	case TPC_HOOK_LSM:
		return v == TPC_VARIANT_LSM;
	case TPC_HOOK_FENTRY:
		return v == TPC_VARIANT_FENTRY;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return 0;
}

/* The variant that is the kind itself (the others are its twins). */
static int own_variant(enum tpc_hook_kind k)
{
	switch (k) {
	case TPC_HOOK_KPROBE:
		return TPC_VARIANT_KPROBE;
	case TPC_HOOK_TRACEPOINT:
		return TPC_VARIANT_TRACEPOINT;
	case TPC_HOOK_UPROBE:
	case TPC_HOOK_USDT:
		return TPC_VARIANT_UPROBE;
	case TPC_HOOK_RAW_TRACEPOINT:
		return TPC_VARIANT_TP_BTF;
	case TPC_HOOK_LSM:
		return TPC_VARIANT_LSM;
	case TPC_HOOK_FENTRY:
		return TPC_VARIANT_FENTRY;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return -1;
}

void tpl_hook_describe_variant(const struct tpc_hook *h, enum tpc_prog_variant v, char *buf, size_t len)
{
	char what[600], noun[64];

	tpl_hook_describe(h, what, sizeof(what));
	tpl_variant_noun(v, h->kind, noun, sizeof(noun));
	if (strcmp(noun, tpl_variant_name(v)) == 0)
		snprintf(buf, len, "%s", what);
	else
		snprintf(buf, len, "%s, %s", what, noun);
}

void tpl_hook_describe(const struct tpc_hook *h, char *buf, size_t len)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
		/* as the policy wrote it: what its author will recognise */
		snprintf(buf, len, "kprobe %s", h->kprobe.call ? h->kprobe.call : h->kprobe.function);
		return;
	case TPC_HOOK_TRACEPOINT:
		snprintf(buf, len, "tracepoint %s", h->tracepoint.tp);
		return;
	case TPC_HOOK_UPROBE:
		snprintf(buf, len, "uprobe %s", h->uprobe.target);
		return;
	case TPC_HOOK_USDT:
		snprintf(buf, len, "usdt %s", h->usdt.target);
		return;
	case TPC_HOOK_RAW_TRACEPOINT:
		snprintf(buf, len, "raw tracepoint %s", h->tracepoint.tp);
		return;
	case TPC_HOOK_LSM:
		snprintf(buf, len, "lsm hook %s", h->kprobe.function);
		return;
	case TPC_HOOK_FENTRY:
		snprintf(buf, len, "fentry %s", h->kprobe.call ? h->kprobe.call : h->kprobe.function);
		return;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	snprintf(buf, len, "?");
}

const char *tpl_hook_target(const struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		return h->kprobe.function;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
		return h->tracepoint.tp;
	case TPC_HOOK_UPROBE:
		return h->uprobe.target;
	case TPC_HOOK_USDT:
		return h->usdt.target;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return "?";
}

void tpl_hook_json_target(FILE *f, const struct tpc_hook *h)
{
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		fputs(",\"function_name\":", f);
		json_write_cstr(f, h->kprobe.function);
		return;
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT: {
		/* a validated tp= has exactly one '/' */
		const char *tp = h->tracepoint.tp, *slash = strchr(tp, '/');
		fputs(",\"subsys\":", f);
		json_write_str(f, tp, (size_t)(slash - tp));
		fputs(",\"event\":", f);
		json_write_cstr(f, slash + 1);
		return;
	}
	case TPC_HOOK_UPROBE:
		/* Tetragon's process_uprobe: the symbol as written (none for
		 * offsets and addresses), the file offset attached (none for a
		 * plain symbol), the semaphore; 64-bit numbers as strings */
		fputs(",\"path\":", f);
		json_write_cstr(f, h->uprobe.path);
		if (h->uprobe.symbol) {
			fputs(",\"symbol\":", f);
			json_write_cstr(f, h->uprobe.symbol);
		}
		if (h->uprobe.attached && (!h->uprobe.symbol || strchr(h->uprobe.symbol, '+')))
			fprintf(f, ",\"offset\":\"%llu\"", h->uprobe.attached);
		if (h->uprobe.ref_ctr_offset)
			fprintf(f, ",\"ref_ctr_offset\":\"%llu\"", h->uprobe.ref_ctr_offset);
		return;
	case TPC_HOOK_USDT:
		fputs(",\"path\":", f);
		json_write_cstr(f, h->usdt.path);
		fputs(",\"provider\":", f);
		json_write_cstr(f, h->usdt.provider);
		fputs(",\"name\":", f);
		json_write_cstr(f, h->usdt.name);
		return;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
}

unsigned tpl_hook_json_style(enum tpc_hook_kind k)
{
	switch (k) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_USDT:
	case TPC_HOOK_RAW_TRACEPOINT:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		return 0;
	case TPC_HOOK_UPROBE:
		return TPL_JSON_NO_LABELS | TPL_JSON_RETURN_IN_ARGS;
	case TPC_HOOK_KIND_COUNT:
		break;
	}
	return 0;
}

/* ---- attaching a hook ---- */

int tpl_hook_open(struct tpc_hook *h, struct tpl_hook_site *s, char *err, size_t errlen)
{
	struct tpl_binary_want w = { 0 };

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	switch (h->kind) {
	case TPC_HOOK_KPROBE:
	case TPC_HOOK_TRACEPOINT:
	case TPC_HOOK_RAW_TRACEPOINT:
	case TPC_HOOK_LSM:
	case TPC_HOOK_FENTRY:
		return 0;
	case TPC_HOOK_UPROBE:
		w.path = h->uprobe.path;
		w.symbol = h->uprobe.symbol;
		w.has_addr = h->uprobe.has_addr;
		w.addr = h->uprobe.addr;
		w.has_offset = h->uprobe.has_offset;
		w.offset = h->uprobe.offset;
		w.digests = h->uprobe.digests;
		w.ndigests = h->uprobe.ndigests;
		s->ref_ctr_offset = h->uprobe.ref_ctr_offset;
		break;
	case TPC_HOOK_USDT:
		w.path = h->usdt.path;
		w.has_offset = 1;
		w.offset = h->usdt.offset;
		w.sha256 = h->usdt.sha256;
		s->ref_ctr_offset = h->usdt.ref_ctr_offset;
		break;
	case TPC_HOOK_KIND_COUNT:
		snprintf(err, errlen, "unknown hook kind");
		return -1;
	}
	if (tpl_binary_open(&w, &s->fd, &s->offset, err, errlen))
		return -1;
	snprintf(s->path, sizeof(s->path), "/proc/self/fd/%d", s->fd);
	if (h->kind == TPC_HOOK_UPROBE)
		h->uprobe.attached = s->offset;
	return 0;
}

struct bpf_link *tpl_hook_attach(const struct tpc_hook *h, const struct tpl_hook_site *s, struct bpf_program *p,
				 enum tpc_prog_variant v, enum tpc_prog_role r)
{
	(void)h;
	if (tpl_variant_by_section(v))
		return bpf_program__attach(p);
	LIBBPF_OPTS(bpf_uprobe_opts, o, .ref_ctr_offset = s->ref_ctr_offset, .retprobe = r == TPC_ROLE_RETURN);
	/* every process (-1) that maps the file */
	return bpf_program__attach_uprobe_opts(p, -1, s->path, s->offset, &o);
}

void tpl_hook_close(struct tpl_hook_site *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* ---- program variants ---- */

const char *tpl_variant_name(enum tpc_prog_variant v)
{
#define VARIANT_NAME(id, name) [TPC_VARIANT_##id] = name,
	static const char *const names[TPC_VARIANT_COUNT] = { TPC_PROG_VARIANTS(VARIANT_NAME) };
#undef VARIANT_NAME
	return (unsigned)v < TPC_VARIANT_COUNT ? names[v] : "?";
}

int tpl_variant_from_name(const char *s)
{
	for (int v = 0; v < TPC_VARIANT_COUNT; v++)
		if (strcmp(s, tpl_variant_name(v)) == 0)
			return v;
	return -1;
}

const char *tpl_variant_names(void)
{
#define VARIANT_LIST(id, name) ", " name
	static const char list[] = TPC_PROG_VARIANTS(VARIANT_LIST);
#undef VARIANT_LIST
	return list + 2;
}

const char *tpl_role_name(enum tpc_prog_role r)
{
#define ROLE_NAME(id, name) [TPC_ROLE_##id] = name,
	static const char *const names[TPC_ROLE_COUNT] = { TPC_PROG_ROLES(ROLE_NAME) };
#undef ROLE_NAME
	return (unsigned)r < TPC_ROLE_COUNT ? names[r] : "?";
}

int tpl_role_from_name(const char *s)
{
	for (int r = 0; r < TPC_ROLE_COUNT; r++)
		if (strcmp(s, tpl_role_name(r)) == 0)
			return r;
	return -1;
}

enum bpf_prog_type tpl_variant_prog_type(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case TPC_VARIANT_TRACEPOINT:
		return BPF_PROG_TYPE_TRACEPOINT;
	case TPC_VARIANT_UPROBE:
		return BPF_PROG_TYPE_KPROBE;
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_FENTRY:
		return BPF_PROG_TYPE_TRACING;
	case TPC_VARIANT_LSM:
		return BPF_PROG_TYPE_LSM;
	case TPC_VARIANT_COUNT:
		break;
	}
	return BPF_PROG_TYPE_UNSPEC;
}

const char *tpl_variant_section(enum tpc_prog_variant v, enum tpc_prog_role r)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return r == TPC_ROLE_RETURN ? "kretprobe/" : "kprobe/";
	case TPC_VARIANT_TRACEPOINT:
		return "tracepoint/";
	case TPC_VARIANT_UPROBE: /* uprobe.s, uretprobe.s: sleepable */
		return r == TPC_ROLE_RETURN ? "uretprobe" : "uprobe";
	case TPC_VARIANT_TP_BTF:
		return "tp_btf/";
	case TPC_VARIANT_LSM:
		return "lsm/";
	case TPC_VARIANT_FENTRY:
		return r == TPC_ROLE_RETURN ? "fexit/" : "fentry/";
	case TPC_VARIANT_COUNT:
		break;
	}
	return "?";
}

const char *tpl_variant_target(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return "kernel function";
	case TPC_VARIANT_TRACEPOINT:
		return "tracepoint";
	case TPC_VARIANT_UPROBE:
		return "user-space function";
	case TPC_VARIANT_TP_BTF:
		return "raw tracepoint";
	case TPC_VARIANT_LSM:
		return "LSM hook";
	case TPC_VARIANT_FENTRY:
		return "kernel function";
	case TPC_VARIANT_COUNT:
		break;
	}
	return "?";
}

int tpl_variant_by_section(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
	case TPC_VARIANT_TRACEPOINT:
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_LSM:
	case TPC_VARIANT_FENTRY:
		return 1;
	case TPC_VARIANT_UPROBE:
	case TPC_VARIANT_COUNT:
		break;
	}
	return 0;
}

/* Whether this kernel loads a program of a BTF-attached type at all: a
 * two-instruction program loaded once against a hook every kernel has
 * (the answer is kept). Loading is what fails where the facility is
 * missing (EPERM here, with fentry, fexit and lsm programs), so that is
 * what is asked; nothing is attached. */
struct feature_probe {
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *target;   /* found in vmlinux BTF by libbpf's rules */
	const char *facility; /* what is missing, for the message */
	const char *needs;
	int state;            /* 0 unknown, 1 loads, -1 refused */
	char why[320];
};

static struct feature_probe lsm_probe = {
	BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open", "BPF LSM",
	"it needs CONFIG_BPF_LSM=y and bpf in the lsm= boot option", 0, ""};
static struct feature_probe fentry_probe = {
	BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "vfs_read", "BTF trampolines (fentry/fexit)",
	"it needs CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS and trampolines the kernel allows", 0, ""};

static int probe_loads(struct feature_probe *p, const char **why)
{
	if (!p->state) {
		struct bpf_insn insns[2] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		int id = libbpf_find_vmlinux_btf_id(p->target, p->attach);
		int fd = -1, err = id < 0 ? -id : 0;
		if (id > 0) {
			LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = p->attach, .attach_btf_id = (__u32)id);
			fd = bpf_prog_load(p->type, "tpc_probe", "GPL", insns, 2, &o);
			err = fd < 0 ? errno : 0;
		}
		if (fd >= 0) {
			close(fd);
			p->state = 1;
		} else {
			p->state = -1;
			snprintf(p->why, sizeof(p->why), "%s %s not available on this kernel (a test program failed to load: %s; %s)",
				 p->facility, strchr(p->facility, '(') ? "are" : "is", strerror(err), p->needs);
		}
	}
	if (p->state < 0)
		*why = p->why;
	return p->state > 0;
}

int tpl_variant_loadable(enum tpc_prog_variant v, const char **why)
{
	switch (v) {
	case TPC_VARIANT_KPROBE: /* a kernel without kprobes still verifies them */
	case TPC_VARIANT_TRACEPOINT:
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_UPROBE: /* attachable or not (tpl_variant_attachable), they load */
		return 1;
	case TPC_VARIANT_LSM:
		return probe_loads(&lsm_probe, why);
	case TPC_VARIANT_FENTRY:
		return probe_loads(&fentry_probe, why);
	case TPC_VARIANT_COUNT:
		break;
	}
	*why = "tp-load does not know this kind of program";
	return 0;
}

int tpl_variant_attachable(enum tpc_prog_variant v, const char **why)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		if (access("/sys/bus/event_source/devices/kprobe", F_OK) == 0)
			return 1;
		*why = "this kernel has no kprobes (CONFIG_KPROBES off)";
		return 0;
	case TPC_VARIANT_TRACEPOINT:
		return 1; /* tpl_check_kernel made sure of tracefs */
	case TPC_VARIANT_UPROBE:
		if (access("/sys/bus/event_source/devices/uprobe", F_OK) == 0)
			return 1;
		*why = "this kernel has no uprobes (CONFIG_UPROBE_EVENTS off)";
		return 0;
	case TPC_VARIANT_TP_BTF:
		return 1; /* BTF-typed tracepoints need the kernel BTF: tpl_check_kernel */
	case TPC_VARIANT_LSM:
		return probe_loads(&lsm_probe, why);
	case TPC_VARIANT_FENTRY:
		return probe_loads(&fentry_probe, why);
	case TPC_VARIANT_COUNT:
		break;
	}
	*why = "tp-load does not know this kind of program";
	return 0;
}

const char *tpl_variant_override_needs(enum tpc_prog_variant v)
{
	switch (v) {
	case TPC_VARIANT_KPROBE:
		return "a kprobe and bpf_override_return";
	case TPC_VARIANT_LSM:
		return "an lsm program (its return value is the hook's verdict)";
	case TPC_VARIANT_TRACEPOINT:
	case TPC_VARIANT_TP_BTF:
	case TPC_VARIANT_FENTRY:
	case TPC_VARIANT_UPROBE:
	case TPC_VARIANT_COUNT:
		break;
	}
	return "a program that can override";
}


void tpl_variant_noun(enum tpc_prog_variant v, enum tpc_hook_kind k, char *buf, size_t len)
{
	if ((int)v == own_variant(k))
		snprintf(buf, len, "%s", tpl_variant_name(v));
	else
		snprintf(buf, len, "%s twin", tpl_variant_name(v));
}
