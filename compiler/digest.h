/* digest.h: the digests tpc records for fleets (issue 8).
 *
 * - The policy's own digest, SHA-256 of the source bytes exactly as read,
 *   goes on the manifest's policy line (digest=sha256:<hex>), so a running
 *   object names the policy text it was compiled from.
 * - OUT.bpf.o.sha256 beside each object, in sha256sum's format, which
 *   `tp-load --require-digest` (and `sha256sum -c`) check. */
#ifndef TPC_DIGEST_H
#define TPC_DIGEST_H

#include <stddef.h>

/* "sha256:<64 hex>" of the policy source bytes exactly as parsed
 * (malloc'd). */
char *policy_text_digest(const char *text, size_t len);

/* The text of OBJ.sha256 for an object of these bytes: "<hex>  <basename
 * of obj_path>\n" (the name without its directory, so `sha256sum -c`
 * works where the pair is shipped and the file is the same wherever it
 * was built). malloc'ed. */
char *object_digest_text(const void *obj, size_t len, const char *obj_path);

#endif
