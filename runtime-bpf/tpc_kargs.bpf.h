/* tpc_kargs.bpf.h: args that are kernel structs (cred, user_namespace,
 * bpf_prog, bpf_attr, bpf_map, perf_event, module, load_info, iov_iter),
 * files reached through one (linux_binprm, kiocb), and values read
 * through a pointer first (the capability masks, filename). Each reader
 * writes the record tpc_abi.h describes (struct tpc_rec_*), which tp-load
 * decodes by the arg's type; every field access is CO-RE relocated, and a
 * field that changed shape across kernels is read through flavors
 * checked with bpf_core_field_exists. Local types are named <struct>___rt:
 * generated resolve paths declare their own <struct>___tpc. */
#ifndef TPC_KARGS_BPF_H
#define TPC_KARGS_BPF_H

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct bpf_prog_aux___rt {
	char name[16];
};
enum bpf_prog_type___rt { tpc_bpf_prog_type_any };
struct bpf_prog___rt {
	enum bpf_prog_type___rt type;
	__u32 len;
	struct bpf_prog_aux___rt *aux;
};
union bpf_attr___rt { /* the BPF_PROG_LOAD members (in an anonymous struct of the union) */
	__u32 prog_type;
	__u32 insn_cnt;
	char prog_name[16];
};
struct bpf_map___rt {
	enum bpf_map_type map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	char name[16];
};
struct perf_event_attr___rt {
	__u32 type;
	__u64 config;
	__u64 kprobe_func;  /* in a union with config1 */
	__u64 probe_offset; /* in a union with config2 */
};
struct perf_event___rt {
	struct perf_event_attr___rt attr;
};
struct module___rt {
	char name[56];
	unsigned long taints;
};
struct load_info___rt {
	const char *name;
	struct module___rt *mod;
};
struct load_info___sig {
	_Bool sig_ok; /* CONFIG_MODULE_SIG */
};
struct linux_binprm___rt {
	struct file *file;
};
struct kiocb___rt {
	struct file *ki_filp;
};
struct net_device___rt {
	char name[16];
};
struct filename___rt {
	const char *name;
};
enum iter_type___rt { ITER_IOVEC___rt, ITER_UBUF___rt };
struct iov_iter___rt { /* 6.4 and later */
	__u8 iter_type;
	__u64 count;
	const struct iovec *__iov;
	void *ubuf;
};
struct iov_iter___old { /* before 6.4 */
	const struct iovec *iov;
};

#pragma clang attribute pop

static __always_inline struct tpc_arg *tpc_rec_begin(struct tpc_scratch *sc, __u32 off, __u32 len)
{
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	r->len = len;
	r->flags = 0;
	r->value = len;
	return r;
}

static __always_inline void tpc_fill_userns(struct tpc_rec_userns *u, struct user_namespace *ns)
{
	u->level = BPF_CORE_READ(ns, level);
	u->uid = BPF_CORE_READ(ns, owner.val);
	u->gid = BPF_CORE_READ(ns, group.val);
	u->inum = BPF_CORE_READ(ns, ns.inum);
}

/* A record of a kernel struct at ptr, or a fault record when ptr is NULL. */
#define TPC_REC(sc, off, ptr, type, rec)                                                   \
	if (off > TPC_OFF_LIMIT)                                                           \
		return off;                                                                \
	struct tpc_arg *r = tpc_rec_begin(sc, off, sizeof(type));                          \
	type *rec = (type *)(sc->ev + off + sizeof(struct tpc_arg));                       \
	__builtin_memset(rec, 0, sizeof(type));                                            \
	if (!ptr)                                                                          \
		r->flags = TPC_ARGF_FAULT

static __always_inline __u32 tpc_put_cred(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_cred, c);
	const struct cred *cr = (const struct cred *)ptr;
	if (cr) {
		c->uid = BPF_CORE_READ(cr, uid.val);
		c->gid = BPF_CORE_READ(cr, gid.val);
		c->euid = BPF_CORE_READ(cr, euid.val);
		c->egid = BPF_CORE_READ(cr, egid.val);
		c->suid = BPF_CORE_READ(cr, suid.val);
		c->sgid = BPF_CORE_READ(cr, sgid.val);
		c->fsuid = BPF_CORE_READ(cr, fsuid.val);
		c->fsgid = BPF_CORE_READ(cr, fsgid.val);
		c->securebits = BPF_CORE_READ(cr, securebits);
		bpf_core_read(&c->cap_permitted, 8, &cr->cap_permitted);
		bpf_core_read(&c->cap_effective, 8, &cr->cap_effective);
		bpf_core_read(&c->cap_inheritable, 8, &cr->cap_inheritable);
		tpc_fill_userns(&c->userns, BPF_CORE_READ(cr, user_ns));
	}
	return off + sizeof(struct tpc_arg) + sizeof(*c);
}

static __always_inline __u32 tpc_put_user_namespace(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_userns, u);
	if (ptr)
		tpc_fill_userns(u, (struct user_namespace *)ptr);
	return off + sizeof(struct tpc_arg) + sizeof(*u);
}

