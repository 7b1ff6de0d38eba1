/* tpc_abi.h: the one contract between generated BPF code, the compiler and
 * tp-load. Included by BPF code (clang -target bpf) and by host C code, so it
 * uses only fixed-width types and no kernel or libc headers of its own.
 *
 * Bump TPC_ABI_VERSION on any change to the event layout or to the
 * manifest grammar; tp-load refuses objects of a version it does not know.
 */
#ifndef TPC_ABI_H
#define TPC_ABI_H

#ifdef __bpf__
typedef unsigned char tpc_u8;
typedef unsigned short tpc_u16;
typedef unsigned int tpc_u32;
typedef unsigned long long tpc_u64;
typedef int tpc_s32;
typedef long long tpc_s64;
#else
#include <stdint.h>
typedef uint8_t tpc_u8;
typedef uint16_t tpc_u16;
typedef uint32_t tpc_u32;
typedef uint64_t tpc_u64;
typedef int32_t tpc_s32;
typedef int64_t tpc_s64;
#endif

#define TPC_ABI_VERSION 5

/* ELF section of the object that carries the manifest (see below). */
#define TPC_MANIFEST_SECTION ".tpc.manifest"

/* Maps and programs every object has. The BPF side declares them with the
 * identifiers below; tp-load finds them by the same names as strings. */
#define TPC_NAME_(id) #id
#define TPC_NAME(id) TPC_NAME_(id)
#define TPC_EVENTS_MAP tpc_events     /* BPF_MAP_TYPE_RINGBUF */
#define TPC_LOST_MAP tpc_lost         /* per-CPU array[1] of u64: failed ring buffer reservations */
#define TPC_PROCS_MAP tpc_procs       /* hash: tgid -> struct tpc_proc */
#define TPC_CONFIG_MAP tpc_config     /* array[1] of struct tpc_config, written by tp-load before attaching */
#define TPC_FDS_MAP tpc_fds           /* hash: struct tpc_fd_key -> followed name (FollowFD) */
#define TPC_LOADERS_MAP tpc_loaders   /* hash, pinned: host tgid of every tp-load -> its start time */
/* Only in objects with a kernelStackTrace or userStackTrace: the stacks
 * bpf_get_stackid records, by id. */
#define TPC_STACKS_MAP tpc_stacks     /* BPF_MAP_TYPE_STACK_TRACE: id -> TPC_STACK_DEPTH u64 addresses */
/* Only in objects with spec.enforcers or NotifyEnforcer /
 * CleanupEnforcerNotification (tpc_enforcer.bpf.h): each thread's pending
 * verdict, and how many verdicts were dropped unused. */
#define TPC_VERDICTS_MAP tpc_verdicts /* hash: pid_tgid -> struct tpc_verdict */
#define TPC_MISSED_MAP tpc_missed     /* per-CPU array[1] of u64: verdicts overwritten or cleaned up unused */
#define TPC_PROC_EXEC_PROG tpc_proc_exec /* tracepoint sched/sched_process_exec */
#define TPC_PROC_FORK_PROG tpc_proc_fork /* tracepoint sched/sched_process_fork */
#define TPC_PROC_EXIT_PROG tpc_proc_exit /* tracepoint sched/sched_process_exit */
#define TPC_WHOAMI_PROG tpc_whoami       /* syscall program: tp-load runs it to add itself to tpc_loaders */
/* Process events (process_exec, process_exit, and the forks tp-load needs
 * to know every process): one set per tp-load, from its first object. */
