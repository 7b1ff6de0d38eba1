/* sign.c: see sign.h. Ed25519 through OpenSSL's libcrypto (Debian's
 * libssl-dev): the keys are the files `openssl genpkey` and `openssl
 * pkey` make, which the people who run fleets already have and know how
 * to inspect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto_lazy.h"
#include "sha256.h"
#include "sign.h"

struct tpc_key {
	EVP_PKEY *pkey;
	char id[TPC_KEY_ID_LEN + 1];
};

/* A PEM pass phrase is never asked for: tpc and tp-load run unattended. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static struct tpc_key *wrap(EVP_PKEY *pkey, char *err, size_t errlen, const char *what)
{
	if (!pkey) {
		snprintf(err, errlen, "not %s in PEM form", what);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
		const char *type = EVP_PKEY_get0_type_name(pkey);
		snprintf(err, errlen, "a key of type %s, not Ed25519", type ? type : "unknown");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0) {
		snprintf(err, errlen, "cannot encode its public key");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	struct tpc_key *k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		OPENSSL_free(der);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	char hex[SHA256_HEX_LEN + 1];
	sha256_hex(der, (size_t)n, hex);
	OPENSSL_free(der);
	snprintf(k->id, sizeof(k->id), "sha256:%s", hex);
	k->pkey = pkey;
	return k;
}

struct tpc_key *tpc_key_read_private(const char *path, char *err, size_t errlen)
{
	if (tpc_crypto_open(err, errlen))
		return NULL;
	errno = 0;
	BIO *b = BIO_new_file(path, "r");
	if (!b) {
		snprintf(err, errlen, "cannot read it: %s", strerror(errno ? errno : EIO));
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	return wrap(pkey, err, errlen, "an unencrypted private key");
}

struct tpc_key *tpc_key_parse_public(const void *pem, size_t len, char *err, size_t errlen)
{
	if (len > 65536) {
		snprintf(err, errlen, "too long for a public key");
		return NULL;
	}
	if (tpc_crypto_open(err, errlen))
		return NULL;
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_bio_PUBKEY(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	return wrap(pkey, err, errlen, "a public key");
}

const char *tpc_key_id(const struct tpc_key *k)
{
	return k->id;
}

void tpc_key_free(struct tpc_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

char *tpc_sig_make(const struct tpc_key *k, const void *data, size_t len)
{
	unsigned char sig[TPC_SIG_LEN];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestSign(ctx, sig, &siglen, data, len) == 1 && siglen == TPC_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return NULL;
	unsigned char b64[4 * ((TPC_SIG_LEN + 2) / 3) + 1];
	EVP_EncodeBlock(b64, sig, TPC_SIG_LEN);
	char *text = malloc(TPC_SIG_TEXT_MAX);
	if (text)
		snprintf(text, TPC_SIG_TEXT_MAX, "ed25519 key=%s sig=%s\n", k->id, (const char *)b64);
	return text;
}

int tpc_sig_parse(const char *text, size_t len, char id[TPC_KEY_ID_LEN + 1], unsigned char sig[TPC_SIG_LEN])
{
	static const char head[] = "ed25519 key=sha256:", mid[] = " sig=";
	enum { HEX = 64, B64 = 4 * ((TPC_SIG_LEN + 2) / 3) };
	size_t want = sizeof(head) - 1 + HEX + sizeof(mid) - 1 + B64;
	if (len && text[len - 1] == '\n')
		len--;
	if (len != want || memcmp(text, head, sizeof(head) - 1))
		return -1;
	const char *hex = text + sizeof(head) - 1, *b64 = hex + HEX + sizeof(mid) - 1;
	for (int i = 0; i < HEX; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -1;
	if (memcmp(hex + HEX, mid, sizeof(mid) - 1))
		return -1;
	/* 64 bytes are 86 characters and "==" */
	if (b64[B64 - 1] != '=' || b64[B64 - 2] != '=')
		return -1;
	unsigned char raw[3 * (B64 / 4)];
	char why[256];
	if (tpc_crypto_open(why, sizeof(why)))
		return -1;
	if (EVP_DecodeBlock(raw, (const unsigned char *)b64, B64) != (int)sizeof(raw) || raw[TPC_SIG_LEN] ||
	    raw[TPC_SIG_LEN + 1]) /* the padding's bits are zero in the one spelling of 64 bytes */
		return -1;
	memcpy(id, "sha256:", 7);
	memcpy(id + 7, hex, HEX);
	id[TPC_KEY_ID_LEN] = 0;
	memcpy(sig, raw, TPC_SIG_LEN);
	return 0;
}

int tpc_sig_verify(const struct tpc_key *k, const void *data, size_t len, const unsigned char sig[TPC_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestVerify(ctx, sig, TPC_SIG_LEN, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}
