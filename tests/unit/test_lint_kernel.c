/* test_lint_kernel.c: the kernel-facing parts of tpc lint: C type
 * spellings of format files reduced to ktypes, syscall prototypes from a
 * (fake) tracefs, and BTF prototypes, suggestions and errors from the
 * running kernel's BTF when it is there. */
#include "tap.h"
#include "tpc.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_ctypes(void)
{
	struct ktype k;
	ktype_from_ctype("const char *", 8, &k);
	OK(k.kind == KT_PTR && k.pointee == KT_INT && k.pointee_char, "'const char *' is a pointer to char");
	ktype_from_ctype("unsigned int", 8, &k);
	OK(k.kind == KT_INT, "'unsigned int' is an integer");
	ktype_from_ctype("off_t", 8, &k);
	OK(k.kind == KT_INT, "a typedef without '*' (off_t) is an integer");
	ktype_from_ctype("const struct iovec *", 8, &k);
	OK(k.kind == KT_PTR && k.pointee == KT_STRUCT && !strcmp(k.name, "iovec"), "'const struct iovec *' points at struct iovec (got '%s')", k.name);
	ktype_from_ctype("const char *const *", 8, &k);
	OK(k.kind == KT_PTR && k.pointee == KT_PTR, "'const char *const *' is a pointer to pointers");
	ktype_from_ctype("void *", 8, &k);
	OK(k.kind == KT_PTR && k.pointee == KT_VOID, "'void *' is a pointer to void");
	ktype_from_ctype("char[]", 4, &k);
	OK(k.kind == KT_OTHER, "'char[]' is neither integer nor pointer");
}

static void test_fake_tracefs(void)
{
	char dir[] = "/tmp/tpc-unit-tracefs-XXXXXX";
	if (!mkdtemp(dir)) {
		OK(0, "mkdtemp");
		return;
	}
	char *p = xasprintf("%s/events", dir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/events/syscalls", dir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/events/syscalls/sys_enter_fake", dir);
	mkdir(p, 0755);
	free(p);
	char *fmt = xasprintf("%s/events/syscalls/sys_enter_fake/format", dir);
	write_file(fmt, "name: sys_enter_fake\nID: 1\nformat:\n"
			"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
			"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
			"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
			"\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
			"\tfield:unsigned long len;\toffset:24;\tsize:8;\tsigned:0;\n"
			"\tfield:__data_loc char[] name;\toffset:32;\tsize:4;\tsigned:0;\n");
	struct kproto k;
	OK(syscall_proto_from_tracefs(dir, "fake", &k), "sys_enter_fake gives a prototype");
	OK(k.n == 3, "three args after __syscall_nr (got %d)", k.n);
	STR_EQ(k.names[0], "filename", "arg 0 is named");
	OK(k.p[0].kind == KT_PTR && k.p[0].pointee_char, "arg 0 is a char pointer");
	STR_EQ(k.p[1].text, "unsigned long", "arg 1's C spelling");
	STR_EQ(k.names[2], "name", "a __data_loc char[] field keeps its name");
	STR_EQ(k.p[2].text, "char[]", "and its type");
	OK(k.ret.kind == KT_INT, "syscalls return an integer");
	OK(!syscall_proto_from_tracefs(dir, "nosuch", &k), "no format file, no prototype");
	unlink(fmt);
	free(fmt);
	p = xasprintf("rm -rf '%s'", dir);
	OK(system(p) == 0, "clean up the fake tracefs");
	free(p);
}

static void test_vmlinux(void)
{
	if (!kbtf_default_exists()) {
		printf("ok %d %s: # SKIP no /sys/kernel/btf/vmlinux\n", ++tap_n, tap_prefix);
		return;
	}
	const char *err = NULL;
	struct btf *btf = kbtf_get(NULL, &err);
	OK(btf != NULL, "the running kernel's BTF parses (%s)", err ? err : "ok");
	if (!btf)
		return;
	OK(kbtf_get(NULL, &err) == btf, "and is parsed once");
	struct kproto k;
	OK(kbtf_func_proto(btf, "vfs_read", &k), "vfs_read has a prototype");
	OK(k.n == 4, "vfs_read takes 4 args (got %d)", k.n);
	OK(k.p[0].kind == KT_PTR && k.p[0].pointee == KT_STRUCT && !strcmp(k.p[0].name, "file"),
	   "vfs_read's arg 0 is a struct file * (got %s)", k.p[0].text);
	OK(k.ret.kind == KT_INT, "vfs_read returns an integer (%s)", k.ret.text);
	OK(kbtf_func_proto(btf, "fd_install", &k) && k.ret.kind == KT_VOID, "fd_install returns void");
	OK(!kbtf_has_func(btf, "thiscalldoesnotexist"), "no such function");
	STR_EQ(kbtf_suggest_func(btf, "vfs_reed"), "vfs_read", "a close name is suggested");
	OK(kbtf_suggest_func(btf, "qqqqqqqqqqqqqqqq") == NULL, "a far name gets no suggestion");
	OK(kbtf_has_func(btf, "__x64_sys_openat") || kbtf_has_func(btf, "__arm64_sys_openat"),
	   "the syscall wrapper of openat is there");
	if (access("/proc/kallsyms", R_OK) == 0)
		OK(ksyms_has_func("vfs_read") && !ksyms_has_func("thiscalldoesnotexist"), "kallsyms lookups");

	write_file("/tmp/tpc-unit-not-btf", "not BTF at all");
	OK(kbtf_get("/tmp/tpc-unit-not-btf", &err) == NULL && err && strstr(err, "/tmp/tpc-unit-not-btf"),
	   "a file that is not BTF gives an error naming it (%s)", err ? err : "none");
	unlink("/tmp/tpc-unit-not-btf");
	kbtf_release();
}

int main(void)
{
	tap_prefix = "lint-kernel";
	test_ctypes();
	test_fake_tracefs();
	test_vmlinux();
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
