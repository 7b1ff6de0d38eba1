/* attach.c: see attach.h.
 *
 * An object is untrusted input: a flipped byte in its BTF made libbpf
 * crash tp-load, and under --dir every policy with it. So tp-load itself
 * only reads the object's manifest (manifest.c, hardened and fuzzed);
 * libbpf opens, loads and attaches the object in a child process, which
 * hands tp-load the fds of the maps, links and programs it needs (SCM_RIGHTS,
 * fdpass.c) and exits. A child that crashes costs that object only.
 *
 * The child and tp-load talk in two steps, so that tp-load is in the
 * pinned tpc_loaders map (its calls are never acted on) before any hook
 * is attached:
 *   child:   load; add itself to tpc_loaders; send the tpc_whoami program
 *   tp-load: run it (now tp-load is in tpc_loaders too); send "go"
 *   child:   attach; send the ring buffer, maps and link fds; exit
 *
 * The process table: objects that need neither follow bits nor exec-time
 * state share one table and one set of process-tracking programs (the
 * first such object's), so sixty policies do not put sixty programs on
 * each sched_process_* tracepoint (the kernel caps one at 64). Objects
 * with follow filters or *Changes filters keep their own. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sha256.h"
#include "attach.h"
#include "optional.h"
#include "digest.h"
#include "fdpass.h"
#include "hooks.h"
#include "kfeatures.h"
#include "log.h"
#include "ksyms.h"
#include "safefile.h"
#include "stamp.h"
#include "pevents.h"
#include "procs.h"
#include "trust.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

/* The process tracking programs every object has (tpc_procs.bpf.h),
 * attached at their own sections (sched/sched_process_*). */
const char *const tpl_proc_progs[TPL_NPROC_PROGS] = {
	TPC_PROG_PROC_EXEC,
	TPC_PROG_PROC_FORK,
	TPC_PROG_PROC_EXIT,
};

const char *const tpl_pev_progs[TPL_NPEV_PROGS] = {
	TPC_PROG_PEV_EXEC,
	TPC_PROG_PEV_FORK,
	TPC_PROG_PEV_EXIT,
};

static int is_bpffs(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == 0xcafe4a11; /* BPF_FS_MAGIC */
}

unsigned int tpl_host_tgid;

void tpl_loader_forget(void)
{
	char pin[256];
	snprintf(pin, sizeof(pin), "%s/%s", TPC_PIN_DIR, TPC_MAP_LOADERS);
	int fd = tpl_host_tgid ? bpf_obj_get(pin) : -1;
	if (fd >= 0) {
		tpc_u32 key = tpl_host_tgid;
		bpf_map_delete_elem(fd, &key);
		close(fd);
	}
}

/* Runs an object's tpc_whoami program: tp-load joins tpc_loaders. */
static int register_loader(const struct tpl_obj *o, int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	int err = bpf_prog_test_run_opts(prog_fd, &run);

	if (err || !run.retval) {
		tpl_err("%s: cannot add tp-load to %s/%s (so its own calls would be reported): %s", o->path,
			TPC_PIN_DIR, TPC_MAP_LOADERS, err ? strerror(-err) : "the map refused the entry");
		return -1;
	}
	tpl_host_tgid = run.retval;
	return 0;
}

int tpl_check_kernel(int need_tracefs)
{
	if (access(BTF_PATH, R_OK) != 0) {
		tpl_err("no BTF at %s (the kernel needs CONFIG_DEBUG_INFO_BTF)",
			BTF_PATH);
		return -1;
	}
	/* the pinned tpc_loaders map needs bpffs */
	if (access("/sys/fs/bpf", F_OK) == 0 && !is_bpffs("/sys/fs/bpf")) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) == 0)
			tpl_info("mounted bpffs at /sys/fs/bpf");
		else {
			tpl_err("bpffs is not mounted at /sys/fs/bpf and cannot be (mount -t bpf bpf /sys/fs/bpf): %s",
				strerror(errno));
			return -1;
		}
	}
	if (!need_tracefs)
		return 0;
	/* libbpf uses debugfs' tracing directory when it exists, else tracefs. */
	if (access(DEBUGFS_TRACING, F_OK) == 0)
		return 0;
	if (access(TRACEFS "/events", F_OK) == 0)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0 &&
	    access(TRACEFS "/events", F_OK) == 0) {
		tpl_info("mounted tracefs at %s", TRACEFS);
		return 0;
	}
	tpl_err("tracefs not mounted at %s (mount -t tracefs nodev %s)",
		TRACEFS, TRACEFS);
	return -1;
}

