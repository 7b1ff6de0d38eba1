/* sign.h: Ed25519 signatures of compiled objects, shared by tpc (which
 * signs, --sign-key) and tp-load (which verifies, --trusted-keys).
 *
 * Keys are the PEM files OpenSSL's command line makes and reads:
 *
 *   openssl genpkey -algorithm ed25519 -out tpc-signing.pem   (private)
 *   openssl pkey -in tpc-signing.pem -pubout -out tpc-signing.pub
 *
 * A key is named by its id, "sha256:" and the SHA-256 of its public key
 * in DER (SubjectPublicKeyInfo), which is
 *   openssl pkey -pubin -in tpc-signing.pub -outform DER | sha256sum
 *
 * OBJ.sig is one line of text:
 *
 *   ed25519 key=sha256:<64 hex> sig=<base64 of the 64-byte signature>
 *
 * The signature is of the object's bytes exactly (Ed25519 signs the
 * message itself, no digest first), so that
 *   sed -n 's/.* sig=//p' OBJ.sig | base64 -d >OBJ.sig.bin
 *   openssl pkeyutl -verify -pubin -inkey tpc-signing.pub -rawin \
 *           -in OBJ -sigfile OBJ.sig.bin
 * checks it too. The key id only says which trusted key to check it
 * with: whoever holds no trusted private key cannot make a signature
 * that one of them accepts, whatever id the line names. */
#ifndef TPC_SIGN_H
#define TPC_SIGN_H

#include <stddef.h>

#define TPC_SIG_LEN 64
#define TPC_KEY_ID_LEN (7 + 64) /* "sha256:" + hex */
/* one .sig line at most this long (newline included) */
#define TPC_SIG_TEXT_MAX 256

struct tpc_key;

/* An Ed25519 private key from a PEM file (unencrypted), for signing.
 * NULL with the reason in err. */
struct tpc_key *tpc_key_read_private(const char *path, char *err, size_t errlen);
/* An Ed25519 public key from PEM text. NULL with the reason in err. */
struct tpc_key *tpc_key_parse_public(const void *pem, size_t len, char *err, size_t errlen);
const char *tpc_key_id(const struct tpc_key *k);
void tpc_key_free(struct tpc_key *k);

/* The text of OBJ.sig for these bytes (malloc'd), or NULL. */
char *tpc_sig_make(const struct tpc_key *k, const void *data, size_t len);
/* Reads a .sig text: 0 with the key id and signature, -1 when it is not
 * one line of the form above. */
int tpc_sig_parse(const char *text, size_t len, char id[TPC_KEY_ID_LEN + 1], unsigned char sig[TPC_SIG_LEN]);
/* 1 when sig is k's signature of data, else 0. */
int tpc_sig_verify(const struct tpc_key *k, const void *data, size_t len, const unsigned char sig[TPC_SIG_LEN]);

#endif
