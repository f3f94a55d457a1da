/*
 * decode_ip.c - IPv4 and IPv6 headers, IPv6 extension chains, fragments.
 *
 * The IP layer decides how long the TCP segment is.  That length comes
 * from the IP length fields (RFC 791 total length, RFC 8200 payload
 * length, RFC 2675 jumbo payload), never from caplen, so a capture cut
 * by snaplen still yields the true payload length.  A length field is
 * clamped to what the frame held on the wire (it may lie, or be 0 on
 * TSO / BIG TCP captures), and the cursor is then limited to it, which
 * drops Ethernet padding and trailers.
 *
 * Fragments: a non-first fragment carries no TCP header and is
 * reported as ip_fragment.  A first fragment is decoded when it holds
 * the whole TCP header; its payload_len is that fragment's share only.
 * A fragment of a protocol other than TCP is non_tcp, since it would
 * never have been decoded anyway.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "decode_internal.h"

#define IPV4_MIN_HDR_LEN	20
#define IPV4_MF			0x2000	/* more fragments */
#define IPV4_OFFMASK		0x1fff	/* fragment offset, 8-byte units */

#define IPV6_HDR_LEN		40
#define IPV6_FRAG_HDR_LEN	8
#define IPV6_OFFMASK		0xfff8	/* fragment offset, in place */
#define IPV6_MORE_FRAGS		0x0001
#define IPV6_OPT_PAD1		0x00
#define IPV6_OPT_JUMBO		0xc2	/* RFC 2675 */
#define IPV6_OPT_JUMBO_LEN	4

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_TCP_		6
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_DSTOPTS_	60

static bool
ipv6_is_ext(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_FRAGMENT_:
	case IPPROTO_AH_:
	case IPPROTO_DSTOPTS_:
		return (true);
	default:
		return (false);
	}
}

static enum decode_status
decode_ipv4(struct cursor *c, struct packet *out)
{
	uint32_t	hl, tl;
	uint16_t	frag;
	uint8_t		proto;

	/* The frame on the wire cannot hold an IPv4 header at all. */
	if (c->wire < IPV4_MIN_HDR_LEN)
		return (DECODE_BAD_IP_HEADER);
	/* The fixed header was cut by snaplen. */
	if (!cur_has(c, IPV4_MIN_HDR_LEN))
		return (DECODE_TRUNCATED_HEADER);
	/* The link layer said IPv4; the header disagrees. */
	if ((cur_u8(c, 0) >> 4) != 4)
		return (DECODE_BAD_IP_HEADER);
	hl = (uint32_t)(cur_u8(c, 0) & 0x0f) * 4;
	/* IHL below 5 words cannot hold the fixed header. */
	if (hl < IPV4_MIN_HDR_LEN)
		return (DECODE_BAD_IP_HEADER);

	tl = cur_be16(c, 2);
	if (tl == 0 || tl > c->wire)
		tl = c->wire;	/* TSO / BIG TCP (0), or a lying field */
	/* The total length does not even cover the header. */
	if (tl < hl)
		return (DECODE_BAD_IP_HEADER);
	/* IPv4 options were cut by snaplen. */
	if (!cur_has(c, hl))
		return (DECODE_TRUNCATED_HEADER);

	out->ip_version = 4;
	out->ttl = cur_u8(c, 8);
	out->ip_id = cur_be16(c, 4);
	memset(out->src, 0, sizeof(out->src));
	memset(out->dst, 0, sizeof(out->dst));
	cur_copy(c, 12, out->src, 4);
	cur_copy(c, 16, out->dst, 4);
	proto = cur_u8(c, 9);
	frag = cur_be16(c, 6);

	cur_skip(c, hl);
	cur_limit(c, tl - hl);

	/* UDP, ICMP, ... (fragmented or not). */
	if (proto != IPPROTO_TCP_)
		return (DECODE_NON_TCP);
	/* A later fragment: no TCP header here. */
	if ((frag & IPV4_OFFMASK) != 0)
		return (DECODE_IP_FRAGMENT);
	/* A first fragment too short to hold its TCP header. */
	if ((frag & IPV4_MF) != 0 && !decode_tcp_header_fits(c, tl - hl))
		return (DECODE_IP_FRAGMENT);
	return (decode_tcp(c, tl - hl, out));
}

/*
 * Find an RFC 2675 jumbo payload option in the hop-by-hop header at c.
 * Only captured bytes are looked at; on any doubt *plen is left as is
 * (the caller then falls back to the wire length).
 */
