/* digest.h: --require-digest. An object OBJ is accepted only when
 * OBJ.sha256 exists (sha256sum's format: "<64 hex>  <name>", as tpc
 * writes it) and names the SHA-256 of OBJ's bytes. */
#ifndef TPL_DIGEST_H
#define TPL_DIGEST_H

/* have: OBJ's digest when the caller already computed it (64 hex), else
 * NULL to compute it here. Prints the reason of a refusal ("tp-load:
 * OBJ: refused: ...") and returns -1; 0 when the digest matches. */
int tpl_digest_check(const char *obj, const char *have);

#endif
