/* attach.c: see attach.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../compiler/sha256.h"
#include "attach.h"
#include "digest.h"
#include "kfeatures.h"
#include "ksym.h"
#include "log.h"
#include "procs.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

static const struct {
	const char *prog, *subsys, *event;
} proc_progs[] = {
	{ "tpc_proc_exec", "sched", "sched_process_exec" },
	{ "tpc_proc_fork", "sched", "sched_process_fork" },
	{ "tpc_proc_exit", "sched", "sched_process_exit" },
};
#define NPROC_PROGS 3

int tpl_have_kprobes(void)
{
	return access("/sys/bus/event_source/devices/kprobe", F_OK) == 0;
}

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

static int need_prog(struct tpl_obj *o, int hook, const char *name,
		     enum bpf_prog_type type)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, name);

	if (!p) {
		if (hook >= 0)
			tpl_err("%s: hook %d: manifest names program %s, which is not in the object",
				o->path, hook, name);
		else
			tpl_err("%s: no program %s in the object", o->path, name);
		return -1;
	}
	if (bpf_program__type(p) != type) {
		tpl_err("%s: program %s is of section %s, expected a %s program",
			o->path, name, bpf_program__section_name(p),
			type == BPF_PROG_TYPE_KPROBE ? "kprobe" : "tracepoint");
		return -1;
	}
	return 0;
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
	o->hook_fn = calloc(o->m.nhooks ? o->m.nhooks : 1, sizeof(char *));
	if (!o->hook_fn) {
		tpl_err("out of memory");
		return -1;
	}
	for (i = 0; i < o->m.nhooks; i++) {
		char sym[600];
		tpl_hook_symbol(&o->m.hooks[i], sym, sizeof(sym));
		o->hook_fn[i] = strdup(sym);
		if (!o->hook_fn[i]) {
			tpl_err("out of memory");
			return -1;
		}
	}

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
		if (need_prog(o, -1, proc_progs[i].prog, BPF_PROG_TYPE_TRACEPOINT))
			return -1;
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		if (h->kind == TPC_HOOK_TRACEPOINT) {
			if (need_prog(o, i, h->prog, BPF_PROG_TYPE_TRACEPOINT))
				return -1;
			continue;
		}
		if (need_prog(o, i, h->kprobe_prog, BPF_PROG_TYPE_KPROBE) ||
		    (h->twin_prog &&
		     need_prog(o, i, h->twin_prog, BPF_PROG_TYPE_TRACEPOINT)) ||
		    (h->kretprobe_prog &&
		     need_prog(o, i, h->kretprobe_prog, BPF_PROG_TYPE_KPROBE)) ||
		    (h->twin_ret_prog &&
		     need_prog(o, i, h->twin_ret_prog, BPF_PROG_TYPE_TRACEPOINT)))
			return -1;
	}
	return 0;
}

/* Per hook: use the kprobe (1) or the tracepoint program (0). */
static int plan_hook(struct tpl_obj *o, int i, enum tpl_attach_mode mode,
		     int have_kprobes, int *use_kprobe)
{
	const struct tpc_hook *h = &o->m.hooks[i];

	*use_kprobe = 0;
	if (h->kind == TPC_HOOK_TRACEPOINT)
		return 0;
	/* Override changes the call's return value: only the kprobe can
	 * (bpf_override_return); a twin would watch the call succeed. */
	if (h->override && !have_kprobes) {
		tpl_err("%s: hook %d (kprobe %s): its Override action needs a kprobe and bpf_override_return, "
			"and this kernel has no kprobes (CONFIG_KPROBES off): refusing to attach the tracepoint twin, "
			"which could not override",
			o->path, i, h->call);
		return -1;
	}
	if (h->override && mode == TPL_ATTACH_TRACEPOINT) {
		tpl_err("%s: hook %d (kprobe %s): its Override action cannot run from a tracepoint twin "
			"(--attach=tracepoint)", o->path, i, h->call);
		return -1;
	}
	if (mode == TPL_ATTACH_KPROBE ||
	    (mode == TPL_ATTACH_AUTO && have_kprobes)) {
		if (!have_kprobes) {
			tpl_err("%s: hook %d (kprobe %s): --attach=kprobe but this kernel has no kprobes (CONFIG_KPROBES off)",
				o->path, i, h->call);
			return -1;
		}
		*use_kprobe = 1;
		return 0;
	}
	if (h->twin_prog && (!h->ret || h->twin_ret_prog))
		return 0;
	const char *why = mode == TPL_ATTACH_TRACEPOINT ?
				  "--attach=tracepoint was asked" :
				  "this kernel has no kprobes (CONFIG_KPROBES off)";
	if (!h->syscall)
		tpl_err("%s: hook %d (kprobe %s): %s and %s is not a syscall, so it has no tracepoint twin",
			o->path, i, h->call, why, h->call);
	else
		tpl_err("%s: hook %d (kprobe %s): %s and the object has no tracepoint twin for it",
			o->path, i, h->call, why);
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

static int attach_tp(struct tpl_obj *o, const char *progname,
		     const char *tp, const char *what)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, progname);
	char subsys[300], event[300];
	struct bpf_link *l;

	if (tpc_split_tp(tp, subsys, sizeof(subsys), event, sizeof(event)))
		return -1;
	tpl_capture_begin();
	l = bpf_program__attach_tracepoint(p, subsys, event);
	tpl_capture_end();
	if (!l) {
		int e = errno;
		if (e == ENOENT)
			tpl_err("%s: %s: no tracepoint %s on this kernel", o->path,
				what, tp);
		else
			tpl_err("%s: %s: cannot attach to tracepoint %s: %s",
				o->path, what, tp, strerror(e));
		return -1;
	}
	return add_link(o, l);
}

