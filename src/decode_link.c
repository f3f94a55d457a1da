/*
 * decode_link.c - decoder entry point and link layers.
 *
 * decode_packet() strips the link header of a frame (Ethernet with
 * stacked VLAN tags, LLC/SNAP, PPPoE or an MPLS label stack, Linux
 * cooked SLL and SLL2, raw IP, BSD NULL and OpenBSD LOOP, PPP and PPP
 * in HDLC framing, Linux NFLOG) and hands the rest to decode_ip().
 * Everything is read through struct cursor, which never goes past
 * caplen; a link header cut by snaplen is truncated_link, a frame
 * carrying something other than IPv4/IPv6 is non_ip.  Tunnels over IP
 * (IP in IP, GRE, VXLAN) are opened in decode_ip.c, which comes back
 * here through decode_ethernet() for bridged Ethernet.
 */
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "decode_internal.h"

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100	/* IEEE 802.1Q C-tag */
#define ETHERTYPE_QINQ		0x88a8	/* IEEE 802.1ad S-tag */
#define ETHERTYPE_QINQ_OLD	0x9100	/* pre-802.1ad vendor S-tag */
#define ETHERTYPE_PPPOE		0x8864	/* PPPoE session stage, RFC 2516 */
#define ETHERTYPE_MPLS		0x8847	/* MPLS unicast, RFC 3032 */
#define ETHERTYPE_MPLS_MCAST	0x8848	/* MPLS multicast, RFC 5332 */
#define ETHER_MAX_LEN_FIELD	1500	/* up to here: 802.3 length, not type */

#define ETHER_HDR_LEN		14	/* dst, src, type */
#define VLAN_TAG_LEN		4	/* TCI, inner type */
#define SLL_HDR_LEN		16	/* protocol at offset 14 */
#define SLL2_HDR_LEN		20	/* protocol at offset 0 */
#define NULL_HDR_LEN		4	/* address family, 32 bits */
#define SNAP_HDR_LEN		8	/* LLC aa aa 03, OUI, EtherType */
#define PPPOE_HDR_LEN		6	/* ver/type, code, session, length */
#define PPPOE_VER_TYPE		0x11
#define PPPOE_CODE_SESSION	0x00
#define MPLS_LABEL_LEN		4	/* label, TC, S, TTL */
#define MPLS_BOS		0x01	/* bottom of stack, in byte 2 */

/*
 * NFLOG (libpcap's LINKTYPE_NFLOG): family, version and resource id,
 * then netlink attributes whose 16-bit length (header included) and
 * type are in the logging host's byte order, little-endian in practice.
 * Each attribute is padded to 4 bytes; NFULA_PAYLOAD holds the packet.
 */
#define NFLOG_HDR_LEN		4
#define NFLOG_TLV_HDR_LEN	4
#define NFLOG_TLV_TYPE_MASK	0x3fff	/* without NLA_F_NESTED/BYTEORDER */
#define NFULA_PAYLOAD		9
#define NFLOG_AF_INET		2
#define NFLOG_AF_INET6		10
#define IPV6_FIXED_HDR_LEN	40	/* IPv6 payload length excludes it */

/* Address families seen in NULL/LOOP headers across systems. */
#define BSD_AF_INET		2
#define LINUX_AF_INET6		10
#define NETBSD_AF_INET6		24	/* also OpenBSD */
#define FREEBSD_AF_INET6	28	/* also DragonFly */
#define DARWIN_AF_INET6		30

/* PPP protocol numbers (RFC 1661, RFC 5072) and HDLC framing bytes. */
#define PPP_ADDRESS		0xff
#define PPP_CONTROL		0x03
#define PPP_IPV4		0x0021
#define PPP_IPV6		0x0057
#define CHDLC_UNICAST		0x0f	/* Cisco HDLC address bytes */
#define CHDLC_BCAST		0x8f

