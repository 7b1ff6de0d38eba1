/* loadchild.c: the child side of loading an object (attach.c says why a
 * child): libbpf opens the object's bytes, checks its maps and programs
 * against the manifest, loads the programs of the chosen variants, and
 * attaches them; the fds tp-load needs go back over the socket. Runs in
 * a process of its own: whatever the object does to libbpf ends here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "corebtf.h"
#include "fdpass.h"
#include "hooks.h"
#include "kfeatures.h"
#include "log.h"
#include "procs.h"
#include "stamp.h"

struct child {
	const struct tpl_obj *o;
	int attach_pev;
	const char *core_btf; /* btf_custom_path, or NULL: the kernel's BTF */
	struct bpf_object *obj;
	int links[TPL_MAX_LINKS];
	int nlinks;
};

static int add_link(struct child *c, struct bpf_link *l)
{
	if (c->nlinks == TPL_MAX_LINKS) {
		tpl_err("%s: more than %d programs to attach", c->o->path, TPL_MAX_LINKS);
		return -1;
	}
	/* the link stays attached as long as an fd of it is open: tp-load
	 * gets one, this process exits without destroying it */
	c->links[c->nlinks++] = bpf_link__fd(l);
	return 0;
}

static struct bpf_map *need_map(struct child *c, const char *name,
				enum bpf_map_type type, __u32 value_size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(c->obj, name);

	if (!map) {
		tpl_err("%s: no map %s in the object", c->o->path, name);
		return NULL;
	}
	if (bpf_map__type(map) != type) {
		tpl_err("%s: map %s has type %d, expected %d", c->o->path, name,
			bpf_map__type(map), type);
		return NULL;
	}
	if (value_size && bpf_map__value_size(map) != value_size) {
		tpl_err("%s: map %s has values of %u bytes, expected %u", c->o->path,
			name, bpf_map__value_size(map), value_size);
		return NULL;
	}
	return map;
}

/* Program `name` is in the object, of the BPF type its variant attaches,
 * at a section its variant and role name (kprobe/, kretprobe/, ...). */
static int need_prog(struct child *c, int hook, const char *name,
		     enum tpc_prog_variant v, enum tpc_prog_role role)
{
	struct bpf_program *p = bpf_object__find_program_by_name(c->obj, name);
	const char *prefix = tpl_variant_section(v, role);

	if (!p) {
		if (hook >= 0)
			tpl_err("%s: hook %d: manifest names program %s, which is not in the object",
				c->o->path, hook, name);
		else
			tpl_err("%s: no program %s in the object", c->o->path, name);
		return -1;
	}
	/* an enforcer's trampoline modifies the return value: fmod_ret/ */
	if (v == TPC_VARIANT_FENTRY && role == TPC_ROLE_ENTRY &&
	    !strncmp(bpf_program__section_name(p), "fmod_ret/", 9))
		prefix = "fmod_ret/";
	if (bpf_program__type(p) != tpl_variant_prog_type(v) ||
	    strncmp(bpf_program__section_name(p), prefix, strlen(prefix)) != 0) {
		tpl_err("%s: program %s is of section %s, expected a %.*s program",
			c->o->path, name, bpf_program__section_name(p),
			(int)strcspn(prefix, "/"), prefix);
		return -1;
	}
	return 0;
}

/* Attach a loaded program of hook h (NULL: a process tracking program)
 * where its own ELF section says (libbpf reads kprobe/SYM,
 * kretprobe/SYM, tracepoint/SUBSYS/EVENT), or where the hook's site says
 * for variants that are not attached by section (uprobes). what names it
 * in messages; v and r are its variant and role. */
static int attach_prog(struct child *c, const struct tpc_hook *h, const struct tpl_hook_site *site,
		       const char *name, enum tpc_prog_variant v, enum tpc_prog_role r, const char *what)
{
	struct bpf_program *p = bpf_object__find_program_by_name(c->obj, name);
	const char *sec = bpf_program__section_name(p);
	const char *target = strchr(sec, '/') ? strchr(sec, '/') + 1 : sec;
	struct bpf_link *l;

	tpl_capture_begin();
	l = h ? tpl_hook_attach(h, site, p, v, r) : bpf_program__attach(p);
	tpl_capture_end();
	if (!l) {
		int e = errno;
		if (!tpl_variant_by_section(v))
			tpl_err("%s: %s: cannot attach %s to %s: %s", c->o->path, what, name,
				tpl_hook_target(h), strerror(e));
		else if (e == ENOENT)
			tpl_err("%s: %s: no %s %s on this kernel", c->o->path, what,
				tpl_variant_target(v), target);
		else
			tpl_err("%s: %s: cannot attach %s at %s: %s", c->o->path, what,
				name, sec, strerror(e));
		return -1;
	}
	return add_link(c, l);
}