/* The entry program as a kprobe, or (retprobe) the return half of a
 * return hook as a kretprobe. */
static int attach_kprobe(struct tpl_obj *o, int i, int retprobe)
{
	const struct tpc_hook *h = &o->m.hooks[i];
	struct bpf_program *p = bpf_object__find_program_by_name(
		o->obj, retprobe ? h->kretprobe_prog : h->kprobe_prog);
	struct bpf_link *l;

	tpl_capture_begin();
	l = bpf_program__attach_kprobe(p, retprobe, o->hook_fn[i]);
	tpl_capture_end();
	if (!l) {
		int e = errno;
		tpl_err("%s: hook %d: cannot attach k%sprobe to %s: %s%s", o->path,
			i, retprobe ? "ret" : "", o->hook_fn[i], strerror(e),
			e == ENOENT ? " (no such kernel function)" : "");
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
	if (!tpl_features_explain(o->obj, o->path) &&
	    tpl_capture_feature(feature, sizeof(feature)))
		tpl_err("%s: %s", o->path, feature);
	tpl_capture_print_tail(30);
	return -1;
}

int tpl_obj_start(struct tpl_obj *o, enum tpl_attach_mode mode, int *nhooks)
{
	int have_kprobes = tpl_have_kprobes();
	int *use_kprobe = calloc(o->m.nhooks ? o->m.nhooks : 1, sizeof(int));
	struct bpf_program *p;
	int i, rc = -1;
	char what[700];

	if (!use_kprobe) {
		tpl_err("out of memory");
		return -1;
	}
	for (i = 0; i < o->m.nhooks; i++)
		if (plan_hook(o, i, mode, have_kprobes, &use_kprobe[i]))
			goto out;

	/* Load only what will be attached. */
	bpf_object__for_each_program(p, o->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < NPROC_PROGS; i++)
		bpf_program__set_autoload(
			bpf_object__find_program_by_name(o->obj, proc_progs[i].prog),
			true);
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		const char *name = h->kind == TPC_HOOK_TRACEPOINT ? h->prog :
				   use_kprobe[i]			 ? h->kprobe_prog :
									   h->twin_prog;
		bpf_program__set_autoload(
			bpf_object__find_program_by_name(o->obj, name), true);
		const char *ret = h->kind == TPC_HOOK_TRACEPOINT || !h->ret ? NULL :
				  use_kprobe[i] ? h->kretprobe_prog : h->twin_ret_prog;
		if (ret)
			bpf_program__set_autoload(
				bpf_object__find_program_by_name(o->obj, ret), true);
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
	for (i = 0; i < NPROC_PROGS; i++) {
		char tp[64];
		snprintf(tp, sizeof(tp), "%s/%s", proc_progs[i].subsys,
			 proc_progs[i].event);
		if (attach_tp(o, proc_progs[i].prog, tp, proc_progs[i].prog))
			goto out;
	}
	if (o->m.seed_procs)
		tpl_seed_procs(bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_PROCS), &o->m);

	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		if (h->kind == TPC_HOOK_TRACEPOINT) {
			snprintf(what, sizeof(what), "hook %d (tracepoint %s)", i, h->tp);
			if (attach_tp(o, h->prog, h->tp, what))
				goto out;
		} else if (use_kprobe[i]) {
			/* the return half first: an entry stash never waits
			 * for a return program that is not there yet */
			if ((h->ret && attach_kprobe(o, i, 1)) || attach_kprobe(o, i, 0))
				goto out;
		} else {
			snprintf(what, sizeof(what), "hook %d (kprobe %s, twin)", i,
				 h->call);
			if (h->ret && attach_tp(o, h->twin_ret_prog, h->twin_ret_tp, what))
				goto out;
			if (attach_tp(o, h->twin_prog, h->twin_tp, what))
				goto out;
		}
		(*nhooks)++;
	}
	rc = 0;
out:
	free(use_kprobe);
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
	if (o->hook_fn)
		for (int i = 0; i < o->m.nhooks; i++)
			free(o->hook_fn[i]);
	free(o->hook_fn);
	o->hook_fn = NULL;
	tpc_manifest_free(&o->m);
	free(o->image);
	o->image = NULL;
	o->events_fd = o->lost_fd = -1;
}
