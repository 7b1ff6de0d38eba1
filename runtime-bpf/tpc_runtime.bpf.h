/* tpc_runtime.bpf.h: what every generated object shares: the maps of the
 * ABI (tpc_abi.h), event building into per-CPU scratch, argument record
 * writers. Included once by the generated policy file, and by
 * tpc_procs.bpf.c (the runtime programs tpc links with every policy). */
#ifndef TPC_RUNTIME_BPF_H
#define TPC_RUNTIME_BPF_H

#include "tpc_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tpc_abi.h"

#ifndef TPC_RINGBUF_BYTES
#define TPC_RINGBUF_BYTES (512 * 1024) /* tp-load --ring-buffer overrides it */
#endif
#ifndef TPC_WAKEUP_BYTES
#define TPC_WAKEUP_BYTES (64 * 1024)
#endif
#ifndef TPC_MAX_PROCS
#define TPC_MAX_PROCS 32768
#endif
#ifndef TPC_MAX_FOLLOWED_FDS
#define TPC_MAX_FOLLOWED_FDS 16384
#endif
#ifndef TPC_MAX_RATELIMIT
#define TPC_MAX_RATELIMIT 8192
#endif
#ifndef TPC_MAX_STASH
#define TPC_MAX_STASH 16384
#endif

/* The maps below are defined in both units of an object: the policy's
 * (the generated C) and the runtime programs tpc links with it
 * (tpc_procs.bpf.c, compiled once when tpc is built). Weak, so that
 * libbpf's BPF linker keeps one of each (it checks that both agree)
 * instead of refusing two definitions of one name. The license is the
 * policy unit's (the generated prologue). */
#define TPC_SHARED_MAP __weak

/* ---- the ordinary kernel stack ----
 * Since Linux 6.13 the verifier moves a tracepoint or kprobe program whose
 * stack frame is 64 bytes or more onto a per-CPU "private stack", which
 * lives in vmalloc'd per-CPU memory. Hardened usercopy (on in distribution
 * kernels) checks every bpf_probe_read_user{,_str} destination, and one
 * outside the task's own stack costs it a vmap-area tree lookup under a
 * lock: measured here, +50 to +60 ns on each check-read of a user string,
 * most of what a one-value filter costs. A program that may tail call
 * keeps the ordinary stack (the verifier gives no private stack to
 * programs with a tail call), so the hook programs carry one that never
 * runs: ctx is never NULL, and the array is never filled (an empty slot
 * would fall through anyway). Cost: one compare. One array for all the
 * tracepoint programs: a prog array belongs to the first program type
 * that uses it. */
TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tpc_no_tail_tp SEC(".maps");

#define TPC_ORDINARY_STACK(ctx, array)                                             \
	do {                                                                       \
		/* tested through a copy clang cannot see into: testing ctx   \
		 * itself lets it pass a constant 0, which the verifier        \
		 * refuses */                                                  \
		void *tpc_ctx_ = (ctx);                                            \
		asm volatile("" : "+r"(tpc_ctx_));                                 \
		if (!tpc_ctx_)                                                     \
			bpf_tail_call((ctx), &(array), 0);                         \
	} while (0)

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TPC_RINGBUF_BYTES);
} TPC_EVENTS_MAP SEC(".maps");

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} TPC_LOST_MAP SEC(".maps");

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TPC_MAX_PROCS);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* allocate entries as processes come: quicker load, less memory */
	__type(key, __u32);
	__type(value, struct tpc_proc);
} TPC_PROCS_MAP SEC(".maps");

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tpc_config);
} TPC_CONFIG_MAP SEC(".maps");

/* Per-CPU scratch: the event being built, and room for argument reads
 * too large for the 512-byte stack (Postfix needs a string's end). BPF
 * programs of one CPU do not nest within one hook type, and a
 * tracepoint cannot fire inside another tracepoint's program. */
/* Two maps: a per-CPU value may not exceed 32 KiB. */
struct tpc_scratch {
	char ev[TPC_EVENT_MAX];
};

