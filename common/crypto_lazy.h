/* crypto_lazy.h: the libcrypto functions sign.c uses, loaded with dlopen
 * the first time a key is read, not linked. Linked, libcrypto's 4.5 MB
 * are mapped into every tp-load and its relocations make about 1.4 MB of
 * them resident, while only --trusted-keys (and tpc --sign-key) use it.
 *
 * Include after the OpenSSL headers: the names below then call through
 * the pointers (same prototypes, taken from those headers). */
#ifndef TPC_CRYPTO_LAZY_H
#define TPC_CRYPTO_LAZY_H

#include <stddef.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define TPC_CRYPTO_FNS(X)                                                                                              \
	X(BIO_free)                                                                                                    \
	X(BIO_new_file)                                                                                                \
	X(BIO_new_mem_buf)                                                                                             \
	X(CRYPTO_free)                                                                                                 \
	X(EVP_DecodeBlock)                                                                                             \
	X(EVP_DigestSign)                                                                                              \
	X(EVP_DigestSignInit)                                                                                          \
	X(EVP_DigestVerify)                                                                                            \
	X(EVP_DigestVerifyInit)                                                                                        \
	X(EVP_EncodeBlock)                                                                                             \
	X(EVP_MD_CTX_free)                                                                                             \
	X(EVP_MD_CTX_new)                                                                                              \
	X(EVP_PKEY_free)                                                                                               \
	X(EVP_PKEY_get0_type_name)                                                                                     \
	X(EVP_PKEY_get_base_id)                                                                                        \
	X(PEM_read_bio_PUBKEY)                                                                                         \
	X(PEM_read_bio_PrivateKey)                                                                                     \
	X(i2d_PUBKEY)

#define TPC_CRYPTO_DECLARE(f) extern __typeof__(f) *tpc_crypto_##f;
TPC_CRYPTO_FNS(TPC_CRYPTO_DECLARE)
#undef TPC_CRYPTO_DECLARE

/* Loads libcrypto once; 0, or -1 with the reason in err. */
int tpc_crypto_open(char *err, size_t errlen);

#define BIO_free tpc_crypto_BIO_free
#define BIO_new_file tpc_crypto_BIO_new_file
#define BIO_new_mem_buf tpc_crypto_BIO_new_mem_buf
#define EVP_DecodeBlock tpc_crypto_EVP_DecodeBlock
#define EVP_DigestSign tpc_crypto_EVP_DigestSign
#define EVP_DigestSignInit tpc_crypto_EVP_DigestSignInit
#define EVP_DigestVerify tpc_crypto_EVP_DigestVerify
#define EVP_DigestVerifyInit tpc_crypto_EVP_DigestVerifyInit
#define EVP_EncodeBlock tpc_crypto_EVP_EncodeBlock
#define EVP_MD_CTX_free tpc_crypto_EVP_MD_CTX_free
#define EVP_MD_CTX_new tpc_crypto_EVP_MD_CTX_new
#define EVP_PKEY_free tpc_crypto_EVP_PKEY_free
#define EVP_PKEY_get0_type_name tpc_crypto_EVP_PKEY_get0_type_name
#define EVP_PKEY_get_base_id tpc_crypto_EVP_PKEY_get_base_id
#define PEM_read_bio_PUBKEY tpc_crypto_PEM_read_bio_PUBKEY
#define PEM_read_bio_PrivateKey tpc_crypto_PEM_read_bio_PrivateKey
#define i2d_PUBKEY tpc_crypto_i2d_PUBKEY
#undef OPENSSL_free
#define OPENSSL_free(p) tpc_crypto_CRYPTO_free((p), __FILE__, __LINE__)

#endif
