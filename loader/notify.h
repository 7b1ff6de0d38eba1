/* notify.h: the service manager's notification protocol (sd_notify(3)),
 * spoken directly: one datagram of "KEY=VALUE" lines to the AF_UNIX
 * socket NOTIFY_SOCKET names (a path, or "@name" in the abstract
 * namespace). Without NOTIFY_SOCKET every call does nothing.
 *
 * tp-load says READY=1 once every hook is attached (Type=notify units
 * start their dependents then), RELOADING=1 and READY=1 around a --dir
 * reload, STOPPING=1 when it begins to detach, STATUS= lines saying what
 * runs, and WATCHDOG=1 from its event loop when the unit has WatchdogSec=. */
#ifndef TPL_NOTIFY_H
#define TPL_NOTIFY_H

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID. Call once, early. */
void tpl_notify_init(void);

/* Sends the printf-formatted state ("READY=1\nSTATUS=...") as one
 * datagram. A failure is reported once on stderr, never fatal. */
void tpl_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From the event loops: WATCHDOG=1 at half the unit's watchdog interval
 * (cheap when it is not due). */
void tpl_notify_watchdog(void);

#endif
