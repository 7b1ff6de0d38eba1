/* attach.c: see attach.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sha256.h"
#include "attach.h"
#include "digest.h"
#include "hooks.h"
#include "log.h"
#include "procs.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

/* The process tracking programs every object has (tpc_procs.bpf.h),
 * attached at their own sections (sched/sched_process_*). */
static const char *const proc_progs[] = {
	TPC_PROG_PROC_EXEC,
	TPC_PROG_PROC_FORK,
	TPC_PROG_PROC_EXIT,
};
#define NPROC_PROGS (int)(sizeof(proc_progs) / sizeof(proc_progs[0]))

int tpl_check_kernel(int need_tracefs)
{
	if (access(BTF_PATH, R_OK) != 0) {
		tpl_err("no BTF at %s (the kernel needs CONFIG_DEBUG_INFO_BTF)",
			BTF_PATH);
		return -1;
	}
	if (!need_tracefs)
		return 0;
	/* libbpf uses debugfs' tracing directory when it exists, else tracefs. */
	if (access(DEBUGFS_TRACING, F_OK) == 0)
		return 0;
	if (access(TRACEFS "/events", F_OK) == 0)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0 &&
	    access(TRACEFS "/events", F_OK) == 0) {
		tpl_info("mounted tracefs at %s", TRACEFS);
		return 0;
	}
	tpl_err("tracefs not mounted at %s (mount -t tracefs nodev %s)",
		TRACEFS, TRACEFS);
	return -1;
}

static struct bpf_map *need_map(struct tpl_obj *o, const char *name,
				enum bpf_map_type type, __u32 value_size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(o->obj, name);

	if (!map) {
		tpl_err("%s: no map %s in the object", o->path, name);
		return NULL;
	}
	if (bpf_map__type(map) != type) {
		tpl_err("%s: map %s has type %d, expected %d", o->path, name,
			bpf_map__type(map), type);
		return NULL;
	}
	if (value_size && bpf_map__value_size(map) != value_size) {
		tpl_err("%s: map %s has values of %u bytes, expected %u", o->path,
			name, bpf_map__value_size(map), value_size);
		return NULL;
	}
	return map;
}

/* Program `name` is in the object, of the BPF type its variant attaches,
 * at a section its variant and role name (kprobe/, kretprobe/, ...). */
static int need_prog(struct tpl_obj *o, int hook, const char *name,
		     enum tpc_prog_variant v, enum tpc_prog_role role)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, name);
	const char *prefix = tpl_variant_section(v, role);

	if (!p) {
		if (hook >= 0)
			tpl_err("%s: hook %d: manifest names program %s, which is not in the object",
				o->path, hook, name);
		else
			tpl_err("%s: no program %s in the object", o->path, name);
		return -1;
	}
	if (bpf_program__type(p) != tpl_variant_prog_type(v) ||
	    strncmp(bpf_program__section_name(p), prefix, strlen(prefix)) != 0) {
		tpl_err("%s: program %s is of section %s, expected a %.*s program",
			o->path, name, bpf_program__section_name(p),
			(int)strlen(prefix) - 1, prefix);
		return -1;
	}
	return 0;
}

/* The manifest arch= of this machine (TPC_ARCHES), or NULL; its uname
 * machine name in machine[]. */
static const char *host_arch(char *machine, size_t len)
{
	struct utsname u;

	snprintf(machine, len, "unknown");
	if (uname(&u) != 0)
		return NULL;
	snprintf(machine, len, "%s", u.machine);
#define HOST_ARCH(name, tpc, uname_machine) if (strcmp(u.machine, uname_machine) == 0) return name;
	TPC_ARCHES(HOST_ARCH)
#undef HOST_ARCH
	return NULL;
}

/* An object's kprobes read the registers and name the syscall wrappers
 * of the architecture it was compiled for: refuse it on another. */
static int check_arch(const struct tpl_obj *o)
{
	char machine[65];
	const char *host = host_arch(machine, sizeof(machine));

	if (host && strcmp(host, o->m.arch) == 0)
		return 0;
	if (host)
		tpl_err("%s: built for %s, this machine is %s (compile it with tpc --arch %s)",
			o->path, o->m.arch, host, host);
	else
		tpl_err("%s: built for %s, this machine is %s, which tpc does not compile for",
			o->path, o->m.arch, machine);
	return -1;
}

