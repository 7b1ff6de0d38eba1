/* pch.c: the runtime headers, precompiled.
 *
 * Preprocessing and parsing the runtime headers (tpc_runtime.bpf.h and
 * what it includes, libbpf's among them) was ~40% of clang's time for a
 * small policy, the same work for every policy. The build precompiles
 * them once (Makefile: tpc_runtime.ARCH.pch, embedded in tpc) from
 * tpc_pch.ARCH.h, which holds exactly the generated source's first two
 * lines (prologue.c.tmpl): with the PCH, clang starts where those lines
 * leave off, and the source's own copies of them change nothing (the
 * same empty #define; the include guard skips the header).
 *
 * A PCH names its headers by path, and the one cc.c compiles in is a new
 * temporary directory each time: so it is "relocatable", built with its
 * directory of headers as the sysroot, which makes the paths it records
 * relative to it; cc.c passes its directory as the sysroot, where it wrote
 * the same headers. -fpch-validate-input-files-content has clang compare
 * every header's content with what the PCH was built from (their times
 * differ), libbpf's in /usr/include too, and clang refuses a PCH made by
 * another version: either way clang fails, and cc.c compiles again
 * without the PCH. The unit clang writes is the same, byte for byte, DWARF
 * included, given cc.c's prefix map for the headers' paths (the PCH's
 * headers are DIR/NAME, the plain compile's ./NAME). --keep-debug, which
 * adds the runtime programs to the unit, does not use it.
 *
 * What clang cannot see: the plain compile searches /usr/local/include
 * before /usr/include, and a libbpf installed there would take the place
 * of the one the PCH holds. tpc then does not use it. */
#include "tpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The prefix the PCH stands for: the prologue's first two lines. */
static char *prefix_text(const char *arch)
{
	return xasprintf("#define __TARGET_ARCH_%s\n#include \"tpc_runtime.bpf.h\"\n", arch);
}

/* Whether SRC starts, after its comment lines, with exactly PREFIX: the
 * PCH stands for those lines and nothing else. */
static bool starts_with_prefix(const char *src, const char *prefix)
{
	while (!strncmp(src, "//", 2)) {
		const char *nl = strchr(src, '\n');
		if (!nl)
			return false;
		src = nl + 1;
	}
	return !strncmp(src, prefix, strlen(prefix));
}

char *pch_prepare(const char *dir, const char *arch, const char *src)
{
	const char *env = getenv("TPC_PCH");
	if (env && !strcmp(env, "0"))
		return NULL;
	char *text = prefix_text(arch);
	if (!starts_with_prefix(src, text)) {
		free(text);
		return NULL;
	}
	char *name = xasprintf("tpc_runtime.%s.pch", arch);
	size_t len = 0;
	const char *data = embedded_get(name, &len);
	if (!data || !access("/usr/local/include/bpf", F_OK)) {
		free(text);
		free(name);
		return NULL;
	}
	char *pch = xasprintf("%s/%s", dir, name);
	char *hdr = xasprintf("%s/tpc_pch.%s.h", dir, arch);
	bool ok = cc_write_new(pch, data, len) && cc_write_new(hdr, text, strlen(text));
	free(text);
	free(hdr);
	free(pch);
	if (!ok) {
		free(name);
		return NULL;
	}
	return name;
}