#define TPC_PEVENTS_MAP tpc_pevents   /* BPF_MAP_TYPE_RINGBUF of struct tpc_pevent records */
#define TPC_PLOST_MAP tpc_plost       /* per-CPU array[1] of u64: process events that found it full */
#define TPC_PEV_EXEC_PROG tpc_pev_exec /* tracepoint sched/sched_process_exec */
#define TPC_PEV_FORK_PROG tpc_pev_fork /* raw_tp sched_process_fork: it needs the child's task */
#define TPC_PEV_EXIT_PROG tpc_pev_exit /* tracepoint sched/sched_process_exit */
#define TPC_MAP_EVENTS TPC_NAME(TPC_EVENTS_MAP)
#define TPC_MAP_LOST TPC_NAME(TPC_LOST_MAP)
#define TPC_MAP_MISSED TPC_NAME(TPC_MISSED_MAP)
#define TPC_MAP_PROCS TPC_NAME(TPC_PROCS_MAP)
#define TPC_MAP_CONFIG TPC_NAME(TPC_CONFIG_MAP)
#define TPC_MAP_FDS TPC_NAME(TPC_FDS_MAP)
#define TPC_MAP_LOADERS TPC_NAME(TPC_LOADERS_MAP)
#define TPC_MAP_STACKS TPC_NAME(TPC_STACKS_MAP)
#define TPC_PROG_PROC_EXEC TPC_NAME(TPC_PROC_EXEC_PROG)
#define TPC_PROG_PROC_FORK TPC_NAME(TPC_PROC_FORK_PROG)
#define TPC_PROG_PROC_EXIT TPC_NAME(TPC_PROC_EXIT_PROG)
#define TPC_PROG_WHOAMI TPC_NAME(TPC_WHOAMI_PROG)
#define TPC_MAP_PEVENTS TPC_NAME(TPC_PEVENTS_MAP)
#define TPC_MAP_PLOST TPC_NAME(TPC_PLOST_MAP)
#define TPC_PROG_PEV_EXEC TPC_NAME(TPC_PEV_EXEC_PROG)
#define TPC_PROG_PEV_FORK TPC_NAME(TPC_PEV_FORK_PROG)
#define TPC_PROG_PEV_EXIT TPC_NAME(TPC_PEV_EXIT_PROG)

/* Where tpc_loaders is pinned (bpffs): one map for every tp-load of the
 * node and every object, so that no tp-load reports another's calls. */
#define TPC_PIN_DIR "/sys/fs/bpf/tpc"
#define TPC_MAX_LOADERS 256

/* Bounds.  Strings are read up to TPC_STR_MAX bytes including the NUL
 * (PATH_MAX); char_buf up to TPC_BUF_MAX bytes; longer values are cut and
 * flagged TPC_ARGF_TRUNCATED, never cut silently. */
#define TPC_STR_MAX 4096
#define TPC_BUF_MAX 4096
#define TPC_BIN_MAX 256
#define TPC_EVENT_MAX 32768 /* bytes of one event, header included */

/* Limits of one object that the compiler's plan enforces (an error at the
 * policy line that runs past them) and the runtime relies on. */
#define TPC_FOLLOW_BITS 64      /* followForks/followChildren filters per object: bits of tpc_proc.follow */
#define TPC_STR_SLOTS 6         /* per-CPU whole-string buffers (struct tpc_slots) a hook may use */
#define TPC_RETURN_SELECTORS 64 /* selectors of a hook that reports at return: one u64 mask */
#define TPC_STASH_ARGS 6        /* raw args a return hook keeps from entry to return */
#define TPC_FOLLOW_PATH_MAX 256 /* bytes of a FollowFD name kept per fd */
#define TPC_MAX_HOOKS 4096      /* hooks of one object: tp-load's manifest reader takes no more */
#define TPC_PRELOAD_SLOTS 6     /* user strings and buffers a sleepable (uprobe) hook pre-loads per thread */
#define TPC_STACK_DEPTH 127     /* frames of one stack (Tetragon's), innermost first */
#define TPC_STACK_ENTRIES 32768 /* stacks TPC_STACKS_MAP holds (Tetragon's size) */

/* Generated code: a lazily read argument that has not been read yet. */
#define TPC_UNREAD (-1000)

/* Actions: X(NAME, bit, policy spelling).  TPC_ACT_<NAME> is the bit in
 * tpc_event.actions: what the kernel side did, or asks userspace to do. */
#define TPC_ACTIONS(X)                 \
	X(POST, 0, "Post")             \
	X(SIGKILL, 1, "Sigkill")       \
	X(SIGNAL, 2, "Signal")         \
	X(OVERRIDE, 3, "Override")     \
	X(NOPOST, 4, "NoPost")         \
	X(FOLLOWFD, 5, "FollowFD")     \
	X(UNFOLLOWFD, 6, "UnfollowFD") \
	X(COPYFD, 7, "CopyFD")         \
	X(GETURL, 8, "GetUrl")         \
	X(DNSLOOKUP, 9, "DnsLookup")   \
	X(TRACKSOCK, 10, "TrackSock")  \
	X(UNTRACKSOCK, 11, "UntrackSock") \
	X(NOTIFYENFORCER, 12, "NotifyEnforcer") \
	X(CLEANUPENFORCERNOTIFICATION, 13, "CleanupEnforcerNotification")
