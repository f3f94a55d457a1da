/*
 * packet-builder.h - make struct packet values for unit tests without
 * going through the decoder.
 */
#ifndef TCPSIGHT_PACKET_BUILDER_H
#define TCPSIGHT_PACKET_BUILDER_H

#include <string.h>

#include "decode.h"

/* An IPv4 segment a:ap -> b:bp (addresses as 32-bit host-order values). */
static inline struct packet
make_segment(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp,
    uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint64_t ts_ns)
{
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.src[0] = (uint8_t)(a >> 24); p.src[1] = (uint8_t)(a >> 16);
	p.src[2] = (uint8_t)(a >> 8);  p.src[3] = (uint8_t)a;
	p.dst[0] = (uint8_t)(b >> 24); p.dst[1] = (uint8_t)(b >> 16);
	p.dst[2] = (uint8_t)(b >> 8);  p.dst[3] = (uint8_t)b;
	p.sport = ap;
	p.dport = bp;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.window = 1000;
	p.wire_len = 54 + len;
	p.ts_ns = ts_ns;
	return p;
}

#endif
