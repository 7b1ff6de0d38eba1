/* check_actions.c: matchActions rules. An action's parameters must be
 * there and make sense; actions that hit every caller (Sigkill, Override
 * in a selector without filters) are flagged; Override only works where
 * the kernel allows error injection; FollowFD state needs an UnfollowFD. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* The kernel lists the functions Override may target here; debugfs is
 * often not mounted, and then we can only guess from the name. */
#define ERROR_INJECTION_LIST "/sys/kernel/debug/error_injection/list"

static const char *hook_name(const struct hook *h)
{
	return h->call ? h->call : h->event ? h->event : h->probe ? h->probe : h->path ? h->path : "the hook";
}

/* 1: on the list, 0: not on it, -1: the list cannot be read */
static int error_injection_listed(const char *func)
{
	FILE *f = fopen(ERROR_INJECTION_LIST, "r");
	if (!f)
		return -1;
	char line[256];
	int found = 0;
	size_t n = strlen(func);
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, func, n) && (line[n] == '\t' || line[n] == ' ' || line[n] == '\n');
	fclose(f);
	return found;
}

static void check_override(const struct policy *p, const struct hook *h, const struct selector *s,
			   const struct action *a, struct diags *d)
{
	if (!selector_has_filters(s))
		diag_add(d, p->file, a->kind_pos, SEV_WARNING, "kill-all",
			 "Override in a selector with no filters fails every call of %s", hook_name(h));
	if (!a->has_arg_error)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key",
			 "Override needs argError (the value the call returns, e.g. -1 for -EPERM)");
	else if (a->arg_error > 0)
		diag_add(d, p->file, a->kind_pos, SEV_WARNING, "override-error",
			 "argError %lld is positive; failing calls return a negative errno (e.g. -1 for -EPERM)",
			 a->arg_error);
	switch (h->kind) {
	case HOOK_KPROBE: break;
	case HOOK_LSM: /* the program's return value is the hook's verdict */
		if (a->has_arg_error && a->arg_error < -4095)
			diag_add(d, p->file, a->kind_pos, SEV_WARNING, "override-error",
				 "argError %lld is outside -4095..0: the lsm hook returns -1 (-EPERM) instead, as in Tetragon",
				 a->arg_error);
		return;
	case HOOK_FENTRY:
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "override-call",
			 "Override on a fentry: a trampoline cannot change %s's return value (Tetragon: enforcement is "
			 "not supported for fentry); use a kprobe",
			 hook_name(h));
		return;
	case HOOK_UPROBE:
	case HOOK_USDT: {
		char *what = hook_describe(h, -1);
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "override-call",
			 "Override needs a kprobe: tpc does not change the registers or return value of %s", what);
		free(what);
		return;
	}
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_KIND_COUNT:
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "override-call",
			 "Override needs a kprobe: the return value of tracepoint %s/%s cannot be changed",
			 h->subsystem ? h->subsystem : "?", hook_name(h));
		return;
	}
	if (h->syscall || !h->call)
		return; /* every syscall entry allows error injection */
	int listed = error_injection_listed(h->call);
	if (listed == 0)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "override-call",
			 "Override on %s: the function is not on the kernel's error-injection list (%s)", h->call,
			 ERROR_INJECTION_LIST);
	else if (listed < 0 && strncmp(h->call, "security_", 9))
		diag_add(d, p->file, a->kind_pos, SEV_WARNING, "override-call",
			 "Override on %s works only if the kernel allows error injection there (syscalls and "
			 "ALLOW_ERROR_INJECTION functions); %s cannot be read to tell",
			 h->call, ERROR_INJECTION_LIST);
}

/* FollowFD/CopyFD/UnfollowFD need their index keys; what the indexes
 * may point at is checked in check_support.c (where a return hook's
 * returnArg index names the return value). */
static void check_fd_args(const struct policy *p, const struct hook *h, const struct action *a, struct diags *d)
{
	(void)h;
	if (!a->has_arg_fd)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key", "%s needs argFd (the index of the fd arg)",
			 a->name);
	if (a->kind != ACT_UNFOLLOWFD && !a->has_arg_name)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key",
			 "%s needs argName (the index of the %s arg)", a->name,
			 a->kind == ACT_COPYFD ? "new fd" : "file name");
}

/* kernelStackTrace / userStackTrace: flags of a Post, reported where
 * Tetragon reports them (kprobe and fentry events); elsewhere Tetragon
 * accepts and ignores them (tracepoints, uprobes) or refuses them (lsm). */
static void check_stack(const struct policy *p, const struct hook *h, const struct action *a, struct diags *d)
{
	if (!a->kernel_stack && !a->user_stack)
		return;
	switch (h->kind) {
	case HOOK_KPROBE:
	case HOOK_FENTRY:
		if (!a->name || strcmp(a->name, "Post"))
			diag_add(d, p->file, a->stack_pos, SEV_ERROR, "stack-trace",
				 "kernelStackTrace or userStackTrace can only be used along Post action");
		return;
	case HOOK_LSM:
		diag_add(d, p->file, a->stack_pos, SEV_ERROR, "stack-trace",
			 "kernelStackTrace and userStackTrace are not supported on lsmhooks (Tetragon refuses them)");
		return;
	case HOOK_TRACEPOINT:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_UPROBE:
	case HOOK_USDT:
	case HOOK_KIND_COUNT:
		diag_add(d, p->file, a->stack_pos, SEV_WARNING, "stack-trace",
			 "kernelStackTrace and userStackTrace have no effect on %s: stacks are reported for kprobes "
			 "and fentries only (as Tetragon does)",
			 h->kind == HOOK_UPROBE ? "a uprobe" : h->kind == HOOK_USDT ? "a USDT" : "a tracepoint");
		return;
	}
}