#define TPC_ACT_BIT_(name, bit, spelling) TPC_ACT_##name = 1u << (bit),
enum tpc_action_bits { TPC_ACTIONS(TPC_ACT_BIT_) };
#undef TPC_ACT_BIT_
/* Flags of a Post (kernelStackTrace, userStackTrace), or'ed into
 * tpc_event.actions: the event's kstack / ustack fields hold a stack id
 * of TPC_STACKS_MAP (or the error bpf_get_stackid returned), which
 * tp-load looks up and symbolises. */
#define TPC_ACT_KSTACK (1u << 16)
#define TPC_ACT_USTACK (1u << 17)

/* Flags of one argument record. */
#define TPC_ARGF_TRUNCATED (1u << 0) /* data is a prefix of the value */
#define TPC_ARGF_FAULT (1u << 1)     /* the value could not be read */
/* A resolve path could not be followed (a NULL or unreadable pointer on
 * the way): no data, value is the depth of the element whose dereference
 * failed (0: the first). */
#define TPC_ARGF_UNRESOLVED (1u << 2)
/* file, path and dentry records: the inode's mode (S_IFMT and permission
 * bits, 16 bits) in the upper half of flags; 0 when unknown. */
#define TPC_ARGF_MODE_SHIFT 16
#define TPC_ARGF_MODE(flags) ((flags) >> TPC_ARGF_MODE_SHIFT)

/* How the hook was reached (tpc_event.origin). */
#define TPC_ORIGIN_KPROBE 1
#define TPC_ORIGIN_TRACEPOINT 2 /* a policy tracepoint, or a syscall kprobe's twin */
#define TPC_ORIGIN_UPROBE 3     /* a uprobe or USDT */
#define TPC_ORIGIN_TRACING 4    /* a BTF-typed program: tp_btf (raw tracepoint), fentry, fexit */
#define TPC_ORIGIN_LSM 5        /* a BPF LSM program */
/* Or'ed in: the checks ran at the syscall's exit, because an argument
 * could not be read at its entry (its page was not present yet). */
#define TPC_ORIGIN_LATE 0x100

/* One event in the ring buffer: this header, then the binary path record,
 * then one record per argument of the hook, in the manifest's order.
 * Every record starts 8-byte aligned. */
struct tpc_event {
	tpc_u32 abi;       /* TPC_ABI_VERSION */
	tpc_u16 hook;      /* hook number in the manifest */
	tpc_u16 selector;  /* matching selector, 1-based; 0: hook has no selectors */
	tpc_u32 actions;   /* TPC_ACT_* bits */
	tpc_u32 size;      /* bytes of the whole event */
	tpc_u32 pid;       /* thread group id, as seen from the root pid namespace */
	tpc_u32 tid;
	tpc_u32 uid;
	tpc_u32 gid;
	tpc_u32 ppid;
	tpc_u16 nargs;     /* argument records that follow the binary record */
	tpc_u16 origin;    /* TPC_ORIGIN_* */
	tpc_u64 ktime_ns;  /* bpf_ktime_get_boot_ns() */
	tpc_s64 retval;    /* return value for return probes, else 0 */
	/* Which program image of the process made the call: the thread
	 * group leader's start_boottime and self_exec_id (exec increments
	 * it). With pid, the key of the process table tp-load keeps from
	 * process events (struct tpc_pevent): every event names the exec it
	 * came from, whatever object it came from. */
	tpc_u64 start_ns;
	tpc_u64 exec_seq;
	char comm[16];
	/* With TPC_ACT_KSTACK / TPC_ACT_USTACK in actions: the kernel and
	 * the user stack's id in TPC_STACKS_MAP, or bpf_get_stackid's
	 * negative error (-EEXIST: its bucket holds another stack; -EFAULT:
	 * no stack could be walked), which tp-load reports. Else 0. */
	tpc_s32 kstack;
	tpc_s32 ustack;
};