static __always_inline __u32 tpc_put_bpf_prog(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_bpf_prog, p);
	struct bpf_prog___rt *prog = (struct bpf_prog___rt *)ptr;
	if (prog) {
		bpf_core_read(&p->type, 4, &prog->type);
		p->insn_cnt = BPF_CORE_READ(prog, len);
		struct bpf_prog_aux___rt *aux = BPF_CORE_READ(prog, aux);
		if (aux)
			bpf_core_read_str(p->name, sizeof(p->name), &aux->name);
	}
	return off + sizeof(struct tpc_arg) + sizeof(*p);
}

/* A bpf_attr in the kernel's memory, or (user: a syscall's argument) in
 * the caller's. */
static __always_inline __u32 tpc_put_bpf_attr(struct tpc_scratch *sc, __u32 off, __u64 ptr, bool user)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_bpf_prog, p);
	union bpf_attr___rt *attr = (union bpf_attr___rt *)ptr;
	if (attr && user) {
		bpf_core_read_user(&p->type, 4, &attr->prog_type);
		bpf_core_read_user(&p->insn_cnt, 4, &attr->insn_cnt);
		bpf_core_read_user_str(p->name, sizeof(p->name), &attr->prog_name);
	} else if (attr) {
		p->type = BPF_CORE_READ(attr, prog_type);
		p->insn_cnt = BPF_CORE_READ(attr, insn_cnt);
		bpf_core_read_str(p->name, sizeof(p->name), &attr->prog_name);
	}
	return off + sizeof(struct tpc_arg) + sizeof(*p);
}

static __always_inline __u32 tpc_put_bpf_map(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_bpf_map, m);
	struct bpf_map___rt *map = (struct bpf_map___rt *)ptr;
	if (map) {
		bpf_core_read(&m->type, 4, &map->map_type);
		m->key_size = BPF_CORE_READ(map, key_size);
		m->value_size = BPF_CORE_READ(map, value_size);
		m->max_entries = BPF_CORE_READ(map, max_entries);
		bpf_core_read_str(m->name, sizeof(m->name), &map->name);
	}
	return off + sizeof(struct tpc_arg) + sizeof(*m);
}

static __always_inline __u32 tpc_put_perf_event(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_perf_event, p);
	struct perf_event___rt *ev = (struct perf_event___rt *)ptr;
	if (ev) {
		p->type = BPF_CORE_READ(ev, attr.type);
		p->config = BPF_CORE_READ(ev, attr.config);
		p->probe_offset = BPF_CORE_READ(ev, attr.probe_offset);
		/* the function name a kprobe event was created for: a pointer
		 * into the creator's memory (during perf_event_open) */
		__u64 fn = BPF_CORE_READ(ev, attr.kprobe_func);
		if (fn && bpf_probe_read_user_str(p->kprobe_func, sizeof(p->kprobe_func), (const void *)fn) < 0)
			bpf_probe_read_kernel_str(p->kprobe_func, sizeof(p->kprobe_func), (const void *)fn);
	}
	return off + sizeof(struct tpc_arg) + sizeof(*p);
}

static __always_inline void tpc_fill_module(struct tpc_rec_module *m, struct module___rt *mod)
{
	if (!mod)
		return;
	bpf_core_read_str(m->name, sizeof(m->name), &mod->name);
	m->taints = BPF_CORE_READ(mod, taints);
}

static __always_inline __u32 tpc_put_module(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_module, m);
	tpc_fill_module(m, (struct module___rt *)ptr);
	return off + sizeof(struct tpc_arg) + sizeof(*m);
}

static __always_inline __u32 tpc_put_load_info(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_REC(sc, off, ptr, struct tpc_rec_module, m);
	struct load_info___rt *info = (struct load_info___rt *)ptr;
	if (info) {
		tpc_fill_module(m, BPF_CORE_READ(info, mod));
		const char *name = BPF_CORE_READ(info, name);
		if (name)
			bpf_probe_read_kernel_str(m->name, sizeof(m->name), name);
		if (bpf_core_field_exists(((struct load_info___sig *)0)->sig_ok)) {
			m->has_sig_ok = 1;
			m->sig_ok = BPF_CORE_READ((struct load_info___sig *)info, sig_ok);
		}
	}
	return off + sizeof(struct tpc_arg) + sizeof(*m);
}

/* iov_iter: the bytes of its first segment, for a user-memory iterator
 * (ITER_UBUF, or ITER_IOVEC's first iovec); other kinds are empty. */
