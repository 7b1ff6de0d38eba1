/* bpf_map_create: creates one small array map named NAME through the bpf
 * syscall (BPF_MAP_CREATE) and closes it, so that tests see the kernel's
 * map-creation hooks (security_bpf_map_alloc before 6.9,
 * security_bpf_map_create from 6.9) called by a process of their own.
 *   bpf_map_create NAME */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	union bpf_attr attr;
	if (argc < 2) {
		fprintf(stderr, "usage: bpf_map_create NAME\n");
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	strncpy(attr.map_name, argv[1], sizeof(attr.map_name) - 1);
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		perror("bpf(BPF_MAP_CREATE)");
		return 1;
	}
	close((int)fd);
	return 0;
}