static void check_action(const struct policy *p, const struct hook *h, const struct selector *s,
			 const struct action *a, struct diags *d)
{
	check_stack(p, h, a, d);
	switch (a->kind) {
	case ACT_SIGKILL:
		if (!selector_has_filters(s))
			diag_add(d, p->file, a->kind_pos, SEV_WARNING, "kill-all",
				 "Sigkill in a selector with no filters kills every caller of %s", hook_name(h));
		break;
	case ACT_SIGNAL:
		if (!a->has_arg_sig)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key", "Signal needs argSig (the signal number)");
		else if (a->arg_sig < 1 || a->arg_sig > 64)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "bad-value", "argSig %lld is not a signal number (1-64)",
				 a->arg_sig);
		else if (a->arg_sig == 9 && !selector_has_filters(s))
			diag_add(d, p->file, a->kind_pos, SEV_WARNING, "kill-all",
				 "Signal 9 in a selector with no filters kills every caller of %s", hook_name(h));
		break;
	case ACT_OVERRIDE: check_override(p, h, s, a, d); break;
	case ACT_FOLLOWFD:
	case ACT_UNFOLLOWFD:
	case ACT_COPYFD: check_fd_args(p, h, a, d); break;
	case ACT_GETURL:
		if (!a->arg_url || !*a->arg_url)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key", "GetUrl needs argUrl");
		break;
	case ACT_DNSLOOKUP:
		if (!a->arg_fqdn || !*a->arg_fqdn)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key", "DnsLookup needs argFqdn");
		break;
	case ACT_TRACKSOCK:
	case ACT_UNTRACKSOCK: {
		if (!a->has_arg_sock) {
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key",
				 "%s needs argSock (the slot of a sock or socket arg)", a->name);
			break;
		}
		const struct arg *sk = a->arg_sock < h->nargs ? &h->args[a->arg_sock] : NULL;
		if (!sk)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
				 "%s argSock %d names no slot: the hook has %d (args, then data)", a->name, a->arg_sock,
				 h->nargs);
		else if (arg_type_known(sk->type) && sk->type != AT_SOCK && sk->type != AT_SOCKET)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "action-arg",
				 "%s argSock %d is an arg of type %s, not a sock or socket", a->name, a->arg_sock,
				 sk->type_name);
		break;
	}
	case ACT_NOTIFYENFORCER:
		if (!p->has_enforcers)
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "notify-enforcer",
				 "NotifyEnforcer action specified, but spec contains no enforcers");
		if (a->has_arg_sig && (a->arg_sig < 0 || a->arg_sig > 64))
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "bad-value", "argSig %lld is not a signal number (1-64)",
				 a->arg_sig);
		if (a->has_arg_error && (a->arg_error < -32768 || a->arg_error > 65535))
			diag_add(d, p->file, a->kind_pos, SEV_WARNING, "override-error",
				 "argError %lld does not fit in 16 bits: the enforcer returns %d (Tetragon keeps 16 bits)",
				 a->arg_error, (int)(short)a->arg_error);
		/* fall through */
	case ACT_CLEANUPENFORCERNOTIFICATION:
		switch (h->kind) {
		case HOOK_KPROBE:
		case HOOK_TRACEPOINT: break;
		case HOOK_FENTRY:
			diag_add(d, p->file, a->kind_pos, SEV_ERROR, "unsupported",
				 "%s on a fentry: Tetragon refuses enforcement there (enforcement is not supported for "
				 "fentry yet); use a kprobe or a tracepoint",
				 a->name);
			break;
		case HOOK_RAW_TRACEPOINT:
		case HOOK_UPROBE:
		case HOOK_USDT:
		case HOOK_LSM: /* check_lsm.c refuses it */
		case HOOK_KIND_COUNT:
			if (h->kind != HOOK_LSM)
				diag_add(d, p->file, a->kind_pos, SEV_WARNING, "notify-enforcer",
					 "%s has no effect on a %s: it acts from kprobes and non-raw tracepoints only (as in "
					 "Tetragon)",
					 a->name, h->kind == HOOK_RAW_TRACEPOINT ? "raw tracepoint" : hook_kind_name(h->kind));
			break;
		}
		break;
	case ACT_UNKNOWN:
	case ACT_POST:
	case ACT_NOPOST:
	case ACT_OTHER:
	case ACT_COUNT: break;
	}
}

void check_actions(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		for (int k = 0; k < s->nactions; k++)
			if (!return_action_checked_here(&s->actions[k]))
				check_action(p, h, s, &s->actions[k], d);
	}
}

/* FollowFD fills a map that only UnfollowFD (on close) empties: without
 * one, entries of closed fds stay and later fds with the same number are
 * named after the wrong file. */
void check_policy_actions(const struct policy *p, struct diags *d)
{
	const struct action *follow = NULL;
	bool unfollow = false;
	for (int i = 0; i < p->nhooks; i++)
		for (int j = 0; j < p->hooks[i].nselectors; j++) {
			const struct selector *s = &p->hooks[i].selectors[j];
			for (int k = 0; k < s->nactions; k++) {
				if (s->actions[k].kind == ACT_FOLLOWFD && !follow && !s->actions[k].at_return)
					follow = &s->actions[k];
				unfollow |= s->actions[k].kind == ACT_UNFOLLOWFD;
			}
		}
	if (follow && !unfollow)
		diag_add(d, p->file, follow->kind_pos, SEV_WARNING, "followfd-unfollow",
			 "FollowFD without an UnfollowFD in this policy: fds closed and reused keep the old file's name "
			 "(add a hook on close with UnfollowFD)");
}