/* The manifest arch= of this machine (TPC_ARCHES), or NULL; its uname
 * machine name in machine[]. */
static const char *host_arch(char *machine, size_t len)
{
	struct utsname u;

	snprintf(machine, len, "unknown");
	if (uname(&u) != 0)
		return NULL;
	snprintf(machine, len, "%s", u.machine);
#define HOST_ARCH(name, tpc, uname_machine) if (strcmp(u.machine, uname_machine) == 0) return name;
	TPC_ARCHES(HOST_ARCH)
#undef HOST_ARCH
	return NULL;
}

/* An object's kprobes read the registers and name the syscall wrappers
 * of the architecture it was compiled for: refuse it on another. */
static int check_arch(const struct tpl_obj *o)
{
	char machine[65];
	const char *host = host_arch(machine, sizeof(machine));

	if (host && strcmp(host, o->m.arch) == 0)
		return 0;
	if (host)
		tpl_err("%s: built for %s, this machine is %s (compile it with tpc --arch %s)",
			o->path, o->m.arch, host, host);
	else
		tpl_err("%s: built for %s, this machine is %s, which tpc does not compile for",
			o->path, o->m.arch, machine);
	return -1;
}

unsigned long tpl_ringbuf_bytes;
int tpl_require_digest;

int tpl_obj_open(struct tpl_obj *o, int dirfd, const char *name, const char *path)
{
	char err[640];
	int fd, rc;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->events_fd = o->lost_fd = o->procs_fd = o->fds_fd = o->stacks_fd = o->missed_fd = -1;
	/* One read of the file: the bytes whose digest is checked are the
	 * bytes parsed and loaded (no window to swap the file in between). */
	fd = tpl_open_file(dirfd, dirfd >= 0 ? name : path);
	if (fd < 0) {
		tpl_err("%s: %s", path, tpl_open_strerror(errno));
		return -1;
	}
	rc = tpl_read_fd(fd, path, TPL_MAX_OBJECT, dirfd >= 0, &o->image, &o->image_len, err, sizeof(err));
	close(fd);
	if (rc) {
		tpl_err("%s", err);
		return -1;
	}
	sha256_hex(o->image, o->image_len, o->sha256);
	if (tpl_require_digest && tpl_digest_check(dirfd, name, path, o->sha256))
		return -1;
	/* --trusted-keys: signed by a trusted key, these very bytes */
	if (tpl_trust_check(path, o->image, o->image_len))
		return -1;
	if (tpc_manifest_read_mem(o->image, o->image_len, path, &o->m, err, sizeof(err))) {
		tpl_err("%s", err);
		return -1;
	}
	return check_arch(o);
}

/* The hook's entry program of variant v, or NULL. */
static const struct tpc_mprog *entry_prog(const struct tpc_hook *h, int v)
{
	for (int k = 0; k < h->nprogs; k++)
		if ((int)h->progs[k].variant == v && h->progs[k].role == TPC_ROLE_ENTRY)
			return &h->progs[k];
	return NULL;
}

/* An enforcer (spec.enforcers) has no twin to fall back on: its
 * variants are a kprobe with bpf_override_return and an fmod_ret
 * trampoline, in that order of preference; the first this kernel can run
 * is attached, and when none can the refusal names what each lacks. */