/* One argument (or the binary path).  Integers: len 0, value holds the
 * number (sign-extended for signed types).  Byte values: len bytes of data
 * follow the record, padded to 8; value holds the original size where it
 * is known (char_buf: the size argument), else len; for const_buf (an
 * array in a tracepoint record) the size of one element. */
struct tpc_arg {
	tpc_u32 len;
	tpc_u32 flags; /* TPC_ARGF_* */
	tpc_u64 value;
};

/* The data of the records of args that read a kernel struct: tp-load
 * decodes them by the arg's type (manifest type=). Strings are NUL-padded.
 * linux_binprm and kiocb are path records (the file's path) with the
 * file's mode in value; syscall64, capability, bpf_cmd and the capability
 * masks (kernel_cap_t, cap_*) are integers. */
struct tpc_rec_userns {    /* user_namespace, and cred's user_ns */
	tpc_u32 level;
	tpc_u32 uid;       /* owner */
	tpc_u32 gid;       /* group */
	tpc_u32 inum;
};
struct tpc_rec_cred {      /* cred */
	tpc_u32 uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
	tpc_u32 securebits;
	tpc_u32 pad;
	tpc_u64 cap_permitted, cap_effective, cap_inheritable;
	struct tpc_rec_userns userns;
};
struct tpc_rec_bpf_prog {  /* bpf_prog, bpf_attr (of BPF_PROG_LOAD) */
	tpc_u32 type;
	tpc_u32 insn_cnt;
	char name[16];
};
struct tpc_rec_bpf_map {   /* bpf_map */
	tpc_u32 type, key_size, value_size, max_entries;
	char name[16];
};
struct tpc_rec_perf_event { /* perf_event */
	tpc_u32 type;
	tpc_u32 pad;
	tpc_u64 config;
	tpc_u64 probe_offset;
	char kprobe_func[64];
};
struct tpc_rec_module {    /* module, load_info */
	tpc_u64 taints;
	tpc_u32 sig_ok;    /* load_info: its signature was verified */
	tpc_u32 has_sig_ok; /* 1 for load_info, whose record says */
	char name[56];
};
/* sockaddr_un: its family and path; an abstract name (sun_path[0] 0) is
 * the bytes after the leading NUL, to the next NUL. */
struct tpc_rec_sockaddr_un {
	tpc_u16 family;
	tpc_u8 abstract;
	tpc_u8 pad;
	tpc_u32 len;       /* bytes of path */
	char path[112];    /* sun_path is 108 */
};

/* sock, socket, skb, sockaddr: one tuple for all four, so that the
 * network operators compare the same fields whatever the arg's type.
 * Ports and numbers are in host order, addresses in network order (an
 * IPv4 address in the first 4 bytes). sockaddr fills family, saddr (its
 * address) and sport (its port); skb leaves type, state and cookie 0. */
struct tpc_rec_net {
	tpc_u64 cookie;    /* sock, socket: the struct sock's kernel address */
	tpc_u32 mark, priority;
	tpc_u32 hash, len; /* skb */
	tpc_u32 sec_path_len, sec_path_olen; /* skb: its XFRM extension */
	tpc_u16 family, type, protocol, sport, dport;
	tpc_u8 state;
	tpc_u8 has_tuple;  /* skb: an IP header was read (else no addresses) */
	tpc_u32 pad;
	tpc_u8 saddr[16], daddr[16];
};

/* Namespace indexes (matchNamespaces' names in this order). */
#define TPC_NS_UTS 0
#define TPC_NS_IPC 1
#define TPC_NS_MNT 2
#define TPC_NS_PID 3
#define TPC_NS_PID_FOR_CHILDREN 4
#define TPC_NS_NET 5
#define TPC_NS_TIME 6
#define TPC_NS_TIME_FOR_CHILDREN 7
#define TPC_NS_CGROUP 8
#define TPC_NS_USER 9
#define TPC_NS_COUNT 10

/* Every capability of linux/capability.h (CAP_CHOWN..CAP_CHECKPOINT_RESTORE). */
#define TPC_CAPS_ALL ((1ULL << 41) - 1)

/* Per-process state kept by the object's sched_process_* programs (and
 * seeded by tp-load from /proc): what matchBinaries, followForks /
 * followChildren and the *Changes filters compare against. */
