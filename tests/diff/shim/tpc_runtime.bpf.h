/* tpc_runtime.bpf.h (host shim): stands in for runtime-bpf/ when the C that
 * tpc generates is compiled with the host's cc for the differential test.
 *
 * The generated file includes "tpc_runtime.bpf.h" first; built with
 * -I tests/diff/shim ahead of everything else, it gets this instead of the
 * BPF one (the runtime programs of tpc_procs.bpf.h are linked in by tpc, not
 * part of the emitted C). Every helper the generated
 * code calls is answered from struct tpcd_env (env.h), which the driver
 * fills before each call through the exported pointer tpcd_env:
 *  - the current task (pid, namespaces, capabilities) and its process
 *    table entry;
 *  - user memory: an arg's pointer is readable only when it falls inside
 *    one of env->regions, like bpf_probe_read_user on a mapped page;
 *  - reads leave stale bytes after what they copied (a scratch slot holds
 *    the previous event's data there), so a check that looks past the
 *    end of what was read sees garbage and goes wrong visibly;
 *  - the event the code begins and the signals it sends are recorded in
 *    env->out instead of reaching a ring buffer.
 * Semantics of each helper follow its BPF counterpart (comments below);
 * nothing here decides whether a selector matches. */
#ifndef TPCD_SHIM_RUNTIME_H
#define TPCD_SHIM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "env.h"

typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;
#ifndef __cplusplus
typedef _Bool bool;
#define true 1
#define false 0
#endif

#define SEC(name)
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* The program contexts the entry programs take. x86_64 only: the driver
 * compiles with tpc's default --arch on an x86_64 host. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#define PT_REGS_PARM1(x) ((x)->di)
#define PT_REGS_PARM2(x) ((x)->si)
#define PT_REGS_PARM3(x) ((x)->dx)
#define PT_REGS_PARM4(x) ((x)->cx)
#define PT_REGS_PARM5(x) ((x)->r8)
#define PT_REGS_RC(x) ((x)->ax)
#define BPF_CORE_READ(src, field) ((src)->field)
/* as runtime-bpf/tpc_runtime.bpf.h */
static inline __u64 tpc_mix(__u64 h, __u64 w)
{
	return (h ^ w) * 0x9e3779b97f4a7c15ULL;
}
#define TPC_STR_END(w, n, k) (((const unsigned char *)(w))[((n) - 1 - (k)) & (TPC_STR_MAX - 1)])
#define TPC_BIN_END(p, k) (((const unsigned char *)(p)->bin)[((p)->binlen - (k)) & (TPC_BIN_MAX - 1)])

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
};
struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
};

/* The world of the current call; the driver sets it (dlsym "tpcd_env"). */
struct tpcd_env *tpcd_env;

/* ---- maps and the process ---- */

struct task_struct; /* really a struct tpcd_task */

struct tpcd_map {
	int id;
};
static struct tpcd_map tpc_procs = {1};

/* The parent whose fork tpcd_fork_follow() replays (NULL otherwise). */
static const struct tpc_proc *tpcd_fork_parent;

/* Only the process table is looked up by generated code: the current
 * task's entry when the driver says it exists, and during a replayed fork
 * the parent's. */
static void *bpf_map_lookup_elem(void *map, const void *key)
{
	if (map == &tpc_procs && tpcd_fork_parent)
		return *(const __u32 *)key == tpcd_env->task.tgid ? (void *)tpcd_fork_parent : NULL;
	if (map == &tpc_procs && tpcd_env->proc_known && *(const __u32 *)key == tpcd_env->task.tgid)
		return &tpcd_env->proc;
	return NULL;
}

/* The fork rule, exported for the driver: it builds a process's follow
 * bits the way the kernel does, by replaying its ancestors' forks through
 * the policy's tpc_fork_follow() (in the kernel the fork program, linked
 * in from tpc's runtime object, calls it with the parent's tgid, and it
 * looks the parent up itself). */
__u64 tpc_fork_follow(__u32 pid);
__u64 tpcd_fork_follow(const struct tpc_proc *parent, __u32 pid)
{
	tpcd_fork_parent = parent;
	__u64 bits = tpc_fork_follow(pid);
	tpcd_fork_parent = NULL;
	return bits;
}

static __always_inline __u64 bpf_get_current_pid_tgid(void)
{
	return (__u64)tpcd_env->task.tgid << 32 | tpcd_env->task.tid;
}

static __always_inline struct tpc_config *tpc_cfg(void)
{
	return &tpcd_env->cfg;
}

