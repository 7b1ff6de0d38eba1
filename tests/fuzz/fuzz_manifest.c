/* fuzz_manifest.c: libFuzzer target over everything tp-load reads from an
 * object it is handed, with ASan and UBSan (built by `make fuzz-loader`):
 *
 *   - an input starting with "\x7fELF" is an object file: it is written to
 *     a memfd and read by tpc_manifest_read (ELF checks, section lookup,
 *     then the manifest parser);
 *   - any other input is "MANIFEST[\0RECORDS]": the text before the first
 *     NUL goes to tpc_manifest_parse; when it parses, the bytes after the
 *     NUL are ring buffer records, each prefixed by its length (2 bytes,
 *     little endian), decoded against that manifest by tpc_event_decode,
 *     and every decoded value is read to its end (so ASan sees an
 *     out-of-bounds pointer at once).
 *
 * A crash, a sanitizer report, a leak or a hang is a bug; a refusal with a
 * message is the expected outcome for almost every input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "event.h"
#include "manifest.h"

/* Reads every byte a decoded value points to; returns a checksum the
 * compiler cannot drop. */
static unsigned touch(const struct tpc_value *v)
{
	unsigned sum = 0;

	for (uint32_t i = 0; i < v->len; i++)
		sum += (unsigned char)v->data[i];
	return sum + (unsigned)tpc_value_strlen(v);
}

static void decode_records(const struct tpc_manifest *m, const uint8_t *p,
			   size_t n)
{
	/* tpc_ev is large (64 args): keep it off the stack */
	static struct tpc_ev ev;
	static char err[256];
	volatile unsigned sink = 0;

	while (n >= 2) {
		size_t len = p[0] | (size_t)p[1] << 8;
		p += 2;
		n -= 2;
		if (len > n)
			len = n;
		/* a copy of exactly len bytes, so that reading past the
		 * record is caught; 8-aligned like the ring buffer's */
		void *rec = NULL;
		if (posix_memalign(&rec, 8, len ? len : 1))
			return;
		memcpy(rec, p, len);
		if (tpc_event_decode(rec, len, m, &ev, err, sizeof(err)) == 0) {
			sink += touch(&ev.bin);
			for (int i = 0; i < ev.nargs; i++)
				sink += touch(&ev.args[i]);
			sink += (unsigned)strlen(ev.comm);
		} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
			abort(); /* every refusal says why */
		}
		free(rec);
		p += len;
		n -= len;
	}
	(void)sink;
}

static void read_object(const uint8_t *data, size_t size)
{
	struct tpc_manifest m;
	char path[64], err[640];
	int fd = memfd_create("fuzz.bpf.o", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (tpc_manifest_read(path, &m, err, sizeof(err)) == 0)
			tpc_manifest_free(&m);
		else if (!err[0])
			abort();
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpc_manifest m;
	char err[640];

	if (size >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0) {
		read_object(data, size);
		return 0;
	}
	const uint8_t *nul = memchr(data, '\0', size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	/* the parser gets a buffer of exactly mlen bytes, not NUL-terminated */
	char *text = malloc(mlen ? mlen : 1);
	if (!text)
		return 0;
	memcpy(text, data, mlen);
	if (tpc_manifest_parse(text, mlen, &m, err, sizeof(err)) == 0) {
		if (nul)
			decode_records(&m, nul + 1, size - mlen - 1);
		tpc_manifest_free(&m);
	} else if (!err[0]) {
		abort();
	}
	free(text);
	return 0;
}