struct tpc_slots {
	char str[TPC_STR_SLOTS][TPC_STR_MAX];
};

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tpc_scratch);
} tpc_scratch_map SEC(".maps");

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tpc_slots);
} tpc_slots_map SEC(".maps");

static __always_inline struct tpc_scratch *tpc_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tpc_scratch_map, &zero);
}

static __always_inline struct tpc_slots *tpc_slots(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tpc_slots_map, &zero);
}

static __always_inline struct tpc_config *tpc_cfg(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tpc_config, &zero);
}

/* Every tp-load of the node, by host tgid: pinned (tp-load opens objects
 * with TPC_PIN_DIR as pin root), so all objects of all tp-loads share it.
 * The value is the process's start time: a later process that gets the
 * tgid of a dead tp-load is not one. LRU: entries of tp-loads killed
 * before they could remove themselves never fill it. Root only: bpffs
 * and CAP_BPF. */
TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TPC_MAX_LOADERS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} TPC_LOADERS_MAP SEC(".maps");

/* True for the calls of any tp-load (its writes of events would
 * otherwise feed a sys_write policy forever, its own or another's). */
static __always_inline bool tpc_is_loader(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 *start = bpf_map_lookup_elem(&tpc_loaders, &tgid);
	if (!start)
		return false;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return *start == BPF_CORE_READ(task, group_leader, start_time);
}



/* Fills the event header; returns the offset where records start. */
static __always_inline __u32 tpc_event_begin(struct tpc_scratch *sc, __u16 hook, __u16 selector, __u32 actions,
					      __u16 nargs, __u16 origin)
{
	struct tpc_event *e = (struct tpc_event *)sc->ev;
	__u64 pt = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	e->abi = TPC_ABI_VERSION;
	e->hook = hook;
	e->selector = selector;
	e->actions = actions;
	e->pid = pt >> 32;
	e->tid = (__u32)pt;
	/* the effective ids, as Tetragon reports them: what the kernel
	 * checks access against (setresuid(1000, 0, 0) is root) */
	e->uid = BPF_CORE_READ(task, cred, euid.val);
	e->gid = BPF_CORE_READ(task, cred, egid.val);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->nargs = nargs;
	e->origin = origin;
	e->ktime_ns = bpf_ktime_get_boot_ns();
	e->retval = 0;
	/* the program image that made the call (tpc_abi.h, struct tpc_pevent) */
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	e->start_ns = BPF_CORE_READ(leader, start_boottime);
	e->exec_seq = BPF_CORE_READ(leader, self_exec_id);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->kstack = 0;
	e->ustack = 0;

	/* binary record: the process table's path of the executable (the
	 * table knows every process: tp-load seeds it from /proc, the exec
	 * and fork programs keep it); empty for a process it cannot name */
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + sizeof(struct tpc_event));
	__u32 tgid = e->pid;
	struct tpc_proc *p = bpf_map_lookup_elem(&tpc_procs, &tgid);
	long n = 0;
	if (p)
		n = bpf_probe_read_kernel_str(sc->ev + sizeof(struct tpc_event) + sizeof(struct tpc_arg), TPC_BIN_MAX,
					      p->bin) - 1;
	if (n < 0)
		n = 0;
	r->flags = 0;
	r->len = (__u32)n & (TPC_STR_MAX - 1);
	r->value = r->len;
	return sizeof(struct tpc_event) + sizeof(struct tpc_arg) + ((r->len + 7) & ~7u);
}

/* Offsets handed between record writers are kept below this bound so the
 * verifier can prove every write stays inside sc->ev. */
#define TPC_OFF_LIMIT (TPC_EVENT_MAX - TPC_STR_MAX - 2 * sizeof(struct tpc_arg))

static __always_inline __u32 tpc_put_int(struct tpc_scratch *sc, __u32 off, __u64 v)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	r->len = 0;
	r->flags = 0;
	r->value = v;
	return off + sizeof(struct tpc_arg);
}

/* An arg whose resolve path could not be followed: the depth at which
 * (TPC_ARGF_UNRESOLVED). */
