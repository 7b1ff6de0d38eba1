/* cc.c: run clang on the generated C.
 *
 * The generated file and the runtime headers built into tpc are written to
 * a fresh temporary directory and compiled there, so the object does not
 * depend on where tpc is run from: debug info names the directory
 * "/tpc" whatever its real path (reproducible output). The runtime
 * headers come precompiled when they can (pch.c), with the plain compile
 * as the fallback: the same object either way. */
#include "tpc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Writes DATA to PATH, a file it creates (never one that exists, never
 * through a link): tpc's files in its own fresh temporary directory
 * (here, link.c's runtime object, pch.c's header). */
bool cc_write_new(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
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

/* Everything in the directory (what tpc wrote and whatever clang left),
 * then the directory. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
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

/* The whole of a file clang wrote. */
static bool read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = xrealloc(NULL, cap);
	for (;;) {
		if (n == cap)
			b = xrealloc(b, cap *= 2);
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			if (r < 0) {
				free(b);
				return false;
			}
			*data = b;
			*len = n;
			return true;
		}
		n += (size_t)r;
	}
}

/* Runs clang and waits for it. SIGINT, SIGTERM and SIGHUP are blocked
 * from before the spawn to the end of the wait and taken with SIGCHLD by
 * sigwaitinfo, so none can slip between the spawn and the wait: on one,
 * clang is stopped and reaped, tpc_signal set, and -1 returned with
 * *status unset. clang itself starts with them unblocked. */
