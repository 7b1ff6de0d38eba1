/* fdpass.h: file descriptors between processes (SCM_RIGHTS over a unix
 * socket): an object is loaded in a child process (attach.c), which hands
 * its maps, programs and links to tp-load. */
#ifndef TPL_FDPASS_H
#define TPL_FDPASS_H

#include <stddef.h>

/* Sends head (len bytes) with nfds fds (any number). 0, or -1. */
int tpl_send_fds(int sock, const void *head, size_t len, const int *fds, int nfds);

/* Receives a head of exactly len bytes and the fds that come with it:
 * count(head) says how many (at most max). Returns their number, -1 on
 * error, -2 when the whole of it did not come within timeout_ms (0: no
 * bound); nothing is kept open on failure. */
int tpl_recv_fds(int sock, void *head, size_t len, int *fds, int max, int (*count)(const void *head),
		 int timeout_ms);

#endif
