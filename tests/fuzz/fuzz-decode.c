/*
 * fuzz-decode.c - libFuzzer target: decode_packet() on one frame.
 *
 * Input layout:
 *   byte 0   picks the link type: index into linktypes[] below (modulo
 *            its size): every link type decode_linktype_supported()
 *            accepts, and a few it does not.
 *   byte 1   picks the wire length: below 128, caplen + byte * 64 (a
 *            frame cut by snaplen); from 128 on, caplen - (byte - 128)
 *            clamped at 0 (a writer whose len is below caplen: a lie).
 *   rest     the captured bytes (caplen = size - 2).
 *
 * Besides the sanitizers, the harness checks what decode.h promises:
 * a status in range, determinism (the decoder is pure), a supported
 * link type never answering unknown_linktype, and on success sane
 * fields: IP version 4 or 6, a TCP header of 20..60 bytes, at most
 * TCPOPT_MAX_SACK_BLOCKS SACK blocks, and (except for NFLOG, whose
 * inner packet may be longer than the copy logged) a segment no longer
 * than the frame on the wire.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

static const int linktypes[] = {
	LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_PPP, LINKTYPE_RAW,
	LINKTYPE_PPP_HDLC, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4,
	LINKTYPE_IPV6, LINKTYPE_NFLOG, LINKTYPE_LINUX_SLL2, DLT_RAW_ALT,
	DLT_RAW_ALT2,
	/* unsupported */
	147 /* USER0 */, 105 /* IEEE802_11 */, 127 /* RADIOTAP */, -1, 65535,
};
#define NLINKTYPES ((int)(sizeof(linktypes) / sizeof(linktypes[0])))

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz-decode: check failed: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet a, b;
	enum decode_status sa, sb;
	uint32_t caplen, wire;
	int lt;

	if (size < 2 || size - 2 > 262144)
		return 0;
	lt = linktypes[data[0] % NLINKTYPES];
	caplen = (uint32_t)(size - 2);
	if (data[1] < 128)
		wire = caplen + (uint32_t)data[1] * 64;
	else
		wire = caplen > (uint32_t)(data[1] - 128) ? caplen - (data[1] - 128) : 0;

	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	/* caplen 0: the bytes pointer may be anything, even NULL. */
	sa = decode_packet(lt, caplen ? data + 2 : NULL, caplen, wire, &a);
	sb = decode_packet(lt, caplen ? data + 2 : NULL, caplen, wire, &b);

	CHECK((unsigned)sa < DECODE_STATUS_COUNT);
	CHECK(sa == sb);
	CHECK(decode_status_name(sa) != NULL);
	CHECK((sa == DECODE_UNKNOWN_LINKTYPE) == !decode_linktype_supported(lt));
	if (sa != DECODE_OK)
		return 0;
	/* Pure: both runs fill the same fields (ts_ns and frame are the caller's). */
	a.ts_ns = b.ts_ns = 0;
	a.frame = b.frame = 0;
	CHECK(a.wire_len == wire);
	CHECK(a.ip_version == 4 || a.ip_version == 6);
	CHECK(a.tcp_hdr_len >= 20 && a.tcp_hdr_len <= 60 && a.tcp_hdr_len % 4 == 0);
	CHECK(a.opt.sack_count <= TCPOPT_MAX_SACK_BLOCKS);
	CHECK(((a.opt.present & TCPOPT_HAS_SACK) != 0) == (a.opt.sack_count > 0));
	if (lt != LINKTYPE_NFLOG)
		CHECK((uint64_t)a.payload_len + a.tcp_hdr_len <=
		    (wire > caplen ? wire : caplen));
	CHECK(a.ip_version == b.ip_version && a.ttl == b.ttl && a.ip_id == b.ip_id);
	CHECK(memcmp(a.src, b.src, 16) == 0 && memcmp(a.dst, b.dst, 16) == 0);
	CHECK(a.sport == b.sport && a.dport == b.dport && a.seq == b.seq &&
	    a.ack == b.ack && a.flags == b.flags && a.window == b.window &&
	    a.tcp_hdr_len == b.tcp_hdr_len && a.payload_len == b.payload_len);
	CHECK(a.opt.present == b.opt.present && a.opt.mss == b.opt.mss &&
	    a.opt.wscale == b.opt.wscale && a.opt.ts_val == b.opt.ts_val &&
	    a.opt.ts_ecr == b.opt.ts_ecr && a.opt.sack_count == b.opt.sack_count);
	return 0;
}