static const char *const status_names[DECODE_STATUS_COUNT] = {
	[DECODE_OK] = "ok",
	[DECODE_UNKNOWN_LINKTYPE] = "unknown_linktype",
	[DECODE_TRUNCATED_LINK] = "truncated_link",
	[DECODE_TOO_MANY_VLAN_TAGS] = "too_many_vlan_tags",
	[DECODE_NON_IP] = "non_ip",
	[DECODE_BAD_IP_HEADER] = "bad_ip_header",
	[DECODE_BAD_IPV6_EXT] = "bad_ipv6_ext",
	[DECODE_IP_FRAGMENT] = "ip_fragment",
	[DECODE_NON_TCP] = "non_tcp",
	[DECODE_TRUNCATED_HEADER] = "truncated_header",
	[DECODE_BAD_TCP_OFFSET] = "bad_tcp_offset",
};

static enum decode_status decode_ppp_proto(struct cursor *, struct packet *);
static enum decode_status decode_mpls(struct cursor *, struct packet *);

static bool
is_vlan_type(uint16_t type)
{
	return (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ_OLD);
}

/*
 * Dispatch on an EtherType found at the end of a link header, walking
 * any VLAN tags first.  c points just past the type field.
 */
static enum decode_status
decode_ethertype(struct cursor *c, uint16_t type, struct packet *out)
{
	unsigned	ntags = 0;
	uint16_t	plen;

	while (is_vlan_type(type)) {
		/* Bound the walk: a crafted frame may be all tags. */
		if (++ntags > MAX_VLAN_TAGS)
			return (DECODE_TOO_MANY_VLAN_TAGS);
		/* The tag itself was cut by snaplen. */
		if (!cur_has(c, VLAN_TAG_LEN))
			return (DECODE_TRUNCATED_LINK);
		type = cur_be16(c, 2);
		cur_skip(c, VLAN_TAG_LEN);
	}

	/*
	 * An 802.3 length (or SLL's "802.2 frame" protocol): IP can only
	 * follow as LLC/SNAP with OUI 0 (RFC 1042), ending in an EtherType.
	 */
	if (type <= ETHER_MAX_LEN_FIELD) {
		/* The LLC/SNAP header was cut by snaplen. */
		if (!cur_has(c, SNAP_HDR_LEN))
			return (DECODE_TRUNCATED_LINK);
		/* Plain LLC (STP, NetBIOS, ...), or another OUI. */
		if (cur_be32(c, 0) != 0xaaaa0300 || cur_be16(c, 4) != 0)
			return (DECODE_NON_IP);
		type = cur_be16(c, 6);
		cur_skip(c, SNAP_HDR_LEN);
	}

	switch (type) {
	case ETHERTYPE_IPV4:
		return (decode_ip(c, 4, out));
	case ETHERTYPE_IPV6:
		return (decode_ip(c, 6, out));
	case ETHERTYPE_PPPOE:
		/* The PPPoE header was cut by snaplen. */
		if (!cur_has(c, PPPOE_HDR_LEN))
			return (DECODE_TRUNCATED_LINK);
		/* Not a version 1 session packet: nothing we know. */
		if (cur_u8(c, 0) != PPPOE_VER_TYPE ||
		    cur_u8(c, 1) != PPPOE_CODE_SESSION)
			return (DECODE_NON_IP);
		plen = cur_be16(c, 4);
		cur_skip(c, PPPOE_HDR_LEN);
		/*
		 * The PPPoE length bounds the PPP frame: bytes after it
		 * are Ethernet padding even if an IP length claims them.
		 */
		cur_limit(c, plen);
		return (decode_ppp_proto(c, out));
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MCAST:
		return (decode_mpls(c, out));
	default:
		/* ARP, LLDP, PPPoE discovery, ... */
		return (DECODE_NON_IP);
	}
}

/*
 * An MPLS label stack (RFC 3032): 4-byte entries up to the one with the
 * bottom-of-stack bit.  Nothing names the payload, so IPv4 and IPv6 are
 * told by the version nibble, as Linux and Wireshark do; a pseudowire
 * (its control word starts with nibble 0) is not IP.
 */
