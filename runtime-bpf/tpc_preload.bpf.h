/* tpc_preload.bpf.h: user strings and buffers of uprobes, copied whole
 * before anything reads them. Included by generated code after
 * tpc_runtime.bpf.h when a hook needs it (plan.c: a uprobe or USDT hook
 * with string or char_buf args).
 *
 * A uprobe runs in the traced process, where a page fault can be taken,
 * but bpf_probe_read_user cannot take one: a string in a page the process
 * has not touched yet (a fresh file mapping, a page swapped out) reads as
 * a fault, and a filter on it would be blind. Such a hook's programs are
 * sleepable (SEC("uprobe.s")) and copy with bpf_copy_from_user_str /
 * bpf_copy_from_user, which fault the page in. While they sleep another
 * task may run a tpc program on this CPU, so the copies go to buffers of
 * this thread (task storage), never to the per-CPU scratch; the event is
 * built only after the last copy. */
#ifndef TPC_PRELOAD_BPF_H
#define TPC_PRELOAD_BPF_H

#define TPC_MAP_TYPE_TASK_STORAGE 29 /* BPF_MAP_TYPE_TASK_STORAGE (UAPI) */
#define TPC_LOCAL_STORAGE_GET_F_CREATE 1

/* kfunc of Linux 6.12 (the kernel this object needs for such hooks):
 * strncpy_from_user into dst, faulting pages in; returns the bytes copied
 * with the NUL, dst__sz when the string was cut, negative on a fault.
 * Not weak: on an older kernel libbpf refuses the object naming it
 * ("extern (func ksym) 'bpf_copy_from_user_str': not found in kernel"),
 * where a weak one would leave the verifier a call it cannot explain. */
extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, __u64 flags) __ksym;

struct tpc_preload {
	char str[TPC_PRELOAD_SLOTS][TPC_STR_MAX];
};

struct {
	__uint(type, TPC_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tpc_preload);
} tpc_preload_map SEC(".maps");

/* This thread's buffers, made on its first use (freed with the task). */
static __always_inline struct tpc_preload *tpc_preload(void)
{
	return bpf_task_storage_get(&tpc_preload_map, bpf_get_current_task_btf(), 0, TPC_LOCAL_STORAGE_GET_F_CREATE);
}

/* A NUL-terminated user string into dst (TPC_STR_MAX bytes): the length
 * with the NUL (TPC_STR_MAX: cut), negative on a fault. */
static __always_inline long tpc_preload_str(void *dst, __u64 ptr)
{
	return bpf_copy_from_user_str(dst, TPC_STR_MAX, (const void *)ptr, 0);
}

/* size bytes of a user buffer, at most TPC_BUF_MAX, into dst: the bytes
 * copied, negative on a fault. */
static __always_inline long tpc_preload_buf(void *dst, __u64 ptr, __u64 size)
{
	__u32 n = size > TPC_BUF_MAX ? TPC_BUF_MAX : (__u32)size;
	n &= (TPC_BUF_MAX * 2 - 1); /* for the verifier: n <= TPC_BUF_MAX already */
	if (n > TPC_BUF_MAX)
		n = TPC_BUF_MAX;
	if (!n)
		return 0;
	long err = bpf_copy_from_user(dst, n, (const void *)ptr);
	return err ? err : (long)n;
}

/* A USDT argument in memory (a sleepable hook's: the page is faulted in). */
static __always_inline __u64 tpc_usdt_copy(__u64 addr, __u32 size)
{
	__u64 v = 0;
	if (size == 1 || size == 2 || size == 4 || size == 8)
		bpf_copy_from_user(&v, size, (const void *)addr);
	return v;
}

/* The record of a pre-loaded string (is_str: n counts its NUL) or buffer
 * (size: its size, reported as the original size when it was cut). */
static __always_inline __u32 tpc_put_preloaded(struct tpc_scratch *sc, __u32 off, const void *buf, long n, bool is_str,
					       __u64 size)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	r->flags = 0;
	if (n < 0) {
		r->len = 0;
		r->value = is_str ? 0 : size;
		r->flags = TPC_ARGF_FAULT;
		return off + sizeof(struct tpc_arg);
	}
	__u32 len;
	if (is_str) {
		len = n > 0 ? (__u32)(n - 1) : 0;
		if (n >= TPC_STR_MAX)
			r->flags = TPC_ARGF_TRUNCATED; /* may also be exactly TPC_STR_MAX-1 long */
		len &= TPC_STR_MAX - 1;
		r->value = len;
	} else {
		len = (__u32)n;
		len &= (TPC_BUF_MAX * 2 - 1); /* for the verifier: n <= TPC_BUF_MAX already */
		if (len > TPC_BUF_MAX)
			len = TPC_BUF_MAX;
		r->value = size;
		if (size > TPC_BUF_MAX)
			r->flags = TPC_ARGF_TRUNCATED;
	}
	if (len)
		bpf_probe_read_kernel(dst, len, buf);
	r->len = len;
	return off + sizeof(struct tpc_arg) + ((len + 7) & ~7u);
}

#endif /* TPC_PRELOAD_BPF_H */