static int choose_enforcer_variant(const struct tpl_obj *o, int i, const char *what, tpl_attach_mode mode,
				   int *chosen)
{
	const struct tpc_hook *h = &o->m.hooks[i];
	char why_all[900] = "";
	size_t n = 0;

	for (int k = 0; k < h->nprogs; k++) {
		enum tpc_prog_variant v = h->progs[k].variant;
		const char *why = NULL;
		int ok = tpl_variant_attachable(v, &why);
		if (ok && v == TPC_VARIANT_KPROBE && tpl_override_return_available(&why) == 0)
			ok = 0;
		if (ok && mode != TPL_ATTACH_AUTO && (int)mode != (int)v) {
			ok = 0;
			why = "another variant was asked (--attach)";
		}
		if (ok) {
			*chosen = v;
			return 0;
		}
		n += (size_t)snprintf(why_all + n, n < sizeof(why_all) ? sizeof(why_all) - n : 0, "%s%s: %s",
				      n ? "; " : "", v == TPC_VARIANT_KPROBE ? "a kprobe with bpf_override_return" :
						   "an fmod_ret trampoline",
				      why ? why : "not available");
		if (n >= sizeof(why_all))
			n = sizeof(why_all) - 1;
	}
	tpl_err("%s: hook %d (%s): the enforcer cannot run on this kernel, refusing the policy (its NotifyEnforcer "
		"verdicts would never be applied): it needs %s",
		o->path, i, what, why_all);
	return -1;
}

/* The variant of hook i to attach: with mode auto, the first (in the
 * manifest's order of preference) that this kernel can attach; else the
 * one asked for, when the hook's kind can have it (--attach=kprobe leaves
 * tracepoints alone). An Override is only possible from a program that
 * performs it: such a hook never falls back to one that cannot. */
static int choose_variant(const struct tpl_obj *o, int i, tpl_attach_mode mode, int *chosen)
{
	const struct tpc_hook *h = &o->m.hooks[i];
	char what[600], noun[64], alt[64] = "";
	const char *why = NULL;
	int have[TPC_VARIANT_COUNT] = { 0 };

	tpl_hook_describe(h, what, sizeof(what));
	for (int k = 0; k < h->nprogs; k++)
		have[h->progs[k].variant] = 1;
	if (mode != TPL_ATTACH_AUTO && !tpl_hook_kind_has_variant(h->kind, mode))
		mode = TPL_ATTACH_AUTO;

	if (h->enforcer)
		return choose_enforcer_variant(o, i, what, mode, chosen);
	if (h->override) {
		/* the variant that can override, and the first that cannot */
		int ov = -1;
		for (int k = 0; k < h->nprogs; k++) {
			const struct tpc_mprog *e = entry_prog(h, h->progs[k].variant);
			if (e->override && ov < 0)
				ov = e->variant;
			else if (!e->override && !alt[0])
				tpl_variant_noun(e->variant, h->kind, alt, sizeof(alt));
		}
		if (ov < 0) {
			tpl_err("%s: hook %d (%s): override=1 but none of its programs performs the Override",
				o->path, i, what);
			return -1;
		}
		tpl_variant_noun(ov, h->kind, noun, sizeof(noun));
		if (!tpl_variant_attachable(ov, &why)) {
			tpl_err("%s: hook %d (%s): its Override action needs %s, and %s%s%s%s", o->path, i, what,
				tpl_variant_override_needs(ov), why, alt[0] ? ": refusing to attach the " : "", alt,
				alt[0] ? ", which could not override" : "");
			return -1;
		}
		if (mode != TPL_ATTACH_AUTO && mode != ov) {
			tpl_variant_noun(mode, h->kind, alt, sizeof(alt));
			tpl_err("%s: hook %d (%s): its Override action cannot run from a %s (--attach=%s)",
				o->path, i, what, alt, tpl_variant_name(mode));
			return -1;
		}
		*chosen = ov;
		return 0;
	}

	if (mode != TPL_ATTACH_AUTO) {
		if (have[mode] && tpl_variant_attachable(mode, &why)) {
			*chosen = mode;
			return 0;
		}
		if (have[mode]) {
			tpl_err("%s: hook %d (%s): --attach=%s but %s", o->path, i, what,
				tpl_variant_name(mode), why);
			return -1;
		}
		tpl_variant_noun(mode, h->kind, noun, sizeof(noun));
		tpl_err("%s: hook %d (%s): --attach=%s was asked and the object has no %s for it",
			o->path, i, what, tpl_variant_name(mode), noun);
		return -1;
	}
	for (int k = 0; k < h->nprogs; k++) {
		const char *no;
		if (tpl_variant_attachable(h->progs[k].variant, &no)) {
			*chosen = h->progs[k].variant;
			return 0;
		}
		if (!why)
			why = no;
	}
	/* what this kernel could have attached instead, had the object one */
	for (int v = 0; v < TPC_VARIANT_COUNT && !alt[0]; v++) {
		const char *no;
		if (!have[v] && tpl_hook_kind_has_variant(h->kind, v) && tpl_variant_attachable(v, &no))
			tpl_variant_noun(v, h->kind, alt, sizeof(alt));
	}
	tpl_err("%s: hook %d (%s): %s and the object has no %s for it", o->path, i, what, why,
		alt[0] ? alt : "other program");
	return -1;
}

