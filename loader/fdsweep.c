/* fdsweep.c: see fdsweep.h. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fdsweep.h"

int tpl_fd_sweep(const struct tpl_obj *o)
{
	int fd = o->fds_fd;
	if (fd < 0 || o->procs_fd < 0)
		return 0;
	struct tpc_fd_key key, next, *dead = NULL;
	size_t ndead = 0, cap = 0;
	void *prev = NULL;
	/* collect first: deleting while walking can restart the walk */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		/* gone from the process table: the process has exited (its
		 * tgid is the root pid namespace's, which kill() from a
		 * container could not test) */
		struct tpc_proc p;
		if (bpf_map_lookup_elem(o->procs_fd, &next.tgid, &p) == 0 || errno != ENOENT)
			continue;
		if (ndead == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct tpc_fd_key *n = realloc(dead, nc * sizeof(*n));
			if (!n)
				break;
			dead = n;
			cap = nc;
		}
		dead[ndead++] = next;
	}
	int removed = 0;
	for (size_t i = 0; i < ndead; i++)
		removed += bpf_map_delete_elem(fd, &dead[i]) == 0;
	free(dead);
	return removed;
}
