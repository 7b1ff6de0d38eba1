/* check_return_actions.c: matchReturnActions (BEYOND-THE-SEED 7d). They
 * run in the return half of a hook that reports at return, after the
 * selector's matchReturnArgs matched: only actions that still mean
 * something once the call is over are accepted (Post, NoPost, Sigkill,
 * Signal, TrackSock/UntrackSock of the returned sock, GetUrl, DnsLookup).
 * The generic per-action rules (argSig, argUrl, kill-all, ...) are
 * check_actions.c's; this file owns what differs at return. */
#include "check.h"

/* TrackSock/UntrackSock at return: argSock 0 is the return value, which
 * returnArg must type as a sock or socket, or as a 64-bit integer (the
 * pointer as returnArgAction takes it). */
static void check_return_sock(const struct policy *p, const struct hook *h, const struct action *a, struct diags *d)
{
	if (!a->has_arg_sock)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "missing-key",
			 "%s in matchReturnActions needs argSock: 0 (the return value)", a->name);
	else if (a->arg_sock != 0)
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "return-actions",
			 "%s argSock %d in matchReturnActions: at return only the return value (argSock 0) can be tracked",
			 a->name, a->arg_sock);
	else if (!h->has_return_arg || (h->return_arg.type != AT_SOCK && h->return_arg.type != AT_SOCKET &&
					 h->return_arg.type != AT_UINT64 && h->return_arg.type != AT_INT64))
		diag_add(d, p->file, a->kind_pos, SEV_ERROR, "return-actions",
			 "%s in matchReturnActions needs a returnArg of type sock, socket or uint64 (the returned "
			 "pointer)",
			 a->name);
}

/* Whether an action of matchReturnActions is refused (and why). */
static const char *refused_at_return(enum action_kind k)
{
	switch (k) {
	case ACT_OVERRIDE:
		return "the call has already returned: Override must act at its entry (put it in matchActions of a hook "
		       "without return: true)";
	case ACT_FOLLOWFD:
	case ACT_UNFOLLOWFD:
	case ACT_COPYFD:
		return "fd tracking is not a return action (in matchActions of a return hook it runs at return already, "
		       "argFd naming returnArg's index takes the returned fd)";
	case ACT_NOTIFYENFORCER:
	case ACT_CLEANUPENFORCERNOTIFICATION:
		return "it is not a return action in Tetragon: put it in matchActions (a hook with return: true runs "
		       "those at return)";
	case ACT_UNKNOWN: /* refused by the parser already */
	case ACT_OTHER:
	case ACT_COUNT:
	case ACT_POST:
	case ACT_NOPOST:
	case ACT_SIGKILL:
	case ACT_SIGNAL:
	case ACT_TRACKSOCK:
	case ACT_UNTRACKSOCK:
	case ACT_GETURL:
	case ACT_DNSLOOKUP: return NULL;
	}
	return NULL;
}

void check_return_actions(const struct policy *p, const struct hook *h, struct diags *d)
{
	for (int j = 0; j < h->nselectors; j++) {
		const struct selector *s = &h->selectors[j];
		bool told = false;
		for (int k = 0; k < s->nactions; k++) {
			const struct action *a = &s->actions[k];
			if (!a->at_return)
				continue;
			if (!h->is_return) {
				if (!told)
					diag_add(d, p->file, a->pos, SEV_ERROR, "return-actions",
						 "matchReturnActions needs a return probe (return: true)");
				told = true;
				continue;
			}
			const char *why = refused_at_return(a->kind);
			if (why)
				diag_add(d, p->file, a->kind_pos, SEV_ERROR, "return-actions",
					 "%s in matchReturnActions: %s", a->name, why);
			if (a->kind == ACT_TRACKSOCK || a->kind == ACT_UNTRACKSOCK)
				check_return_sock(p, h, a, d);
		}
	}
}

/* Actions check_actions.c and check_support.c leave to this file. */
bool return_action_checked_here(const struct action *a)
{
	return a->at_return && (a->kind == ACT_TRACKSOCK || a->kind == ACT_UNTRACKSOCK || refused_at_return(a->kind));
}
