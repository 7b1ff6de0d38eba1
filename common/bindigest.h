/* bindigest.h: a uprobe's binaryDigests ("<algo>:<hex>", algo sha1,
 * sha256, sha384, sha512 or build-id; case-insensitive, trimmed), and the
 * digests of a file, read once through a descriptor. tpc checks the
 * entries and warns when the binary on the build machine matches none;
 * tp-load hashes the descriptor it then attaches through. */
#ifndef TPC_BINDIGEST_H
#define TPC_BINDIGEST_H

#include <stddef.h>

enum bindigest_algo { BD_SHA1, BD_SHA256, BD_SHA384, BD_SHA512, BD_BUILD_ID, BD_COUNT };

/* "algo:hex" lower-cased and trimmed into out[0..len): its algorithm, or
 * -1 with the reason in *why (no ':', an unknown algorithm, a digest of
 * the wrong length or not hex). */
int bindigest_canonical(const char *text, char *out, size_t len, const char **why);

const char *bindigest_algo_name(enum bindigest_algo a);

/* The file's digests of the algorithms in `want` (1 << algo; build-id is
 * the caller's, from the ELF): hex into hex[algo]. Reads fd from offset
 * 0 with pread. 0, or -1 with errno. */
#define BINDIGEST_HEX_MAX 129
int bindigest_file(int fd, unsigned want, char hex[BD_COUNT][BINDIGEST_HEX_MAX]);

#endif
