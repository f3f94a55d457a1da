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
 * never have been decoded anyway; a fragment of a tunnel is ip_fragment,
 * since its inner packet is split and we do not reassemble.
 *
 * Tunnels: IP in IP (protocol 4 and 41, either outer version), GRE
 * (RFC 2784, RFC 2890) carrying IPv4, IPv6 or bridged Ethernet, and
 * VXLAN (RFC 7348, UDP port 4789) carrying Ethernet.  The inner headers
 * are decoded with the same cursor, so they are bounded by the outer
 * lengths and by caplen, and the innermost IP header's fields win.  At
 * most MAX_IP_LEVELS IP headers are opened per frame.
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
#define IPPROTO_IPV4_		4	/* IP in IP, RFC 2003 */
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_IPV6_		41	/* IPv6 in IP, RFC 4213 / RFC 2473 */
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_GRE_		47
#define IPPROTO_AH_		51
#define IPPROTO_DSTOPTS_	60

/* GRE (RFC 2784) flag bits, with K and S from RFC 2890. */
#define GRE_HDR_LEN		4	/* flags and version, protocol type */
#define GRE_OPT_LEN		4	/* each of checksum, key, sequence */
#define GRE_CSUM		0x8000
#define GRE_ROUTING		0x4000	/* RFC 1701 only; RFC 2784 discards */
#define GRE_KEY			0x2000
#define GRE_SEQ			0x1000
#define GRE_VERSION		0x0007	/* 1 is PPTP's enhanced GRE */
#define ETHERTYPE_IPV4_		0x0800
#define ETHERTYPE_IPV6_		0x86dd
#define ETHERTYPE_TEB		0x6558	/* transparent Ethernet bridging */

#define UDP_HDR_LEN		8
#define UDP_PORTS_LEN		4	/* source and destination port */
#define VXLAN_PORT		4789	/* IANA, RFC 7348 */
#define VXLAN_HDR_LEN		8	/* flags, reserved, VNI, reserved */
#define VXLAN_FLAG_I		0x08	/* the VNI is valid */

/* Where a packet lies in its fragment train (IPv4 or IPv6). */
enum ip_frag {
	FRAG_NONE,		/* not fragmented, or atomic */
	FRAG_FIRST,		/* offset 0, more to come */
	FRAG_LATER		/* offset > 0: no next header here */
};

static enum decode_status decode_payload(struct cursor *, uint8_t,
    enum ip_frag, struct packet *);

/* Whether a protocol is TCP or a tunnel we open to look for TCP. */
static bool
may_carry_tcp(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
	case IPPROTO_IPV4_:
	case IPPROTO_IPV6_:
	case IPPROTO_GRE_:
		return (true);
	default:
		return (false);
	}
}

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
	enum ip_frag	where;
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

	if ((frag & IPV4_OFFMASK) != 0)
		where = FRAG_LATER;
	else if ((frag & IPV4_MF) != 0)
		where = FRAG_FIRST;
	else
		where = FRAG_NONE;
	return (decode_payload(c, proto, where, out));
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
	enum ip_frag	frag = FRAG_NONE;
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
				if (!may_carry_tcp(next) && !ipv6_is_ext(next))
					return (DECODE_NON_TCP);
				/* A later fragment: no TCP header here. */
				return (DECODE_IP_FRAGMENT);
			}
			/* Offset 0 without M is an atomic fragment: whole. */
			if ((cur_be16(c, 2) & IPV6_MORE_FRAGS) != 0)
				frag = FRAG_FIRST;
		}
		cur_skip(c, extlen);
		nh = next;
	}
	return (decode_payload(c, nh, frag, out));
}

/*
 * GRE (RFC 2784): flags and version, protocol type (an EtherType), then
 * a checksum word if C is set, a key if K and a sequence number if S
 * (RFC 2890).  RFC 1701 routing (R) and other versions, such as PPTP's
 * enhanced GRE, are not opened.
 */
static enum decode_status
decode_gre(struct cursor *c, struct packet *out)
{
	uint32_t	hlen = GRE_HDR_LEN;
	uint16_t	fv, proto;

	/* The IP payload cannot hold a GRE header: its length lies. */
	if (c->wire < GRE_HDR_LEN)
		return (DECODE_BAD_IP_HEADER);
	/* The GRE header was cut by snaplen. */
	if (!cur_has(c, GRE_HDR_LEN))
		return (DECODE_TRUNCATED_HEADER);
	fv = cur_be16(c, 0);
	proto = cur_be16(c, 2);
	/* Source routing or a version other than 0: not plain GRE. */
	if ((fv & (GRE_ROUTING | GRE_VERSION)) != 0)
		return (DECODE_NON_IP);
	if ((fv & GRE_CSUM) != 0)
		hlen += GRE_OPT_LEN;
	if ((fv & GRE_KEY) != 0)
		hlen += GRE_OPT_LEN;
	if ((fv & GRE_SEQ) != 0)
		hlen += GRE_OPT_LEN;
	/* The optional fields run past the IP payload. */
	if (hlen > c->wire)
		return (DECODE_BAD_IP_HEADER);
	/* The optional fields were cut by snaplen. */
	if (!cur_has(c, hlen))
		return (DECODE_TRUNCATED_HEADER);
	cur_skip(c, hlen);

	switch (proto) {
	case ETHERTYPE_IPV4_:
		return (decode_ip(c, 4, out));
	case ETHERTYPE_IPV6_:
		return (decode_ip(c, 6, out));
	case ETHERTYPE_TEB:
		return (decode_ethernet(c, out));
	default:
		/* MPLS, ERSPAN, PPP, keepalives, ... */
		return (DECODE_NON_IP);
	}
}

