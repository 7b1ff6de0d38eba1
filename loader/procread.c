/* procread.c: see procread.h. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procread.h"

/* /proc/<pid>/ns/<name> for each TPC_NS_* index */
static const char *const ns_files[TPC_NS_COUNT] = {
	"ns/uts", "ns/ipc", "ns/mnt", "ns/pid", "ns/pid_for_children", "ns/net", "ns/time", "ns/time_for_children",
	"ns/cgroup", "ns/user",
};

static int ns_at(int dfd, tpc_u32 ns[TPC_NS_COUNT])
{
	int got = 0;
	for (int i = 0; i < TPC_NS_COUNT; i++) {
		struct stat st;
		ns[i] = fstatat(dfd, ns_files[i], &st, 0) ? 0 : (tpc_u32)st.st_ino;
		got += ns[i] != 0;
	}
	return got;
}

int tpl_read_ns(const char *pid, tpc_u32 ns[TPC_NS_COUNT])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s", pid);
	int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		memset(ns, 0, sizeof(tpc_u32) * TPC_NS_COUNT);
		return 0;
	}
	int got = ns_at(dfd, ns);
	close(dfd);
	return got;
}

/* Up to cap bytes of a /proc file into buf, NUL-terminated; its length,
 * or -1 when it cannot be opened or read. The files read here (seq_file
 * ones, cmdline, loginuid) fill a read as far as they have bytes: a short
 * read is their end, and saves the read(2) that would return 0. */
static ssize_t read_small(int dfd, const char *what, char *buf, size_t cap)
{
	int fd = openat(dfd, what, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	ssize_t r = 0;
	while (len < cap - 1 && (r = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)r;
		if ((size_t)r < cap - 1 - (len - (size_t)r))
			break;
	}
	close(fd);
	if (r < 0 && !len)
		return -1;
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The whole of a /proc file of at most TPC_BUF_MAX bytes (as the kernel
 * side reads at most; more reads as TPC_BUF_MAX, which the caller sees as
 * cut), malloc'd and NUL-terminated. NULL when it cannot be read. */
static char *read_buf(int dfd, const char *what, size_t *n)
{
	char *buf = malloc(TPC_BUF_MAX + 1);
	if (!buf)
		return NULL;
	ssize_t len = read_small(dfd, what, buf, TPC_BUF_MAX + 1);
	if (len < 0) {
		free(buf);
		return NULL;
	}
	*n = (size_t)len;
	return buf;
}

/* Fields 4 (ppid) and 22 (start time, in clock ticks) of /proc/PID/stat;
 * both follow the ")" that ends the comm, which may itself hold ")" and
 * spaces. */
static int read_stat(int dfd, struct tpl_proc_read *r)
{
	char buf[1024];
	if (read_small(dfd, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	char *rp = strrchr(buf, ')');
	if (!rp)
		return -1;
	unsigned long v;
	char state;
	if (sscanf(rp + 1, " %c %lu", &state, &v) != 2 || v > 0xffffffffUL)
		return -1;
	r->ppid = (tpc_u32)v;
	/* after ")": field 3 is the state; start time is field 22 */
	int field = 2;
	for (char *c = rp + 1; *c; c++)
		if (*c == ' ' && ++field == 22) {
			r->ticks = strtoull(c + 1, NULL, 10);
			return 0;
		}
	return -1;
}

/* The lines of /proc/PID/status the tables use, from one read (its
 * Groups: line can be long: 8 KB holds what comes before NSpid: for any
 * plausible process, and a cut line only loses what follows). */
static int read_status(int dfd, struct tpl_proc_read *r)
{
	char buf[8192];
	if (read_small(dfd, "status", buf, sizeof(buf)) <= 0)
		return -1;
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1; /* the last, cut line: then stop */
		char *v = strchr(line, ':');
		if (!v || v > nl)
			continue;
		v++;
		size_t klen = (size_t)(v - line);
		if (klen == 7 && !memcmp(line, "CapEff:", 7))
			r->caps[0] = strtoull(v, NULL, 16);
		else if (klen == 7 && !memcmp(line, "CapInh:", 7))
			r->caps[1] = strtoull(v, NULL, 16);
		else if (klen == 7 && !memcmp(line, "CapPrm:", 7))
			r->caps[2] = strtoull(v, NULL, 16);
		else if (klen == 5 && !memcmp(line, "PPid:", 5))
			r->ppid = (tpc_u32)strtoul(v, NULL, 10);
		else if (klen == 4 && !memcmp(line, "Uid:", 4)) {
			char *e;
			strtoul(v, &e, 10); /* the real uid, then the effective */
			r->euid = (tpc_u32)strtoul(e, NULL, 10);
		} else if (klen == 6 && !memcmp(line, "NSpid:", 6)) {
			char *last = nl; /* the innermost: the last number of the line */
			while (last > v && last[-1] != '\t' && last[-1] != ' ')
				last--;
			r->nspid = (tpc_u32)strtoul(last, NULL, 10);
		}
		if (!nl[0] || !nl[1])
			break;
	}
	return 0;
}

int tpl_proc_open(const char *pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s", pid);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void tpl_proc_init(struct tpl_proc_read *r, tpc_u32 pid)
{
	memset(r, 0, offsetof(struct tpl_proc_read, exe));
	r->pid = r->nspid = pid;
	r->auid = 0xffffffff;
	r->exe[0] = r->cwd[0] = '\0';
	r->exe_len = 0;
	r->cwd_len = -1;
	r->argv = r->cgroup = NULL;
	r->argv_len = r->cgroup_len = 0;
}

int tpl_proc_read(int dfd, unsigned what, struct tpl_proc_read *r)
{
	if ((what & TPL_READ_STAT) && read_stat(dfd, r))
		return -1;
	if (what & TPL_READ_EXE) {
		ssize_t len = readlinkat(dfd, "exe", r->exe, sizeof(r->exe) - 1);
		r->exe_len = len > 0 ? (size_t)len : 0; /* 0: a kernel thread, or not allowed */
		r->exe[r->exe_len] = '\0';
	}
	if ((what & TPL_READ_STATUS) && read_status(dfd, r) && !(what & TPL_READ_STAT))
		return -1;
	if (what & TPL_READ_NS)
		ns_at(dfd, r->ns);
	if ((what & TPL_READ_PCACHE) && r->exe_len) {
		r->cwd_len = readlinkat(dfd, "cwd", r->cwd, sizeof(r->cwd) - 1);
		r->cwd[r->cwd_len > 0 ? r->cwd_len : 0] = '\0';
		char lu[32];
		if (read_small(dfd, "loginuid", lu, sizeof(lu)) > 0)
			r->auid = (tpc_u32)strtoul(lu, NULL, 10);
		r->argv = read_buf(dfd, "cmdline", &r->argv_len);
		r->cgroup = read_buf(dfd, "cgroup", &r->cgroup_len);
	}
	return 0;
}

void tpl_proc_read_free(struct tpl_proc_read *r)
{
	free(r->argv);
	free(r->cgroup);
	r->argv = r->cgroup = NULL;
}
