/* attach.h: one tpc object: open it, choose and load its programs, fill
 * its config and process maps, attach, and tear it all down. */
#ifndef TPL_ATTACH_H
#define TPL_ATTACH_H

#include <bpf/libbpf.h>

#include "manifest.h"

/* --attach: auto (per hook, the first variant of its programs this
 * kernel can attach), or one variant (an enum tpc_prog_variant) for every
 * hook that has it. */
#define TPL_ATTACH_AUTO (-1)
typedef int tpl_attach_mode;

/* How often the poll loops look at the ring buffers without a wakeup:
 * the kernel side wakes tp-load only once 64 KiB of events piled up
 * (runtime-bpf TPC_WAKEUP_BYTES), so this bounds how late a lone event
 * is printed. */
#define TPL_POLL_MS 10

/* Ring buffer bytes per object (--ring-buffer); 0 keeps the object's own
 * (runtime-bpf TPC_RINGBUF_BYTES). A power of two, at least a page. */
extern unsigned long tpl_ringbuf_bytes;

/* --require-digest: tpl_obj_open checks OBJ.sha256 against the bytes it
 * read, before parsing or loading them. */
extern int tpl_require_digest;

struct tpl_obj {
	const char *path;
	void *image; /* the object file's bytes, read once */
	size_t image_len;
	struct tpc_manifest m;
	struct bpf_object *obj;
	struct bpf_link **links;
	int nlinks;
	int events_fd, lost_fd;
	unsigned long long malformed; /* records dropped by the decoder */
};

/* Check the kernel features objects need: BTF, and when need_tracefs,
 * tracefs (mounting it when missing).  Prints the problem, returns -1. */
int tpl_check_kernel(int need_tracefs);

/* Read the manifest, refuse an object built for another architecture,
 * open the BPF object, check its maps and programs against the manifest.
 * Errors are printed. */
int tpl_obj_open(struct tpl_obj *o, const char *path);

/* Choose one variant of programs per hook (mode), load only those,
 * write tpc_config, attach the process tracking programs, seed tpc_procs,
 * attach the hooks (each program at its own ELF section).  Adds the number of
 * hooks attached to *nhooks.  Errors are printed. */
int tpl_obj_start(struct tpl_obj *o, tpl_attach_mode mode, int *nhooks);

/* Sum over CPUs of tpc_lost[0]. */
unsigned long long tpl_obj_lost(const struct tpl_obj *o);

/* Detach every hook and the process tracking programs; the object stays
 * loaded, so its ring buffer can still be drained and tpc_lost read with
 * nothing new arriving.  Idempotent. */
void tpl_obj_detach(struct tpl_obj *o);

/* Detach and free everything (safe on a partly opened object). */
void tpl_obj_close(struct tpl_obj *o);

#endif