/*
 * UDP: only VXLAN (RFC 7348) to port 4789 is opened, an 8-byte header
 * whose I flag marks a valid VNI, then an Ethernet frame.  Any other
 * datagram is just not TCP.
 */
static enum decode_status
decode_udp(struct cursor *c, enum ip_frag frag, struct packet *out)
{
	uint32_t	ulen;

	/* The ports were not captured: cannot tell VXLAN, so some UDP. */
	if (!cur_has(c, UDP_PORTS_LEN))
		return (DECODE_NON_TCP);
	/* DNS, QUIC, NTP, ... */
	if (cur_be16(c, 2) != VXLAN_PORT)
		return (DECODE_NON_TCP);
	/* A fragmented VXLAN datagram: its inner frame is split. */
	if (frag != FRAG_NONE)
		return (DECODE_IP_FRAGMENT);
	/* Too short on the wire for VXLAN: some other use of the port. */
	if (c->wire < UDP_HDR_LEN + VXLAN_HDR_LEN)
		return (DECODE_NON_TCP);
	/* The UDP or VXLAN header was cut by snaplen. */
	if (!cur_has(c, UDP_HDR_LEN + VXLAN_HDR_LEN))
		return (DECODE_TRUNCATED_HEADER);
	ulen = cur_be16(c, 4);
	/* The UDP length says too short for VXLAN (below 8: no bound). */
	if (ulen >= UDP_HDR_LEN && ulen < UDP_HDR_LEN + VXLAN_HDR_LEN)
		return (DECODE_NON_TCP);
	/* No valid VNI: not VXLAN as RFC 7348 defines it. */
	if ((cur_u8(c, UDP_HDR_LEN) & VXLAN_FLAG_I) == 0)
		return (DECODE_NON_TCP);
	cur_skip(c, UDP_HDR_LEN);
	/* The UDP length bounds the datagram, as PPPoE's does. */
	if (ulen >= UDP_HDR_LEN)
		cur_limit(c, ulen - UDP_HDR_LEN);
	cur_skip(c, VXLAN_HDR_LEN);
	return (decode_ethernet(c, out));
}

/*
 * Decode what an IP header carries: TCP, or a tunnel holding it.  c is
 * limited to the IP payload, so c->wire is its length from the IP
 * length fields.  frag says where the packet lies in its fragments.
 */
static enum decode_status
decode_payload(struct cursor *c, uint8_t proto, enum ip_frag frag,
    struct packet *out)
{
	switch (proto) {
	case IPPROTO_TCP_:
		/* A later fragment: no TCP header here. */
		if (frag == FRAG_LATER)
			return (DECODE_IP_FRAGMENT);
		/* A first fragment too short to hold its TCP header. */
		if (frag == FRAG_FIRST && !decode_tcp_header_fits(c, c->wire))
			return (DECODE_IP_FRAGMENT);
		return (decode_tcp(c, c->wire, out));
	case IPPROTO_IPV4_:
	case IPPROTO_IPV6_:
	case IPPROTO_GRE_:
		/* A tunnel's fragment: its inner packet is split. */
		if (frag != FRAG_NONE)
			return (DECODE_IP_FRAGMENT);
		if (proto == IPPROTO_GRE_)
			return (decode_gre(c, out));
		return (decode_ip(c, proto == IPPROTO_IPV4_ ? 4 : 6, out));
	case IPPROTO_UDP_:
		/* A later fragment: no UDP header; most UDP is not VXLAN. */
		if (frag == FRAG_LATER)
			return (DECODE_NON_TCP);
		return (decode_udp(c, frag, out));
	default:
		/* ICMP, ESP, SCTP, no next header, ... fragmented or not. */
		return (DECODE_NON_TCP);
	}
}

/*
 * Decode the IP header at c and the TCP segment behind it; see
 * decode_internal.h.  version 0 picks by the version nibble, as raw IP
 * link types require.
 */
enum decode_status
decode_ip(struct cursor *c, unsigned version, struct packet *out)
{
	/* Tunnels nested past the cap: a crafted frame, most likely. */
	if (++c->depth > MAX_IP_LEVELS)
		return (DECODE_BAD_IP_HEADER);
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