/* The process table objects share: its map, and the links of the
 * tracking programs that keep it (held for tp-load's lifetime, whatever
 * becomes of the object that brought them). */
static struct {
	int procs_fd;
	int links[TPL_NPROC_PROGS];
	int nlinks;
} shared = { -1, { 0 }, 0 };

/* An object can use the shared table when it needs nothing of its own in
 * it: no follow bits (numbered per object) and no exec-time state. */
static int shares_table(const struct tpl_obj *o)
{
	return o->m.nfollows == 0 && !o->m.seed_exec_state;
}

static int msg_fds(const void *head)
{
	const struct tpl_load_msg *m = head;
	if (m->step == 1)
		return 1;
	if (m->step != 2 || m->nlinks < 0 || m->nlinks > TPL_MAX_LINKS || m->nproc_links < 0 ||
	    m->npev_links < 0 || m->npev_links > TPL_NPEV_PROGS || m->nproc_links > m->nlinks - m->npev_links ||
	    (m->nstacks != 0 && m->nstacks != 1) || (m->nmissed != 0 && m->nmissed != 1))
		return -1;
	return TPL_MSG_MAPS + m->nlinks + m->nstacks + m->nmissed;
}

/* How long tp-load waits for each answer of a loading child. Loading
 * and verifying the largest objects tpc makes takes seconds; a child that
 * says nothing for this long is stuck (seen: a child forked while another
 * thread held a lock of ASan's allocator, which has no fork handler, never
 * got past its first malloc), and waiting on would hang tp-load with it. */
#define TPL_LOAD_ANSWER_MS 120000

/* The bound; tests shorten it with TPL_LOAD_ANSWER_MS. */
static int answer_ms(void)
{
	const char *e = getenv("TPL_LOAD_ANSWER_MS");
	char *end;
	long v = e ? strtol(e, &end, 10) : 0;
	return e && *e && !*end && v > 0 && v <= TPL_LOAD_ANSWER_MS ? (int)v : TPL_LOAD_ANSWER_MS;
}

/* What became of a child that sent nothing more. n is what the receive
 * returned: -2 (no answer in time) kills the child first. */
static void report_child(const struct tpl_obj *o, pid_t pid, int n)
{
	int st;
	if (n == -2) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		tpl_err("%s: its loading process gave no answer in %.1f s: killed; skipped", o->path,
			answer_ms() / 1000.0);
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		tpl_err("%s: loading the object crashed its loading process (signal %d, %s): a malformed "
			"object; skipped",
			o->path, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != TPL_CHILD_REPORTED)
		tpl_err("%s: loading the object failed in its loading process (exit status %d): a malformed "
			"object; skipped",
			o->path, WEXITSTATUS(st));
}