static __always_inline __u32 tpc_put_iov_iter(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	struct iov_iter___rt *it = (struct iov_iter___rt *)ptr;
	__u64 base = 0, len = 0;
	if (it) {
		__u8 kind = BPF_CORE_READ(it, iter_type);
		__u64 count = BPF_CORE_READ(it, count);
		if (bpf_core_enum_value_exists(enum iter_type___rt, ITER_UBUF___rt) &&
		    kind == bpf_core_enum_value(enum iter_type___rt, ITER_UBUF___rt)) {
			base = (__u64)BPF_CORE_READ(it, ubuf);
			len = count;
		} else if (kind == bpf_core_enum_value(enum iter_type___rt, ITER_IOVEC___rt)) {
			const struct iovec *iov = bpf_core_field_exists(it->__iov)
							  ? BPF_CORE_READ(it, __iov)
							  : BPF_CORE_READ((struct iov_iter___old *)it, iov);
			struct iovec v = {};
			bpf_probe_read_kernel(&v, sizeof(v), iov);
			base = (__u64)v.iov_base;
			len = v.iov_len < count ? v.iov_len : count;
		}
	}
	return tpc_put_buf(sc, off, base, len, true);
}

/* ---- values read through the arg's pointer first ---- */

/* A capability mask (kernel_cap_t, cap_*): the 8 bytes the pointer points
 * at (u32[2] before 6.3, { u64 val } since: the same mask on
 * little-endian machines). */
static __always_inline long tpc_load_caps(__u64 *v)
{
	__u64 mask = 0;
	if (!*v || bpf_probe_read_kernel(&mask, sizeof(mask), (const void *)*v))
		return -1;
	*v = mask;
	return 0;
}

/* struct filename: its name, a kernel string */
static __always_inline long tpc_load_filename(__u64 *v)
{
	struct filename___rt *f = (struct filename___rt *)*v;
	if (!f)
		return -1;
	*v = (__u64)BPF_CORE_READ(f, name);
	return 0;
}

/* A net_device's name: the address of the array inside it. */
static __always_inline long tpc_load_net_device(__u64 *v)
{
	struct net_device___rt *d = (struct net_device___rt *)*v;
	if (!d)
		return -1;
	*v = (__u64)__builtin_preserve_access_index(&d->name);
	return 0;
}

/* A sockaddr_un's path, for the string filters: sun_path, or past the
 * NUL that starts an abstract name. The sockaddr is a syscall's (the
 * caller's memory) or the kernel's: read as the kernel's first. */
static __always_inline long tpc_load_sockaddr_un(__u64 *v)
{
	__u64 p = *v;
	char c;
	if (!p)
		return -1;
	if (bpf_probe_read_kernel(&c, 1, (void *)(p + 2)) && bpf_probe_read_user(&c, 1, (void *)(p + 2)))
		return -1;
	*v = p + 2 + (c == 0);
	return 0;
}

/* The syscall number of a syscall tracepoint, with bit 31 set when the
 * task runs a 32-bit syscall (as Tetragon reports it on tracepoints). */
static __always_inline long tpc_load_syscall64(__u64 *v)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
#ifdef __TARGET_ARCH_arm64
	if (BPF_CORE_READ(task, thread_info.flags) & (1UL << 22)) /* TIF_32BIT */
		*v |= 0x80000000ULL;
#else
	if (bpf_core_field_exists(task->thread_info.status) && (BPF_CORE_READ(task, thread_info.status) & 2)) /* TS_COMPAT */
		*v |= 0x80000000ULL;
#endif
	return 0;
}

/* ---- files reached through a struct ---- */

static __always_inline __u64 tpc_binprm_file(__u64 ptr)
{
	return ptr ? (__u64)BPF_CORE_READ((struct linux_binprm___rt *)ptr, file) : 0;
}

static __always_inline __u64 tpc_kiocb_file(__u64 ptr)
{
	return ptr ? (__u64)BPF_CORE_READ((struct kiocb___rt *)ptr, ki_filp) : 0;
}

static __always_inline struct tpc_pathres tpc_path_of_binprm(__u64 ptr, char *dst)
{
	return tpc_path_of_file(tpc_binprm_file(ptr), dst);
}

static __always_inline struct tpc_pathres tpc_path_of_kiocb(__u64 ptr, char *dst)
{
	return tpc_path_of_file(tpc_kiocb_file(ptr), dst);
}

/* The mode (type and permission bits) of a file, for linux_binprm and
 * kiocb records. */
static __always_inline __u64 tpc_file_mode(__u64 file)
{
	return file ? BPF_CORE_READ((struct file *)file, f_inode, i_mode) : 0;
}

/* FileType/NotFileType: the mode of what a file, path, dentry or fd arg
 * names (0 when nothing: no type matches) */
static __always_inline __u64 tpc_mode_of_file(__u64 ptr)
{
	return tpc_file_mode(ptr);
}

static __always_inline __u64 tpc_mode_of_path(__u64 ptr)
{
	return ptr ? BPF_CORE_READ((struct path *)ptr, dentry, d_inode, i_mode) : 0;
}

static __always_inline __u64 tpc_mode_of_dentry(__u64 ptr)
{
	return ptr ? BPF_CORE_READ((struct dentry *)ptr, d_inode, i_mode) : 0;
}

static __always_inline __u64 tpc_mode_of_fd(__u64 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if ((__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[(__u32)fd]);
	return tpc_file_mode((__u64)f);
}

#endif /* TPC_KARGS_BPF_H */
