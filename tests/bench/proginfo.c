/* proginfo.c: one line per BPF program loaded in the kernel, for the
 * driver to pick rows from with awk (cheaper and steadier than bpftool
 * and jq between measurements).
 *
 *   tpc-bench-proginfo
 *
 * Prints: ID TYPE NAME RUN_TIME_NS RUN_CNT XLATED_INSNS JITED_BYTES VERIFIED_INSNS
 * TYPE is the kernel's enum bpf_prog_type number (5: tracepoint).
 * run_time_ns and run_cnt count only while kernel.bpf_stats_enabled is 1. */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	__u32 id = 0;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		int fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			printf("%u %u %s %llu %llu %u %u %u\n", info.id, info.type, info.name[0] ? info.name : "-",
			       (unsigned long long)info.run_time_ns, (unsigned long long)info.run_cnt,
			       info.xlated_prog_len / 8, info.jited_prog_len, info.verified_insns);
		close(fd);
	}
	return 0;
}
