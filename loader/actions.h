/* actions.h: the userspace actions of a policy (GetUrl, DnsLookup),
 * performed by a small pool of worker threads after their event arrives.
 *
 * The event stream never waits for an action: tpl_actions_submit() only
 * copies the action into a bounded queue (when the queue is full the action
 * is dropped and counted), and workers do the HTTP(S) GET (libcurl, with a
 * timeout) or the DNS lookup (getaddrinfo, the system resolver).  Every
 * attempt and its outcome is reported on stderr:
 *
 *   tp-load: GetUrl http://10.0.0.1/hit -> 200
 *   tp-load: GetUrl http://10.0.0.1/hit -> error: Timeout was reached
 *   tp-load: DnsLookup example.com -> 93.184.216.34, 2606:2800:220:1::
 *
 * and tpl_actions_finish() ends with a count of what was done, failed,
 * dropped or left unfinished: no action disappears silently.
 *
 * Only the main thread calls these functions. */
#ifndef TPL_ACTIONS_H
#define TPL_ACTIONS_H

#include <signal.h>

#include "event.h"

/* Seconds one action may take: curl's total timeout. */
#define TPL_ACTION_TIMEOUT_S 5
/* Workers, and actions that may wait for one. */
#define TPL_ACTION_WORKERS 4
#define TPL_ACTION_QUEUE 256

/* Queue every action record of m for the event's hook and selector (none
 * unless the event carries TPC_ACT_GETURL or TPC_ACT_DNSLOOKUP).  Starts
 * the workers on first use.  Never blocks. */
void tpl_actions_submit(const struct tpc_manifest *m, const struct tpc_ev *ev);

/* At exit: wait up to max_wait_s seconds (or until *abort becomes
 * non-zero) for queued and running actions, then report the counts on
 * stderr and free everything the workers no longer use.  Does nothing if
 * no action was ever submitted. */
void tpl_actions_finish(double max_wait_s, volatile sig_atomic_t *abort);

/* What the actions came to so far, for the metrics: c[0] GetUrl, c[1]
 * DnsLookup, each {succeeded, failed, dropped}. Any thread may call it. */
void tpl_actions_counts(unsigned long long c[2][3]);

#endif
