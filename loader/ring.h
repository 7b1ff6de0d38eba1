/* ring.h: reading BPF ring buffers (BPF_MAP_TYPE_RINGBUF), in place of
 * libbpf's ring_buffer.
 *
 * Why our own: the kernel fills in a ring buffer's whole mapping when it is
 * mapped (remap_vmalloc_range), so every mapped page is resident. libbpf
 * maps the data area twice, back to back, so that a record that wraps
 * reads contiguously: 2x the ring's size in RSS. Here the consumer page is
 * mapped read-write and the producer page read-only, as the ring buffer
 * ABI allows, and of the data area only a window around the records being
 * read (ring.c), moved on as they are.
 *
 * Same semantics as libbpf's: a set of rings polled through one epoll
 * descriptor; a callback returning < 0 stops the read and is returned;
 * discarded records are skipped; a record still being written (busy)
 * holds back those after it; the consumer position moves past each record
 * once its callback returned, so data is valid only during the call. */
#ifndef TPL_RING_H
#define TPL_RING_H

#include <stddef.h>

typedef int (*tpl_ring_fn)(void *ctx, void *data, size_t size);

struct tpl_rings;

/* An empty set, or NULL with errno set. */
struct tpl_rings *tpl_rings_new(void);

/* Map the ring buffer map_fd (the caller keeps the descriptor) and add it
 * to the set: 0 or -errno. */
int tpl_rings_add(struct tpl_rings *rs, int map_fd, tpl_ring_fn fn, void *ctx);

/* Wait up to ms for a ring to signal, then read the rings that did: the
 * number of records read, or -errno (-EINTR when a signal cut it short). */
int tpl_rings_poll(struct tpl_rings *rs, int ms);

/* Read every ring without waiting: the number of records read, or -errno. */
int tpl_rings_consume(struct tpl_rings *rs);

/* 1 when some ring holds a record not read yet (committed or still being
 * written), else 0. */
int tpl_rings_pending(const struct tpl_rings *rs);

/* Unmap the rings and free the set; NULL is fine. */
void tpl_rings_free(struct tpl_rings *rs);

#endif
