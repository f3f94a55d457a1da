/*
 * fuzz-options.c - libFuzzer target: decode_tcp_options() on a bare
 * option list (the whole input, any length).
 *
 * Differential: the result is compared with a straightforward
 * reference walk written here from RFC 9293 / RFC 7323 / RFC 2018 and
 * the rules in decode_tcp.c's comment (a known option with the wrong
 * length is skipped and not reported; length 0/1 or past the list stops
 * the walk as malformed; EOL ends it; a repeated option overwrites).
 * Any difference aborts, so the fuzzer reports it like a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz-options: check failed: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
reference(const uint8_t *p, size_t len, struct tcp_options *o)
{
	size_t i = 0, k, n;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len) {
			o->present |= TCPOPT_MALFORMED;
			return;
		}
		olen = p[i + 1];
		if (olen < 2 || i + olen > len) {
			o->present |= TCPOPT_MALFORMED;
			return;
		}
		if (kind == 2 && olen == 4) {
			o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			o->present |= TCPOPT_HAS_MSS;
		} else if (kind == 3 && olen == 3) {
			o->wscale = p[i + 2];
			o->present |= TCPOPT_HAS_WSCALE;
		} else if (kind == 4 && olen == 2) {
			o->present |= TCPOPT_HAS_SACK_PERM;
		} else if (kind == 5 && olen >= 10 && (olen - 2) % 8 == 0) {
			n = (olen - 2u) / 8;
			if (n > TCPOPT_MAX_SACK_BLOCKS)
				n = TCPOPT_MAX_SACK_BLOCKS;
			for (k = 0; k < n; k++) {
				o->sack[k].left = be32(p + i + 2 + 8 * k);
				o->sack[k].right = be32(p + i + 6 + 8 * k);
			}
			o->sack_count = (uint8_t)n;
			o->present |= TCPOPT_HAS_SACK;
		} else if (kind == 8 && olen == 10) {
			o->ts_val = be32(p + i + 2);
			o->ts_ecr = be32(p + i + 6);
			o->present |= TCPOPT_HAS_TIMESTAMP;
		}
		i += olen;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_options got, want;
	uint8_t k;

	if (size > 65536)
		return 0;
	memset(&got, 0xa5, sizeof(got));
	decode_tcp_options(size ? data : NULL, (uint32_t)size, &got);
	reference(data, size, &want);

	/* Nothing was cut: the whole list was handed over. */
	CHECK((got.present & TCPOPT_CUT) == 0);
	CHECK(got.present == want.present);
	CHECK(got.mss == want.mss);
	CHECK(got.wscale == want.wscale);
	CHECK(got.ts_val == want.ts_val && got.ts_ecr == want.ts_ecr);
	CHECK(got.sack_count == want.sack_count);
	for (k = 0; k < want.sack_count; k++)
		CHECK(got.sack[k].left == want.sack[k].left &&
		    got.sack[k].right == want.sack[k].right);
	return 0;
}