static __always_inline __u32 tpc_put_unresolved(struct tpc_scratch *sc, __u32 off, long depth)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	r->len = 0;
	r->flags = TPC_ARGF_UNRESOLVED;
	r->value = (__u64)depth;
	return off + sizeof(struct tpc_arg);
}

/* An arg whose value could not be read. */
static __always_inline __u32 tpc_put_fault(struct tpc_scratch *sc, __u32 off)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	r->len = 0;
	r->flags = TPC_ARGF_FAULT;
	r->value = 0;
	return off + sizeof(struct tpc_arg);
}

/* A NUL-terminated string from user or kernel memory. */
static __always_inline __u32 tpc_put_str(struct tpc_scratch *sc, __u32 off, __u64 ptr, bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	long n = user ? bpf_probe_read_user_str(dst, TPC_STR_MAX, (const void *)ptr)
		      : bpf_probe_read_kernel_str(dst, TPC_STR_MAX, (const void *)ptr);
	r->flags = 0;
	if (n < 0) {
		n = 1;
		r->flags = TPC_ARGF_FAULT;
	} else if (n == TPC_STR_MAX) {
		r->flags = TPC_ARGF_TRUNCATED; /* may also be exactly TPC_STR_MAX-1 long */
	}
	if (n < 1)
		n = 1;
	r->len = (__u32)(n - 1) & (TPC_STR_MAX - 1);
	r->value = r->len;
	return off + sizeof(struct tpc_arg) + ((r->len + 7) & ~7u);
}

/* size bytes of a buffer (char_buf), at most TPC_BUF_MAX of them. */
static __always_inline __u32 tpc_put_buf(struct tpc_scratch *sc, __u32 off, __u64 ptr, __u64 size, bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	__u32 n = size > TPC_BUF_MAX ? TPC_BUF_MAX : (__u32)size;
	r->flags = size > TPC_BUF_MAX ? TPC_ARGF_TRUNCATED : 0;
	r->value = size;
	n &= (TPC_BUF_MAX * 2 - 1); /* for the verifier: n <= TPC_BUF_MAX already */
	if (n > TPC_BUF_MAX)
		n = TPC_BUF_MAX;
	long err = 0;
	if (n)
		err = user ? bpf_probe_read_user(dst, n, (const void *)ptr) : bpf_probe_read_kernel(dst, n, (const void *)ptr);
	if (err) {
		n = 0;
		r->flags |= TPC_ARGF_FAULT;
	}
	r->len = n;
	return off + sizeof(struct tpc_arg) + ((n + 7) & ~7u);
}

/* An array of size bytes in kernel memory (const_buf): its bytes, and in
 * value the size of one element, for tp-load to decode them. */
static __always_inline __u32 tpc_put_array(struct tpc_scratch *sc, __u32 off, __u64 ptr, __u32 size, __u32 elem)
{
	__u32 end = tpc_put_buf(sc, off, ptr, size, false);
	if (end != off && off <= TPC_OFF_LIMIT)
		((struct tpc_arg *)(sc->ev + off))->value = elem;
	return end;
}

/* The record of a string a check has read: the bytes the check compared
 * (buf, n as tpc_read_str returned for a buffer of size bytes), then,
 * when the buffer was full, the rest of the string from ptr. The event
 * shows what the checks matched on, even if the caller changes the string
 * meanwhile. */
static __always_inline __u32 tpc_put_read_str(struct tpc_scratch *sc, __u32 off, const void *buf, long n, __u32 size,
					       __u64 ptr, bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	r->flags = 0;
	if (n <= 0) {
		r->len = 0;
		r->value = 0;
		r->flags = TPC_ARGF_FAULT;
		return off + sizeof(struct tpc_arg);
	}
	__u32 have = (__u32)(n - 1) & (TPC_STR_MAX - 1); /* bytes before the NUL */
	bpf_probe_read_kernel(dst, have, buf);
	__u32 len = have;
	if ((__u32)n >= size && size <= TPC_STR_MAX - 1) {
		/* the check read only the beginning: the rest after it */
		long m = user ? bpf_probe_read_user_str(dst + (size - 1), TPC_STR_MAX - size + 1,
							  (const void *)(ptr + size - 1))
			       : bpf_probe_read_kernel_str(dst + (size - 1), TPC_STR_MAX - size + 1,
							   (const void *)(ptr + size - 1));
		if (m > 0)
			len = (size - 1 + (__u32)m - 1) & (TPC_STR_MAX - 1);
		if (m == TPC_STR_MAX - size + 1)
			r->flags = TPC_ARGF_TRUNCATED;
	} else if ((__u32)n >= TPC_STR_MAX) {
		r->flags = TPC_ARGF_TRUNCATED;
	}
	r->len = len;
	r->value = len;
	return off + sizeof(struct tpc_arg) + ((len + 7) & ~7u);
}