int tpl_obj_start(struct tpl_obj *o, tpl_attach_mode mode, int *nhooks)
{
	struct tpl_load_req req = { .share_procs_fd = -1 };
	int sv[2], fds[TPL_MSG_MAPS + TPL_MAX_LINKS + 2], n, rc = -1;
	struct tpl_load_msg msg;
	pid_t pid;

	req.variant = calloc(o->m.nhooks ? o->m.nhooks : 1, sizeof(int));
	int *missing = calloc(o->m.nhooks ? o->m.nhooks : 1, sizeof(int));
	if (!req.variant || !missing) {
		free(missing);
		free(req.variant);
		tpl_err("out of memory");
		return -1;
	}
	tpl_hooks_missing(&o->m, missing);
	for (int i = 0; i < o->m.nhooks; i++) {
		if (missing[i]) {
			/* ignore.callNotFound: one policy for kernels with
			 * either of two functions; said once, when loaded */
			char what[600];
			tpl_hook_describe(&o->m.hooks[i], what, sizeof(what));
			tpl_warn("%s: hook %d (%s): not on this kernel: skipped (ignore.callNotFound)", o->path, i,
				 what);
			req.variant[i] = TPL_VARIANT_SKIPPED;
			continue;
		}
		if (choose_variant(o, i, mode, &req.variant[i]))
			goto out;
	}
	req.sites = calloc((size_t)(o->m.nhooks > 0 ? o->m.nhooks : 1), sizeof(*req.sites));
	if (!req.sites) {
		tpl_err("out of memory");
		goto out;
	}
	for (int i = 0; i < o->m.nhooks; i++)
		req.sites[i].fd = -1;
	for (int i = 0; i < o->m.nhooks; i++) {
		char desc[700], problem[4600];
		if (req.variant[i] == TPL_VARIANT_SKIPPED)
			continue;
		if (tpl_hook_open(&o->m.hooks[i], &req.sites[i], problem, sizeof(problem)) == 0)
			continue;
		tpl_hook_describe_variant(&o->m.hooks[i], req.variant[i], desc, sizeof(desc));
		tpl_err("%s: hook %d (%s): %s", o->path, i, desc, problem);
		goto out;
	}
	int share = shares_table(o);
	req.share_procs_fd = share ? shared.procs_fd : -1;
	req.attach_procs = !share || shared.procs_fd < 0;
	req.attach_pev = tpl_pev_wanted();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		tpl_err("%s: socketpair: %s", o->path, strerror(errno));
		goto out;
	}
	/* kernel stacks are symbolised from /proc/kallsyms: read it now (once
	 * per tp-load), before any hook fires, not in the first event's path */
	if (o->m.kernel_stacks) {
		tpl_ksyms_ready();
		tpl_stamp("%s: /proc/kallsyms read for kernel stacks", o->path);
	}
	tpl_stamp("%s: hooks chosen and opened", o->path);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		tpl_err("%s: fork: %s", o->path, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (pid == 0) {
		close(sv[0]);
		tpl_child_load(o, &req, sv[1]);
	}
	close(sv[1]);

	/* step 1: the whoami program; tp-load runs it, then says go */
	n = tpl_recv_fds(sv[0], &msg, sizeof(msg), fds, 1, msg_fds, answer_ms());
	if (n != 1 || msg.step != 1) {
		if (n > 0)
			close(fds[0]);
		report_child(o, pid, n);
		close(sv[0]);
		goto out;
	}
	tpl_stamp("%s: programs loaded (child's step 1)", o->path);
	int ok = register_loader(o, fds[0]) == 0;
	close(fds[0]);
	struct tpl_load_go go = { .go = 'g' };
	tpl_host_ns(go.host_ns); /* read in tp-load, once: it says when it cannot */
	if (!ok || send(sv[0], &go, sizeof(go), MSG_NOSIGNAL) != sizeof(go)) {
		close(sv[0]);
		report_child(o, pid, -1);
		goto out;
	}
	/* step 2: what tp-load keeps of the object */
	n = tpl_recv_fds(sv[0], &msg, sizeof(msg), fds, TPL_MSG_MAPS + TPL_MAX_LINKS + 2, msg_fds, answer_ms());
	close(sv[0]);
	tpl_stamp("%s: hooks on (child's step 2)", o->path);
	report_child(o, pid, n);
	if (n < 0 || msg.step != 2)
		goto out;
	if (msg.nstacks)
		o->stacks_fd = fds[TPL_MSG_MAPS + msg.nlinks];
	if (msg.nmissed)
		o->missed_fd = fds[TPL_MSG_MAPS + msg.nlinks + msg.nstacks];
	o->events_fd = fds[0];
	o->lost_fd = fds[1];
	o->fds_fd = fds[3];
	/* the process events' ring and programs: tp-load's from now on */
	int first_hook = msg.nproc_links + msg.npev_links;
	if (req.attach_pev && msg.npev_links == TPL_NPEV_PROGS) {
		if (tpl_pev_adopt(o->path, fds[4], fds[5], fds + TPL_MSG_MAPS + msg.nproc_links, msg.npev_links)) {
			for (int i = 0; i < msg.nlinks; i++)
				close(fds[TPL_MSG_MAPS + i]);
			close(fds[2]);
			goto out;
		}
	} else {
		close(fds[4]);
		close(fds[5]);
		for (int i = 0; i < msg.npev_links; i++)
			close(fds[TPL_MSG_MAPS + msg.nproc_links + i]);
	}
	if (req.attach_procs && share) { /* the first sharing object: its table is everyone's */
		shared.procs_fd = fds[2];
		memcpy(shared.links, fds + TPL_MSG_MAPS, sizeof(int) * (size_t)msg.nproc_links);
		shared.nlinks = msg.nproc_links;
		o->procs_fd = dup(fds[2]);
	} else {
		o->procs_fd = fds[2];
		memcpy(o->proc_links, fds + TPL_MSG_MAPS, sizeof(int) * (size_t)msg.nproc_links);
		o->nproc_links = msg.nproc_links;
	}
	o->links = malloc(sizeof(int) * (size_t)(msg.nlinks - first_hook + 1));
	if (!o->links) {
		for (int i = first_hook; i < msg.nlinks; i++)
			close(fds[TPL_MSG_MAPS + i]);
		tpl_err("out of memory");
		goto out;
	}
	for (int i = first_hook; i < msg.nlinks; i++)
		o->links[o->nlinks++] = fds[TPL_MSG_MAPS + i];
	/* new tables: processes that predate tp-load go in now, both the
	 * object's and tp-load's own (when this object brought the process
	 * events) from one walk of /proc: both sets of programs are attached,
	 * so what changes from here on is the kernel's to record */
	int pcache = tpl_pev_seed_begin();
	if (req.attach_procs && o->m.seed_procs) {
		int seeded = tpl_seed_procs(o->procs_fd, &o->m, pcache);
		tpl_stamp("%s: process table%s seeded: %d entries, %d processes as the previous walk read them", o->path,
			  pcache ? "s (tp-load's and the object's, one /proc walk)" : "", seeded, tpl_seed_reused());
	} else if (pcache) {
		tpl_seed_pcache();
		tpl_stamp("tp-load's process table seeded from /proc");
	}
	*nhooks += msg.nhooks;
	rc = 0;
out:
	for (int i = 0; req.sites && i < o->m.nhooks; i++)
		tpl_hook_close(&req.sites[i]);
	free(req.sites);
	free(req.variant);
	free(missing);
	return rc;
}