static void
ipv6_jumbo_len(const struct cursor *c, uint32_t *plen)
{
	uint32_t	end, off;
	uint8_t		type, olen;

	/* The header's length byte was not captured. */
	if (!cur_has(c, 2))
		return;
	end = ((uint32_t)cur_u8(c, 1) + 1) * 8;
	off = 2;
	while (off < end && cur_has(c, off + 1)) {
		type = cur_u8(c, off);
		if (type == IPV6_OPT_PAD1) {
			off++;
			continue;
		}
		/* The option's length byte lies past the header or capture. */
		if (off + 2 > end || !cur_has(c, off + 2))
			return;
		olen = cur_u8(c, off + 1);
		if (type == IPV6_OPT_JUMBO && olen == IPV6_OPT_JUMBO_LEN) {
			/* The option's value was cut by snaplen. */
			if (off + 6 > end || !cur_has(c, off + 6))
				return;
			*plen = cur_be32(c, off + 2);
			return;
		}
		off += 2 + (uint32_t)olen;
	}
}

static enum decode_status
decode_ipv6(struct cursor *c, struct packet *out)
{
	uint32_t	plen, extlen;
	unsigned	nexts = 0;
	bool		first_frag = false;
	uint8_t		nh, next;

	/* The frame on the wire cannot hold an IPv6 header at all. */
	if (c->wire < IPV6_HDR_LEN)
		return (DECODE_BAD_IP_HEADER);
	/* The fixed header was cut by snaplen. */
	if (!cur_has(c, IPV6_HDR_LEN))
		return (DECODE_TRUNCATED_HEADER);
	/* The link layer said IPv6; the header disagrees. */
	if ((cur_u8(c, 0) >> 4) != 6)
		return (DECODE_BAD_IP_HEADER);

	out->ip_version = 6;
	out->ttl = cur_u8(c, 7);
	out->ip_id = 0;
	cur_copy(c, 8, out->src, 16);
	cur_copy(c, 24, out->dst, 16);
	plen = cur_be16(c, 4);
	nh = cur_u8(c, 6);
	cur_skip(c, IPV6_HDR_LEN);

	if (plen == 0) {
		/* Jumbogram, or TSO / BIG TCP: fall back to the wire. */
		plen = c->wire;
		if (nh == IPPROTO_HOPOPTS_)
			ipv6_jumbo_len(c, &plen);
	}
	cur_limit(c, plen);

	while (ipv6_is_ext(nh)) {
		/* Bound the walk: a crafted chain may be long. */
		if (++nexts > MAX_IPV6_EXT_HEADERS)
			return (DECODE_BAD_IPV6_EXT);
		/* The chain runs past the payload length. */
		if (c->wire < 2)
			return (DECODE_BAD_IPV6_EXT);
		/* The chain was cut by snaplen. */
		if (!cur_has(c, 2))
			return (DECODE_TRUNCATED_HEADER);
		next = cur_u8(c, 0);
		if (nh == IPPROTO_FRAGMENT_)
			extlen = IPV6_FRAG_HDR_LEN;
		else if (nh == IPPROTO_AH_)
			extlen = ((uint32_t)cur_u8(c, 1) + 2) * 4;
		else
			extlen = ((uint32_t)cur_u8(c, 1) + 1) * 8;
		/* This header runs past the payload length. */
		if (extlen > c->wire)
			return (DECODE_BAD_IPV6_EXT);
		/* This header was cut by snaplen. */
		if (!cur_has(c, extlen))
			return (DECODE_TRUNCATED_HEADER);
		if (nh == IPPROTO_FRAGMENT_) {
			if ((cur_be16(c, 2) & IPV6_OFFMASK) != 0) {
				/* A later fragment of a known non-TCP. */
				if (next != IPPROTO_TCP_ && !ipv6_is_ext(next))
					return (DECODE_NON_TCP);
				/* A later fragment: no TCP header here. */
				return (DECODE_IP_FRAGMENT);
			}
			/* Offset 0 without M is an atomic fragment: whole. */
			if ((cur_be16(c, 2) & IPV6_MORE_FRAGS) != 0)
				first_frag = true;
		}
		cur_skip(c, extlen);
		nh = next;
	}

	/* UDP, ICMPv6, ESP, no next header, ... */
	if (nh != IPPROTO_TCP_)
		return (DECODE_NON_TCP);
	/* A first fragment too short to hold its TCP header. */
	if (first_frag && !decode_tcp_header_fits(c, c->wire))
		return (DECODE_IP_FRAGMENT);
	return (decode_tcp(c, c->wire, out));
}

/*
 * Decode the IP header at c and the TCP segment behind it; see
 * decode_internal.h.  version 0 picks by the version nibble, as raw IP
 * link types require.
 */
enum decode_status
decode_ip(struct cursor *c, unsigned version, struct packet *out)
{
	if (version == 0) {
		/* Nothing at all after the link header. */
		if (!cur_has(c, 1))
			return (c->wire < 1 ? DECODE_BAD_IP_HEADER :
			    DECODE_TRUNCATED_HEADER);
		version = cur_u8(c, 0) >> 4;
	}
	switch (version) {
	case 4:
		return (decode_ipv4(c, out));
	case 6:
		return (decode_ipv6(c, out));
	default:
		/* Raw IP whose version nibble is neither 4 nor 6. */
		return (DECODE_BAD_IP_HEADER);
	}
}
