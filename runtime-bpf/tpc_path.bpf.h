/* tpc_path.bpf.h: file, path, dentry and fd arguments as path strings.
 *
 * A bounded walk from the dentry up to the root, crossing mounts through
 * mount->mnt_mountpoint and mnt_parent, writes the components backwards
 * into a per-CPU buffer; the result is then copied to the start of a
 * check slot, where checks compare it like any string and the event
 * copies it from. A path deeper than TPC_PATH_DEPTH components or longer
 * than TPC_STR_MAX-1 bytes is cut and flagged TPC_ARGF_TRUNCATED, never cut
 * silently.
 *
 * fd arguments: the FollowFD map (keyed by process and fd) is consulted
 * first, then the calling process's fd table (files->fdt->fd[n]). */
#ifndef TPC_PATH_BPF_H
#define TPC_PATH_BPF_H

#define TPC_PATH_DEPTH 64
#define TPC_NAME_MAX 255

/* State of one walk, shared with the bpf_loop callback. It lives in the
 * per-CPU walk buffer, not on the stack: the verifier knows nothing of a
 * map value's contents, so every step starts from the same state and the
 * callback is verified in two or three passes. On the stack, each step's
 * exact position differed and the verifier went through all
 * TPC_PATH_DEPTH steps: 30,000 instructions per program that walks, most
 * of a load's time. */
struct tpc_walk_state {
	struct dentry *dentry;
	struct mount *mnt; /* NULL: do not cross mounts */
	struct dentry *mnt_root;
	__u32 pos;         /* the path occupies b[pos .. TPC_STR_MAX) */
	__u32 flags;
	__u32 done;
};

/* The walk buffer: the path grows down from the middle, so a component
 * (at most TPC_NAME_MAX bytes) written at any masked position fits. */
struct tpc_pathbuf {
	struct tpc_walk_state st;
	char b[TPC_STR_MAX * 2];
};

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tpc_pathbuf);
} tpc_path_map SEC(".maps");

/* FollowFD / CopyFD / UnfollowFD state, keyed by struct tpc_fd_key
 * (tpc_abi.h). tp-load removes the entries of processes that have exited. */
struct tpc_fd_val {
	__u32 len;
	__u32 flags;
	__u64 exec_ns; /* the process's exec (tpc_proc.exec_ns) when followed */
	char path[TPC_FOLLOW_PATH_MAX];
};

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TPC_MAX_FOLLOWED_FDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tpc_fd_key);
	__type(value, struct tpc_fd_val);
} TPC_FDS_MAP SEC(".maps");

/* When the process last executed a program (0 for one that predates
 * tp-load, or that the table does not know). */
static __always_inline __u64 tpc_exec_ns(__u32 tgid)
{
	struct tpc_proc *p = bpf_map_lookup_elem(&tpc_procs, &tgid);
	return p ? p->exec_ns : 0;
}

/* Result of a resolution: len bytes at the start of the slot, NUL after. */
struct tpc_pathres {
	long len; /* negative: could not be read */
	__u32 flags;
};

static __always_inline struct mount *tpc_real_mount(struct vfsmount *m)
{
	return (struct mount *)((char *)m - bpf_core_field_offset(struct mount, mnt));
}

/* One step up: a component, or a crossing to the parent mount.
 * Returns 1 to stop the loop. */
static long tpc_walk_step(__u64 i, void *unused)
{
	__u32 zero = 0;
	struct tpc_pathbuf *pb = bpf_map_lookup_elem(&tpc_path_map, &zero);
	if (!pb)
		return 1;
	struct tpc_walk_state *st = &pb->st;
	/* locals: BPF_CORE_READ would relocate st->field itself */
	struct dentry *dentry = st->dentry;
	struct mount *mnt = st->mnt;
	if (mnt && dentry == st->mnt_root) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt) {
			st->done = 1; /* the root of the namespace */
			return 1;
		}
		st->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		st->mnt = parent;
		st->mnt_root = BPF_CORE_READ(parent, mnt.mnt_root);
		return 0;
	}
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) {
		st->done = 1;
		return 1;
	}
	__u32 len = BPF_CORE_READ(dentry, d_name.len) & TPC_NAME_MAX;
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	__u32 pos = st->pos;
	if (pos > TPC_STR_MAX || len + 1 > pos) {
		st->flags |= TPC_ARGF_TRUNCATED;
		st->done = 1;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&pb->b[pos & (TPC_STR_MAX - 1)], len, name);
	pos -= 1;
	pb->b[pos & (TPC_STR_MAX - 1)] = '/';
	st->pos = pos;
	st->dentry = parent;
	return 0;
}

/* Walks dentry (in mount vfsmnt, which may be NULL: no mount crossing)
 * and copies the path to dst (TPC_STR_MAX bytes). bpf_loop keeps the
 * verifier's work to a few passes over the step, however deep the walk. */
