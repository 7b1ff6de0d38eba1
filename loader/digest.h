/* digest.h: --require-digest. An object OBJ is accepted only when
 * OBJ.sha256 exists (sha256sum's format: "<64 hex>  <name>", as tpc
 * writes it) and names the SHA-256 of OBJ's bytes. */
#ifndef TPL_DIGEST_H
#define TPL_DIGEST_H

/* have: the digest (64 hex) of the bytes read from obj. The digest file
 * is name.sha256 below dirfd (the --dir directory), or obj.sha256 when
 * dirfd < 0. Prints the reason of a refusal ("tp-load: OBJ: refused:
 * ...") and returns -1; 0 when the digest matches. */
int tpl_digest_check(int dirfd, const char *name, const char *obj, const char *have);

#endif
