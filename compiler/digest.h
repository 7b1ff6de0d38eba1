/* digest.h: the digests tpc records for fleets (issue 8).
 *
 * - The policy's own digest, SHA-256 of the source bytes exactly as read,
 *   goes on the manifest's policy line (digest=sha256:<hex>), so a running
 *   object names the policy text it was compiled from.
 * - OUT.bpf.o.sha256 beside each object, in sha256sum's format, which
 *   `tp-load --require-digest` (and `sha256sum -c`) check. */
#ifndef TPC_DIGEST_H
#define TPC_DIGEST_H

/* "sha256:<64 hex>" of the policy file's bytes (malloc'd), or NULL when it
 * cannot be read (the parser then reports why). For "-" (standard input)
 * the bytes are read here and fd 0 is replaced by an in-memory copy, so
 * that the parser still reads them from the start. */
char *policy_source_digest(const char *file);

/* Writes OBJ.sha256: "<hex>  <basename of OBJ>\n" (the name without its
 * directory, so `sha256sum -c` works where the pair is shipped and the
 * file is the same wherever it was built). 0, or -1 with *err set
 * (malloc'd). */
int write_object_digest(const char *obj, char **err);

#endif