unsigned long tpl_ringbuf_bytes;
int tpl_require_digest;

int tpl_obj_open(struct tpl_obj *o, const char *path)
{
	char err[640];
	int i;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->events_fd = o->lost_fd = -1;
	/* One read of the file: the bytes whose digest is checked are the
	 * bytes parsed and loaded (no window to swap the file in between). */
	if (tpc_file_read(path, &o->image, &o->image_len, err, sizeof(err))) {
		tpl_err("%s", err);
		return -1;
	}
	if (tpl_require_digest) {
		char hex[SHA256_HEX_LEN + 1];
		sha256_hex(o->image, o->image_len, hex);
		if (tpl_digest_check(path, hex))
			return -1;
	}
	if (tpc_manifest_read_mem(o->image, o->image_len, path, &o->m, err, sizeof(err))) {
		tpl_err("%s", err);
		return -1;
	}
	if (check_arch(o))
		return -1;

	tpl_capture_begin();
	const char *base = strrchr(path, '/');
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = base ? base + 1 : path);
	o->obj = bpf_object__open_mem(o->image, o->image_len, &oo);
	tpl_capture_end();
	if (!o->obj) {
		int e = errno;
		tpl_err("%s: cannot open BPF object: %s", path, strerror(e));
		tpl_capture_print_tail(10);
		return -1;
	}
	if (tpl_ringbuf_bytes) {
		struct bpf_map *rb = bpf_object__find_map_by_name(o->obj, TPC_MAP_EVENTS);
		if (rb && bpf_map__set_max_entries(rb, (__u32)tpl_ringbuf_bytes)) {
			tpl_err("%s: cannot size the ring buffer to %lu bytes", path, tpl_ringbuf_bytes);
			return -1;
		}
	}
	if (!need_map(o, TPC_MAP_EVENTS, BPF_MAP_TYPE_RINGBUF, 0) ||
	    !need_map(o, TPC_MAP_LOST, BPF_MAP_TYPE_PERCPU_ARRAY, 8) ||
	    !need_map(o, TPC_MAP_PROCS, BPF_MAP_TYPE_HASH, sizeof(struct tpc_proc)) ||
	    !need_map(o, TPC_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(struct tpc_config)))
		return -1;
	for (i = 0; i < NPROC_PROGS; i++)
		if (need_prog(o, -1, proc_progs[i], TPC_VARIANT_TRACEPOINT, TPC_ROLE_ENTRY))
			return -1;
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		for (int k = 0; k < h->nprogs; k++)
			if (need_prog(o, i, h->progs[k].name, h->progs[k].variant, h->progs[k].role))
				return -1;
	}
	return 0;
}

/* The hook's entry program of variant v, or NULL. */
static const struct tpc_mprog *entry_prog(const struct tpc_hook *h, int v)
{
	for (int k = 0; k < h->nprogs; k++)
		if ((int)h->progs[k].variant == v && h->progs[k].role == TPC_ROLE_ENTRY)
			return &h->progs[k];
	return NULL;
}

/* "kprobe sys_openat" and, for a variant that is not the kind's own,
 * ", tracepoint twin": how attach messages name the hook. */
static void describe(const struct tpc_hook *h, enum tpc_prog_variant v, char *buf, size_t len)
{
	char what[600], noun[64];

	tpl_hook_describe(h, what, sizeof(what));
	tpl_variant_noun(v, h->kind, noun, sizeof(noun));
	if (strcmp(noun, tpl_variant_name(v)) == 0)
		snprintf(buf, len, "%s", what);
	else
		snprintf(buf, len, "%s, %s", what, noun);
}

/* The variant of hook i to attach: with mode auto, the first (in the
 * manifest's order of preference) that this kernel can attach; else the
 * one asked for, when the hook's kind can have it (--attach=kprobe leaves
 * tracepoints alone). An Override is only possible from a program that
 * performs it: such a hook never falls back to one that cannot. */
