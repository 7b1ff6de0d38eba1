/* attach.h: one tpc object: open it, choose and load its programs, fill
 * its config and process maps, attach, and tear it all down. */
#ifndef TPL_ATTACH_H
#define TPL_ATTACH_H


#include "hooks.h"
#include "manifest.h"

/* --attach: auto (per hook, the first variant of its programs this
 * kernel can attach), or one variant (an enum tpc_prog_variant) for every
 * hook that has it. */
#define TPL_ATTACH_AUTO (-1)
typedef int tpl_attach_mode;

/* How often the poll loops look at the ring buffers without a wakeup:
 * the kernel side wakes tp-load only once 64 KiB of events piled up
 * (runtime-bpf TPC_WAKEUP_BYTES), so this bounds how late a lone event
 * is printed. */
#define TPL_POLL_MS 10

/* Ring buffer bytes per object (--ring-buffer); 0 keeps the object's own
 * (runtime-bpf TPC_RINGBUF_BYTES). A power of two, at least a page. */
extern unsigned long tpl_ringbuf_bytes;

/* --require-digest: tpl_obj_open checks OBJ.sha256 against the bytes it
 * read, before parsing or loading them. */
extern int tpl_require_digest;

/* Links an object may hold (programs it attaches), and the maps it hands
 * over with them: events, lost, procs, fds. */
#define TPL_MAX_LINKS 4096
#define TPL_MSG_MAPS 6 /* events, lost, procs, fds, pevents, plost */
#define TPL_NPROC_PROGS 3
#define TPL_NPEV_PROGS 3 /* process event programs (tpc_pev_*) */
/* The exit status of a loading child that printed why it failed; any
 * other failure (a crash, a sanitizer's abort) is reported by the parent. */
#define TPL_CHILD_REPORTED 64
extern const char *const tpl_proc_progs[TPL_NPROC_PROGS];
/* exec (tracepoint), fork (raw_tp), exit (tracepoint) */
extern const char *const tpl_pev_progs[TPL_NPEV_PROGS];

struct tpl_obj {
	const char *path;
	void *image; /* the object file's bytes, read once */
	size_t image_len;
	struct tpc_manifest m;
	int *links;  /* attached programs (fds of their links): closing detaches */
	int nlinks;
	int proc_links[TPL_NPROC_PROGS]; /* its own process tracking, when it has its own table */
	int nproc_links;
	int events_fd, lost_fd, procs_fd, fds_fd;
	int stacks_fd; /* TPC_STACKS_MAP, or -1 (stacks.h) */
	int missed_fd; /* TPC_MISSED_MAP, or -1: the object has no enforcer */
	unsigned long long malformed; /* records dropped by the decoder */
	char sha256[65]; /* of image: names its pins under --keep-on-exit (keep.h) */
	int pinned;      /* its pins are this tp-load's (keep.h) */
};

/* req.variant of a hook that is not loaded or attached at all */
#define TPL_VARIANT_SKIPPED (-1)

/* What the loading child is asked (attach.c, loadchild.c). */
struct tpl_load_req {
	int *variant;       /* per hook: the variant to attach, or
			     * TPL_VARIANT_SKIPPED (an optional hook whose
			     * function this kernel lacks) */
	int share_procs_fd; /* the shared process table to use, or -1 */
	int attach_procs;   /* attach the process tracking programs */
	int attach_pev;     /* attach the process event programs (pevents.h) */
	/* per hook: what it attaches to, opened by tp-load before the child
	 * starts (a uprobe's binary, checked and resolved: the offset events
	 * report stays in tp-load's manifest); the child inherits the fds */
	struct tpl_hook_site *sites;
};

/* tp-load's answer to step 1: go on, with what tpc_config needs (read by
 * tp-load once the object has loaded: nothing is said of an object that
 * is refused before). */
struct tpl_load_go {
	char go; /* 'g' */
	tpc_u32 host_ns[TPC_NS_COUNT];
};

/* Its two messages to tp-load. */
struct tpl_load_msg {
	int step;        /* 1: the whoami program's fd; 2: maps and links */
	int nhooks;      /* hooks attached */
	int nlinks;      /* link fds after the TPL_MSG_MAPS map fds */
	int nproc_links; /* of them, the process tracking programs' (first) */
	int npev_links;  /* then the process event programs' */
	int nstacks;     /* 1: the stack map's fd follows the links (objects with stacks) */
	int nmissed;     /* 1: tpc_missed's fd follows (objects with enforcers) */
};

/* In the child: load and attach as req says, talking over sock; never
 * returns. */
void tpl_child_load(const struct tpl_obj *o, const struct tpl_load_req *req, int sock) __attribute__((noreturn));
/* In a child: libbpf opens the object and it is checked against its
 * manifest (maps, programs, sections). 0, or -1 (printed). */
int tpl_child_check(const struct tpl_obj *o);

/* Check the kernel features objects need: BTF, and when need_tracefs,
 * tracefs (mounting it when missing).  Prints the problem, returns -1. */
int tpl_check_kernel(int need_tracefs);

/* Read the object (once), check its digest when asked, read its
 * manifest, refuse an object built for another architecture. No libbpf:
 * the object's ELF and BTF are only parsed in the loading child. Errors
 * are printed. */
/* dirfd >= 0 (--dir): the object is name below dirfd, opened without
 * leaving it, and refused when someone other than root can write it;
 * path is how messages name it. dirfd < 0: path is opened as given. */
int tpl_obj_open(struct tpl_obj *o, int dirfd, const char *name, const char *path);

/* Choose one variant of programs per hook (mode); in a child process,
 * load only those, write tpc_config, attach the process tracking programs
 * (unless the object shares the table), attach the hooks (each program at
 * its own ELF section); keep the fds; seed a new table. Adds the number
 * of hooks attached to *nhooks. Errors are printed, a crashed child
 * included. */
int tpl_obj_start(struct tpl_obj *o, tpl_attach_mode mode, int *nhooks);

/* tp-load's tgid in the root pid namespace, as its objects' syscall
 * program saw it when it added tp-load to the pinned tpc_loaders map (0
 * before); tpl_loader_forget() removes that entry, at exit. */
extern unsigned int tpl_host_tgid;
void tpl_loader_forget(void);

/* The links of the process tracking programs o's hooks rely on: its own,
 * or the shared table's. Returns how many, *links set. */
int tpl_obj_proc_links(const struct tpl_obj *o, const int **links);

/* Sum over CPUs of tpc_lost[0]. */
unsigned long long tpl_obj_lost(const struct tpl_obj *o);

/* Sum over CPUs of tpc_missed[0]: NotifyEnforcer verdicts replaced, or
 * dropped by CleanupEnforcerNotification, before an enforcer applied
 * them. 0 for an object without enforcers. */
unsigned long long tpl_obj_missed(const struct tpl_obj *o);

/* Detach every hook and the process tracking programs; the object stays
 * loaded, so its ring buffer can still be drained and tpc_lost read with
 * nothing new arriving.  Idempotent. */
void tpl_obj_detach(struct tpl_obj *o);

/* Detach and free everything (safe on a partly opened object). */
void tpl_obj_close(struct tpl_obj *o);

#endif