static __always_inline struct tpc_pathres tpc_walk(struct dentry *dentry, struct vfsmount *vfsmnt, char *dst)
{
	struct tpc_pathres r = {-1, 0};
	__u32 zero = 0;
	struct tpc_pathbuf *pb = bpf_map_lookup_elem(&tpc_path_map, &zero);
	if (!pb || !dentry)
		return r;
	struct tpc_walk_state *st = &pb->st;
	st->dentry = dentry;
	st->mnt = vfsmnt ? tpc_real_mount(vfsmnt) : NULL;
	st->mnt_root = vfsmnt ? BPF_CORE_READ(vfsmnt, mnt_root) : NULL;
	st->pos = TPC_STR_MAX;
	st->flags = 0;
	st->done = 0;
	bpf_loop(TPC_PATH_DEPTH, tpc_walk_step, NULL, 0);
	/* the file's type and permission bits, for the event (file_arg
	 * permission) */
	__u32 mode = BPF_CORE_READ(dentry, d_inode, i_mode);
	r.flags = st->flags | (mode << TPC_ARGF_MODE_SHIFT);
	if (!st->done)
		r.flags |= TPC_ARGF_TRUNCATED; /* deeper than TPC_PATH_DEPTH */
	__u32 pos = st->pos;
	if (pos >= TPC_STR_MAX) {
		pos = TPC_STR_MAX - 1;
		pb->b[TPC_STR_MAX - 1] = '/';
	}
	__u32 len = TPC_STR_MAX - pos;
	if (len > TPC_STR_MAX - 1) {
		len = TPC_STR_MAX - 1;
		r.flags |= TPC_ARGF_TRUNCATED;
	}
	pos = TPC_STR_MAX - len;
	bpf_probe_read_kernel(dst, len & (TPC_STR_MAX - 1), &pb->b[pos & (TPC_STR_MAX - 1)]);
	dst[len & (TPC_STR_MAX - 1)] = 0;
	r.len = len;
	return r;
}

static __always_inline struct tpc_pathres tpc_path_of_path(__u64 ptr, char *dst)
{
	struct path *p = (struct path *)ptr;
	return tpc_walk(BPF_CORE_READ(p, dentry), BPF_CORE_READ(p, mnt), dst);
}

static __always_inline struct tpc_pathres tpc_path_of_file(__u64 ptr, char *dst)
{
	struct file *f = (struct file *)ptr;
	struct tpc_pathres r = {-1, 0};
	if (!f)
		return r;
	return tpc_walk(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), dst);
}

static __always_inline struct tpc_pathres tpc_path_of_dentry(__u64 ptr, char *dst)
{
	return tpc_walk((struct dentry *)ptr, NULL, dst);
}

/* An fd of the calling process: a followed name if FollowFD recorded one,
 * else the file in its fd table. */
static __always_inline struct tpc_pathres tpc_path_of_fd(__u64 fd, char *dst)
{
	struct tpc_pathres r = {-1, 0};
	struct tpc_fd_key key = {(__u32)(bpf_get_current_pid_tgid() >> 32), (__u32)fd};
	struct tpc_fd_val *v = bpf_map_lookup_elem(&tpc_fds, &key);
	if (v && v->exec_ns != tpc_exec_ns(key.tgid)) {
		/* followed before the process's last exec: the name belongs to
		 * the program before it (an fd kept without O_CLOEXEC is not
		 * the file the new program was told about) */
		bpf_map_delete_elem(&tpc_fds, &key);
		v = NULL;
	}
	if (v) {
		__u32 len = v->len & (TPC_FOLLOW_PATH_MAX - 1);
		bpf_probe_read_kernel(dst, len, v->path);
		dst[len] = 0;
		r.len = len;
		r.flags = v->flags;
		return r;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if ((__u32)fd >= max)
		return r;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[(__u32)fd]);
	return tpc_path_of_file((__u64)f, dst);
}

/* The path of the current task's executable (mm->exe_file), as
 * /proc/PID/exe shows it: the canonical path of the file executed,
 * whatever name the caller gave execve. */
static __always_inline struct tpc_pathres tpc_exe_path(char *dst)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return tpc_path_of_file((__u64)BPF_CORE_READ(task, mm, exe_file), dst);
}

/* ---- FollowFD, UnfollowFD, CopyFD ---- */


static __always_inline void tpc_follow_fd(__u64 fd, const char *name, long len, __u32 flags)
{
	struct tpc_fd_key key = {(__u32)(bpf_get_current_pid_tgid() >> 32), (__u32)fd};
	struct tpc_slots *sl = tpc_slots();
	if (!sl || len < 0)
		return;
	/* the value is built in the last slot: too big for the stack */
	struct tpc_fd_val *v = (struct tpc_fd_val *)sl->str[TPC_STR_SLOTS - 1];
	if (len > TPC_FOLLOW_PATH_MAX - 1) {
		len = TPC_FOLLOW_PATH_MAX - 1;
		flags |= TPC_ARGF_TRUNCATED;
	}
	__u32 n = (__u32)len;
	/* Linux 6.1's verifier loses n's bounds in the clamp above (it
	 * follows "255 > n" on the path where n > 255, and the copy below is
	 * then rejected); clang drops a plain mask as redundant after the
	 * clamp, so the mask is hidden from it and the verifier sees it */
	barrier_var(n);
	n &= TPC_FOLLOW_PATH_MAX - 1;
	v->len = n;
	v->flags = flags;
	v->exec_ns = tpc_exec_ns(key.tgid);
	bpf_probe_read_kernel(v->path, n, name);
	v->path[n] = 0;
	bpf_map_update_elem(&tpc_fds, &key, v, BPF_ANY);
}

