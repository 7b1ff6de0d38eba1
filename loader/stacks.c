/* stacks.c: see stacks.h. */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ksyms.h"
#include "log.h"
#include "stacks.h"
#include "usyms.h"

int tpl_stack_addresses;

static struct tpl_stack kstack, ustack;
static unsigned long long failed[2]; /* kernel, user */

#define REPORTED_MAX 10 /* failures said one by one; then counted for the exit report */

static const char *put_str(struct tpl_stack *st, const char *s)
{
	size_t n = strlen(s);
	if (st->slen + n + 1 > sizeof(st->strs))
		return NULL;
	char *p = st->strs + st->slen;
	memcpy(p, s, n + 1);
	st->slen += n + 1;
	return p;
}

static void add_frame(struct tpl_stack *st, uint64_t addr, uint64_t off, const char *sym, const char *mod)
{
	struct tpl_frame *f = &st->f[st->n];
	f->address = addr;
	f->offset = off;
	f->symbol = put_str(st, sym);
	f->module = put_str(st, mod);
	if (f->symbol && f->module) /* else its strings did not fit: skipped */
		st->n++;
}

static const char *why(int err)
{
	switch (-err) {
	case EEXIST: return "its bucket of the stack map holds another stack (EEXIST)";
	case EFAULT: return "no stack could be walked (EFAULT)";
	case ENOMEM: return "the stack map is full (ENOMEM)";
	case ENOENT: return "the stack map has no such entry (ENOENT)";
	default: return strerror(-err);
	}
}

static void report(const char *objpath, const struct tpc_ev *ev, int user, int err)
{
	if (++failed[user] > REPORTED_MAX)
		return;
	tpl_warn("%s: hook %u, pid %u: the %s stack of an event is missing: %s%s", objpath, ev->h.hook, ev->h.pid,
		 user ? "user" : "kernel", why(err),
		 failed[user] == REPORTED_MAX ? " (further ones are counted, and said at exit)" : "");
}

/* The addresses of stack id into st->f (symbols still unset); the count,
 * or a negative errno. */
static int lookup(int map_fd, tpc_s32 id, uint64_t *addrs)
{
	if (id < 0)
		return id;
	if (map_fd < 0)
		return -ENOENT;
	tpc_u32 key = (tpc_u32)id;
	if (bpf_map_lookup_elem(map_fd, &key, addrs))
		return -errno;
	int n = 0;
	while (n < TPC_STACK_DEPTH && addrs[n]) /* the kernel zeroes what follows the last frame */
		n++;
	return n;
}

/* Empties st and fills addrs with the frames of stack id `id`: their
 * number, or a failure (reported, and kept in st->err for the printers). */
static int fetch(struct tpl_stack *st, int map_fd, tpc_s32 id, const char *objpath, const struct tpc_ev *ev,
		 int user, uint64_t *addrs)
{
	st->n = 0;
	st->slen = 0;
	int n = lookup(map_fd, id, addrs);
	st->err = n < 0 ? n : 0;
	if (n < 0)
		report(objpath, ev, user, n);
	return n;
}

static void kernel_stack(int map_fd, const char *objpath, const struct tpc_ev *ev)
{
	uint64_t addrs[TPC_STACK_DEPTH];
	int n = fetch(&kstack, map_fd, ev->h.kstack, objpath, ev, 0, addrs);
	for (int i = 0; i < n; i++) {
		struct tpl_ksym s;
		if (!tpl_ksym_find(addrs[i], &s))
			add_frame(&kstack, addrs[i], s.offset, s.name, s.module);
	}
}

static void user_stack(int map_fd, const char *objpath, const struct tpc_ev *ev)
{
	uint64_t addrs[TPC_STACK_DEPTH];
	int n = fetch(&ustack, map_fd, ev->h.ustack, objpath, ev, 1, addrs);
	if (n < 0)
		return;
	/* the process's mappings now: one that exited since loses its frames
	 * (Tetragon's too: user stacks are symbolised asynchronously) */
	struct tpl_umaps *m = tpl_umaps_read((pid_t)ev->h.pid, (pid_t)ev->h.tid);
	for (int i = 0; m && i < n; i++) {
		struct tpl_usym s;
		if (!tpl_usym_find(m, addrs[i], &s))
			add_frame(&ustack, addrs[i], s.offset, s.name, s.module);
	}
	tpl_umaps_free(m);
}

void tpl_stacks_resolve(int map_fd, const char *objpath, struct tpc_ev *ev)
{
	ev->kstack = ev->ustack = NULL;
	if (ev->h.actions & TPC_ACT_KSTACK) {
		kernel_stack(map_fd, objpath, ev);
		ev->kstack = &kstack;
	}
	if (ev->h.actions & TPC_ACT_USTACK) {
		user_stack(map_fd, objpath, ev);
		ev->ustack = &ustack;
	}
}

void tpl_stacks_report(void)
{
	for (int user = 0; user < 2; user++)
		if (failed[user] > REPORTED_MAX)
			tpl_warn("%llu %s stacks were missing from their events (the first %d were said)", failed[user],
				 user ? "user" : "kernel", REPORTED_MAX);
}

void tpl_stacks_free(void)
{
	tpl_ksyms_free();
	tpl_usyms_free();
}
