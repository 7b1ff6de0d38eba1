/* fdpass.c: see fdpass.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"

/* SCM_RIGHTS carries at most SCM_MAX_FD (253) fds a message. */
#define FDS_PER_MSG 200

static int send_one(int sock, const void *data, size_t len, const int *fds, int nfds)
{
	struct iovec iov = { (void *)data, len };
	union {
		char buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

int tpl_send_fds(int sock, const void *head, size_t len, const int *fds, int nfds)
{
	/* the head with the first fds, then the rest in chunks of one byte each */
	int first = nfds < FDS_PER_MSG ? nfds : FDS_PER_MSG;
	if (send_one(sock, head, len, fds, first))
		return -1;
	for (int at = first; at < nfds; at += FDS_PER_MSG) {
		char one = 0;
		int k = nfds - at < FDS_PER_MSG ? nfds - at : FDS_PER_MSG;
		if (send_one(sock, &one, 1, fds + at, k))
			return -1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Until sock has something to read: 0, or -2 once deadline (a monotonic
 * ms time; 0: none) has passed. Signals do not cut the wait short. */
static int wait_readable(int sock, long long deadline)
{
	for (;;) {
		int ms = -1;
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return -2;
			ms = left > 1000000000 ? 1000000000 : (int)left;
		}
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int n = poll(&p, 1, ms);
		if (n > 0)
			return 0; /* data, EOF or an error: recvmsg says which */
		if (n < 0 && errno != EINTR)
			return 0;
	}
}

/* Receives one message: its bytes into buf (len at most), its fds
 * appended to fds[*got..max). Returns the bytes read, -1 on error or EOF,
 * -2 when nothing came before deadline. */
static ssize_t recv_one(int sock, void *buf, size_t len, int *fds, int *got, int max, long long deadline)
{
	if (wait_readable(sock, deadline))
		return -2;
	struct iovec iov = { buf, len };
	union {
		char buf[CMSG_SPACE(FDS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int in[FDS_PER_MSG];
		memcpy(in, CMSG_DATA(c), (size_t)k * sizeof(int));
		for (int i = 0; i < k; i++) {
			if (*got < max)
				fds[(*got)++] = in[i];
			else
				close(in[i]); /* more than announced: not ours to keep */
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -1;
	return n;
}

int tpl_recv_fds(int sock, void *head, size_t len, int *fds, int max, int (*count)(const void *head),
		 int timeout_ms)
{
	int got = 0, timed_out = 0;
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	ssize_t n = recv_one(sock, head, len, fds, &got, max, deadline);
	timed_out = n == -2;
	if (n != (ssize_t)len)
		goto fail;
	int nfds = count(head);
	if (nfds < 0 || nfds > max)
		goto fail;
	while (got < nfds) {
		char one;
		n = recv_one(sock, &one, 1, fds, &got, nfds, deadline);
		timed_out = n == -2;
		if (n != 1)
			goto fail;
	}
	if (got != nfds)
		goto fail;
	return got;
fail:
	for (int i = 0; i < got; i++)
		close(fds[i]);
	return timed_out ? -2 : -1;
}
