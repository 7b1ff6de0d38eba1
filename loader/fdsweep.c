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
	if (!o->obj)
		return 0;
	int fd = bpf_object__find_map_fd_by_name(o->obj, TPC_MAP_FDS);
	if (fd < 0)
		return 0;
	struct tpc_fd_key key, next, *dead = NULL;
	size_t ndead = 0, cap = 0;
	void *prev = NULL;
	/* collect first: deleting while walking can restart the walk */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (kill((pid_t)next.tgid, 0) == 0 || errno != ESRCH)
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
