/* features.c: see features.h.
 *
 * Every answer comes from asking the running kernel, through feature
 * probes (each loads a tiny program or creates a tiny map and is gone
 * again), or from its BTF; nothing is inferred from a version number.
 * The probes run only once a load has failed: an object that loads pays
 * nothing, and an object whose code avoids what the kernel lacks (a call
 * in a branch that CO-RE or a constant made dead, a __weak kfunc it tests
 * with bpf_ksym_exists) is never refused for what it carries. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kfeatures.h"
#include "log.h"

/* Helper names by number, from the UAPI header's own list. */
#define TPL_HELPER_NAME(x) "bpf_" #x /* the list brings its commas */
static const char *const helper_names[] = { __BPF_FUNC_MAPPER(TPL_HELPER_NAME) };
#define NHELPER_NAMES (sizeof(helper_names) / sizeof(helper_names[0]))

/* Where a helper or map type that tpc's runtime uses comes from: the
 * release that added it, or the option it needs. */
static const struct {
	int id;
	const char *since;
} helper_since[] = {
	{ BPF_FUNC_override_return, "it needs CONFIG_BPF_KPROBE_OVERRIDE" },
	{ BPF_FUNC_send_signal, "Linux 5.3" },
	{ BPF_FUNC_probe_read_user, "Linux 5.5" },
	{ BPF_FUNC_probe_read_kernel, "Linux 5.5" },
	{ BPF_FUNC_probe_read_user_str, "Linux 5.5" },
	{ BPF_FUNC_probe_read_kernel_str, "Linux 5.5" },
	{ BPF_FUNC_ringbuf_output, "Linux 5.8" },
	{ BPF_FUNC_ringbuf_reserve, "Linux 5.8" },
	{ BPF_FUNC_ringbuf_submit, "Linux 5.8" },
	{ BPF_FUNC_ringbuf_query, "Linux 5.8" },
	{ BPF_FUNC_ktime_get_boot_ns, "Linux 5.8" },
	{ BPF_FUNC_get_current_task_btf, "Linux 5.11" },
	{ BPF_FUNC_loop, "Linux 5.17" },
};

static const char *helper_name(int id, char *buf, size_t len)
{
	if (id > 0 && (size_t)id < NHELPER_NAMES)
		return helper_names[id];
	snprintf(buf, len, "helper #%d", id);
	return buf;
}

static const char *since(int id)
{
	for (size_t i = 0; i < sizeof(helper_since) / sizeof(helper_since[0]); i++)
		if (helper_since[i].id == id)
			return helper_since[i].since;
	return NULL;
}

/* 1 when programs of type t may call helper id, 0 when the verifier says
 * they may not, -1 when the probe cannot tell. libbpf's own helper probe
 * knows only the older wordings of the verifier's refusal. */
static int probe_helper(enum bpf_prog_type t, int id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .imm = id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(t, NULL, "GPL", insns, 3, &opts);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (strstr(log, "unknown func ") || strstr(log, "invalid func ") ||
	    strstr(log, "cannot use helper "))
		return 0;
	/* rejected for its arguments: the helper is there */
	return log[0] ? 1 : -1;
}

/* "kprobe", "tracepoint", or for programs that attach through BTF the
 * attach type that says what they are ("trace_fentry", "lsm_mac"). */
static const char *prog_kind(const struct bpf_program *p)
{
	enum bpf_prog_type t = bpf_program__type(p);
	const char *s;

	if (t == BPF_PROG_TYPE_TRACING || t == BPF_PROG_TYPE_LSM ||
	    t == BPF_PROG_TYPE_EXT) {
		s = libbpf_bpf_attach_type_str(bpf_program__expected_attach_type(p));
		if (s)
			return s;
	}
	s = libbpf_bpf_prog_type_str(t);
	return s ? s : "unknown";
}

/* 1 when the BPF LSM is active ("bpf" in the kernel's lsm= list), 0 when
 * not, -1 when securityfs cannot tell. */
