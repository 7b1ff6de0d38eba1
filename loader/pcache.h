/* pcache.h: tp-load's table of process images, the identity every event
 * names (exec_id, parent, arguments, cwd, ...), as Tetragon's process
 * cache does.
 *
 * A process image is what one exec started, or what a fork copied: it is
 * named by the kernel's (pid, start_ns, exec_seq), the thread group's
 * start_boottime and self_exec_id (tpc_abi.h, struct tpc_pevent). Images
 * come from the kernel's process events (pevents.c: exec, fork, exit) and,
 * for processes that predate tp-load, from /proc (procs.c). Events of
 * policies carry the key of the image that made the call, so the lookup
 * is exact; only images seeded from /proc, whose self_exec_id /proc does
 * not show, are found by pid and start time (the clock ticks /proc shows).
 *
 * An image that exits, or execs another program, stays for a while: events
 * it made may still wait in other ring buffers. It is freed once that
 * grace has passed and no image names it as parent. */
#ifndef TPL_PCACHE_H
#define TPL_PCACHE_H

#include <stddef.h>
#include <stdint.h>

/* Tetragon's process flags (Process.flags, in this order) */
#define TPL_PF_EXECVE (1u << 0)
#define TPL_PF_PROCFS (1u << 1)
#define TPL_PF_TRUNC_FILENAME (1u << 2)
#define TPL_PF_TRUNC_ARGS (1u << 3)
#define TPL_PF_MISS (1u << 4)  /* not found: what the event itself says */
#define TPL_PF_ERROR_FILENAME (1u << 5)
#define TPL_PF_ERROR_ARGS (1u << 6)
#define TPL_PF_ROOTCWD (1u << 7)
#define TPL_PF_ERROR_CWD (1u << 8)
#define TPL_PF_CLONE (1u << 9)

/* The Kubernetes identity of a container, from a local source
 * (identity.c); NULL fields are unknown. */
struct tpl_pod {
	char *ns, *name, *uid, *container;
};

struct tpl_proc {
	struct tpl_proc *next; /* of its hash bucket */
	uint32_t pid, nspid;   /* thread group id: the host's, its own namespace's */
	uint32_t ppid;         /* its parent's pid when it began */
	uint32_t uid, auid;    /* effective uid and loginuid when it began */
	uint64_t start_ns;     /* key: start_boottime (procFS: /proc's ticks, in ns) */
	uint64_t exec_seq;     /* key: self_exec_id (procFS: learnt from events) */
	int seq_known;         /* exec_seq is known (always, but for procFS) */
	uint64_t ktime;        /* the KTIME of exec_id: exec, fork or /proc start */
	uint32_t flags;        /* TPL_PF_* */
	uint64_t dead_at;      /* boot ns it exited or exec'd another program; 0: alive */
	int refcnt;            /* children naming it as parent, queued events */
	struct tpl_proc *parent;
	char exec_id[128];     /* base64 of "NODE:KTIME:PID" */
	char *binary, *args, *cwd; /* never NULL */
	char docker[32];       /* the first 31 characters of the container id */
	char container_id[80]; /* runtime://id, "" when none */
	const struct tpl_pod *pod;
};

/* What a process event or /proc says of an image. */
struct tpl_proc_info {
	uint32_t pid, nspid, uid, auid, ppid;
	uint64_t start_ns, exec_seq, ktime;
	uint64_t pstart_ns, pexec_seq; /* the parent's key */
	uint32_t flags;                /* TPL_PF_* known from the source */
	const char *binary;
	size_t binary_len;
	const char *argv; /* NUL-separated, argv[0] first */
	size_t argv_len;
	const char *cwd;
	size_t cwd_len;
	const char *cgroup; /* the cgroup's name or path: the container id is in it */
	size_t cgroup_len;
};

/* The node name exec_ids carry (NODE_NAME, else the host name). */
void tpl_pcache_init(const char *node);

/* The image (pid, start_ns, exec_seq) names, or NULL. With seeded, an
 * image seeded from /proc whose exec_seq is not known yet matches by pid
 * and start time: only right once every exec the kernel reported before
 * the event has been read (pevents.c makes sure). */
struct tpl_proc *tpl_pcache_find(uint32_t pid, uint64_t start_ns, uint64_t exec_seq, int seeded);
/* The youngest image of pid still alive, or NULL. */
struct tpl_proc *tpl_pcache_alive(uint32_t pid);

/* An exec, a fork (info is the child's, its parent's key in pstart_ns,
 * pexec_seq), a process seeded from /proc (parents are linked by
 * tpl_pcache_link_seeded once all are in). Return the new image. */
struct tpl_proc *tpl_pcache_exec(const struct tpl_proc_info *x);
struct tpl_proc *tpl_pcache_fork(const struct tpl_proc_info *x);
struct tpl_proc *tpl_pcache_seeded(const struct tpl_proc_info *x);
void tpl_pcache_link_seeded(void);
/* An image the events name but that no process event told of: made of
 * what the event says (flag miss). */
struct tpl_proc *tpl_pcache_missing(uint32_t pid, uint64_t start_ns, uint64_t exec_seq, uint32_t ppid,
				    const char *binary, size_t binary_len);

/* The process ended (at boot time ktime). */
void tpl_pcache_exited(struct tpl_proc *p, uint64_t ktime);

/* Boot time of the /proc seed: exec and fork events older than it may
 * describe what the seed already found. */
void tpl_pcache_set_seed_time(uint64_t ns);

void tpl_proc_get(struct tpl_proc *p);
void tpl_proc_put(struct tpl_proc *p);

/* Frees the images dead for more than the grace; once in a while (every
 * 30 s) marks dead the images whose process /proc no longer shows (their
 * exit was lost with a full ring buffer). now: boot ns. */
void tpl_pcache_gc(uint64_t now);
/* Everything, at exit. */
void tpl_pcache_free(void);
/* Images in the table (for tests and the soak). */
size_t tpl_pcache_size(void);

/* Tetragon's flags string ("execve rootcwd clone"). */
void tpl_proc_flags_str(uint32_t flags, char *buf, size_t len);

#endif