static int load(struct child *c)
{
	char feature[256];
	int err;

	tpl_capture_begin();
	err = bpf_object__load(c->obj);
	tpl_capture_end();
	if (!err)
		return 0;
	tpl_err("%s: loading failed: %s", c->o->path, strerror(-err));
	if (!tpl_features_explain(c->obj, c->o->path) && tpl_capture_feature(feature, sizeof(feature)))
		tpl_err("%s: %s", c->o->path, feature);
	tpl_capture_print_tail(30);
	return -1;
}

/* Opens the object and checks it against its manifest. */
static int open_checked(struct child *c, int share_procs_fd)
{
	const struct tpl_obj *o = c->o;
	const char *path = o->path, *base = strrchr(path, '/');
	int i;

	tpl_capture_begin();
	/* tpc_loaders is pinned under TPC_PIN_DIR: every object of every
	 * tp-load of the node shares it */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = base ? base + 1 : path, .pin_root_path = TPC_PIN_DIR,
		    .btf_custom_path = c->core_btf);
	c->obj = bpf_object__open_mem(o->image, o->image_len, &oo);
	tpl_capture_end();
	if (!c->obj) {
		int e = errno;
		tpl_err("%s: cannot open BPF object: %s", path, strerror(e));
		tpl_capture_print_tail(10);
		return -1;
	}
	/* process events come from one object per tp-load: the others'
	 * ring buffer for them is never written, so it takes one page */
	struct bpf_map *prb = bpf_object__find_map_by_name(c->obj, TPC_MAP_PEVENTS);
	if (prb && !c->attach_pev && bpf_map__set_max_entries(prb, (__u32)sysconf(_SC_PAGESIZE))) {
		tpl_err("%s: cannot size %s", path, TPC_MAP_PEVENTS);
		return -1;
	}
	if (tpl_ringbuf_bytes) {
		struct bpf_map *rb = bpf_object__find_map_by_name(c->obj, TPC_MAP_EVENTS);
		if (rb && bpf_map__set_max_entries(rb, (__u32)tpl_ringbuf_bytes)) {
			tpl_err("%s: cannot size the ring buffer to %lu bytes", path, tpl_ringbuf_bytes);
			return -1;
		}
	}
	struct bpf_map *procs;
	if (!need_map(c, TPC_MAP_EVENTS, BPF_MAP_TYPE_RINGBUF, 0) ||
	    !need_map(c, TPC_MAP_LOST, BPF_MAP_TYPE_PERCPU_ARRAY, 8) ||
	    !(procs = need_map(c, TPC_MAP_PROCS, BPF_MAP_TYPE_HASH, sizeof(struct tpc_proc))) ||
	    !need_map(c, TPC_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(struct tpc_config)) ||
	    !need_map(c, TPC_MAP_FDS, BPF_MAP_TYPE_HASH, 0) ||
	    !need_map(c, TPC_MAP_LOADERS, BPF_MAP_TYPE_LRU_HASH, 8) ||
	    !need_map(c, TPC_MAP_PEVENTS, BPF_MAP_TYPE_RINGBUF, 0) ||
	    !need_map(c, TPC_MAP_PLOST, BPF_MAP_TYPE_PERCPU_ARRAY, 8))
		return -1;
	for (i = 0; i < TPL_NPEV_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(c->obj, tpl_pev_progs[i]);
		enum bpf_prog_type want = i == 1 ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACEPOINT;
		if (!p || bpf_program__type(p) != want) {
			tpl_err("%s: no %s program %s in the object", path, i == 1 ? "raw_tp" : "tracepoint",
				tpl_pev_progs[i]);
			return -1;
		}
	}
	for (i = 0; i < TPL_NPROC_PROGS; i++)
		if (need_prog(c, -1, tpl_proc_progs[i], TPC_VARIANT_TRACEPOINT, TPC_ROLE_ENTRY))
			return -1;
	struct bpf_program *whoami = bpf_object__find_program_by_name(c->obj, TPC_PROG_WHOAMI);
	if (!whoami || bpf_program__type(whoami) != BPF_PROG_TYPE_SYSCALL) {
		tpl_err("%s: no syscall program %s in the object", path, TPC_PROG_WHOAMI);
		return -1;
	}
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		for (int k = 0; k < h->nprogs; k++)
			if (need_prog(c, i, h->progs[k].name, h->progs[k].variant, h->progs[k].role))
				return -1;
	}
	/* a shared process table: the object's map is the one tp-load has */
	if (share_procs_fd >= 0 && bpf_map__reuse_fd(procs, share_procs_fd)) {
		tpl_err("%s: cannot share the process table: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int run_whoami(struct child *c, const char *who)
{
	int fd = bpf_program__fd(bpf_object__find_program_by_name(c->obj, TPC_PROG_WHOAMI));
	LIBBPF_OPTS(bpf_test_run_opts, run);
	int err = bpf_prog_test_run_opts(fd, &run);
	if (err || !run.retval) {
		tpl_err("%s: cannot add %s to %s/%s (so its calls would be reported): %s", c->o->path, who,
			TPC_PIN_DIR, TPC_MAP_LOADERS, err ? strerror(-err) : "the map refused the entry");
		return -1;
	}
	return 0;
}

static int map_fd(struct child *c, const char *name)
{
	return bpf_object__find_map_fd_by_name(c->obj, name);
}

/* The child's work, up to the last message; returns its exit status. */
static int child_run(struct child *c, const struct tpl_load_req *req, int sock)
{
	const struct tpl_obj *o = c->o;
	struct bpf_program *p;
	int i;
	char what[760];

	tpl_stamp("child started");
	/* CO-RE against the kernel types this object needs, not all 5-6 MB */
	char core_path[64];
	int core_fd;
	c->core_btf = tpl_core_btf(o, core_path, sizeof(core_path), &core_fd);
	if (open_checked(c, req->share_procs_fd))
		return 1;
	tpl_stamp("object opened and checked");
	/* load only what will be attached */
	bpf_object__for_each_program(p, c->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < TPL_NPROC_PROGS && req->attach_procs; i++)
		bpf_program__set_autoload(bpf_object__find_program_by_name(c->obj, tpl_proc_progs[i]), true);
	for (i = 0; i < TPL_NPEV_PROGS && req->attach_pev; i++)
		bpf_program__set_autoload(bpf_object__find_program_by_name(c->obj, tpl_pev_progs[i]), true);
	bpf_program__set_autoload(bpf_object__find_program_by_name(c->obj, TPC_PROG_WHOAMI), true);
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		for (int k = 0; k < h->nprogs; k++)
			if ((int)h->progs[k].variant == req->variant[i])
				bpf_program__set_autoload(bpf_object__find_program_by_name(c->obj, h->progs[k].name),
							  true);
	}
	int loaded = load(c);
	if (core_fd >= 0)
		close(core_fd);
	if (loaded)
		return 1;
	tpl_stamp("object loaded (BTF, CO-RE, maps, verifier)");
	/* this process makes calls a hook could see, from now on excluded */
	if (run_whoami(c, "its loading process"))
		return 1;
	/* step 1: tp-load adds itself to tpc_loaders before any hook fires */
	struct tpl_load_msg msg = { .step = 1 };
	int whoami = bpf_program__fd(bpf_object__find_program_by_name(c->obj, TPC_PROG_WHOAMI));
	struct tpl_load_go go;
	if (tpl_send_fds(sock, &msg, sizeof(msg), &whoami, 1) || recv(sock, &go, sizeof(go), 0) != sizeof(go) ||
	    go.go != 'g')
		return 1;
	struct tpc_config cfg = { 0 };
	memcpy(cfg.host_ns, go.host_ns, sizeof(cfg.host_ns));
	tpc_u32 key = 0;
	if (bpf_map_update_elem(map_fd(c, TPC_MAP_CONFIG), &key, &cfg, BPF_ANY)) {
		tpl_err("%s: cannot write %s: %s", o->path, TPC_MAP_CONFIG, strerror(errno));
		return 1;
	}

	/* step 2: process tracking first (tp-load seeds the table after: a
	 * process that execs in between is recorded by the kernel, and the
	 * seed does not overwrite it), then the hooks */
	for (i = 0; i < TPL_NPROC_PROGS && req->attach_procs; i++)
		if (attach_prog(c, NULL, NULL, tpl_proc_progs[i], TPC_VARIANT_TRACEPOINT, TPC_ROLE_ENTRY,
				tpl_proc_progs[i]))
			return 1;
	msg.nproc_links = c->nlinks;
	/* process events next (tp-load seeds its own table from /proc once
	 * they are attached), before any hook can name a process */
	for (i = 0; i < TPL_NPEV_PROGS && req->attach_pev; i++)
		if (attach_prog(c, NULL, NULL, tpl_pev_progs[i], TPC_VARIANT_TRACEPOINT, TPC_ROLE_ENTRY,
				tpl_pev_progs[i]))
			return 1;
	msg.npev_links = c->nlinks - msg.nproc_links;
	tpl_stamp("process tracking programs on");
	for (i = 0; i < o->m.nhooks; i++) {
		const struct tpc_hook *h = &o->m.hooks[i];
		char desc[700];
		if (req->variant[i] == TPL_VARIANT_SKIPPED)
			continue; /* nothing of it was loaded */
		tpl_hook_describe_variant(h, req->variant[i], desc, sizeof(desc));
		snprintf(what, sizeof(what), "hook %d (%s)", i, desc);
		/* return programs first: an entry stash never waits for a
		 * return program that is not there yet */
		for (int pass = 0; pass < 2; pass++) {
			enum tpc_prog_role role = pass ? TPC_ROLE_ENTRY : TPC_ROLE_RETURN;
			for (int k = 0; k < h->nprogs; k++)
				if ((int)h->progs[k].variant == req->variant[i] && h->progs[k].role == role &&
				    attach_prog(c, h, &req->sites[i], h->progs[k].name, h->progs[k].variant, role, what))
					return 1;
		}
		msg.nhooks++;
	}
	/* the maps, the links, then the stack map and tpc_missed when the object has them */
	int fds[TPL_MSG_MAPS + TPL_MAX_LINKS + 2] = { map_fd(c, TPC_MAP_EVENTS), map_fd(c, TPC_MAP_LOST),
						 map_fd(c, TPC_MAP_PROCS), map_fd(c, TPC_MAP_FDS),
						 map_fd(c, TPC_MAP_PEVENTS), map_fd(c, TPC_MAP_PLOST) };
	memcpy(fds + TPL_MSG_MAPS, c->links, sizeof(int) * (size_t)c->nlinks);
	msg.step = 2;
	msg.nlinks = c->nlinks;
	/* kernelStackTrace/userStackTrace: tp-load reads the stacks by id */
	int stacks = map_fd(c, TPC_MAP_STACKS);
	if (stacks >= 0)
		fds[TPL_MSG_MAPS + msg.nlinks + msg.nstacks++] = stacks;
	/* spec.enforcers: tp-load reports the verdicts that went unused */
	int missed = map_fd(c, TPC_MAP_MISSED);
	if (missed >= 0)
		fds[TPL_MSG_MAPS + msg.nlinks + msg.nstacks + msg.nmissed++] = missed;
	int nfds = TPL_MSG_MAPS + c->nlinks + msg.nstacks + msg.nmissed;
	return tpl_send_fds(sock, &msg, sizeof(msg), fds, nfds) ? 1 : 0;
}

int tpl_child_check(const struct tpl_obj *o)
{
	struct child c = { .o = o };
	int rc = open_checked(&c, -1);
	bpf_object__close(c.obj);
	return rc;
}

void tpl_child_load(const struct tpl_obj *o, const struct tpl_load_req *req, int sock)
{
	struct child c = { .o = o, .attach_pev = req->attach_pev };
	/* tests: a child that never answers (as one stuck on a lock would) */
	if (getenv("TPL_TEST_STALL_CHILD"))
		for (;;)
			pause();
	int rc = child_run(&c, req, sock);
	fflush(stderr);
	_exit(rc ? TPL_CHILD_REPORTED : 0);
}