static int run_tool(const char *clang, char **argv, posix_spawn_file_actions_t *fa, int *status, int *spawn_err)
{
	sigset_t stops, all, old;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	all = stops;
	sigaddset(&all, SIGCHLD);
	sigprocmask(SIG_BLOCK, &all, &old);
	*spawn_err = 0;
	if (tpc_signal) { /* arrived before the block */
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &stops);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int rc = posix_spawnp(&pid, clang, fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	if (rc) {
		*spawn_err = rc;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig == SIGCHLD) {
			if (waitpid(pid, status, WNOHANG) == pid)
				break;
			continue;
		}
		if (sig < 0)
			continue; /* EINTR: a signal outside the set */
		tpc_signal = sig;
		kill(pid, SIGTERM); /* clang removes its own temporaries */
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		rc = -1;
		break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* run_tool in DIR, clang's output to LOG: relative names only. */
static int run_clang(const char *dir, const char *clang, char **argv, const char *log, int *status, int *spawn_err)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	char *cwd = getcwd(NULL, 0);
	int rc;
	if (chdir(dir)) {
		*spawn_err = errno;
		rc = -1;
	} else {
		rc = run_tool(clang, argv, &fa, status, spawn_err);
		if (cwd && chdir(cwd)) { /* nothing sensible to do: paths below are absolute */
		}
	}
	free(cwd);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Trims the object clang wrote (objstrip.c says what and why), in
 * memory: *objdata is replaced by the trimmed bytes, which are what the
 * .sha256 and .sig describe. */
static int strip(char **objdata, size_t *objlen, char **err)
{
	char *out = NULL, *why = NULL;
	size_t len = 0;
	if (objstrip_trim(*objdata, *objlen, &out, &len, &why)) {
		*err = xasprintf("cannot trim the object clang wrote: %s (tpc --keep-debug keeps it whole)", why);
		free(why);
		return -1;
	}
	free(*objdata);
	*objdata = out;
	*objlen = len;
	return 0;
}

int cc_compile(const char *c_src, const char *arch, bool keep_debug, char **objdata, size_t *objlen, char **err)
{
	*err = NULL;
	*objdata = NULL;
	*objlen = 0;
	const char *tmpdir = getenv("TMPDIR");
	char *dir = xasprintf("%s/tpc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot create a temporary directory %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	bool ok = true;
	for (size_t i = 0; i < embedded_files_count && ok; i++) {
		size_t n = strlen(embedded_files[i].name);
		if (n < 2 || strcmp(embedded_files[i].name + n - 2, ".h"))
			continue; /* clang needs the headers only (link.c writes its object, pch.c the PCH) */
		char *p = xasprintf("%s/%s", dir, embedded_files[i].name);
		ok = cc_write_new(p, embedded_files[i].data, embedded_files[i].len);
		free(p);
	}
	char *src = xasprintf("%s/policy.bpf.c", dir);
	char *unit = xasprintf("%s/policy.bpf.o", dir);
	/* the object: clang's unit linked with the runtime programs (link.c);
	 * with the debug info kept, clang's unit itself, which then compiles
	 * them too (the linker would drop the DWARF) */
	char *obj = keep_debug ? xstrdup(unit) : xasprintf("%s/tpc.bpf.o", dir);
	char *log = xasprintf("%s/clang.log", dir);
	char *prefix_map = xasprintf("-fdebug-prefix-map=%s=/tpc", dir);
	char *full = keep_debug ? xasprintf("%s\n#include \"tpc_procs.bpf.h\"\n", c_src) : NULL;
	ok = ok && cc_write_new(src, full ? full : c_src, strlen(full ? full : c_src));
	free(full);
	if (!ok) {
		*err = xasprintf("cannot write the generated source in %s: %s", dir, strerror(errno));
		goto out;
	}
	const char *clang = getenv("TPC_CLANG");
	if (!clang || !*clang)
		clang = "clang";
	char *pch = keep_debug ? NULL : pch_prepare(dir, arch, c_src);
	char *plain[] = {(char *)clang, "-target", "bpf", "-O2", "-g", "-Wall", "-Wno-unused-function",
			 "-Werror=implicit-function-declaration", "-fdebug-compilation-dir=/tpc",
			 prefix_map, "-I", ".", "-c", "policy.bpf.c", "-o", "policy.bpf.o", NULL};
	/* with the PCH (pch.c): its flags, then the plain compile's (the
	 * Makefile builds it with the same: PCH_CFLAGS) */
	enum { NPCH = 9, NPLAIN = sizeof(plain) / sizeof(plain[0]) };
	char *argv[NPCH + NPLAIN] = {(char *)clang, "-isysroot", dir, "-idirafter", "/usr/local/include", "-idirafter",
				     "/usr/include", "-fpch-validate-input-files-content", "-include-pch", pch};
	memcpy(argv + NPCH + 1, plain + 1, (NPLAIN - 1) * sizeof(*plain));
	/* The PCH's headers are found as DIR/NAME (the sysroot's), where the
	 * plain compile finds ./NAME (-I .) under the directory it calls
	 * /tpc: mapped to ./NAME, .BTF names them the same, /tpc/./NAME. */
	char *pch_map = xasprintf("-fdebug-prefix-map=%s=.", dir);
	for (size_t i = NPCH + 1; argv[i]; i++)
		if (argv[i] == prefix_map)
			argv[i] = pch_map;
	int status = 0, spawn_err = 0;
	int rc = run_clang(dir, clang, pch ? argv : plain, log, &status, &spawn_err);
	if (pch && !rc && (!WIFEXITED(status) || WEXITSTATUS(status)))
		/* a PCH clang refuses (another clang, changed libbpf headers):
		 * the plain compile decides, and says what is wrong if anything */
		rc = run_clang(dir, clang, plain, log, &status, &spawn_err);
	free(pch);
	free(pch_map);
	if (rc && spawn_err) {
		*err = xasprintf("cannot run %s: %s (install clang, or set TPC_CLANG)", clang, strerror(spawn_err));
		ok = false;
		goto out;
	}
	if (rc) { /* a signal: nothing of this run stays */
		*err = xasprintf("interrupted");
		ok = false;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *text = read_small_file(log);
		*err = xasprintf("clang failed (%s %d); the generated source is kept at %s\n%s",
				 WIFEXITED(status) ? "exit" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), src, text);
		free(text);
		ok = false;
		goto out_keep;
	}
	if (!keep_debug && cc_link(dir, unit, arch, obj, err)) {
		ok = false;
		goto out;
	}
	if (!read_file(obj, objdata, objlen)) {
		*err = xasprintf("cannot read the object clang wrote (%s): %s", obj, strerror(errno));
		ok = false;
		goto out;
	}
	if (!keep_debug && strip(objdata, objlen, err)) {
		ok = false;
		goto out;
	}
out:
	remove_dir(dir);
out_keep:
	free(src);
	free(unit);
	free(obj);
	free(log);
	free(prefix_map);
	free(dir);
	return ok ? 0 : -1;
}