static __always_inline void tpc_unfollow_fd(__u64 fd)
{
	struct tpc_fd_key key = {(__u32)(bpf_get_current_pid_tgid() >> 32), (__u32)fd};
	bpf_map_delete_elem(&tpc_fds, &key);
}

static __always_inline void tpc_copy_fd(__u64 oldfd, __u64 newfd)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tpc_fd_key from = {tgid, (__u32)oldfd}, to = {tgid, (__u32)newfd};
	struct tpc_fd_val *v = bpf_map_lookup_elem(&tpc_fds, &from);
	if (v)
		bpf_map_update_elem(&tpc_fds, &to, v, BPF_ANY);
}

/* ---- event records of resolved paths and iovecs ---- */

/* len bytes of kernel memory src as one record (a resolved path). */
static __always_inline __u32 tpc_put_kbytes(struct tpc_scratch *sc, __u32 off, const char *src, long len,
					     __u32 flags, __u64 value)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	r->flags = flags;
	r->value = value;
	if (len < 0) {
		r->len = 0;
		r->flags |= TPC_ARGF_FAULT;
		return off + sizeof(struct tpc_arg);
	}
	__u32 n = (__u32)len & (TPC_STR_MAX - 1);
	bpf_probe_read_kernel(dst, n, src);
	r->len = n;
	return off + sizeof(struct tpc_arg) + ((n + 7) & ~7u);
}

#define TPC_IOV_MAX 16

struct tpc_iov_state {
	__u64 iovp;  /* the iovec array */
	__u64 cnt;
	__u64 base;  /* where the data goes in the event */
	__u64 total; /* bytes copied */
	__u64 orig;  /* bytes the vectors hold */
	__u32 flags;
	bool user;
};

/* One vector: copy what still fits. Returns 1 to stop. */
static long tpc_iov_step(__u64 i, struct tpc_iov_state *st)
{
	__u32 zero = 0;
	struct tpc_scratch *sc = bpf_map_lookup_elem(&tpc_scratch_map, &zero);
	if (!sc || i >= st->cnt)
		return 1;
	struct iovec iov = {};
	void *src = (void *)(st->iovp + i * sizeof(iov));
	if (st->user ? bpf_probe_read_user(&iov, sizeof(iov), src) : bpf_probe_read_kernel(&iov, sizeof(iov), src)) {
		st->flags |= TPC_ARGF_FAULT;
		return 1;
	}
	st->orig += iov.iov_len;
	/* at most TPC_BUF_MAX - 1 bytes in all, by a mask the verifier sees
	 * (clang would drop a comparison it can prove) */
	__u64 total = st->total;
	__u64 room = TPC_BUF_MAX - 1 - total;
	__u64 n = iov.iov_len < room ? iov.iov_len : room;
	if (n < iov.iov_len)
		st->flags |= TPC_ARGF_TRUNCATED;
	asm volatile("%[n] &= %[m]" : [n] "+r"(n) : [m] "i"(TPC_BUF_MAX - 1));
	__u64 at = st->base + total;
	if (at > TPC_EVENT_MAX - TPC_BUF_MAX)
		return 1;
	if (n && (st->user ? bpf_probe_read_user(sc->ev + at, n, iov.iov_base)
			   : bpf_probe_read_kernel(sc->ev + at, n, iov.iov_base))) {
		st->flags |= TPC_ARGF_FAULT;
		return 1;
	}
	st->total = total + n;
	return st->total >= TPC_BUF_MAX - 1;
}

/* char_iovec: the buffers of cnt iovecs, concatenated, at most
 * TPC_BUF_MAX - 1 bytes and TPC_IOV_MAX vectors (more is flagged
 * truncated). */
static __always_inline __u32 tpc_put_iovec(struct tpc_scratch *sc, __u32 off, __u64 iovp, __u64 cnt, bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	struct tpc_iov_state st = {
		.iovp = iovp,
		.cnt = cnt,
		.base = off + sizeof(struct tpc_arg),
		.flags = cnt > TPC_IOV_MAX ? TPC_ARGF_TRUNCATED : 0,
		.user = user,
	};
	bpf_loop(TPC_IOV_MAX, tpc_iov_step, &st, 0);
	__u32 total = (__u32)st.total & (TPC_BUF_MAX - 1);
	r->len = total;
	r->flags = st.flags;
	r->value = st.orig;
	return off + sizeof(struct tpc_arg) + ((total + 7) & ~7u);
}

#endif /* TPC_PATH_BPF_H */
