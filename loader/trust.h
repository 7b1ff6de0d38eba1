/* trust.h: --trusted-keys DIR. Every object must come with OBJ.sig, an
 * Ed25519 signature of its bytes (tpc --sign-key, common/sign.h) by one
 * of the public keys in DIR, checked on the bytes tp-load read once and
 * loads (tpl_obj_open), before they are parsed. */
#ifndef TPL_TRUST_H
#define TPL_TRUST_H

#include <stddef.h>

/* Reads DIR's public keys (*.pub, PEM). DIR must be owned by root and
 * not writable by group or others, and so must each key file, which must
 * be a regular file (not a symlink). Prints why not and returns -1. */
int tpl_trusted_keys_load(const char *dir);

/* 0 when no keys are trusted (no --trusted-keys) or OBJ.sig is a valid
 * signature of image by a trusted key; else prints "tp-load: OBJ:
 * refused: ..." and returns -1. */
int tpl_trust_check(const char *obj, const void *image, size_t len);

/* Frees the keys (also at exit). */
void tpl_trusted_keys_free(void);

#endif