/* The record of a buffer a check has read: its size bytes (at most
 * TPC_BUF_MAX) from ptr, of which the first n are the bytes the check
 * compared, copied from buf over the fresh read. */
static __always_inline __u32 tpc_put_read_buf(struct tpc_scratch *sc, __u32 off, const void *buf, long n, __u64 ptr,
					       __u64 size, bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + off);
	char *dst = sc->ev + off + sizeof(struct tpc_arg);
	__u32 total = size > TPC_BUF_MAX ? TPC_BUF_MAX : (__u32)size;
	r->flags = size > TPC_BUF_MAX ? TPC_ARGF_TRUNCATED : 0;
	r->value = size;
	total &= (TPC_BUF_MAX * 2 - 1); /* for the verifier: total <= TPC_BUF_MAX already */
	if (total > TPC_BUF_MAX)
		total = TPC_BUF_MAX;
	if (total && (user ? bpf_probe_read_user(dst, total, (const void *)ptr)
			   : bpf_probe_read_kernel(dst, total, (const void *)ptr))) {
		total = 0;
		r->flags |= TPC_ARGF_FAULT;
	}
	__u32 have = n < 0 ? 0 : (__u32)n;
	have &= (TPC_BUF_MAX * 2 - 1); /* for the verifier, as above */
	if (have > TPC_BUF_MAX)
		have = TPC_BUF_MAX;
	if (have)
		bpf_probe_read_kernel(dst, have, buf);
	__u32 len = have > total ? have : total;
	r->len = len;
	return off + sizeof(struct tpc_arg) + ((len + 7) & ~7u);
}

static __always_inline void tpc_event_submit(struct tpc_scratch *sc, __u32 off)
{
	struct tpc_event *e = (struct tpc_event *)sc->ev;
	if (off > TPC_EVENT_MAX)
		off = TPC_EVENT_MAX;
	if (off < sizeof(struct tpc_event))
		off = sizeof(struct tpc_event);
	e->size = off;
	/* Wake tp-load only once a batch has piled up: a wakeup per event
	 * (a context switch each) is most of the matched path's cost. tp-load
	 * polls every few milliseconds for what is below the mark. */
	__u64 flags = bpf_ringbuf_query(&tpc_events, BPF_RB_AVAIL_DATA) >= TPC_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
												 : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&tpc_events, sc->ev, off, flags)) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&tpc_lost, &zero);
		if (lost)
			__sync_fetch_and_add(lost, 1);
	}
}

/* ---- tracepoint record layouts, relocated by CO-RE ---- */

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
} __attribute__((preserve_access_index));

/* the generic layout of syscalls/sys_enter_* and sys_exit_* records */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
} __attribute__((preserve_access_index));

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
} __attribute__((preserve_access_index));

/* ---- reads for checks ---- */

/* One step of the hash of a large value set's lookup (the compiler's
 * valueset.c builds the table with the same steps). */
static __always_inline __u64 tpc_mix(__u64 h, __u64 w)
{
	return (h ^ w) * 0x9e3779b97f4a7c15ULL;
}

/* Byte k from the end (1: the last) of the string of n bytes, NUL
 * included, in check buffer w; of the path in table entry p. Masked so
 * the verifier can bound the index (Postfix checks). */
#define TPC_STR_END(w, n, k) (((const unsigned char *)(w))[((n) - 1 - (k)) & (TPC_STR_MAX - 1)])
#define TPC_BIN_END(p, k) (((const unsigned char *)(p)->bin)[((p)->binlen - (k)) & (TPC_BIN_MAX - 1)])

