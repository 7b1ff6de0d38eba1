/* cc.c: run clang on the generated C.
 *
 * The generated file and the runtime headers built into tpc are written to
 * a fresh temporary directory and compiled there, so the object does not
 * depend on where tpc is run from: debug info names the directory
 * "/tpc" whatever its real path (reproducible output). */
#include "tpc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return false;
		}
		done += (size_t)n;
	}
	return close(fd) == 0;
}

static void remove_dir(const char *dir)
{
	for (size_t i = 0; i < embedded_files_count; i++) {
		char *p = xasprintf("%s/%s", dir, embedded_files[i].name);
		unlink(p);
		free(p);
	}
	char *p = xasprintf("%s/policy.bpf.c", dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/policy.bpf.o", dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/clang.log", dir);
	unlink(p);
	free(p);
	rmdir(dir);
}

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return xstrdup("");
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk) - 1, f)) > 0 && b.len < 65536) {
		chunk[n] = 0;
		buf_puts(&b, chunk);
	}
	fclose(f);
	return b.s ? b.s : xstrdup("");
}

/* Copies src to dst through a temporary name, so a reader never sees a
 * half-written object. */
static bool install_file(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb");
	if (!in)
		return false;
	char *tmp = xasprintf("%s.tmp.%d", dst, (int)getpid());
	FILE *out = fopen(tmp, "wb");
	bool ok = out != NULL;
	char chunk[65536];
	size_t n;
	while (ok && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		ok = fwrite(chunk, 1, n, out) == n;
	fclose(in);
	if (out && fclose(out))
		ok = false;
	if (ok && rename(tmp, dst))
		ok = false;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok;
}

int cc_compile(const char *c_src, const char *out_obj, const char *arch, char **err)
{
	(void)arch;
	*err = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char *dir = xasprintf("%s/tpc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot create a temporary directory %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	bool ok = true;
	for (size_t i = 0; i < embedded_files_count && ok; i++) {
		if (strstr(embedded_files[i].name, ".tmpl"))
			continue;
		char *p = xasprintf("%s/%s", dir, embedded_files[i].name);
		ok = write_file(p, embedded_files[i].data, embedded_files[i].len);
		free(p);
	}
	char *src = xasprintf("%s/policy.bpf.c", dir);
	char *obj = xasprintf("%s/policy.bpf.o", dir);
	char *log = xasprintf("%s/clang.log", dir);
	char *prefix_map = xasprintf("-fdebug-prefix-map=%s=/tpc", dir);
	ok = ok && write_file(src, c_src, strlen(c_src));
	if (!ok) {
		*err = xasprintf("cannot write the generated source in %s: %s", dir, strerror(errno));
		goto out;
	}
	const char *clang = getenv("TPC_CLANG");
	if (!clang || !*clang)
		clang = "clang";
	char *argv[] = {(char *)clang, "-target", "bpf", "-O2", "-g", "-Wall", "-Wno-unused-function",
			"-Werror=implicit-function-declaration", "-fdebug-compilation-dir=/tpc",
			prefix_map, "-I", ".", "-c", "policy.bpf.c", "-o", "policy.bpf.o", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* clang runs inside the temporary directory: relative names only */
	char *cwd = getcwd(NULL, 0);
	int status = 0;
	pid_t pid;
	int rc;
	if (chdir(dir)) {
		rc = errno;
	} else {
		rc = posix_spawnp(&pid, clang, &fa, NULL, argv, environ);
		if (cwd && chdir(cwd)) { /* nothing sensible to do: paths below are absolute */
		}
	}
	free(cwd);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		*err = xasprintf("cannot run %s: %s (install clang, or set TPC_CLANG)", clang, strerror(rc));
		ok = false;
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *text = read_small_file(log);
		*err = xasprintf("clang failed (%s %d); the generated source is kept at %s\n%s",
				 WIFEXITED(status) ? "exit" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), src, text);
		free(text);
		ok = false;
		goto out_keep;
	}
	if (!install_file(obj, out_obj)) {
		*err = xasprintf("cannot write %s: %s", out_obj, strerror(errno));
		ok = false;
	}
out:
	remove_dir(dir);
out_keep:
	free(src);
	free(obj);
	free(log);
	free(prefix_map);
	free(dir);
	return ok ? 0 : -1;
}
