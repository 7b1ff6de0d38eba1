/* tpc_net.bpf.h: the network args (sock, socket, skb, sockaddr), read
 * into one tuple record (tpc_abi.h's struct tpc_rec_net): what the
 * network operators (DPort, DAddr, Protocol, ...) compare and what
 * tp-load prints as sock_arg, skb_arg and sockaddr_arg.
 *
 * Kernel structs are read with CO-RE through local types named
 * <struct>___rt that declare only the members used; sk_type and
 * sk_protocol were bitfields before 5.6, so they are read as bitfields
 * (which also reads a plain member). An skb's sec_path is read only
 * where the running kernel has it (bpf_core_field_exists and friends:
 * CONFIG_XFRM). Packet headers and struct sockaddr
 * are UAPI layouts, read as bytes. A reader returns 0, or -1 when the
 * pointer is NULL or the first read fails (a fault record; a filter on
 * it fails). */
#ifndef TPC_NET_BPF_H
#define TPC_NET_BPF_H

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define tpc_ntohs(x) __builtin_bswap16(x)
#define tpc_ntohl(x) __builtin_bswap32(x)
#else
#define tpc_ntohs(x) (x)
#define tpc_ntohl(x) (x)
#endif

#define TPC_AF_INET 2
#define TPC_AF_INET6 10

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr___rt {
	__u8 b[16];
};
struct sock_common___rt {
	__be32 skc_daddr;      /* in the anonymous skc_addrpair */
	__be32 skc_rcv_saddr;
	__be16 skc_dport;      /* in the anonymous skc_portpair */
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr___rt skc_v6_daddr;
	struct in6_addr___rt skc_v6_rcv_saddr;
};
struct sock___rt {
	struct sock_common___rt __sk_common;
	__u16 sk_type;
	__u16 sk_protocol;
	__u32 sk_mark;
	__u32 sk_priority;
};
struct socket___rt {
	struct sock___rt *sk;
};
/* skb extensions (CONFIG_SKB_EXTENSIONS): a block of chunks of 8 bytes,
 * offset[id] the chunk where extension id starts; the sec_path one
 * (SKB_EXT_SEC_PATH) exists only with CONFIG_XFRM. */
struct skb_ext___rt {
	__u8 offset[1];
};
struct sec_path___rt {
	int len;
	int olen;
};
enum skb_ext_id___rt {
	SKB_EXT_SEC_PATH___rt = 1,
};
struct sk_buff___rt {
	unsigned int len;
	__u32 hash;
	__u32 priority;
	__u32 mark;
	unsigned char *head;
	__u16 network_header;
	__u8 active_extensions;
	struct skb_ext___rt *extensions;
};

#pragma clang attribute pop