static enum decode_status
decode_mpls(struct cursor *c, struct packet *out)
{
	unsigned	nlabels = 0;
	bool		bottom;

	do {
		/*
		 * Bound the walk: a crafted stack may never end.  Deep
		 * stacks are stacked tags like VLANs, hence that status.
		 */
		if (++nlabels > MAX_MPLS_LABELS)
			return (DECODE_TOO_MANY_VLAN_TAGS);
		/* The label was cut by snaplen. */
		if (!cur_has(c, MPLS_LABEL_LEN))
			return (DECODE_TRUNCATED_LINK);
		bottom = (cur_u8(c, 2) & MPLS_BOS) != 0;
		cur_skip(c, MPLS_LABEL_LEN);
	} while (!bottom);

	/* Nothing after the stack: cut by snaplen, or empty on the wire. */
	if (!cur_has(c, 1))
		return (c->wire < 1 ? DECODE_NON_IP : DECODE_TRUNCATED_HEADER);
	switch (cur_u8(c, 0) >> 4) {
	case 4:
		return (decode_ip(c, 4, out));
	case 6:
		return (decode_ip(c, 6, out));
	default:
		/* Ethernet pseudowire, control word, ... */
		return (DECODE_NON_IP);
	}
}

/* Ethernet II or 802.3; see decode_internal.h. */
enum decode_status
decode_ethernet(struct cursor *c, struct packet *out)
{
	uint16_t	type;

	/* Not even the MAC addresses and type were captured. */
	if (!cur_has(c, ETHER_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	type = cur_be16(c, 12);
	cur_skip(c, ETHER_HDR_LEN);
	return (decode_ethertype(c, type, out));
}

/* Linux cooked capture v1: the protocol is an EtherType at offset 14. */
static enum decode_status
decode_sll(struct cursor *c, struct packet *out)
{
	uint16_t	type;

	/* The cooked header was cut by snaplen. */
	if (!cur_has(c, SLL_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	type = cur_be16(c, 14);
	cur_skip(c, SLL_HDR_LEN);
	return (decode_ethertype(c, type, out));
}

/* Linux cooked capture v2: the protocol is an EtherType at offset 0. */
static enum decode_status
decode_sll2(struct cursor *c, struct packet *out)
{
	uint16_t	type;

	/* The cooked header was cut by snaplen. */
	if (!cur_has(c, SLL2_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	type = cur_be16(c, 0);
	cur_skip(c, SLL2_HDR_LEN);
	return (decode_ethertype(c, type, out));
}

static enum decode_status
decode_af(struct cursor *c, uint32_t family, struct packet *out)
{
	switch (family) {
	case BSD_AF_INET:
		return (decode_ip(c, 4, out));
	case LINUX_AF_INET6:
	case NETBSD_AF_INET6:
	case FREEBSD_AF_INET6:
	case DARWIN_AF_INET6:
		return (decode_ip(c, 6, out));
	default:
		/* Some other protocol family over loopback. */
		return (DECODE_NON_IP);
	}
}

/*
 * BSD NULL: a 32-bit address family in the byte order of the host that
 * wrote the file, which need not be ours.  Families are small numbers,
 * so a value with any of its upper 16 bits set was written the other
 * way round (as tcpdump's null_if_print() reasons).
 */
static enum decode_status
decode_null(struct cursor *c, struct packet *out)
{
	uint32_t	family;

	/* The family word was cut by snaplen. */
	if (!cur_has(c, NULL_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	family = cur_be32(c, 0);
	if ((family & 0xffff0000) != 0)
		family = (family >> 24) | ((family >> 8) & 0xff00) |
		    ((family & 0xff00) << 8) | ((family & 0xff) << 24);
	cur_skip(c, NULL_HDR_LEN);
	return (decode_af(c, family, out));
}

/* OpenBSD LOOP: like NULL, but the family is in network byte order. */
static enum decode_status
decode_loop(struct cursor *c, struct packet *out)
{
	uint32_t	family;

	/* The family word was cut by snaplen. */
	if (!cur_has(c, NULL_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	family = cur_be32(c, 0);
	cur_skip(c, NULL_HDR_LEN);
	return (decode_af(c, family, out));
}

/*
 * The PPP protocol field (RFC 1661): two bytes, or one odd byte under
 * protocol-field compression.  Shared by PPP framings and PPPoE.
 */
static enum decode_status
decode_ppp_proto(struct cursor *c, struct packet *out)
{
	uint16_t	proto;

	/* The protocol field was cut by snaplen. */
	if (!cur_has(c, 1))
		return (DECODE_TRUNCATED_LINK);
	if (cur_u8(c, 0) & 0x01) {
		proto = cur_u8(c, 0);
		cur_skip(c, 1);
	} else {
		/* Half of an uncompressed protocol field. */
		if (!cur_has(c, 2))
			return (DECODE_TRUNCATED_LINK);
		proto = cur_be16(c, 0);
		cur_skip(c, 2);
	}

	switch (proto) {
	case PPP_IPV4:
		return (decode_ip(c, 4, out));
	case PPP_IPV6:
		return (decode_ip(c, 6, out));
	default:
		/* LCP, IPCP, CCP, MPLS, ... */
		return (DECODE_NON_IP);
	}
}

/*
 * PPP: an optional 0xff 0x03 address/control pair (RFC 1662, absent
 * under address-and-control-field compression), then the protocol.
 */
static enum decode_status
decode_ppp(struct cursor *c, struct packet *out)
{
	/* Not even a compressed protocol byte was captured. */
	if (!cur_has(c, 1))
		return (DECODE_TRUNCATED_LINK);
	if (cur_u8(c, 0) == PPP_ADDRESS) {
		/* Address without its control byte. */
		if (!cur_has(c, 2))
			return (DECODE_TRUNCATED_LINK);
		/* 0xff then anything but 0x03 is not PPP framing. */
		if (cur_u8(c, 1) != PPP_CONTROL)
			return (DECODE_NON_IP);
		cur_skip(c, 2);
	}
	return (decode_ppp_proto(c, out));
}

/*
 * LINKTYPE_PPP_HDLC: PPP in HDLC-like framing (byte stuffing already
 * undone by the capturer), or Cisco HDLC, recognized by its first byte
 * 0x0f/0x8f and carrying an EtherType after a control byte.
 */
static enum decode_status
decode_ppp_hdlc(struct cursor *c, struct packet *out)
{
	uint16_t	type;

	/* Not even the address byte was captured. */
	if (!cur_has(c, 1))
		return (DECODE_TRUNCATED_LINK);
	if (cur_u8(c, 0) != CHDLC_UNICAST && cur_u8(c, 0) != CHDLC_BCAST)
		return (decode_ppp(c, out));
	/* The Cisco HDLC header was cut by snaplen. */
	if (!cur_has(c, 4))
		return (DECODE_TRUNCATED_LINK);
	type = cur_be16(c, 2);
	cur_skip(c, 4);
	return (decode_ethertype(c, type, out));
}

/*
 * Linux NFLOG: find the NFULA_PAYLOAD attribute and decode the packet
 * in it by the header's address family.
 *
 * The attribute holds the packet as far as the kernel copied it (the
 * log rule's copy range), which is a capture cut like snaplen: the
 * frame's wire length is the netlink message's and says nothing about
 * the packet's.  So the inner cursor sees the attribute's captured bytes
 * and, on the wire, as many bytes as the attribute or the IP header's
 * own length claims, whichever is more; decode_ip() then sizes the
 * payload from the IP header as usual.
 */
static enum decode_status
decode_nflog(struct cursor *c, struct packet *out)
{
	struct cursor	in;
	uint32_t	tlen, vlen, claim;
	unsigned	version;

	/* The NFLOG header was cut by snaplen. */
	if (!cur_has(c, NFLOG_HDR_LEN))
		return (DECODE_TRUNCATED_LINK);
	switch (cur_u8(c, 0)) {
	case NFLOG_AF_INET:
		version = 4;
		break;
	case NFLOG_AF_INET6:
		version = 6;
		break;
	default:
		/* ARP, bridge or other family log entries. */
		return (DECODE_NON_IP);
	}
	cur_skip(c, NFLOG_HDR_LEN);

	/* Each pass skips at least 4 captured bytes, so the walk ends. */
	for (;;) {
		/* The attributes ended without a packet (no payload copied). */
		if (c->wire < NFLOG_TLV_HDR_LEN)
			return (DECODE_NON_IP);
		/* The attribute header was cut by snaplen. */
		if (!cur_has(c, NFLOG_TLV_HDR_LEN))
			return (DECODE_TRUNCATED_LINK);
		tlen = cur_le16(c, 0);
		/* Length below its own header or past the frame: no way on. */
		if (tlen < NFLOG_TLV_HDR_LEN || tlen > c->wire)
			return (DECODE_NON_IP);
		if ((cur_le16(c, 2) & NFLOG_TLV_TYPE_MASK) == NFULA_PAYLOAD)
			break;
		/* Padding past the last attribute may be missing. */
		tlen = (tlen + 3) & ~(uint32_t)3;
		if (tlen > c->wire)
			tlen = c->wire;
		/* An attribute before the payload was cut by snaplen. */
		if (!cur_skip(c, tlen))
			return (DECODE_TRUNCATED_LINK);
	}

	vlen = tlen - NFLOG_TLV_HDR_LEN;
	cur_skip(c, NFLOG_TLV_HDR_LEN);
	in.p = c->p;
	in.len = c->len < vlen ? c->len : vlen;
	in.depth = c->depth;
	in.wire = vlen;
	if (version == 4)
		claim = cur_be16(&in, 2);
	else
		claim = cur_has(&in, 6) ?
		    IPV6_FIXED_HDR_LEN + (uint32_t)cur_be16(&in, 4) : 0;
	if (claim > in.wire)
		in.wire = claim;
	return (decode_ip(&in, version, out));
}

/*
 * Decode one frame into *out; see decode.h.  Fields the lower layers
 * fill are the IP and TCP ones; wire_len is set here.
 */
enum decode_status
decode_packet(int linktype, const uint8_t *bytes, uint32_t caplen,
    uint32_t wire_len, struct packet *out)
{
	struct cursor	c;

	/* No buffer means nothing was captured, whatever caplen says. */
	if (bytes == NULL)
		caplen = 0;
	c.p = bytes;
	c.len = caplen;
	/* A writer that put wire_len < caplen lied; trust the bytes. */
	c.wire = wire_len < caplen ? caplen : wire_len;
	c.depth = 0;
	out->wire_len = wire_len;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		return (decode_ethernet(&c, out));
	case LINKTYPE_LINUX_SLL:
		return (decode_sll(&c, out));
	case LINKTYPE_LINUX_SLL2:
		return (decode_sll2(&c, out));
	case LINKTYPE_RAW:
	case DLT_RAW_ALT:
	case DLT_RAW_ALT2:
		return (decode_ip(&c, 0, out));
	case LINKTYPE_IPV4:
		return (decode_ip(&c, 4, out));
	case LINKTYPE_IPV6:
		return (decode_ip(&c, 6, out));
	case LINKTYPE_NULL:
		return (decode_null(&c, out));
	case LINKTYPE_LOOP:
		return (decode_loop(&c, out));
	case LINKTYPE_PPP:
		return (decode_ppp(&c, out));
	case LINKTYPE_PPP_HDLC:
		return (decode_ppp_hdlc(&c, out));
	case LINKTYPE_NFLOG:
		return (decode_nflog(&c, out));
	default:
		/* Not one of ours; decode_linktype_supported() agrees. */
		return (DECODE_UNKNOWN_LINKTYPE);
	}
}

/* Whether decode_packet() knows linktype; matches its switch above. */
bool
decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case LINKTYPE_ETHERNET:
	case LINKTYPE_LINUX_SLL:
	case LINKTYPE_LINUX_SLL2:
	case LINKTYPE_RAW:
	case DLT_RAW_ALT:
	case DLT_RAW_ALT2:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case LINKTYPE_NULL:
	case LINKTYPE_LOOP:
	case LINKTYPE_PPP:
	case LINKTYPE_PPP_HDLC:
	case LINKTYPE_NFLOG:
		return (true);
	default:
		return (false);
	}
}

/*
 * Stable snake_case name of status for reports and counters.  A value
 * outside the enum gets "invalid" rather than a crash.
 */
const char *
decode_status_name(enum decode_status status)
{
	/* Out of range: a caller bug, but names must never be NULL. */
	if ((unsigned)status >= DECODE_STATUS_COUNT)
		return ("invalid");
	return (status_names[status]);
}
