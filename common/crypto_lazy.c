/* crypto_lazy.c: see crypto_lazy.h. */
#include <dlfcn.h>
#include <stdio.h>

#include <openssl/opensslv.h>

#include "crypto_lazy.h"

/* the soname of the libcrypto these headers are of: libcrypto.so.3 */
#define STR_(x) #x
#define STR(x) STR_(x)
#define LIBCRYPTO "libcrypto.so." STR(OPENSSL_VERSION_MAJOR)

#undef BIO_free
#undef BIO_new_file
#undef BIO_new_mem_buf
#undef EVP_DecodeBlock
#undef EVP_DigestSign
#undef EVP_DigestSignInit
#undef EVP_DigestVerify
#undef EVP_DigestVerifyInit
#undef EVP_EncodeBlock
#undef EVP_MD_CTX_free
#undef EVP_MD_CTX_new
#undef EVP_PKEY_free
#undef EVP_PKEY_get0_type_name
#undef EVP_PKEY_get_base_id
#undef PEM_read_bio_PUBKEY
#undef PEM_read_bio_PrivateKey
#undef i2d_PUBKEY

#define TPC_CRYPTO_DEFINE(f) __typeof__(f) *tpc_crypto_##f;
TPC_CRYPTO_FNS(TPC_CRYPTO_DEFINE)
#undef TPC_CRYPTO_DEFINE

int tpc_crypto_open(char *err, size_t errlen)
{
	static int opened; /* 1: loaded; -1: failed (said each time) */
	static char why[256];

	if (!opened) {
		void *h = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
		opened = 1;
		if (!h) {
			snprintf(why, sizeof(why), "cannot load %s: %s", LIBCRYPTO, dlerror());
			opened = -1;
		}
#define TPC_CRYPTO_LOAD(f)                                                                                             \
	if (opened == 1 && !(*(void **)&tpc_crypto_##f = dlsym(h, #f))) {                                          \
		snprintf(why, sizeof(why), "%s has no %s", LIBCRYPTO, #f);                                             \
		opened = -1;                                                                                           \
	}
		TPC_CRYPTO_FNS(TPC_CRYPTO_LOAD)
#undef TPC_CRYPTO_LOAD
	}
	if (opened < 0)
		snprintf(err, errlen, "%s", why);
	return opened < 0 ? -1 : 0;
}