struct tpc_proc {
	tpc_u32 ppid;
	tpc_u32 binlen;             /* bytes of bin before its NUL */
	tpc_u64 exec_ns;            /* boot time of its last exec (0: before tp-load) */
	tpc_u64 follow;             /* bit n: an ancestor matched follow filter n */
	tpc_u32 ns[TPC_NS_COUNT];   /* namespace inodes at exec */
	tpc_u64 caps[3];            /* effective, inheritable, permitted at exec */
	char bin[TPC_BIN_MAX];      /* path executed */
};

/* Process events, in their own ring buffer (TPC_PEVENTS_MAP): this
 * header, then for TPC_PEV_EXEC four records (struct tpc_arg, 8-byte
 * aligned, as in events): the binary (the path of mm->exe_file), the
 * arguments (the bytes of mm->arg_start..arg_end, NUL-separated, argv[0]
 * first, as the kernel laid them out at exec), the working directory
 * (the path walk of fs->pwd) and the name of the process's cgroup (the
 * leaf of the default hierarchy, where container runtimes put the
 * container id). Forks and exits have no records.
 *
 * A process image is named by (pid, start_ns, exec_seq): start_ns is the
 * thread group's start_boottime (set at fork, kept by exec) and exec_seq
 * its self_exec_id (copied at fork, incremented by each exec). Events of
 * policies (struct tpc_event) carry the same key. */
#define TPC_PEV_EXEC 1
#define TPC_PEV_FORK 2
#define TPC_PEV_EXIT 3
#define TPC_PEV_RECS 4 /* records of an exec */

struct tpc_pevent {
	tpc_u32 abi;       /* TPC_ABI_VERSION */
	tpc_u16 kind;      /* TPC_PEV_* */
	tpc_u16 nrecs;     /* records after the header */
	tpc_u32 size;      /* bytes of the whole record */
	tpc_u32 pid;       /* thread group id, root pid namespace */
	tpc_u32 tid;       /* the thread that exec'd, forked or exited last */
	tpc_u32 nspid;     /* thread group id in its own pid namespace */
	tpc_u32 uid;       /* effective uid */
	tpc_u32 auid;      /* loginuid (4294967295: unset) */
	tpc_u32 ppid;      /* exec: real parent; fork: the process that forked */
	tpc_u32 code;      /* exit: the exit code (status << 8 | signal) */
	tpc_u64 start_ns;  /* the process's key (see above) */
	tpc_u64 exec_seq;
	tpc_u64 pstart_ns; /* the key of the process ppid names */
	tpc_u64 pexec_seq;
	tpc_u64 ktime_ns;  /* bpf_ktime_get_boot_ns() */
};

/* Values that differ per host or per run, written by tp-load into
 * tpc_config (key 0) after loading and before attaching. */
struct tpc_config {
	tpc_u32 host_ns[TPC_NS_COUNT]; /* inodes of the host's namespaces (host_ns) */
};

/* Key of the FollowFD map (TPC_MAP_FDS): tp-load deletes the entries of
 * processes that are gone. */
struct tpc_fd_key {
	tpc_u32 tgid;
	tpc_u32 fd;
};

/* Hook kinds: X(ID, manifest kind=, JSON event key). enum tpc_hook_kind
 * numbers them in this order; the compiler's enum hook_kind follows it
 * (static-asserted in compiler/hook.c) and tp-load's per-kind code
 * (loader/hooks.c) switches over it. A new kind is one row here, then one
 * case in each of those switches. */
#define TPC_HOOK_KINDS(X)                                          \
	X(KPROBE, "kprobe", "process_kprobe")                      \
	X(TRACEPOINT, "tracepoint", "process_tracepoint")          \
	X(UPROBE, "uprobe", "process_uprobe")                      \
	X(USDT, "usdt", "process_usdt")                            \
	X(RAW_TRACEPOINT, "raw_tracepoint", "process_tracepoint")  \
	X(LSM, "lsm", "process_lsm")                               \
	X(FENTRY, "fentry", "process_kprobe")
#define TPC_HOOK_KIND_(id, name, key) TPC_HOOK_##id,
enum tpc_hook_kind { TPC_HOOK_KINDS(TPC_HOOK_KIND_) TPC_HOOK_KIND_COUNT };
#undef TPC_HOOK_KIND_