static __always_inline int tpc_net_sock(struct tpc_rec_net *r, __u64 ptr)
{
	struct sock___rt *sk = (struct sock___rt *)ptr;
	__builtin_memset(r, 0, sizeof(*r));
	if (!sk)
		return -1;
	if (bpf_core_read(&r->family, sizeof(r->family), &sk->__sk_common.skc_family))
		return -1;
	r->cookie = ptr;
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	r->type = (__u16)BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	r->protocol = (__u16)BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	r->mark = BPF_CORE_READ(sk, sk_mark);
	r->priority = BPF_CORE_READ(sk, sk_priority);
	r->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	r->dport = tpc_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r->family == TPC_AF_INET) {
		bpf_core_read(r->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(r->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (r->family == TPC_AF_INET6) {
		bpf_core_read(r->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(r->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	return 0;
}

static __always_inline int tpc_net_socket(struct tpc_rec_net *r, __u64 ptr)
{
	struct socket___rt *so = (struct socket___rt *)ptr;
	__u64 sk = so ? (__u64)BPF_CORE_READ(so, sk) : 0;
	return tpc_net_sock(r, sk);
}

/* sec_path_len and sec_path_olen: the XFRM states an skb went through
 * (len: on input, olen: on offload output), from its sec_path extension
 * when it has one; 0 on kernels without XFRM or skb extensions. */
static __always_inline void tpc_net_skb_secpath(struct tpc_rec_net *r, struct sk_buff___rt *skb)
{
	if (!bpf_core_field_exists(skb->active_extensions) || !bpf_core_field_exists(skb->extensions) ||
	    !bpf_core_enum_value_exists(enum skb_ext_id___rt, SKB_EXT_SEC_PATH___rt) ||
	    !bpf_core_type_exists(struct sec_path___rt))
		return;
	__u32 id = bpf_core_enum_value(enum skb_ext_id___rt, SKB_EXT_SEC_PATH___rt);
	if (id >= 8 || !(BPF_CORE_READ(skb, active_extensions) & (1U << id)))
		return;
	struct skb_ext___rt *ext = BPF_CORE_READ(skb, extensions);
	__u8 chunk;
	if (!ext || bpf_probe_read_kernel(&chunk, 1, (void *)ext + bpf_core_field_offset(struct skb_ext___rt, offset) + id))
		return;
	struct sec_path___rt *sp = (struct sec_path___rt *)((void *)ext + ((__u32)chunk << 3));
	r->sec_path_len = BPF_CORE_READ(sp, len);
	r->sec_path_olen = BPF_CORE_READ(sp, olen);
}

/* IPv6 extension headers skipped to find the transport protocol: hop-by-
 * hop, routing, fragment, AH, destination options; at most 7 of them. */
static __always_inline int tpc_ipv6_ext(__u8 nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static __always_inline int tpc_net_skb(struct tpc_rec_net *r, __u64 ptr)
{
	struct sk_buff___rt *skb = (struct sk_buff___rt *)ptr;
	__builtin_memset(r, 0, sizeof(*r));
	if (!skb)
		return -1;
	if (bpf_core_read(&r->len, sizeof(r->len), &skb->len))
		return -1;
	r->hash = BPF_CORE_READ(skb, hash);
	r->priority = BPF_CORE_READ(skb, priority);
	r->mark = BPF_CORE_READ(skb, mark);
	tpc_net_skb_secpath(r, skb);
	unsigned char *nh = BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, network_header);
	__u8 ip[40];
	if (bpf_probe_read_kernel(ip, 20, nh))
		return 0;
	__u32 l4off;
	__u8 proto;
	if ((ip[0] >> 4) == 4) {
		r->family = TPC_AF_INET;
		proto = ip[9];
		__builtin_memcpy(r->saddr, ip + 12, 4);
		__builtin_memcpy(r->daddr, ip + 16, 4);
		l4off = (ip[0] & 15) * 4;
	} else if ((ip[0] >> 4) == 6) {
		if (bpf_probe_read_kernel(ip, 40, nh))
			return 0;
		r->family = TPC_AF_INET6;
		proto = ip[6];
		__builtin_memcpy(r->saddr, ip + 8, 16);
		__builtin_memcpy(r->daddr, ip + 24, 16);
		l4off = 40;
#pragma unroll
		for (int i = 0; i < 7; i++) {
			if (!tpc_ipv6_ext(proto))
				break;
			__u8 eh[2];
			if (bpf_probe_read_kernel(eh, 2, nh + l4off))
				break;
			/* fragment headers are 8 bytes; AH counts 4-byte units
			 * less 2; the others 8-byte units less 1 */
			__u32 len = proto == 44 ? 8 : proto == 51 ? (eh[1] + 2) * 4 : (eh[1] + 1) * 8;
			proto = eh[0];
			l4off += len;
		}
	} else {
		return 0; /* not IP: no tuple */
	}
	r->has_tuple = 1;
	r->protocol = proto;
	if (proto == 6 || proto == 17) {
		__be16 ports[2];
		if (!bpf_probe_read_kernel(ports, 4, nh + l4off)) {
			r->sport = tpc_ntohs(ports[0]);
			r->dport = tpc_ntohs(ports[1]);
		}
	}
	return 0;
}

/* struct sockaddr_in / sockaddr_in6 at ptr, in the caller's memory or the
 * kernel's: family, and for IP its address and port. */
static __always_inline int tpc_net_sockaddr(struct tpc_rec_net *r, __u64 ptr, bool user)
{
	__u8 sa[28];
	__builtin_memset(r, 0, sizeof(*r));
	if (!ptr)
		return -1;
	long err = user ? bpf_probe_read_user(sa, 16, (void *)ptr) : bpf_probe_read_kernel(sa, 16, (void *)ptr);
	if (err)
		return -1;
	r->family = *(__u16 *)sa;
	if (r->family == TPC_AF_INET) {
		r->sport = tpc_ntohs(*(__be16 *)(sa + 2));
		__builtin_memcpy(r->saddr, sa + 4, 4);
	} else if (r->family == TPC_AF_INET6) {
		/* its address may reach into a page not present yet: a
		 * fault, never an address of zeros that filters compare */
		err = user ? bpf_probe_read_user(sa, 28, (void *)ptr) : bpf_probe_read_kernel(sa, 28, (void *)ptr);
		if (err)
			return -1;
		r->sport = tpc_ntohs(*(__be16 *)(sa + 2));
		__builtin_memcpy(r->saddr, sa + 8, 16);
	}
	return 0;
}

/* Word w of an address in network order, in host order: what generated
 * DAddr/SAddr checks mask and compare with constants. */
static __always_inline __u32 tpc_net_word(const __u8 *addr, int w)
{
	__u32 x;
	__builtin_memcpy(&x, addr + 4 * w, 4);
	return tpc_ntohl(x);
}

/* The record of a tuple read already (by a filter): what was compared. */
static __always_inline __u32 tpc_put_net(struct tpc_scratch *sc, __u32 off, const struct tpc_rec_net *k, int err)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = tpc_rec_begin(sc, off, sizeof(struct tpc_rec_net));
	struct tpc_rec_net *rec = (struct tpc_rec_net *)(sc->ev + off + sizeof(struct tpc_arg));
	__builtin_memcpy(rec, k, sizeof(*rec));
	if (err)
		r->flags = TPC_ARGF_FAULT;
	return off + sizeof(struct tpc_arg) + sizeof(*rec);
}

/* A sockaddr_un's name for its string filters, into buf (size bytes):
 * an abstract name (path is sa + 3) has no NUL of its own, so with the
 * call's addrlen it is exactly the bytes before that length (and NUL-
 * terminated here); anything else is read as a string. Returns the bytes
 * with the NUL, or negative on a fault, as tpc_read_str. */
static __always_inline long tpc_read_unpath(void *buf, __u32 size, __u64 path, __u64 sa, __u64 addrlen, bool user)
{
	if (path == sa + 3 && addrlen >= 3 && addrlen - 3 < size) {
		__u32 n = (__u32)(addrlen - 3) & (TPC_STR_MAX - 1);
		if (n >= size)
			return -1;
		if (n) {
			long err = user ? bpf_probe_read_user(buf, n, (const void *)path)
					: bpf_probe_read_kernel(buf, n, (const void *)path);
			if (err)
				return err;
		}
		((char *)buf)[n] = 0;
		return n + 1;
	}
	return tpc_read_str(buf, size, path, user);
}

/* The path of a sockaddr_un: what its string filters compare (through
 * tpc_load_sockaddr_un) and tp-load prints. */
static __always_inline __u32 tpc_put_sockaddr_un(struct tpc_scratch *sc, __u32 off, __u64 ptr, __u64 addrlen,
						  bool user)
{
	if (off > TPC_OFF_LIMIT)
		return off;
	struct tpc_arg *r = tpc_rec_begin(sc, off, sizeof(struct tpc_rec_sockaddr_un));
	struct tpc_rec_sockaddr_un *u = (struct tpc_rec_sockaddr_un *)(sc->ev + off + sizeof(struct tpc_arg));
	__builtin_memset(u, 0, sizeof(*u));
	__u8 head[3];
	long err = !ptr ? -1 : user ? bpf_probe_read_user(head, 3, (void *)ptr) : bpf_probe_read_kernel(head, 3, (void *)ptr);
	if (err) {
		r->flags = TPC_ARGF_FAULT;
		return off + sizeof(struct tpc_arg) + sizeof(*u);
	}
	u->family = *(__u16 *)head;
	u->abstract = !head[2];
	__u64 at = ptr + 2 + u->abstract;
	if (u->abstract && addrlen > 3) {
		/* an abstract name is addrlen's bytes, NULs included */
		__u32 n = addrlen - 3 > 107 ? 107 : (__u32)(addrlen - 3);
		n &= 127;
		if (n && !(user ? bpf_probe_read_user(u->path, n, (void *)at) : bpf_probe_read_kernel(u->path, n, (void *)at)))
			u->len = n;
		return off + sizeof(struct tpc_arg) + sizeof(*u);
	}
	/* a path, or an abstract name without its length: to the first
	 * NUL (the caller's buffer past addrlen holds anything) */
	long n = user ? bpf_probe_read_user_str(u->path, 108, (void *)at) : bpf_probe_read_kernel_str(u->path, 108, (void *)at);
	u->len = n > 0 ? (__u32)(n - 1) : 0;
	return off + sizeof(struct tpc_arg) + sizeof(*u);
}

#define TPC_PUT_NET(name, ...)                                                             \
	if (off > TPC_OFF_LIMIT)                                                           \
		return off;                                                                \
	struct tpc_arg *r = tpc_rec_begin(sc, off, sizeof(struct tpc_rec_net));            \
	struct tpc_rec_net *rec = (struct tpc_rec_net *)(sc->ev + off + sizeof(struct tpc_arg)); \
	if (tpc_net_##name(rec, __VA_ARGS__))                                              \
		r->flags = TPC_ARGF_FAULT;                                                 \
	return off + sizeof(struct tpc_arg) + sizeof(*rec)

static __always_inline __u32 tpc_put_sock(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_PUT_NET(sock, ptr);
}
static __always_inline __u32 tpc_put_socket(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_PUT_NET(socket, ptr);
}
static __always_inline __u32 tpc_put_skb(struct tpc_scratch *sc, __u32 off, __u64 ptr)
{
	TPC_PUT_NET(skb, ptr);
}
static __always_inline __u32 tpc_put_sockaddr(struct tpc_scratch *sc, __u32 off, __u64 ptr, bool user)
{
	TPC_PUT_NET(sockaddr, ptr, user);
}

#endif