/* Reads a string for checks. Returns the length with the NUL, negative on
 * fault. Bytes past the NUL are not defined: checks never look at them. */
static __always_inline long tpc_read_str(void *buf, __u32 size, __u64 ptr, bool user)
{
	return user ? bpf_probe_read_user_str(buf, size, (const void *)ptr)
		    : bpf_probe_read_kernel_str(buf, size, (const void *)ptr);
}

/* Reads up to cap bytes of a buffer of size bytes for checks; returns the
 * bytes read, or negative on fault. */
static __always_inline long tpc_read_buf(void *buf, __u32 cap, __u64 ptr, __u64 size, bool user)
{
	__u32 n = size < cap ? (__u32)size : cap;
	if (!n)
		return 0;
	long err = user ? bpf_probe_read_user(buf, n, (const void *)ptr) : bpf_probe_read_kernel(buf, n, (const void *)ptr);
	return err ? err : (long)n;
}

/* A USDT argument in memory (tpc_preload.bpf.h has the faulting copy of
 * sleepable hooks). */
static __always_inline __u64 tpc_usdt_read(__u64 addr, __u32 size)
{
	__u64 v = 0;
	if (size == 1 || size == 2 || size == 4 || size == 8)
		bpf_probe_read_user(&v, size, (const void *)addr);
	return v;
}

/* ---- return probes: entry args kept per thread until the return ---- */

struct tpc_stash {
	__u64 a[TPC_STASH_ARGS];
	__u64 mask; /* selectors whose entry checks passed */
};

/* LRU: an entry whose return never comes (a thread killed in the call)
 * is eventually evicted instead of filling the map. */
TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TPC_MAX_STASH);
	__type(key, __u64);
	__type(value, struct tpc_stash);
} tpc_stash_map SEC(".maps");

/* How many entries tpc_stash_map may hold, so that the return half of
 * every call returns after one load while nothing is stashed (a faulted
 * read is rare; a return hook's entry checks fail on most calls). It may
 * count too many, never too few: it goes up before an entry is added,
 * down only after a delete that removed one; an entry evicted by the LRU
 * or overwritten (a thread whose return half never ran) stays counted,
 * which costs lookups, never a missed re-check. A thread's own count is
 * seen by its return half: the same CPU, or a migration in between, which
 * orders memory. */
TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tpc_stash_pending SEC(".maps");

static __always_inline __u64 tpc_stash_key(int hook)
{
	return (bpf_get_current_pid_tgid() & 0xffffffffULL) << 16 | (__u64)hook;
}

static __always_inline void tpc_stash_put(int hook, const __u64 *a, int na, __u64 mask)
{
	struct tpc_stash st = {};
	__u64 key = tpc_stash_key(hook);
	for (int i = 0; i < TPC_STASH_ARGS; i++)
		if (i < na)
			st.a[i] = a[i];
	st.mask = mask;
	/* counted before the entry exists: the count is never below the
	 * entries there are */
	__u32 zero = 0;
	__u64 *pending = bpf_map_lookup_elem(&tpc_stash_pending, &zero);
	if (pending)
		__sync_fetch_and_add(pending, 1);
	bpf_map_update_elem(&tpc_stash_map, &key, &st, BPF_ANY);
}

/* Takes this thread's stash of hook: copies its args to a[] and returns
 * its selector mask, or 0 when there is none. */
static __always_inline __u64 tpc_stash_take(int hook, __u64 *a, int na)
{
	__u32 zero = 0;
	__u64 *pending = bpf_map_lookup_elem(&tpc_stash_pending, &zero);
	/* nothing stashed anywhere: the common case of an exit re-check */
	if (pending && !*(volatile __u64 *)pending)
		return 0;
	__u64 key = tpc_stash_key(hook);
	struct tpc_stash *st = bpf_map_lookup_elem(&tpc_stash_map, &key);
	if (!st)
		return 0;
	for (int i = 0; i < TPC_STASH_ARGS; i++)
		if (i < na)
			a[i] = st->a[i];
	__u64 mask = st->mask;
	/* only the taker whose delete removed the entry uncounts it */
	if (!bpf_map_delete_elem(&tpc_stash_map, &key) && pending)
		__sync_fetch_and_add(pending, -1);
	return mask;
}

