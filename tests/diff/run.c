/* run.c: the C that tpc generated, compiled for the host against the shim
 * runtime (shim/) into a shared object, and fed events through its real
 * entry points: the kprobe program (a pt_regs whose first argument points
 * at the user's registers), the syscalls/sys_enter_X twin (the
 * tracepoint record), the policy tracepoint program (a record laid out
 * like the kernel's format file says), and for return hooks the
 * kretprobe or sys_exit_X twin after the entry. */
#include "model.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef int (*prog_fn)(void *ctx);

struct progs {
	prog_fn kprobe, twin, tp, kret, twin_ret, fentry, fexit, lsm;
	bool looked;
};

struct gen_so {
	void *dl;
	struct tpcd_env **envp;
	uint64_t (*fork_follow)(const struct tpc_proc *parent, uint32_t pid);
	struct progs progs[TPCD_MAX_HOOKS];
	struct tpcd_env *env;
};

static int run_cc(const char *c_path, const char *so_path, const char *repo, char **err)
{
	char *shim = xasprintf("-I%s/tests/diff/shim", repo);
	char *diff = xasprintf("-I%s/tests/diff", repo);
	char *rt = xasprintf("-I%s/runtime-bpf", repo);
	char *log = xasprintf("%s.log", so_path);
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	/* -O0: half the compile time of -O1 on these large always_inline
	 * bodies, and the same results (the C has one meaning) */
	char *argv[] = {(char *)cc, "-O0", "-fPIC", "-shared", "-w", shim, diff, rt, "-o", (char *)so_path,
			(char *)c_path, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, cc, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	if (!rc)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (rc || !WIFEXITED(status) || WEXITSTATUS(status)) {
		FILE *f = fopen(log, "r");
		char text[4096] = "";
		if (f) {
			size_t n = fread(text, 1, sizeof(text) - 1, f);
			text[n] = 0;
			fclose(f);
		}
		*err = xasprintf("%s failed on %s:\n%s", cc, c_path, text);
		rc = -1;
	}
	unlink(log);
	free(shim);
	free(diff);
	free(rt);
	free(log);
	return rc ? -1 : 0;
}

struct gen_so *gen_so_build(const char *c_path, const char *so_path, const char *repo, char **err)
{
	*err = NULL;
	if (run_cc(c_path, so_path, repo, err))
		return NULL;
	struct gen_so *so = xcalloc(1, sizeof(*so));
	so->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
	if (!so->dl) {
		*err = xasprintf("dlopen %s: %s", so_path, dlerror());
		free(so);
		return NULL;
	}
	so->envp = dlsym(so->dl, "tpcd_env");
	so->fork_follow = (uint64_t(*)(const struct tpc_proc *, uint32_t))dlsym(so->dl, "tpcd_fork_follow");
	if (!so->envp || !so->fork_follow) {
		*err = xasprintf("%s: the shim's tpcd_env or tpcd_fork_follow is missing", so_path);
		gen_so_close(so);
		return NULL;
	}
	so->env = xcalloc(1, sizeof(struct tpcd_env));
	*so->envp = so->env;
	return so;
}

void gen_so_close(struct gen_so *so)
{
	if (!so)
		return;
	if (so->dl)
		dlclose(so->dl);
	free(so->env);
	free(so);
}

static prog_fn sym(struct gen_so *so, int id, const char *what)
{
	char name[64];
	snprintf(name, sizeof(name), "tpc_h%d_%s", id, what);
	return (prog_fn)dlsym(so->dl, name);
}

static struct progs *progs_of(struct gen_so *so, int id)
{
	struct progs *p = &so->progs[id];
	if (!p->looked) {
		p->kprobe = sym(so, id, "kprobe");
		p->twin = sym(so, id, "twin");
		p->tp = sym(so, id, "tp");
		p->kret = sym(so, id, "kretprobe");
		p->twin_ret = sym(so, id, "twin_ret");
		p->fentry = sym(so, id, "fentry");
		p->fexit = sym(so, id, "fexit");
		p->lsm = sym(so, id, "lsm");
		p->looked = true;
	}
	return p;
}

/* A binary as the kernel records it: read with a _str helper into a
 * reused scratch slot, so bytes after its NUL are whatever was there. */
static void set_bin(struct tpc_proc *p, const char *bin, uint32_t seed)
{
	size_t n = strlen(bin);
	if (n > sizeof(p->bin) - 1)
		n = sizeof(p->bin) - 1;
	memcpy(p->bin, bin, n);
	p->bin[n] = 0;
	for (size_t i = n + 1; i < sizeof(p->bin); i++) {
		seed = seed * 1103515245u + 12345u;
		p->bin[i] = (char)(seed >> 16);
	}
	p->binlen = (uint32_t)n;
}

/* The process table entry of the caller: what it executed and had then,
 * and the follow bits the generated fork rule gives it when its
 * ancestors' forks are replayed, oldest first, through the shim's
 * tpcd_fork_follow (the kernel's fork program does the same at each
 * sched_process_fork). */
static void fill_proc(struct gen_so *so, const struct dev_event *e)
{
	struct tpcd_env *env = so->env;
	env->proc_known = e->proc_known;
	memset(&env->proc, 0, sizeof(env->proc));
	if (!e->proc_known)
		return;
	struct tpc_proc cur;
	memset(&cur, 0, sizeof(cur));
	for (int i = 0; i < e->nanc; i++) {
		set_bin(&cur, e->anc[i].bin, e->anc[i].pid);
		memset(&env->task, 0, sizeof(env->task));
		env->task.tgid = env->task.tid = e->anc[i].pid;
		env->task.nspid = e->anc[i].nspid;
		cur.follow |= so->fork_follow(&cur, e->anc[i].pid);
	}
	struct tpc_proc *p = &env->proc;
	p->follow = cur.follow;
	p->ppid = e->nanc ? e->anc[e->nanc - 1].pid : 1;
	set_bin(p, e->bin, e->task.tgid);
	memcpy(p->ns, e->exec_ns, sizeof(p->ns));
	memcpy(p->caps, e->exec_caps, sizeof(p->caps));
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void gen_so_run(struct gen_so *so, int id, const struct policy *p, const struct dev_event *e, uint32_t garbage,
		struct dev_outcome *out)
{
	struct tpcd_env *env = so->env;
	const struct hook *h = &p->hooks[e->hook];
	memset(out, 0, sizeof(*out));
	memset(&env->out, 0, sizeof(env->out));
	env->stash[id].valid = 0;
	env->garbage = garbage;
	fill_proc(so, e);
	env->task = e->task;
	memset(&env->cfg, 0, sizeof(env->cfg));
	env->loader_tgid = e->loader_tgid;
	memcpy(env->cfg.host_ns, e->host_ns, sizeof(env->cfg.host_ns));
	env->nregions = 0;
	for (int k = 0; k < 6; k++)
		if (e->mem[k]) {
			env->regions[env->nregions].p = e->mem[k];
			env->regions[env->nregions].len = e->memlen[k];
			env->nregions++;
		}
	env->nkobjs = 0;
	for (int k = 0; k < 6; k++)
		if (e->kpath[k]) {
			env->kobjs[env->nkobjs].p = e->kpath[k];
			env->kobjs[env->nkobjs].path = e->kpath[k];
			env->nkobjs++;
		}
	env->nfds = e->nfds;
	for (int k = 0; k < e->nfds; k++) {
		env->fds[k].fd = e->fd[k];
		env->fds[k].path = e->fdpath[k];
	}
	struct progs *pr = progs_of(so, id);
	prog_fn need[3] = {h->kind == HOOK_TRACEPOINT ? pr->tp : e->via_twin ? pr->twin : pr->kprobe,
			   h->is_return ? (e->via_twin ? pr->twin_ret : pr->kret) : pr->kprobe, NULL};
	if (h->kind == HOOK_FENTRY) {
		need[0] = pr->fentry;
		need[1] = h->is_return ? pr->fexit : pr->fentry;
	} else if (h->kind == HOOK_LSM) {
		need[0] = need[1] = pr->lsm;
	}
	if (!need[0] || (h->kind != HOOK_TRACEPOINT && !need[1])) {
		fprintf(stderr, "diffcheck: the generated object has no program for hook %d (%s)\n", id,
			h->kind != HOOK_TRACEPOINT ? h->call : h->event);
		exit(2);
	}
	if (h->kind == HOOK_FENTRY || h->kind == HOOK_LSM) {
		/* a BTF-typed program: a u64 per parameter, or for a syscall
		 * fentry the wrapper's one parameter, the user's registers */
		struct pt_regs_host {
			unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs,
				flags, sp, ss;
		} user = {0};
		unsigned long long ctx[6] = {0};
		if (h->syscall) {
			user.di = e->raw[0];
			user.si = e->raw[1];
			user.dx = e->raw[2];
			user.r10 = e->raw[3];
			user.r8 = e->raw[4];
			user.r9 = e->raw[5];
			ctx[0] = (unsigned long long)(uintptr_t)&user;
		} else {
			for (int k = 0; k < 5; k++)
				ctx[k] = e->raw[k];
		}
		need[0](ctx);
		if (h->is_return) {
			env->func_ret = e->ret;
			need[1](ctx);
		}
	} else if (h->kind == HOOK_KPROBE && !e->via_twin) {
		struct pt_regs_host {
			unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs,
				flags, sp, ss;
		} user = {0}, ctx = {0}, rc = {0};
		if (h->syscall) { /* the wrapper's argument: the user's registers */
			user.di = e->raw[0];
			user.si = e->raw[1];
			user.dx = e->raw[2];
			user.r10 = e->raw[3];
			user.r8 = e->raw[4];
			user.r9 = e->raw[5];
			ctx.di = (unsigned long)(uintptr_t)&user;
		} else { /* a kernel function: its arguments in the calling convention's registers */
			ctx.di = e->raw[0];
			ctx.si = e->raw[1];
			ctx.dx = e->raw[2];
			ctx.cx = e->raw[3];
			ctx.r8 = e->raw[4];
		}
		pr->kprobe(&ctx);
		if (h->is_return) {
			rc.ax = (unsigned long)e->ret;
			pr->kret(&rc);
		}
	} else if (h->kind == HOOK_KPROBE) {
		struct {
			unsigned short type;
			unsigned char flags, preempt;
			int pid;
			long id;
			unsigned long args[6];
		} rec = {0};
		struct {
			unsigned short type;
			unsigned char flags, preempt;
			int pid;
			long id;
			long ret;
		} ret = {0};
		memcpy(rec.args, e->raw, sizeof(rec.args));
		pr->twin(&rec);
		if (h->is_return) {
			ret.ret = e->ret;
			pr->twin_ret(&ret);
		}
	} else if (dev_rich(h)) {
		/* the record is kernel memory the program may read strings from */
		static unsigned char rec[DEV_REC];
		memcpy(rec, e->rec, DEV_REC);
		env->regions[env->nregions].p = rec;
		env->regions[env->nregions].len = DEV_REC;
		env->nregions++;
		pr->tp(rec);
	} else {
		unsigned char rec[512] = {0};
		int nf = 0;
		const struct tp_field *f = dev_tp_fields(h->subsystem, h->event, &nf);
		for (int i = 5; i < nf && i < 11; i++)
			if (f[i].offset >= 0 && f[i].size > 0 && f[i].offset + f[i].size <= (int)sizeof(rec))
				memcpy(rec + f[i].offset, &e->raw[i - 5], (size_t)f[i].size); /* little-endian */
		pr->tp(rec);
	}
	out->posted = env->out.submitted > 0;
	if (out->posted) {
		out->sel = env->out.sel;
		out->act = env->out.act;
	}
	out->nsig = env->out.nsignals < TPCD_MAX_SIGNALS ? env->out.nsignals : TPCD_MAX_SIGNALS;
	memcpy(out->sig, env->out.signals, sizeof(out->sig));
	qsort(out->sig, (size_t)out->nsig, sizeof(int), cmp_int);
}