static int choose_variant(const struct tpl_obj *o, int i, tpl_attach_mode mode, int *chosen)
{
	const struct tpc_hook *h = &o->m.hooks[i];
	char what[600], noun[64], alt[64] = "";
	const char *why = NULL;
	int have[TPC_VARIANT_COUNT] = { 0 };

	tpl_hook_describe(h, what, sizeof(what));
	for (int k = 0; k < h->nprogs; k++)
		have[h->progs[k].variant] = 1;
	if (mode != TPL_ATTACH_AUTO && !tpl_hook_kind_has_variant(h->kind, mode))
		mode = TPL_ATTACH_AUTO;

	if (h->override) {
		/* the variant that can override, and the first that cannot */
		int ov = -1;
		for (int k = 0; k < h->nprogs; k++) {
			const struct tpc_mprog *e = entry_prog(h, h->progs[k].variant);
			if (e->override && ov < 0)
				ov = e->variant;
			else if (!e->override && !alt[0])
				tpl_variant_noun(e->variant, h->kind, alt, sizeof(alt));
		}
		if (ov < 0) {
			tpl_err("%s: hook %d (%s): override=1 but none of its programs performs the Override",
				o->path, i, what);
			return -1;
		}
		tpl_variant_noun(ov, h->kind, noun, sizeof(noun));
		if (!tpl_variant_attachable(ov, &why)) {
			tpl_err("%s: hook %d (%s): its Override action needs %s, and %s%s%s%s", o->path, i, what,
				tpl_variant_override_needs(ov), why, alt[0] ? ": refusing to attach the " : "", alt,
				alt[0] ? ", which could not override" : "");
			return -1;
		}
		if (mode != TPL_ATTACH_AUTO && mode != ov) {
			tpl_variant_noun(mode, h->kind, alt, sizeof(alt));
			tpl_err("%s: hook %d (%s): its Override action cannot run from a %s (--attach=%s)",
				o->path, i, what, alt, tpl_variant_name(mode));
			return -1;
		}
		*chosen = ov;
		return 0;
	}

	if (mode != TPL_ATTACH_AUTO) {
		if (have[mode] && tpl_variant_attachable(mode, &why)) {
			*chosen = mode;
			return 0;
		}
		if (have[mode]) {
			tpl_err("%s: hook %d (%s): --attach=%s but %s", o->path, i, what,
				tpl_variant_name(mode), why);
			return -1;
		}
		tpl_variant_noun(mode, h->kind, noun, sizeof(noun));
		tpl_err("%s: hook %d (%s): --attach=%s was asked and the object has no %s for it",
			o->path, i, what, tpl_variant_name(mode), noun);
		return -1;
	}
	for (int k = 0; k < h->nprogs; k++) {
		const char *no;
		if (tpl_variant_attachable(h->progs[k].variant, &no)) {
			*chosen = h->progs[k].variant;
			return 0;
		}
		if (!why)
			why = no;
	}
	/* what this kernel could have attached instead, had the object one */
	for (int v = 0; v < TPC_VARIANT_COUNT && !alt[0]; v++) {
		const char *no;
		if (!have[v] && tpl_hook_kind_has_variant(h->kind, v) && tpl_variant_attachable(v, &no))
			tpl_variant_noun(v, h->kind, alt, sizeof(alt));
	}
	tpl_err("%s: hook %d (%s): %s and the object has no %s for it", o->path, i, what, why,
		alt[0] ? alt : "other program");
	return -1;
}

static int add_link(struct tpl_obj *o, struct bpf_link *l)
{
	struct bpf_link **n = realloc(o->links, (o->nlinks + 1) * sizeof(*n));

	if (!n) {
		bpf_link__destroy(l);
		return -1;
	}
	o->links = n;
	o->links[o->nlinks++] = l;
	return 0;
}

/* Attach a loaded program where its own ELF section says (libbpf reads
 * kprobe/SYM, kretprobe/SYM, tracepoint/SUBSYS/EVENT). what names it in
 * messages; v is its variant, for what its section names. */
static int attach_prog(struct tpl_obj *o, const char *name, enum tpc_prog_variant v, const char *what)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, name);
	const char *sec = bpf_program__section_name(p);
	const char *target = strchr(sec, '/') ? strchr(sec, '/') + 1 : sec;
	struct bpf_link *l;

	tpl_capture_begin();
	l = bpf_program__attach(p);
	tpl_capture_end();
	if (!l) {
		int e = errno;
		if (e == ENOENT)
			tpl_err("%s: %s: no %s %s on this kernel", o->path, what,
				tpl_variant_target(v), target);
		else
			tpl_err("%s: %s: cannot attach %s at %s: %s", o->path, what,
				name, sec, strerror(e));
		return -1;
	}
	return add_link(o, l);
}

