/* procs.c: see procs.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "procs.h"
#include "tpc_abi.h"

/* ppid from /proc/<pid>/stat: the 4th field, after the ")" that ends the
 * comm (which may itself contain ")" and spaces). */
static int read_ppid(unsigned long pid, tpc_u32 *ppid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	unsigned long v;
	char state;
	if (!rp || sscanf(rp + 1, " %c %lu", &state, &v) != 2 || v > 0xffffffffUL)
		return -1;
	*ppid = (tpc_u32)v;
	return 0;
}

int tpl_seed_procs(int procs_fd)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct tpc_proc p;
		char path[64];
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		ssize_t n;

		if (!de->d_name[0] || *end || pid == 0 || pid > 0xffffffffUL)
			continue;
		memset(&p, 0, sizeof(p));
		if (read_ppid(pid, &p.ppid))
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/exe", pid);
		n = readlink(path, p.bin, sizeof(p.bin) - 1);
		if (n < 0)
			n = 0; /* kernel threads, or not allowed: no binary */
		p.bin[n] = '\0';
		tpc_u32 key = (tpc_u32)pid;
		if (bpf_map_update_elem(procs_fd, &key, &p, BPF_NOEXIST) == 0)
			count++;
	}
	closedir(d);
	return count;
}