/* Program variants: X(ID, manifest variant=). A variant is one way of
 * attaching a hook's checks (a syscall kprobe has its kprobe programs and
 * its tracepoint twins); tp-load attaches exactly one variant per hook. */
#define TPC_PROG_VARIANTS(X)          \
	X(KPROBE, "kprobe")           \
	X(TRACEPOINT, "tracepoint")   \
	X(UPROBE, "uprobe")           \
	X(TP_BTF, "tp_btf")           \
	X(LSM, "lsm")                 \
	X(FENTRY, "fentry")
#define TPC_VARIANT_(id, name) TPC_VARIANT_##id,
enum tpc_prog_variant { TPC_PROG_VARIANTS(TPC_VARIANT_) TPC_VARIANT_COUNT };
#undef TPC_VARIANT_

/* Program roles: X(ID, manifest role=). */
#define TPC_PROG_ROLES(X)     \
	X(ENTRY, "entry")     \
	X(RETURN, "return")
#define TPC_ROLE_(id, name) TPC_ROLE_##id,
enum tpc_prog_role { TPC_PROG_ROLES(TPC_ROLE_) TPC_ROLE_COUNT };
#undef TPC_ROLE_

/* Target architectures: X(manifest arch=, tpc's name for it (bpf_tracing.h
 * __TARGET_ARCH_<name>), uname -m of a machine that runs it). */
#define TPC_ARCHES(X)                   \
	X("x86_64", "x86", "x86_64")    \
	X("arm64", "arm64", "aarch64")

