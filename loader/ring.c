/* ring.c: see ring.h.
 *
 * The ring buffer ABI (kernel/bpf/ringbuf.c): page 0 of the map holds the
 * consumer position (the only page user space may map writable), page 1
 * the producer position, and the data area of max_entries bytes (a power
 * of 2, a multiple of the page size) follows. Positions only grow; a
 * record starts at pos & mask with an 8-byte header whose first word is
 * the length plus two flags (busy: still being written; discard: skip),
 * and takes the length plus the header rounded up to 8 bytes. A header
 * never wraps (8-byte aligned, the area a multiple of 8); a body may.
 *
 * The kernel maps the data pages twice in a row in its own address space
 * and lets user space map any page range of that, so a window of the data
 * area may run past its end: a record that wraps reads contiguously in
 * it. Only the window is mapped, and moved on as the consumer advances:
 * WINDOW bytes resident per ring instead of the whole area. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "ring.h"

/* Bytes of a ring's data area mapped at a time (more while a longer record
 * is read). A move is two system calls per WINDOW bytes read: about 1,600
 * a second at 100 MB/s of events. */
#define WINDOW (64 * 1024)

struct ring {
	tpl_ring_fn fn;
	void *ctx;
	int fd;
	uint64_t *cons; /* the consumer page, read-write */
	uint64_t *prod; /* the producer page, read-only */
	size_t mask;    /* data area size - 1 */
	size_t page;
	unsigned char *win; /* the window, read-only: data bytes [off, off + len) */
	size_t win_off, win_len;
};

struct tpl_rings {
	int epfd;
	struct ring **v;
	int n;
	struct epoll_event *evs;
};

struct tpl_rings *tpl_rings_new(void)
{
	struct tpl_rings *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rs->epfd < 0) {
		int e = errno;
		free(rs);
		errno = e;
		return NULL;
	}
	return rs;
}

static void ring_unmap(struct ring *r)
{
	if (r->cons)
		munmap(r->cons, r->page);
	if (r->prod)
		munmap(r->prod, r->page);
	if (r->win)
		munmap(r->win, r->win_len);
	free(r);
}

int tpl_rings_add(struct tpl_rings *rs, int map_fd, tpl_ring_fn fn, void *ctx)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct ring *r, **v;
	struct epoll_event *evs;
	void *p;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	v = realloc(rs->v, sizeof(*v) * (size_t)(rs->n + 1));
	if (!v)
		return -ENOMEM;
	rs->v = v;
	evs = realloc(rs->evs, sizeof(*evs) * (size_t)(rs->n + 1));
	if (!evs)
		return -ENOMEM;
	rs->evs = evs;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = map_fd;
	r->fn = fn;
	r->ctx = ctx;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->mask = (size_t)info.max_entries - 1;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	r->cons = p;
	/* the data area comes in windows, when read: see ring.h */
	p = mmap(NULL, r->page, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (p == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	r->prod = p;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)rs->n };
	if (epoll_ctl(rs->epfd, EPOLL_CTL_ADD, map_fd, &ev)) {
		err = -errno;
		goto fail;
	}
	rs->v[rs->n++] = r;
	return 0;
fail:
	ring_unmap(r);
	return err;
}

/* The data bytes [off, off + len) (off inside the area, len at most its
 * size), mapped: the window, moved when they are not all in it. NULL with
 * the window unmapped when the kernel refuses the mapping. */
static unsigned char *at(struct ring *r, size_t off, size_t len)
{
	size_t size = r->mask + 1;
	if (r->win && off >= r->win_off && off + len <= r->win_off + r->win_len)
		return r->win + (off - r->win_off);
	if (r->win)
		munmap(r->win, r->win_len);
	r->win = NULL;
	size_t start = off & ~(r->page - 1);
	size_t want = (off - start + len + r->page - 1) & ~(r->page - 1);
	size_t n = WINDOW > size ? size : WINDOW;
	if (n < want)
		n = want;
	if (start + n > 2 * size) /* the kernel's double mapping ends there */
		n = 2 * size - start;
	/* pages 0 and 1 are the positions, the data's page k is page 2 + k */
	void *p = mmap(NULL, n, PROT_READ, MAP_SHARED, r->fd, (off_t)(2 * r->page + start));
	if (p == MAP_FAILED)
		return NULL;
	r->win = p;
	r->win_off = start;
	r->win_len = n;
	return r->win + (off - start);
}

/* Read what is committed: the number of records, or the callback's < 0. */
static int64_t ring_read(struct ring *r)
{
	uint64_t cons = __atomic_load_n(r->cons, __ATOMIC_ACQUIRE);
	int64_t n = 0;
	int again;

	do {
		again = 0;
		uint64_t prod = __atomic_load_n(r->prod, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			size_t off = (size_t)(cons & r->mask);
			uint32_t *hdr = (uint32_t *)at(r, off, BPF_RINGBUF_HDR_SZ);
			if (!hdr)
				return -errno;
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* holds back the records after it */
			again = 1;
			uint32_t size = len & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT;
			uint64_t next = cons + ((BPF_RINGBUF_HDR_SZ + size + 7) & ~(uint64_t)7);
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				unsigned char *d = at(r, off, BPF_RINGBUF_HDR_SZ + size);
				if (!d)
					return -errno;
				int err = r->fn(r->ctx, d + BPF_RINGBUF_HDR_SZ, size);
				cons = next;
				if (err < 0) {
					/* this record is read: move past it, then stop */
					__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
					return err;
				}
				n++;
			} else {
				cons = next;
			}
			/* room for the kernel as soon as a record is done */
			__atomic_store_n(r->cons, cons, __ATOMIC_RELEASE);
		}
	} while (again);
out:
	return n;
}

static int add_count(int64_t *total, int64_t got)
{
	if (got < 0)
		return (int)got;
	*total += got;
	return 0;
}

static int clamp(int64_t n)
{
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int tpl_rings_consume(struct tpl_rings *rs)
{
	int64_t total = 0;
	for (int i = 0; i < rs->n; i++) {
		int err = add_count(&total, ring_read(rs->v[i]));
		if (err)
			return err;
	}
	return clamp(total);
}

int tpl_rings_poll(struct tpl_rings *rs, int ms)
{
	int64_t total = 0;
	if (!rs->n) /* nothing to wait for but the time */
		return epoll_wait(rs->epfd, &(struct epoll_event){ 0 }, 1, ms) < 0 ? -errno : 0;
	int got = epoll_wait(rs->epfd, rs->evs, rs->n, ms);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got; i++) {
		uint32_t k = rs->evs[i].data.u32;
		if (k >= (uint32_t)rs->n)
			continue;
		int err = add_count(&total, ring_read(rs->v[k]));
		if (err)
			return err;
	}
	return clamp(total);
}

int tpl_rings_pending(const struct tpl_rings *rs)
{
	for (int i = 0; rs && i < rs->n; i++) {
		uint64_t c = __atomic_load_n(rs->v[i]->cons, __ATOMIC_ACQUIRE);
		uint64_t p = __atomic_load_n(rs->v[i]->prod, __ATOMIC_ACQUIRE);
		if (c != p)
			return 1;
	}
	return 0;
}

void tpl_rings_free(struct tpl_rings *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->n; i++)
		ring_unmap(rs->v[i]);
	free(rs->v);
	free(rs->evs);
	if (rs->epfd >= 0)
		close(rs->epfd);
	free(rs);
}