int tpl_obj_proc_links(const struct tpl_obj *o, const int **links)
{
	if (o->nproc_links) {
		*links = o->proc_links;
		return o->nproc_links;
	}
	*links = shared.links;
	return shares_table(o) ? shared.nlinks : 0;
}

/* Sum over CPUs of a per-CPU array[1] of u64 counters (tpc_lost, tpc_missed). */
static unsigned long long percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	tpc_u32 key = 0;
	tpc_u64 *v;

	if (fd < 0 || ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(fd, &key, v) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

unsigned long long tpl_obj_lost(const struct tpl_obj *o)
{
	return percpu_sum(o->lost_fd);
}

unsigned long long tpl_obj_missed(const struct tpl_obj *o)
{
	return percpu_sum(o->missed_fd);
}

void tpl_obj_detach(struct tpl_obj *o)
{
	/* hooks were attached last: detach them first, so that process
	 * tracking stays until no hook can fire */
	for (int i = o->nlinks - 1; i >= 0; i--)
		close(o->links[i]);
	free(o->links);
	o->links = NULL;
	o->nlinks = 0;
	for (int i = o->nproc_links - 1; i >= 0; i--)
		close(o->proc_links[i]);
	o->nproc_links = 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void tpl_obj_close(struct tpl_obj *o)
{
	tpl_obj_detach(o);
	close_fd(&o->events_fd);
	close_fd(&o->lost_fd);
	close_fd(&o->procs_fd);
	close_fd(&o->fds_fd);
	close_fd(&o->stacks_fd);
	close_fd(&o->missed_fd);
	tpc_manifest_free(&o->m);
	free(o->image);
	o->image = NULL;
}
