/* notify.c: see notify.h.
 *
 * Written here rather than taken from libsystemd: the protocol is one
 * sendto(2) of a text datagram, and tp-load runs in containers and on
 * systems without systemd, where a libsystemd dependency would be dead
 * weight in the image and in the loader's attack surface. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un addr;
static socklen_t addr_len; /* 0: no NOTIFY_SOCKET */
static int sock = -1;
static int reported;
static unsigned long long watchdog_ns; /* half the interval; 0: none */
static unsigned long long watchdog_next;

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

void tpl_notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t n;

	if (path && (path[0] == '/' || path[0] == '@') && (n = strlen(path)) < sizeof(addr.sun_path)) {
		memset(&addr, 0, sizeof(addr));
		addr.sun_family = AF_UNIX;
		memcpy(addr.sun_path, path, n);
		if (path[0] == '@') /* the abstract namespace: a leading NUL, no terminator */
			addr.sun_path[0] = '\0';
		addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	} else if (path && *path) {
		tpl_warn("NOTIFY_SOCKET=%s: not a socket path; the service manager is not told when tp-load is ready",
			 path);
	}
	/* WATCHDOG_PID names the process the watchdog is for: not a child */
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	if (addr_len && usec && (!pid || strtol(pid, NULL, 10) == (long)getpid())) {
		unsigned long long us = strtoull(usec, NULL, 10);
		if (us > 0)
			watchdog_ns = us * 1000ull / 2;
	}
}

void tpl_notify(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (!addr_len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (sock < 0)
		sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock >= 0 && sendto(sock, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len) == n)
		return;
	if (!reported++)
		tpl_warn("telling the service manager (NOTIFY_SOCKET): %s", strerror(errno));
}

void tpl_notify_watchdog(void)
{
	if (!watchdog_ns)
		return;
	unsigned long long t = now_ns();
	if (t < watchdog_next)
		return;
	watchdog_next = t + watchdog_ns;
	tpl_notify("WATCHDOG=1");
}
