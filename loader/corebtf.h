/* corebtf.h: the BTF an object's CO-RE relocations are computed against,
 * in its loading child. Parsing the 5-6 MB vmlinux BTF is most of
 * tp-load's start-up; the minimal BTF of an object (minbtf.h) is kept in
 * a cache, one file per kernel and object:
 *
 *   /var/cache/tpc/<kernel build id>-<object sha256>.core.btf
 *
 * (TPL_CORE_BTF_CACHE names another directory; "off" turns the minimal
 * BTF off). An entry is used only when the directory and the file are
 * root's and writable by no one else, the file is a regular file reached
 * without following a link, and its header names this kernel's build id
 * and BTF size, the object's digest, and the digest of the bytes that
 * follow. Anything else, any entry that is not right, a kernel without a
 * build id: the whole vmlinux BTF, as before (a broken entry is said and
 * made anew). A miss makes the entry from the vmlinux BTF and uses it. */
#ifndef TPL_COREBTF_H
#define TPL_COREBTF_H

#include <stddef.h>

#include "attach.h"

/* The path to give libbpf as btf_custom_path for object o (in path[],
 * /proc/self/fd/N of a memfd holding the minimal BTF; *fd is that memfd,
 * to close once the object is loaded), or NULL: relocate against the
 * kernel's own BTF (*fd = -1). */
const char *tpl_core_btf(const struct tpl_obj *o, char *path, size_t len, int *fd);

#endif