static int bpf_lsm_active(void)
{
	char list[512];
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(list, 1, sizeof(list) - 1, f);
	fclose(f);
	list[n] = '\0';
	for (char *tok = strtok(list, ",\n"); tok; tok = strtok(NULL, ",\n"))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

/* The program type itself. */
static int explain_prog_type(const struct bpf_program *p, const char *path)
{
	enum bpf_prog_type t = bpf_program__type(p);
	int ok = libbpf_probe_bpf_prog_type(t, NULL);

	if (ok == 0) {
		tpl_err("%s: program %s (%s): this kernel does not load %s programs "
			"(program type %s: missing, or not permitted here)",
			path, bpf_program__name(p), prog_kind(p), prog_kind(p),
			libbpf_bpf_prog_type_str(t) ? libbpf_bpf_prog_type_str(t) : "?");
		return 1;
	}
	if (t == BPF_PROG_TYPE_LSM && bpf_lsm_active() == 0) {
		tpl_err("%s: program %s (lsm): the BPF LSM is not active on this kernel "
			"(\"bpf\" is not in its lsm= list)", path, bpf_program__name(p));
		return 1;
	}
	return 0;
}

/* Each helper the program's instructions call, once. */
static int explain_helpers(const struct bpf_program *p, const char *path)
{
	const struct bpf_insn *insn = bpf_program__insns(p);
	size_t n = bpf_program__insn_cnt(p);
	enum bpf_prog_type t = bpf_program__type(p);
	unsigned char seen[512] = { 0 };
	int named = 0;
	char buf[32];

	for (size_t i = 0; insn && i < n; i++) {
		int id = insn[i].imm;

		if (insn[i].code != (BPF_JMP | BPF_CALL) || insn[i].src_reg != 0)
			continue; /* not a helper call (bpf-to-bpf, kfunc) */
		if (id <= 0 || id >= (int)sizeof(seen) || seen[id])
			continue;
		seen[id] = 1;
		/* -1: the probe cannot tell for this program type (those
		 * that attach through BTF): say nothing rather than guess */
		if (probe_helper(t, id) != 0)
			continue;
		const char *name = helper_name(id, buf, sizeof(buf));
		const char *when = since(id);
		if (t != BPF_PROG_TYPE_KPROBE &&
		    probe_helper(BPF_PROG_TYPE_KPROBE, id) == 1)
			tpl_err("%s: program %s (%s): %s cannot be used by %s programs on this kernel",
				path, bpf_program__name(p), prog_kind(p), name,
				prog_kind(p));
		else
			tpl_err("%s: program %s (%s): %s is not available on this kernel%s%s%s",
				path, bpf_program__name(p), prog_kind(p), name,
				when ? " (" : "", when ? when : "", when ? ")" : "");
		named++;
	}
	return named;
}

/* Map types, each once. */
static int explain_maps(struct bpf_object *obj, const char *path)
{
	unsigned char seen[256] = { 0 };
	struct bpf_map *m;
	int named = 0;

	bpf_object__for_each_map(m, obj) {
		enum bpf_map_type t = bpf_map__type(m);

		if ((unsigned)t >= sizeof(seen) || seen[t])
			continue;
		seen[t] = 1;
		if (libbpf_probe_bpf_map_type(t, NULL) != 0)
			continue;
		tpl_err("%s: map %s: %s maps (BPF_MAP_TYPE_%s%s) are not available on this kernel",
			path, bpf_map__name(m),
			t == BPF_MAP_TYPE_RINGBUF ? "ring buffer" : "these",
			libbpf_bpf_map_type_str(t) ? libbpf_bpf_map_type_str(t) : "?",
			t == BPF_MAP_TYPE_RINGBUF ? ", Linux 5.8" : "");
		named++;
	}
	return named;
}

/* Kernel functions (kfuncs) the object file at path calls that the
 * kernel's BTF does not have. A kfunc is a function the object declares
 * (a FUNC in its BTF) but does not define (an undefined symbol); one
 * declared __weak (a weak symbol) is the object's own business: it tests
 * for it with bpf_ksym_exists and carries a fallback. */
static int explain_kfuncs(struct bpf_object *obj, const char *path)
{
	struct btf *btf = bpf_object__btf(obj), *vmlinux = NULL;
	Elf_Scn *scn = NULL;
	int named = 0, fd;
	Elf *e;

	if (!btf || elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx != SHN_UNDEF ||
			    GELF_ST_BIND(sym.st_info) != STB_GLOBAL)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || !*name || btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) < 0)
				continue;
			if (!vmlinux && !(vmlinux = btf__load_vmlinux_btf()))
				goto out; /* no BTF: explained elsewhere */
			if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) >= 0)
				continue;
			tpl_err("%s: kfunc %s is not available on this kernel (not in its BTF)",
				path, name);
			named++;
		}
	}
out:
	btf__free(vmlinux);
	if (e)
		elf_end(e);
	close(fd);
	return named;
}

int tpl_features_explain(struct bpf_object *obj, const char *path)
{
	struct bpf_program *p;
	int named = 0;

	/* the probes log their own failures: keep them out of the capture,
	 * whose tail is the failed load's */
	libbpf_print_fn_t prev = libbpf_set_print(NULL);

	named += explain_maps(obj, path);
	named += explain_kfuncs(obj, path);
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		if (explain_prog_type(p, path)) {
			named++;
			continue; /* its helpers cannot be probed */
		}
		named += explain_helpers(p, path);
	}
	libbpf_set_print(prev);
	/* nothing missing: say so, and whose verifier it was (an old one
	 * may lose track of bounds a newer one keeps) */
	if (!named && access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		struct utsname u;
		tpl_err("%s: Linux %s has every program type, map type, kfunc and helper "
			"these programs use: its verifier rejected the code itself",
			path, uname(&u) ? "?" : u.release);
	}
	return named;
}

int tpl_override_return_available(const char **why)
{
	static int state = -2;

	if (state == -2)
		state = probe_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_override_return);
	if (state == 0)
		*why = "bpf_override_return is not available on this kernel (it needs CONFIG_BPF_KPROBE_OVERRIDE)";
	return state;
}