/* Calls by tp-load itself are never acted on (the pinned tpc_loaders map). */
static __always_inline bool tpc_is_loader(void)
{
	return tpcd_env->loader_tgid == (__u32)(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline struct task_struct *tpc_task(void)
{
	return (struct task_struct *)&tpcd_env->task;
}

static __always_inline __u32 tpc_task_ns(struct task_struct *task, int kind)
{
	return kind >= 0 && kind < TPCD_NS ? ((struct tpcd_task *)task)->ns[kind] : 0;
}

static __always_inline __u64 tpc_task_caps(struct task_struct *task, int set)
{
	return set >= 0 && set < 3 ? ((struct tpcd_task *)task)->caps[set] : 0;
}

static __always_inline __u32 tpc_task_ns_tgid(struct task_struct *task)
{
	return ((struct tpcd_task *)task)->nspid;
}

/* ---- user memory ---- */

/* The region holding [ptr, ptr+n), or NULL (a fault). */
static const struct tpcd_region *tpcd_region_of(__u64 ptr, __u64 n)
{
	for (int i = 0; i < tpcd_env->nregions; i++) {
		const struct tpcd_region *r = &tpcd_env->regions[i];
		__u64 start = (__u64)(uintptr_t)r->p;
		if (ptr >= start && ptr - start <= r->len && n <= r->len - (ptr - start))
			return r;
	}
	return NULL;
}

/* Stale bytes: what a reused buffer holds past the part just read. */
static void tpcd_garbage(char *buf, __u32 from, __u32 size)
{
	__u32 x = tpcd_env->garbage;
	for (__u32 i = from; i < size; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
}

/* bpf_probe_read_user_str: copies up to size-1 bytes and a NUL; returns
 * the bytes copied with the NUL, -EFAULT when the address is not mapped. */
static __always_inline long tpc_read_str(void *buf, __u32 size, __u64 ptr, bool user)
{
	tpcd_env->str_reads++;
	const struct tpcd_region *r = tpcd_region_of(ptr, 1);
	if (!r || !size) {
		tpcd_env->faults++;
		tpcd_garbage(buf, 0, size);
		return -14;
	}
	const char *s = (const char *)(uintptr_t)ptr;
	__u64 avail = r->len - (ptr - (__u64)(uintptr_t)r->p);
	__u32 n = 0;
	while (n + 1 < size && n < avail && s[n])
		n++;
	if (n == avail && n + 1 < size) { /* ran off the mapping before a NUL */
		tpcd_env->faults++;
		tpcd_garbage(buf, 0, size);
		return -14;
	}
	memcpy(buf, s, n);
	((char *)buf)[n] = 0;
	tpcd_garbage(buf, n + 1, size);
	return (long)n + 1;
}

/* tpc_read_buf: min(size, cap) bytes, or -EFAULT. */
static __always_inline long tpc_read_buf(void *buf, __u32 cap, __u64 ptr, __u64 size, bool user)
{
	tpcd_env->buf_reads++;
	__u32 n = size < cap ? (__u32)size : cap;
	if (!n) {
		tpcd_garbage(buf, 0, cap);
		return 0;
	}
	if (!tpcd_region_of(ptr, n)) {
		tpcd_env->faults++;
		tpcd_garbage(buf, 0, cap);
		return -14;
	}
	memcpy(buf, (const void *)(uintptr_t)ptr, n);
	tpcd_garbage(buf, n, cap);
	return (long)n;
}

/* ---- paths: fd args resolve through the fake fd table ---- */

struct tpc_pathres {
	long len; /* negative: could not be read */
	__u32 flags;
};

static __always_inline struct tpc_pathres tpc_path_of_fd(__u64 fd, char *dst)
{
	struct tpc_pathres r = {-1, 0};
	tpcd_env->path_reads++;
	for (int i = 0; i < tpcd_env->nfds; i++)
		/* the kernel's version indexes the fd table with (__u32)fd */
		if ((__u32)tpcd_env->fds[i].fd == (__u32)fd && tpcd_env->fds[i].path) {
			size_t n = strlen(tpcd_env->fds[i].path);
			if (n > TPC_STR_MAX - 1)
				n = TPC_STR_MAX - 1;
			memcpy(dst, tpcd_env->fds[i].path, n);
			dst[n] = 0;
			tpcd_garbage(dst, (__u32)n + 1, TPC_STR_MAX);
			r.len = (long)n;
			return r;
		}
	tpcd_env->faults++;
	tpcd_garbage(dst, 0, TPC_STR_MAX);
	return r;
}

/* file and path args: kernel pointers the driver registered with the
 * path the dentry walk would build; anything else (NULL, a string's
 * pointer) resolves to nothing. */
static struct tpc_pathres tpcd_path_of_kobj(__u64 p, char *dst)
{
	struct tpc_pathres r = {-1, 0};
	tpcd_env->path_reads++;
	for (int i = 0; i < tpcd_env->nkobjs; i++)
		if (p && (__u64)(uintptr_t)tpcd_env->kobjs[i].p == p) {
			size_t n = strlen(tpcd_env->kobjs[i].path);
			if (n > TPC_STR_MAX - 1)
				n = TPC_STR_MAX - 1;
			memcpy(dst, tpcd_env->kobjs[i].path, n);
			dst[n] = 0;
			tpcd_garbage(dst, (__u32)n + 1, TPC_STR_MAX);
			r.len = (long)n;
			return r;
		}
	tpcd_env->faults++;
	tpcd_garbage(dst, 0, TPC_STR_MAX);
	return r;
}
static __always_inline struct tpc_pathres tpc_path_of_file(__u64 p, char *dst)
{
	return tpcd_path_of_kobj(p, dst);
}
static __always_inline struct tpc_pathres tpc_path_of_path(__u64 p, char *dst)
{
	return tpcd_path_of_kobj(p, dst);
}
/* dentry args are not generated (a walk without a mount gives a path
 * relative to the file system, not something the spec describes) */
static __always_inline struct tpc_pathres tpc_path_of_dentry(__u64 p, char *dst)
{
	struct tpc_pathres r = {-1, 0};
	return r;
}

/* ---- scratch, events, actions ---- */

struct tpc_slots {
	char str[6][TPC_STR_MAX];
};
static struct tpc_slots tpcd_slots;
static __always_inline struct tpc_slots *tpc_slots(void)
{
	return &tpcd_slots;
}

struct tpc_scratch {
	char ev[TPC_EVENT_MAX];
};
static struct tpc_scratch tpcd_scratch;
static __always_inline struct tpc_scratch *tpc_scratch(void)
{
	return &tpcd_scratch;
}

static __always_inline __u32 tpc_event_begin(struct tpc_scratch *sc, __u16 hook, __u16 selector, __u32 actions,
					      __u16 nargs, __u16 origin)
{
	struct tpcd_out *o = &tpcd_env->out;
	o->began++;
	o->hook = hook;
	o->sel = selector;
	o->act = actions;
	o->nargs = nargs;
	o->origin = origin;
	return sizeof(struct tpc_event) + sizeof(struct tpc_arg);
}

static __always_inline __u32 tpc_put_int(struct tpc_scratch *sc, __u32 off, __u64 v)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_str(struct tpc_scratch *sc, __u32 off, __u64 ptr, bool user)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_buf(struct tpc_scratch *sc, __u32 off, __u64 ptr, __u64 size, bool user)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_read_str(struct tpc_scratch *sc, __u32 off, const void *buf, long n, __u32 size,
					       __u64 ptr, bool user)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_read_buf(struct tpc_scratch *sc, __u32 off, const void *buf, long n, __u64 ptr,
					       __u64 size, bool user)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_kbytes(struct tpc_scratch *sc, __u32 off, const char *src, long len, __u32 flags,
					     __u64 value)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline __u32 tpc_put_iovec(struct tpc_scratch *sc, __u32 off, __u64 iovp, __u64 cnt, bool user)
{
	return off + sizeof(struct tpc_arg);
}
static __always_inline bool tpc_rate_limited(struct tpc_scratch *sc, __u32 args_at, __u32 end, int nargs, int hook,
					     int sel, int scope, __u64 ns)
{
	return false;
}
static __always_inline void tpc_event_submit(struct tpc_scratch *sc, __u32 off)
{
	tpcd_env->out.submitted++;
}

static __always_inline long bpf_send_signal(__u32 sig)
{
	struct tpcd_out *o = &tpcd_env->out;
	if (o->nsignals < TPCD_MAX_SIGNALS)
		o->signals[o->nsignals] = (int)sig;
	o->nsignals++;
	return 0;
}
static __always_inline long bpf_get_func_ret(void *ctx, __u64 *value)
{
	*value = (__u64)tpcd_env->func_ret;
	return 0;
}
static __always_inline long bpf_override_return(void *ctx, __u64 rc)
{
	tpcd_env->out.overrides++;
	return 0;
}

static __always_inline void tpc_follow_fd(__u64 fd, const char *name, long len, __u32 flags)
{
}
static __always_inline void tpc_unfollow_fd(__u64 fd)
{
}
static __always_inline void tpc_copy_fd(__u64 oldfd, __u64 newfd)
{
}

/* the hooks' never-taken tail call that keeps the kernel's ordinary stack
 * (tpc_runtime.bpf.h says why): nothing to model in a host run */
#define TPC_ORDINARY_STACK(ctx, array) do { } while (0)

/* ---- return probes: one stash per hook (one thread) ---- */

static __always_inline void tpc_stash_put(int hook, const __u64 *a, int na, __u64 mask)
{
	struct tpcd_stash *st = &tpcd_env->stash[hook];
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < 6 && i < na; i++)
		st->a[i] = a[i];
	st->mask = mask;
	st->valid = 1;
}

static __always_inline __u64 tpc_stash_take(int hook, __u64 *a, int na)
{
	struct tpcd_stash *st = &tpcd_env->stash[hook];
	if (!st->valid)
		return 0;
	for (int i = 0; i < 6 && i < na; i++)
		a[i] = st->a[i];
	st->valid = 0;
	return st->mask;
}

#endif /* TPCD_SHIM_RUNTIME_H */