/* ---- rateLimit on Post ---- */

struct tpc_rl_key {
	__u64 hash;     /* of every argument record (TPC_RATE_BYTES of each) */
	__u32 hook_sel; /* hook << 16 | selector */
	__u32 scope_id; /* tid, tgid or 0 (rateLimitScope) */
};

TPC_SHARED_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TPC_MAX_RATELIMIT);
	__type(key, struct tpc_rl_key);
	__type(value, __u64);
} tpc_ratelimit SEC(".maps");

/* Bytes of each argument the rate limit tells events apart by, as
 * Tetragon does: events that differ in any argument are not duplicates. */
#define TPC_RATE_BYTES 40

/* True when the same event (same hook, selector, scope, and every one of
 * its nargs argument records: integer, length, flags and the first
 * TPC_RATE_BYTES bytes) was posted less than ns ago; records this one
 * otherwise. args_at..end are the argument records in sc->ev. */
static __always_inline bool tpc_rate_limited(struct tpc_scratch *sc, __u32 args_at, __u32 end, int nargs, int hook,
					      int sel, int scope, __u64 ns)
{
	struct tpc_rl_key key = {0, ((__u32)hook << 16) | (__u32)sel, 0};
	__u64 pt = bpf_get_current_pid_tgid();
	key.scope_id = scope == 0 ? (__u32)pt : scope == 1 ? (__u32)(pt >> 32) : 0;
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 off = args_at;
	for (int i = 0; i < nargs; i++) {
		if (off >= end)
			break;
		/* bounds the verifier sees on the register it uses (clang would
		 * drop a mask it can prove, and test a copy) */
		__u64 o = off;
		asm volatile("%[o] &= %[m]" : [o] "+r"(o) : [m] "i"(TPC_EVENT_MAX - 1));
		if (o > TPC_EVENT_MAX - sizeof(struct tpc_arg) - TPC_RATE_BYTES)
			break;
		struct tpc_arg *r = (struct tpc_arg *)(sc->ev + o);
		__u32 len = r->len;
		h = tpc_mix(h, r->value);
		h = tpc_mix(h, ((__u64)r->flags << 32) | len);
		for (int k = 0; k < TPC_RATE_BYTES / 8; k++) {
			if ((__u32)k * 8 >= len)
				break;
			__u64 w = *(__u64 *)(sc->ev + o + sizeof(struct tpc_arg) + k * 8);
			if (len < (__u32)(k + 1) * 8) /* past the data: padding */
				w &= (1ULL << ((len - k * 8) * 8)) - 1;
			h = tpc_mix(h, w);
		}
		off += sizeof(struct tpc_arg) + ((len + 7) & ~7u);
	}
	key.hash = h;
	__u64 now = bpf_ktime_get_ns();
	__u64 *last = bpf_map_lookup_elem(&tpc_ratelimit, &key);
	if (last && now - *last < ns)
		return true;
	bpf_map_update_elem(&tpc_ratelimit, &key, &now, BPF_ANY);
	return false;
}

#include "tpc_task.bpf.h"
#include "tpc_path.bpf.h"
#include "tpc_kargs.bpf.h"
#include "tpc_net.bpf.h"

/* SubString and SubStringIgnCase: the generated code (tpc_h<N>_sub*)
 * looks for one constant at every start position of a buffer of n bytes,
 * a bpf_loop step per position: verified once, whatever the length, and
 * no dependence on the kernel's bpf_strnstr/bpf_strncasestr kfuncs. w is
 * a TPC_STR_MAX-byte check buffer (reads are masked into it). */
struct tpc_substr {
	const void *w;
	long n;     /* bytes to search (a string's without its NUL) */
	long found;
};
#define TPC_SUB_BYTE(st, i, k) (((volatile const unsigned char *)(st)->w)[((i) + (k)) & (TPC_STR_MAX - 1)])

#endif /* TPC_RUNTIME_BPF_H */
