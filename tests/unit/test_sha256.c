/* test_sha256.c: compiler/sha256.c against the examples of FIPS 180-4
 * (NIST's "abc", two-block and one-million-'a' messages) and against
 * messages whose lengths sit on the padding boundaries (55, 56, 63, 64
 * bytes...), where a one-off error in the padding shows. Expected values
 * come from NIST's examples and from coreutils' sha256sum. */
#include "sha256.h"
#include "tap.h"

#include <stdlib.h>

static char hex[SHA256_HEX_LEN + 1];

static const char *of(const char *s)
{
	sha256_hex(s, strlen(s), hex);
	return hex;
}

static const char *of_a(size_t n)
{
	char *m = malloc(n ? n : 1);
	memset(m, 'a', n);
	sha256_hex(m, n, hex);
	free(m);
	return hex;
}

int main(void)
{
	tap_prefix = "sha256";
	STR_EQ(of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty message");
	STR_EQ(of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS example abc");
	STR_EQ(of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "FIPS two-block example");
	static const struct {
		size_t n;
		const char *want;
	} edges[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
		{1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		STR_EQ(of_a(edges[i].n), edges[i].want, "%zu x 'a'", edges[i].n);

	/* fed in uneven pieces, the digest is that of the whole */
	char msg[300], whole[SHA256_HEX_LEN + 1], pieces[SHA256_HEX_LEN + 1];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i * 7 + 3);
	sha256_hex(msg, sizeof(msg), whole);
	struct sha256 s;
	unsigned char d[SHA256_LEN];
	sha256_init(&s);
	for (size_t off = 0, step = 1; off < sizeof(msg); off += step, step = step * 3 % 67 + 1)
		sha256_update(&s, msg + off, off + step > sizeof(msg) ? sizeof(msg) - off : step);
	sha256_final(&s, d);
	sha256_to_hex(d, pieces);
	STR_EQ(pieces, whole, "300 bytes in uneven pieces equal the one-shot digest");

	OK(sha256_file_hex("/nonexistent/tpc-sha256", hex) == -1, "a missing file is an error");
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