/* The manifest: text, one record per line, fields separated by single
 * spaces, each field `key=value` with value percent-encoded (%XX for any
 * byte outside [A-Za-z0-9._/:+-]). The first line is exactly
 * "tpc-manifest <TPC_ABI_VERSION>"; the last is "end". Records:
 *
 *   tpc-manifest 5
 *   tpc version=<tpc version> arch=x86_64|arm64
 *   policy name=<name> [digest=sha256:<hex>] [seed=procs[,exec-state]]
 *          [stacks=kernel|user|kernel,user]
 *   hook id=<n> kind=kprobe|tracepoint|uprobe|usdt|raw_tracepoint|lsm|fentry nargs=<n>
 *        [function=<symbol>] [call=<as written>] [syscall=0|1]   (kind=kprobe, fentry)
 *        [function=<hook>]                                       (kind=lsm)
 *        [tp=<subsys>/<event>]                       (kind=tracepoint, raw_tracepoint)
 *        [path=<binary>] [symbol=<name[+off]>|offset=<n>|addr=<n>]
 *        [ref_ctr_offset=<n>] [digests=<algo:hex,...>]          (kind=uprobe)
 *        [path=<binary>] [provider=<p>] [name=<n>] [offset=<n>]
 *        [ref_ctr_offset=<n>] [sha256=<hex>]                    (kind=usdt)
 *        [return=0|1 [return_type=<type>]] [override=1] [optional=1] [enforcer=1]
 *        [policy=<name>] [message=<text>] [tags=<t1,t2>]
 *   prog hook=<n> name=<program> variant=kprobe|tracepoint|uprobe|tp_btf|lsm|fentry role=entry|return [override=1]
 *   arg hook=<n> pos=<k> index=<i> type=<type> [label=<text>] [field=<name>]
 *   action hook=<n> selector=<s> kind=<GetUrl|DnsLookup> value=<url|fqdn>
 *   retaction hook=<n> selector=<s> entry=<bits> return=<bits>
 *   follow bit=<n> kind=pid ns=0|1 values=<pid,pid,...>
 *   follow bit=<n> kind=binary op=In|Prefix|Postfix values=<path,path,...>
 *   end
 *
 * tpc: arch= is the architecture the object was compiled for (tpc --arch):
 * its kprobes name that architecture's syscall wrappers and read its
 * registers, so tp-load refuses it on a machine of another.
 * hook: kind= is a TPC_HOOK_KINDS name. What the hook attaches to and
 * what its events name, by kind: kprobe: function= (required) is the
 * kernel symbol its kprobes attach to and its events' function_name
 * (__x64_sys_openat for syscall=1), call= the policy's spelling;
 * tracepoint: tp= (required); raw_tracepoint: tp= (required; the event
 * attached, by its BTF prototype, is the part after '/', the subsystem
 * only names events); fentry: as kprobe (its programs attach by BTF,
 * fentry/ and fexit/); lsm: function= (required) is the LSM hook's name
 * (file_open), its events' function_name; its program returns the hook's
 * verdict; uprobe: path= (required, absolute) and
 * exactly one of symbol= (a symbol of the binary, "name" or "name+off",
 * looked up by tp-load in the file it attaches to), offset= (a file
 * offset) and addr= (a virtual address, turned into a file offset
 * through the file's program headers); ref_ctr_offset= the file offset
 * of a semaphore the kernel counts while attached; digests= the
 * binaryDigests, "sha1|sha256|sha384|sha512|build-id:<lowercase hex>",
 * of which the file must match one (tp-load hashes the descriptor it
 * attaches through, /proc/self/fd/N); usdt: path=, provider=, name= and
 * offset= (required: the probe site's file offset, found by tpc in the
 * binary's .note.stapsdt), ref_ctr_offset= its semaphore, and sha256= of
 * the binary tpc read (its argument reads were decoded from that build:
 * tp-load refuses a file with another digest). return=1: the event comes at return, with
 * the return value (of type return_type=). override=1: a selector
 * overrides the call's return value. optional=1 (kprobe, fentry; the
 * policy's ignore.callNotFound): where the function is not on the
 * running kernel, tp-load says so and skips the hook (no program of it
 * is loaded or attached) instead of refusing the object.
 * prog: one record per program of the hook, name= its symbol in the
 * object. A hook's programs come in variants (TPC_PROG_VARIANTS), each
 * with one entry program and, with return=1, one return program; the
 * order of their first records is the order of preference. tp-load
 * attaches every program of one variant per hook (--attach=auto: the
 * first this kernel can attach) at the object's own ELF section of the
 * program (kprobe/SYM, kretprobe/SYM, tracepoint/SUBSYS/EVENT,
 * tp_btf/EVENT, lsm/HOOK, fentry/SYM, fexit/SYM), return programs before
 * entry ones; uprobe programs (sections uprobe and uretprobe, uprobe.s
 * and uretprobe.s when sleepable) at the place the hook record names.
 * enforcer=1 (kind=kprobe or fentry, with override=1): the program of
 * spec.enforcers at the entry of function=, which applies the verdict
 * NotifyEnforcer left for the calling thread; it posts no events. Its
 * variants are a kprobe with bpf_override_return and an fmod_ret
 * trampoline (variant=fentry, section fmod_ret/SYM), in order of
 * preference; tp-load attaches the first this kernel can run.
 * override=1 on a program: it performs the
 * hook's Override (bpf_override_return); a hook with override=1 only
 * attaches a variant whose entry program has it.
 * seed=procs: a filter reads the process table (matchBinaries,
 * followForks, *Changes), so tp-load seeds it from /proc; exec-state: the
 * object has *Changes filters, so the seed records namespaces and
 * capabilities too. Without seed= nothing is seeded.
 * stacks=: the policy's actions take kernel and/or user stacks
 * (kernelStackTrace, userStackTrace); with kernel, tp-load reads
 * /proc/kallsyms while loading the object rather than on its first event.
 * retaction: a selector with matchReturnActions; entry= and return= are
 * the TPC_ACT_* bits of its matchActions and of its matchReturnActions
 * (the event's actions hold both), which tp-load names apart as the
 * event's action and return_action.
 * follow records describe the filters with followForks/followChildren, so
 * that tp-load can set bit n of tpc_proc.follow for processes it seeds
 * from /proc (the kernel side sets it at fork): a process has bit n when
 * its parent matched the filter's positive form or had bit n.
 * Hooks are numbered from 0 in order; the args of hook n have pos 0..nargs-1.
 * tags= is a comma-separated list of percent-encoded tags (a comma inside
 * a tag is %2C). A hook line may carry policy=<name> when the object holds
 * several policies (a multi-document file); it overrides the policy line.
 * digest= on the policy line is the SHA-256 of the policy source bytes the
 * object was compiled from.
 * arg lines of tracepoint hooks carry field=<name>, the format field the
 * arg reads. String records: len excludes the NUL.
 * Unknown keys are ignored (forward compatibility inside one version);
 * unknown record kinds are an error.
 */

#endif /* TPC_ABI_H */
