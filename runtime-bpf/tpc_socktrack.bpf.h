/* tpc_socktrack.bpf.h: TrackSock / UntrackSock (spec section 1.4),
 * included by a policy that uses either. Network hooks often run in
 * softirq or in another task's context: TrackSock records the current
 * thread as the owner of a struct sock, and every later event of this
 * object with a sock or socket arg whose sock is tracked is reported as
 * its owner's (pid, tid, parent and binary), not the interrupted task's.
 * One LRU hash per object: entries of socks nobody untracks are evicted
 * silently when it fills. */
#ifndef TPC_SOCKTRACK_BPF_H
#define TPC_SOCKTRACK_BPF_H

#ifndef TPC_MAX_TRACKED_SOCKS
#define TPC_MAX_TRACKED_SOCKS 32000
#endif

struct tpc_sock_owner {
	__u32 pid, tid;
	__u64 exec_ns; /* the owner's exec time, as the process table knows it */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TPC_MAX_TRACKED_SOCKS);
	__type(key, __u64); /* the struct sock's address */
	__type(value, struct tpc_sock_owner);
} tpc_socks SEC(".maps");

/* The struct sock of a sock arg (itself) or of a socket arg (its sk). */
static __always_inline __u64 tpc_sock_addr(__u64 ptr, bool is_socket)
{
	if (is_socket && ptr)
		return (__u64)BPF_CORE_READ((struct socket___rt *)ptr, sk);
	return ptr;
}

static __always_inline void tpc_track_sock(__u64 sk)
{
	if (!sk)
		return;
	__u64 pt = bpf_get_current_pid_tgid();
	struct tpc_sock_owner o = {.pid = pt >> 32, .tid = (__u32)pt};
	struct tpc_proc *p = bpf_map_lookup_elem(&TPC_PROCS_MAP, &o.pid);
	if (p)
		o.exec_ns = p->exec_ns;
	bpf_map_update_elem(&tpc_socks, &sk, &o, BPF_ANY);
}

static __always_inline void tpc_untrack_sock(__u64 sk)
{
	if (sk)
		bpf_map_delete_elem(&tpc_socks, &sk);
}

/* When sk is tracked, the event begun in sc becomes its owner's: pid,
 * tid, parent and the binary record (which ends at *off: nothing is
 * written after it yet). Returns whether it was. */
static __always_inline bool tpc_event_as_owner(struct tpc_scratch *sc, __u32 *off, __u64 sk)
{
	struct tpc_sock_owner *o = sk ? bpf_map_lookup_elem(&tpc_socks, &sk) : NULL;
	if (!o)
		return false;
	struct tpc_event *e = (struct tpc_event *)sc->ev;
	__u32 tgid = o->pid;
	e->pid = tgid;
	e->tid = o->tid;
	struct tpc_proc *p = bpf_map_lookup_elem(&TPC_PROCS_MAP, &tgid);
	struct tpc_arg *r = (struct tpc_arg *)(sc->ev + sizeof(struct tpc_event));
	long n = 0;
	if (p) {
		e->ppid = p->ppid;
		n = bpf_probe_read_kernel_str(sc->ev + sizeof(struct tpc_event) + sizeof(struct tpc_arg), TPC_BIN_MAX,
					      p->bin) - 1;
	}
	if (n < 0)
		n = 0;
	r->len = (__u32)n & (TPC_STR_MAX - 1);
	r->value = r->len;
	*off = sizeof(struct tpc_event) + sizeof(struct tpc_arg) + ((r->len + 7) & ~7u);
	return true;
}

#endif