static int load(struct tpl_obj *o)
{
	char feature[256];
	int err;

	tpl_capture_begin();
	err = bpf_object__load(o->obj);
	tpl_capture_end();
	if (!err)
		return 0;
	tpl_err("%s: loading failed: %s", o->path, strerror(-err));
	if (tpl_capture_feature(feature, sizeof(feature)))
		tpl_err("%s: %s", o->path, feature);
	tpl_capture_print_tail(30);
	return -1;
}

int tpl_obj_start(struct tpl_obj *o, tpl_attach_mode mode, int *nhooks)
{
	int *variant = calloc(o->m.nhooks ? o->m.nhooks : 1, sizeof(int));
	struct bpf_program *p;
	int i, rc = -1;
	char what[760];

	if (!variant) {
		tpl_err("out of memory");
		return -1;
	}
	for (i = 0; i < o->m.nhooks; i++)
		if (choose_variant(o, i, mode, &variant[i]))
			goto out;

	/* Load only what will be attached. */
	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < NPROC_PROGS; i++)
		bpf_program__set_autoload(bpf_object__find_program_by_name(o->obj, proc_progs[i]), true);
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		for (int k = 0; k < h->nprogs; k++)
			if ((int)h->progs[k].variant == variant[i])
				bpf_program__set_autoload(
					bpf_object__find_program_by_name(o->obj, h->progs[k].name), true);
	}
	if (load(o))
		goto out;

	o->events_fd = bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_EVENTS);
	o->lost_fd = bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_LOST);

	struct tpc_config cfg = { .loader_tgid = (tpc_u32)getpid() };
	tpl_host_ns(cfg.host_ns);
	tpc_u32 key = 0;
	if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_CONFIG),
				&key, &cfg, BPF_ANY)) {
		tpl_err("%s: cannot write %s: %s", o->path, TPC_MAP_CONFIG,
			strerror(errno));
		goto out;
	}

	/* Process tracking first, then the seed: a process that execs in
	 * between is recorded by the kernel, and the seed does not overwrite
	 * it (BPF_NOEXIST). */
	for (i = 0; i < NPROC_PROGS; i++)
		if (attach_prog(o, proc_progs[i], TPC_VARIANT_TRACEPOINT, proc_progs[i]))
			goto out;
	if (o->m.seed_procs)
		tpl_seed_procs(bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_PROCS), &o->m);

	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		char desc[700];
		describe(h, variant[i], desc, sizeof(desc));
		snprintf(what, sizeof(what), "hook %d (%s)", i, desc);
		/* return programs first: an entry stash never waits for a
		 * return program that is not there yet */
		for (int pass = 0; pass < 2; pass++) {
			enum tpc_prog_role role = pass ? TPC_ROLE_ENTRY : TPC_ROLE_RETURN;
			for (int k = 0; k < h->nprogs; k++)
				if ((int)h->progs[k].variant == variant[i] && h->progs[k].role == role &&
				    attach_prog(o, h->progs[k].name, h->progs[k].variant, what))
					goto out;
		}
		(*nhooks)++;
	}
	rc = 0;
out:
	free(variant);
	return rc;
}

unsigned long long tpl_obj_lost(const struct tpl_obj *o)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	tpc_u32 key = 0;
	tpc_u64 *v;

	if (o->lost_fd < 0 || ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(o->lost_fd, &key, v) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

void tpl_obj_detach(struct tpl_obj *o)
{
	/* hooks were attached last: detach them first, so that process
	 * tracking stays until no hook can fire */
	for (int i = o->nlinks - 1; i >= 0; i--)
		bpf_link__destroy(o->links[i]);
	free(o->links);
	o->links = NULL;
	o->nlinks = 0;
}

void tpl_obj_close(struct tpl_obj *o)
{
	tpl_obj_detach(o);
	if (o->obj)
		bpf_object__close(o->obj);
	o->obj = NULL;
	tpc_manifest_free(&o->m);
	free(o->image);
	o->image = NULL;
	o->events_fd = o->lost_fd = -1;
}
