/*
 * test-decode.c - unit tests for the packet decoder (include/decode.h).
 *
 * Every frame is crafted here byte by byte: each supported link type,
 * VLAN stacks, IPv4 options and fragments, IPv6 extension chains and
 * jumbograms, snaplen cuts, Ethernet padding, bogus lengths and TCP
 * option edge cases.  Each frame is copied into a heap buffer of
 * exactly caplen bytes before decoding, so under -fsanitize=address any
 * read past caplen fails the run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "harness.h"

#define SPORT		0x1234
#define DPORT		80
#define SEQ		0x11223344u
#define ACK		0x55667788u
#define WINDOW		0xfaf0
#define TTL4		64
#define TTL6		63
#define IPID		0xbeef

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* MSS 1460, SACK-permitted, TS 1/0, NOP, WS 7: 20 bytes, header 40. */
static const uint8_t syn_opts[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};

static void
put_be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put_be32(uint8_t *p, size_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static size_t
round4(size_t n)
{
	return ((n + 3) & ~(size_t)3);
}

/* Bytes a TCP segment with optlen option bytes and paylen payload takes. */
static size_t
tcp_size(size_t optlen, size_t paylen)
{
	return (20 + round4(optlen) + paylen);
}

/* Write a TCP header (SYN|ACK), options padded with EOL, then payload. */
static size_t
put_tcp(uint8_t *p, const uint8_t *opts, size_t optlen, size_t paylen)
{
	size_t	hlen = 20 + round4(optlen);

	memset(p, 0, hlen);
	put_be16(p, SPORT);
	put_be16(p + 2, DPORT);
	put_be32(p + 4, SEQ);
	put_be32(p + 8, ACK);
	p[12] = (uint8_t)((hlen / 4) << 4);
	p[13] = 0x12;
	put_be16(p + 14, WINDOW);
	if (optlen > 0)
		memcpy(p + 20, opts, optlen);
	memset(p + hlen, 'A', paylen);
	return (hlen + paylen);
}

/* Write an IPv4 header of ihl words (options are NOPs) for l4len bytes. */
static size_t
put_ipv4(uint8_t *p, unsigned ihl, uint8_t proto, size_t l4len)
{
	size_t	hl = ihl * 4;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | ihl);
	put_be16(p + 2, (uint32_t)(hl + l4len));
	put_be16(p + 4, IPID);
	put_be16(p + 6, 0x4000);	/* DF */
	p[8] = TTL4;
	p[9] = proto;
	memcpy(p + 12, v4_src, 4);
	memcpy(p + 16, v4_dst, 4);
	if (hl > 20)
		memset(p + 20, 1, hl - 20);
	return (hl);
}

static size_t
put_ipv6(uint8_t *p, uint8_t nh, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put_be16(p + 4, (uint32_t)plen);
	p[6] = nh;
	p[7] = TTL6;
	memcpy(p + 8, v6_src, 16);
	memcpy(p + 24, v6_dst, 16);
	return (40);
}

/* Hop-by-hop, routing or destination options header of (units+1)*8. */
static size_t
put_ext(uint8_t *p, uint8_t nh, unsigned units)
{
	size_t	len = (units + 1) * 8;

	memset(p, 0, len);
	p[0] = nh;
	p[1] = (uint8_t)units;
	p[2] = 1;			/* PadN over the rest */
	p[3] = (uint8_t)(len - 4);
	return (len);
}

static size_t
put_frag6(uint8_t *p, uint8_t nh, unsigned offset8, bool more)
{
	memset(p, 0, 8);
	p[0] = nh;
	put_be16(p + 2, (offset8 << 3) | (more ? 1 : 0));
	put_be32(p + 4, 0xcafe);
	return (8);
}

static size_t
put_eth(uint8_t *p, uint16_t type)
{
	static const uint8_t macs[12] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
	};

	memcpy(p, macs, 12);
	put_be16(p + 12, type);
	return (14);
}

static size_t
put_tag(uint8_t *p, uint16_t tci, uint16_t type)
{
	put_be16(p, tci);
	put_be16(p + 2, type);
	return (4);
}

/* IPv4 + TCP with the given options and payload; returns bytes written. */
static size_t
put_v4_seg(uint8_t *p, const uint8_t *opts, size_t optlen, size_t paylen)
{
	size_t	l4 = tcp_size(optlen, paylen);

	put_ipv4(p, 5, 6, l4);
	put_tcp(p + 20, opts, optlen, paylen);
	return (20 + l4);
}

static size_t
put_v6_seg(uint8_t *p, const uint8_t *opts, size_t optlen, size_t paylen)
{
	size_t	l4 = tcp_size(optlen, paylen);

	put_ipv6(p, 6, l4);
	put_tcp(p + 40, opts, optlen, paylen);
	return (40 + l4);
}

/*
 * Decode caplen bytes of f (a frame of wire bytes) from an exact-size
 * heap copy; *pkt is poisoned first so unset fields show.
 */
static enum decode_status
dec_cut(int lt, const uint8_t *f, size_t caplen, size_t wire,
    struct packet *pkt)
{
	enum decode_status	 st;
	uint8_t			*copy;

	copy = malloc(caplen > 0 ? caplen : 1);
	if (copy == NULL)
		abort();
	if (caplen > 0)
		memcpy(copy, f, caplen);
	memset(pkt, 0xaa, sizeof(*pkt));
	st = decode_packet(lt, copy, (uint32_t)caplen, (uint32_t)wire, pkt);
	free(copy);
	return (st);
}

static enum decode_status
dec(int lt, const uint8_t *f, size_t n, struct packet *pkt)
{
	return (dec_cut(lt, f, n, n, pkt));
}

/* Whether pkt is the standard crafted segment with these lengths. */
static bool
seg_ok(const struct packet *pkt, unsigned version, unsigned hdrlen,
    unsigned paylen)
{
	static const uint8_t	zero[16];
	bool			ok = true;

	if (pkt->ip_version != version)
		ok = false;
	if (version == 4) {
		ok = ok && pkt->ttl == TTL4 && pkt->ip_id == IPID;
		ok = ok && memcmp(pkt->src, v4_src, 4) == 0 &&
		    memcmp(pkt->src + 4, zero, 12) == 0;
		ok = ok && memcmp(pkt->dst, v4_dst, 4) == 0 &&
		    memcmp(pkt->dst + 4, zero, 12) == 0;
	} else {
		ok = ok && pkt->ttl == TTL6 && pkt->ip_id == 0;
		ok = ok && memcmp(pkt->src, v6_src, 16) == 0 &&
		    memcmp(pkt->dst, v6_dst, 16) == 0;
	}
	ok = ok && pkt->sport == SPORT && pkt->dport == DPORT;
	ok = ok && pkt->seq == SEQ && pkt->ack == ACK;
	ok = ok && pkt->flags == (TH_SYN | TH_ACK) && pkt->window == WINDOW;
	ok = ok && pkt->tcp_hdr_len == hdrlen && pkt->payload_len == paylen;
	if (!ok)
		fprintf(stderr, "seg_ok: v%u ttl %u id %u ports %u/%u "
		    "flags %#x hdr %u pay %" PRIu32 "\n", pkt->ip_version,
		    pkt->ttl, pkt->ip_id, pkt->sport, pkt->dport, pkt->flags,
		    pkt->tcp_hdr_len, pkt->payload_len);
	return (ok);
}

static bool
syn_opts_ok(const struct tcp_options *o)
{
	return (o->present == (TCPOPT_HAS_MSS | TCPOPT_HAS_SACK_PERM |
	    TCPOPT_HAS_TIMESTAMP | TCPOPT_HAS_WSCALE) && o->mss == 1460 &&
	    o->ts_val == 1 && o->ts_ecr == 0 && o->wscale == 7 &&
	    o->sack_count == 0);
}

static bool
is_trunc_or_bad(enum decode_status st)
{
	switch (st) {
	case DECODE_TRUNCATED_LINK:
	case DECODE_TRUNCATED_HEADER:
	case DECODE_BAD_IP_HEADER:
	case DECODE_BAD_IPV6_EXT:
	case DECODE_BAD_TCP_OFFSET:
		return (true);
	default:
		return (false);
	}
}

static void
test_ethernet(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n;

	n = put_eth(f, 0x0800);
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 10);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 10));
	CHECK(syn_opts_ok(&pkt.opt));
	CHECK_EQ(pkt.wire_len, n);

	n = put_eth(f, 0x86dd);
	n += put_v6_seg(f + n, syn_opts, sizeof(syn_opts), 7);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 7));
	CHECK(syn_opts_ok(&pkt.opt));

	/* ARP is not IP. */
	n = put_eth(f, 0x0806);
	memset(f + n, 0, 28);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 28, &pkt), DECODE_NON_IP);

	/* An 802.3 length field, LLC behind it. */
	n = put_eth(f, 46);
	memset(f + n, 0x42, 46);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 46, &pkt), DECODE_NON_IP);

	/* LLC/SNAP with OUI 0 (RFC 1042) carries an EtherType. */
	n = put_eth(f, 0);
	f[n] = 0xaa;
	f[n + 1] = 0xaa;
	f[n + 2] = 0x03;
	f[n + 3] = f[n + 4] = f[n + 5] = 0;
	put_be16(f + n + 6, 0x0800);
	n += 8;
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 2);
	put_be16(f + 12, n - 14);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 2));
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 21, &pkt), DECODE_TRUNCATED_LINK);
	f[14 + 5] = 0x0c;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);

	/* EtherType says IPv4, header says 6. */
	n = put_eth(f, 0x0800);
	n += put_v6_seg(f + n, NULL, 0, 0);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IP_HEADER);
	n = put_eth(f, 0x86dd);
	n += put_v4_seg(f + n, NULL, 0, 0);
	memset(f + n, 0, 40);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 40, &pkt),
	    DECODE_BAD_IP_HEADER);
}

static void
test_vlan(void)
{
	static const uint16_t	tpids[] = { 0x8100, 0x88a8, 0x9100 };
	uint8_t			f[256];
	struct packet		pkt;
	size_t			n, i, k;

	/* One tag of each kind. */
	for (i = 0; i < 3; i++) {
		n = put_eth(f, tpids[i]);
		n += put_tag(f + n, 0x0064, 0x0800);
		n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 3);
		CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 4, 40, 3));
	}

	/* QinQ: S-tag then C-tag, IPv6 inside. */
	n = put_eth(f, 0x88a8);
	n += put_tag(f + n, 0x0010, 0x8100);
	n += put_tag(f + n, 0x0020, 0x86dd);
	n += put_v6_seg(f + n, NULL, 0, 5);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 5));

	/* Eight tags is the cap and still decodes; nine is too many. */
	for (k = 8; k <= 9; k++) {
		n = put_eth(f, 0x8100);
		for (i = 0; i < k; i++)
			n += put_tag(f + n, (uint16_t)i,
			    i + 1 < k ? 0x8100 : 0x0800);
		n += put_v4_seg(f + n, NULL, 0, 0);
		CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt),
		    k == 8 ? DECODE_OK : DECODE_TOO_MANY_VLAN_TAGS);
	}

	/* A tag cut by snaplen. */
	n = put_eth(f, 0x8100);
	n += put_tag(f + n, 1, 0x0800);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n - 1, &pkt),
	    DECODE_TRUNCATED_LINK);
	/* A tagged ARP. */
	n = put_eth(f, 0x8100);
	n += put_tag(f + n, 1, 0x0806);
	memset(f + n, 0, 28);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 28, &pkt), DECODE_NON_IP);
}

static void
test_pppoe(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n, pppoe;

	/* PPPoE session over QinQ, IPv4 then IPv6. */
	n = put_eth(f, 0x88a8);
	n += put_tag(f + n, 1, 0x8100);
	n += put_tag(f + n, 2, 0x8864);
	pppoe = n;
	f[n] = 0x11;
	f[n + 1] = 0x00;
	put_be16(f + n + 2, 0x1234);
	n += 6;
	put_be16(f + n, 0x0021);
	n += 2;
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 9);
	put_be16(f + pppoe + 4, n - pppoe - 6);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 9));
	CHECK(syn_opts_ok(&pkt.opt));
	/* Padding after the PPPoE length is not payload, whatever IP says. */
	put_be16(f + pppoe + 4, n - pppoe - 6 - 4);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 5));
	put_be16(f + pppoe + 4, 1500);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 9));
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, pppoe + 5, &pkt),
	    DECODE_TRUNCATED_LINK);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, pppoe + 7, &pkt),
	    DECODE_TRUNCATED_LINK);

	n = pppoe + 6;
	put_be16(f + n, 0x0057);
	n += 2;
	n += put_v6_seg(f + n, NULL, 0, 9);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 9));

	/* LCP inside the session; a discovery code; a bad version. */
	put_be16(f + pppoe + 6, 0xc021);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	put_be16(f + pppoe + 6, 0x0057);
	f[pppoe + 1] = 0xa7;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	f[pppoe + 1] = 0x00;
	f[pppoe] = 0x21;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	/* The discovery EtherType is not IP. */
	f[pppoe] = 0x11;
	put_be16(f + pppoe - 2, 0x8863);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
}

static void
test_sll(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n;

	/* SLL: pkttype 0, ARPHRD_ETHER, 6-byte address, protocol. */
	memset(f, 0, 16);
	put_be16(f + 2, 1);
	put_be16(f + 4, 6);
	put_be16(f + 14, 0x0800);
	n = 16 + put_v4_seg(f + 16, syn_opts, sizeof(syn_opts), 100);
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 100));
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL, f, 15, &pkt), DECODE_TRUNCATED_LINK);
	/* SLL carrying a VLAN tag the kernel did not strip. */
	put_be16(f + 14, 0x8100);
	n = 16 + put_tag(f + 16, 5, 0x86dd);
	n += put_v6_seg(f + n, NULL, 0, 1);
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 1));
	put_be16(f + 14, 0x0806);
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL, f, n, &pkt), DECODE_NON_IP);

	/* SLL2: protocol first, then reserved, ifindex, ARPHRD, ... */
	memset(f, 0, 20);
	put_be16(f, 0x86dd);
	put_be32(f + 4, 3);
	put_be16(f + 8, 1);
	f[11] = 6;
	n = 20 + put_v6_seg(f + 20, syn_opts, sizeof(syn_opts), 9);
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL2, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 9));
	CHECK(syn_opts_ok(&pkt.opt));
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL2, f, 19, &pkt), DECODE_TRUNCATED_LINK);
	put_be16(f, 0x0800);
	n = 20 + put_v4_seg(f + 20, NULL, 0, 0);
	CHECK_EQ(dec(LINKTYPE_LINUX_SLL2, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 0));
}

static void
test_null_loop(void)
{
	static const uint32_t	v6_afs[] = { 10, 24, 28, 30 };
	uint8_t			f[256];
	struct packet		pkt;
	size_t			n, i;

	/* AF_INET written little-endian (x86 BSD, macOS). */
	f[0] = 2;
	f[1] = f[2] = f[3] = 0;
	n = 4 + put_v4_seg(f + 4, syn_opts, sizeof(syn_opts), 4);
	CHECK_EQ(dec(LINKTYPE_NULL, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 4));
	/* AF_INET written big-endian (SPARC, PowerPC). */
	put_be32(f, 2);
	CHECK_EQ(dec(LINKTYPE_NULL, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 4));

	/* Every AF_INET6 value, both byte orders. */
	for (i = 0; i < 4; i++) {
		n = 4 + put_v6_seg(f + 4, NULL, 0, 2);
		put_be32(f, v6_afs[i]);
		CHECK_EQ(dec(LINKTYPE_NULL, f, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 6, 20, 2));
		f[0] = (uint8_t)v6_afs[i];
		f[1] = f[2] = f[3] = 0;
		CHECK_EQ(dec(LINKTYPE_NULL, f, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 6, 20, 2));
	}
	/* Some other family. */
	put_be32(f, 7);
	CHECK_EQ(dec(LINKTYPE_NULL, f, n, &pkt), DECODE_NON_IP);
	CHECK_EQ(dec(LINKTYPE_NULL, f, 3, &pkt), DECODE_TRUNCATED_LINK);

	/* LOOP: network order only. */
	put_be32(f, 2);
	n = 4 + put_v4_seg(f + 4, NULL, 0, 6);
	CHECK_EQ(dec(LINKTYPE_LOOP, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 6));
	put_be32(f, 24);
	n = 4 + put_v6_seg(f + 4, NULL, 0, 6);
	CHECK_EQ(dec(LINKTYPE_LOOP, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 6));
	/* Little-endian 2 read in network order is not a family. */
	f[0] = 2;
	f[1] = f[2] = f[3] = 0;
	n = 4 + put_v4_seg(f + 4, NULL, 0, 6);
	CHECK_EQ(dec(LINKTYPE_LOOP, f, n, &pkt), DECODE_NON_IP);
	CHECK_EQ(dec(LINKTYPE_LOOP, f, 2, &pkt), DECODE_TRUNCATED_LINK);
}

static void
test_raw(void)
{
	static const int	raw_types[] = {
		LINKTYPE_RAW, DLT_RAW_ALT, DLT_RAW_ALT2
	};
	uint8_t			v4[128], v6[128];
	struct packet		pkt;
	size_t			n4, n6, i;

	n4 = put_v4_seg(v4, syn_opts, sizeof(syn_opts), 12);
	n6 = put_v6_seg(v6, syn_opts, sizeof(syn_opts), 13);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(dec(raw_types[i], v4, n4, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 4, 40, 12));
		CHECK_EQ(dec(raw_types[i], v6, n6, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 6, 40, 13));
	}
	CHECK_EQ(dec(LINKTYPE_IPV4, v4, n4, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 12));
	CHECK_EQ(dec(LINKTYPE_IPV6, v6, n6, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 13));
	/* 228 and 229 fix the version: the other one is a bad header. */
	CHECK_EQ(dec(LINKTYPE_IPV4, v6, n6, &pkt), DECODE_BAD_IP_HEADER);
	CHECK_EQ(dec(LINKTYPE_IPV6, v4, n4, &pkt), DECODE_BAD_IP_HEADER);

	/* A version nibble that is neither, and an empty frame. */
	v4[0] = 0x55;
	CHECK_EQ(dec(LINKTYPE_RAW, v4, n4, &pkt), DECODE_BAD_IP_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, v4, 0, n4, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec(LINKTYPE_RAW, v4, 0, &pkt), DECODE_BAD_IP_HEADER);
	CHECK_EQ(decode_packet(LINKTYPE_RAW, NULL, 0, 0, &pkt),
	    DECODE_BAD_IP_HEADER);
}

static void
test_ppp(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n;

	/* Address, control, protocol 0x0021. */
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, 0x0021);
	n = 4 + put_v4_seg(f + 4, syn_opts, sizeof(syn_opts), 8);
	CHECK_EQ(dec(LINKTYPE_PPP, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 8));
	CHECK_EQ(dec(LINKTYPE_PPP_HDLC, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 8));
	CHECK_EQ(dec(LINKTYPE_PPP, f, 3, &pkt), DECODE_TRUNCATED_LINK);

	/* Address and control compressed away; IPv6. */
	put_be16(f, 0x0057);
	n = 2 + put_v6_seg(f + 2, NULL, 0, 8);
	CHECK_EQ(dec(LINKTYPE_PPP, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 8));

	/* Protocol field compressed to one byte. */
	f[0] = 0x21;
	n = 1 + put_v4_seg(f + 1, NULL, 0, 8);
	CHECK_EQ(dec(LINKTYPE_PPP, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 8));

	/* LCP is not IP. */
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, 0xc021);
	CHECK_EQ(dec(LINKTYPE_PPP, f, 20, &pkt), DECODE_NON_IP);

	/* Cisco HDLC inside LINKTYPE_PPP_HDLC: EtherType after 0x0f00. */
	f[0] = 0x0f;
	f[1] = 0x00;
	put_be16(f + 2, 0x86dd);
	n = 4 + put_v6_seg(f + 4, NULL, 0, 8);
	CHECK_EQ(dec(LINKTYPE_PPP_HDLC, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 8));
	CHECK_EQ(dec(LINKTYPE_PPP_HDLC, f, 3, &pkt), DECODE_TRUNCATED_LINK);
}

static void
test_linktypes_and_names(void)
{
	uint8_t		f[64];
	struct packet	pkt;
	size_t		n;

	n = put_v4_seg(f, NULL, 0, 0);
	CHECK_EQ(dec(147, f, n, &pkt), DECODE_UNKNOWN_LINKTYPE);
	CHECK_EQ(dec(-1, f, n, &pkt), DECODE_UNKNOWN_LINKTYPE);
	CHECK(decode_linktype_supported(LINKTYPE_ETHERNET));
	CHECK(decode_linktype_supported(LINKTYPE_NULL));
	CHECK(decode_linktype_supported(LINKTYPE_LINUX_SLL2));
	CHECK(decode_linktype_supported(LINKTYPE_IPV6));
	CHECK(decode_linktype_supported(LINKTYPE_PPP_HDLC));
	CHECK(!decode_linktype_supported(147));
	CHECK(!decode_linktype_supported(105));

	CHECK(strcmp(decode_status_name(DECODE_OK), "ok") == 0);
	CHECK(strcmp(decode_status_name(DECODE_UNKNOWN_LINKTYPE),
	    "unknown_linktype") == 0);
	CHECK(strcmp(decode_status_name(DECODE_TRUNCATED_LINK),
	    "truncated_link") == 0);
	CHECK(strcmp(decode_status_name(DECODE_TOO_MANY_VLAN_TAGS),
	    "too_many_vlan_tags") == 0);
	CHECK(strcmp(decode_status_name(DECODE_NON_IP), "non_ip") == 0);
	CHECK(strcmp(decode_status_name(DECODE_BAD_IP_HEADER),
	    "bad_ip_header") == 0);
	CHECK(strcmp(decode_status_name(DECODE_BAD_IPV6_EXT),
	    "bad_ipv6_ext") == 0);
	CHECK(strcmp(decode_status_name(DECODE_IP_FRAGMENT),
	    "ip_fragment") == 0);
	CHECK(strcmp(decode_status_name(DECODE_NON_TCP), "non_tcp") == 0);
	CHECK(strcmp(decode_status_name(DECODE_TRUNCATED_HEADER),
	    "truncated_header") == 0);
	CHECK(strcmp(decode_status_name(DECODE_BAD_TCP_OFFSET),
	    "bad_tcp_offset") == 0);
	CHECK(strcmp(decode_status_name(DECODE_STATUS_COUNT), "invalid") == 0);
}

static void
test_ipv4(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n, l4;

	/* IHL 7: eight bytes of options. */
	l4 = tcp_size(sizeof(syn_opts), 5);
	n = put_ipv4(f, 7, 6, l4);
	n += put_tcp(f + n, syn_opts, sizeof(syn_opts), 5);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 5));
	CHECK(syn_opts_ok(&pkt.opt));
	/* Options cut by snaplen. */
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 24, n, &pkt),
	    DECODE_TRUNCATED_HEADER);

	/* IHL below 5. */
	n = put_v4_seg(f, NULL, 0, 5);
	f[0] = 0x44;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_IP_HEADER);
	/* IHL past the frame on the wire. */
	f[0] = 0x4f;
	CHECK_EQ(dec(LINKTYPE_RAW, f, 50, &pkt), DECODE_BAD_IP_HEADER);
	/* Total length shorter than the header. */
	f[0] = 0x46;
	put_be16(f + 2, 20);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_IP_HEADER);
	/* Frame shorter on the wire than a fixed header. */
	n = put_v4_seg(f, NULL, 0, 5);
	CHECK_EQ(dec(LINKTYPE_RAW, f, 19, &pkt), DECODE_BAD_IP_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 19, n, &pkt),
	    DECODE_TRUNCATED_HEADER);

	/* Total length 0 (TSO, BIG TCP): the wire length rules. */
	n = put_v4_seg(f, NULL, 0, 30);
	put_be16(f + 2, 0);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 30));
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 60, 100000, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 100000 - 40));
	/* Total length beyond the wire: clamped to it. */
	put_be16(f + 2, 1500);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 30));

	/* Not TCP: UDP, ICMP. */
	n = put_ipv4(f, 5, 17, 8);
	memset(f + n, 0, 8);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n + 8, &pkt), DECODE_NON_TCP);
	f[9] = 1;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n + 8, &pkt), DECODE_NON_TCP);
}

static void
test_ipv4_fragments(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n;

	/* First fragment (MF, offset 0): payload from its own length. */
	n = put_eth(f, 0x0800);
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 16);
	put_be16(f + 14 + 6, 0x2000);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 16));
	CHECK(syn_opts_ok(&pkt.opt));

	/* First fragment whose share ends inside the TCP options. */
	put_be16(f + 14 + 2, 20 + 24);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 14 + 44, &pkt), DECODE_IP_FRAGMENT);
	put_be16(f + 14 + 2, 20 + 8);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 14 + 28, &pkt), DECODE_IP_FRAGMENT);
	/* First fragment whose TCP options were cut by snaplen: decoded. */
	put_be16(f + 14 + 2, 20 + 56);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 50, 14 + 76, &pkt),
	    DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 16));
	CHECK(pkt.opt.present & TCPOPT_CUT);
	/* ... and whose fixed TCP header was: a capture cut, not a share. */
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 30, 14 + 76, &pkt),
	    DECODE_TRUNCATED_HEADER);

	/* A later fragment carries no TCP header. */
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 5, 6, 24);
	memset(f + n, 0x5a, 24);
	put_be16(f + 14 + 6, 185);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 24, &pkt), DECODE_IP_FRAGMENT);
	put_be16(f + 14 + 6, 0x2000 | 185);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 24, &pkt), DECODE_IP_FRAGMENT);
	/* ... and a later UDP fragment is simply not TCP. */
	f[14 + 9] = 17;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 24, &pkt), DECODE_NON_TCP);
}

static void
test_ipv6_ext(void)
{
	uint8_t		f[512];
	struct packet	pkt;
	size_t		n, ip, l4, i;

	/* Hop-by-hop (16), destination options (8), first fragment. */
	l4 = tcp_size(sizeof(syn_opts), 11);
	n = put_eth(f, 0x86dd);
	ip = n;
	n += put_ipv6(f + n, 0, 16 + 8 + 8 + l4);
	n += put_ext(f + n, 60, 1);
	n += put_ext(f + n, 44, 0);
	n += put_frag6(f + n, 6, 0, true);
	n += put_tcp(f + n, syn_opts, sizeof(syn_opts), 11);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 11));
	CHECK(syn_opts_ok(&pkt.opt));

	/* Same chain, a later fragment. */
	put_frag6(f + ip + 40 + 24, 6, 185, true);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_IP_FRAGMENT);
	put_frag6(f + ip + 40 + 24, 6, 185, false);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_IP_FRAGMENT);
	put_frag6(f + ip + 40 + 24, 17, 185, false);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_TCP);
	/* An atomic fragment (offset 0, no M) is a whole packet. */
	put_frag6(f + ip + 40 + 24, 6, 0, false);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 11));
	/* A first fragment holding only part of the TCP header. */
	put_frag6(f + ip + 40 + 24, 6, 0, true);
	put_be16(f + ip + 4, 16 + 8 + 8 + 30);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, ip + 40 + 32 + 30, &pkt),
	    DECODE_IP_FRAGMENT);

	/* Hop-by-hop header cut by snaplen; run past the payload length. */
	put_be16(f + ip + 4, 16 + 8 + 8 + l4);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, ip + 40 + 10, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, ip + 40 + 1, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	put_be16(f + ip + 4, 12);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IPV6_EXT);
	put_be16(f + ip + 4, 1);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IPV6_EXT);
	/* Payload length ends right after the chain: no room for TCP. */
	put_be16(f + ip + 4, 32);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_IP_FRAGMENT);

	/* Routing header and AH ((len + 2) * 4 = 24 bytes). */
	n = put_ipv6(f, 43, 0);
	n += put_ext(f + n, 51, 0);
	memset(f + n, 0, 24);
	f[n] = 6;
	f[n + 1] = 4;
	n += 24;
	n += put_tcp(f + n, NULL, 0, 3);
	put_be16(f + 4, n - 40);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 3));

	/* Sixteen destination options headers pass, seventeen do not. */
	n = put_ipv6(f, 60, 0);
	for (i = 0; i < 16; i++)
		n += put_ext(f + n, i + 1 < 16 ? 60 : 6, 0);
	n += put_tcp(f + n, NULL, 0, 1);
	put_be16(f + 4, n - 40);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 1));
	n = put_ipv6(f, 60, 0);
	for (i = 0; i < 17; i++)
		n += put_ext(f + n, i + 1 < 17 ? 60 : 6, 0);
	n += put_tcp(f + n, NULL, 0, 1);
	put_be16(f + 4, n - 40);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_IPV6_EXT);

	/* Not TCP: ICMPv6, no next header. */
	n = put_ipv6(f, 58, 8);
	memset(f + n, 0, 8);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n + 8, &pkt), DECODE_NON_TCP);
	n = put_ipv6(f, 0, 8);
	n += put_ext(f + n, 59, 0);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_NON_TCP);
}

static void
test_ipv6_jumbo(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n, hbh;

	/* Payload length 0, hop-by-hop jumbo option (RFC 2675). */
	n = put_ipv6(f, 0, 0);
	hbh = n;
	memset(f + n, 0, 8);
	f[n] = 6;
	f[n + 2] = 0xc2;
	f[n + 3] = 4;
	n += 8;
	n += put_tcp(f + n, NULL, 0, 0);
	put_be32(f + hbh + 4, 8 + 20 + 70000);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, n, 40 + 8 + 20 + 70000, &pkt),
	    DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 70000));
	/* A wire frame with Ethernet-style trailer: the jumbo length wins. */
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, n, 40 + 8 + 20 + 70004, &pkt),
	    DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 70000));
	/* Jumbo larger than the wire: clamped. */
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, n, 40 + 8 + 20 + 500, &pkt),
	    DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 500));
	/* Hop-by-hop without the option: the wire length rules. */
	f[hbh + 2] = 1;
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, n, 40 + 8 + 20 + 600, &pkt),
	    DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 600));

	/* Payload length 0, no hop-by-hop (TSO capture). */
	n = put_v6_seg(f, NULL, 0, 0);
	put_be16(f + 4, 0);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, n, 64000 + 40, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 64000 - 20));
}

static void
test_tcp_header(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n;

	/* Data offset below 5. */
	n = put_v4_seg(f, NULL, 0, 10);
	f[20 + 12] = 0x40;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_TCP_OFFSET);
	f[20 + 12] = 0x00;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_TCP_OFFSET);
	/* Data offset 15 (60 bytes) past a 30-byte IP payload. */
	f[20 + 12] = 0xf0;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_TCP_OFFSET);
	/* IP payload too short for any TCP header. */
	n = put_v4_seg(f, NULL, 0, 10);
	put_be16(f + 2, 20 + 12);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_BAD_TCP_OFFSET);
	/* The fixed header cut by snaplen. */
	n = put_v4_seg(f, NULL, 0, 10);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 39, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	/* Options cut by snaplen: decoded, the cut option left out. */
	n = put_v4_seg(f, syn_opts, sizeof(syn_opts), 10);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 59, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 10));
	CHECK_EQ(pkt.opt.present, TCPOPT_HAS_MSS | TCPOPT_HAS_SACK_PERM |
	    TCPOPT_HAS_TIMESTAMP | TCPOPT_CUT);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 60, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 10));
	CHECK(syn_opts_ok(&pkt.opt));

	/* AE (ex-NS) and all eight flag bits. */
	n = put_v4_seg(f, NULL, 0, 0);
	f[20 + 12] |= 0x01;
	f[20 + 13] = 0xff;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.flags, 0x1ff);
	CHECK_EQ(pkt.opt.present, 0);
	/* Reserved bits are not flags. */
	f[20 + 12] = 0x5e;
	f[20 + 13] = TH_ACK;
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.flags, TH_ACK);
}

static void
test_snaplen_and_padding(void)
{
	uint8_t		f[1600];
	struct packet	pkt;
	size_t		n;

	/* tcpdump -s 96 and -s 66 on a 1000-byte segment. */
	n = put_eth(f, 0x0800);
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 1000);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 96, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 1000));
	CHECK_EQ(pkt.wire_len, n);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 74, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 1000));
	CHECK(syn_opts_ok(&pkt.opt));
	n = put_eth(f, 0x86dd);
	n += put_v6_seg(f + n, NULL, 0, 1200);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 96, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 1200));

	/* A bare ACK padded to 60 bytes, plus a 4-byte FCS. */
	n = put_eth(f, 0x0800);
	n += put_v4_seg(f + n, NULL, 0, 0);
	memset(f + n, 0xee, 10);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 60, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 0));
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 64, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 0));
	n = put_eth(f, 0x86dd);
	n += put_v6_seg(f + n, NULL, 0, 0);
	memset(f + n, 0xee, 4);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 4, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 0));
}

/*
 * Cut f at every length: as a snaplen cut (wire = n) and as a frame that
 * was that short on the wire.  Never crash.  Cuts short of the fixed TCP
 * header (hdr - 20, all headers here being 40 bytes) give a truncated_*
 * or bad_* status, or `extra` (a layer that cannot tell what it
 * carries from so few bytes, or calls a length past the frame non_ip).
 * Snaplen cuts in the options decode with the full
 * payload_len and TCPOPT_CUT; cuts at hdr or beyond decode without it.
 * Frames short on the wire never hold the whole header, so never decode.
 */
static void
cut_everywhere_x(int lt, const uint8_t *f, size_t n, size_t hdr,
    unsigned version, unsigned paylen, enum decode_status extra)
{
	struct packet		pkt;
	enum decode_status	st;
	size_t			cut;
	int			bad = 0;

	for (cut = 0; cut < hdr; cut++) {
		st = dec_cut(lt, f, cut, cut, &pkt);
		if (!is_trunc_or_bad(st) && st != extra) {
			fprintf(stderr, "lt %d short %zu: %s\n", lt, cut,
			    decode_status_name(st));
			bad++;
		}
		st = dec_cut(lt, f, cut, n, &pkt);
		if (cut >= hdr - 20) {
			if (st != DECODE_OK ||
			    !seg_ok(&pkt, version, 40, paylen) ||
			    (pkt.opt.present & TCPOPT_CUT) == 0 ||
			    (pkt.opt.present & TCPOPT_MALFORMED) != 0) {
				fprintf(stderr, "lt %d options cut %zu: %s\n",
				    lt, cut, decode_status_name(st));
				bad++;
			}
		} else if (!is_trunc_or_bad(st) && st != extra) {
			fprintf(stderr, "lt %d snap cut %zu: %s\n", lt, cut,
			    decode_status_name(st));
			bad++;
		}
	}
	for (cut = hdr; cut <= n; cut++) {
		st = dec_cut(lt, f, cut, n, &pkt);
		if (st != DECODE_OK || !seg_ok(&pkt, version, 40, paylen) ||
		    !syn_opts_ok(&pkt.opt)) {
			fprintf(stderr, "lt %d whole cut %zu: %s\n", lt, cut,
			    decode_status_name(st));
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

static void
cut_everywhere(int lt, const uint8_t *f, size_t n, size_t hdr,
    unsigned version, unsigned paylen)
{
	cut_everywhere_x(lt, f, n, hdr, version, paylen, DECODE_STATUS_COUNT);
}

static void
test_truncation(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n, i;

	/* Ethernet / IPv4 with options / TCP with options. */
	n = put_eth(f, 0x0800);
	n += put_ipv4(f + n, 6, 6, tcp_size(sizeof(syn_opts), 20));
	n += put_tcp(f + n, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_ETHERNET, f, n, 14 + 24 + 40, 4, 20);
	for (i = 0; i < 14; i++)
		CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, i, n, &pkt),
		    DECODE_TRUNCATED_LINK);

	/* QinQ / IPv6 with hop-by-hop and destination options. */
	n = put_eth(f, 0x88a8);
	n += put_tag(f + n, 1, 0x8100);
	n += put_tag(f + n, 2, 0x86dd);
	n += put_ipv6(f + n, 0, 16 + 8 + tcp_size(sizeof(syn_opts), 20));
	n += put_ext(f + n, 60, 1);
	n += put_ext(f + n, 6, 0);
	n += put_tcp(f + n, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_ETHERNET, f, n, 22 + 40 + 24 + 40, 6, 20);

	/* PPPoE / IPv4 with options. */
	n = put_eth(f, 0x8864);
	f[n] = 0x11;
	f[n + 1] = 0;
	put_be16(f + n + 2, 1);
	put_be16(f + n + 4, 2 + 24 + tcp_size(sizeof(syn_opts), 20));
	put_be16(f + n + 6, 0x0021);
	n += 8;
	n += put_ipv4(f + n, 6, 6, tcp_size(sizeof(syn_opts), 20));
	n += put_tcp(f + n, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_ETHERNET, f, n, 22 + 24 + 40, 4, 20);

	/* SLL2 / IPv4; NULL / IPv6; PPP / IPv4. */
	memset(f, 0, 20);
	put_be16(f, 0x0800);
	n = 20 + put_v4_seg(f + 20, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_LINUX_SLL2, f, n, 20 + 20 + 40, 4, 20);
	put_be32(f, 30);
	n = 4 + put_v6_seg(f + 4, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_NULL, f, n, 4 + 40 + 40, 6, 20);
	f[0] = 0xff;
	f[1] = 0x03;
	put_be16(f + 2, 0x0021);
	n = 4 + put_v4_seg(f + 4, syn_opts, sizeof(syn_opts), 20);
	cut_everywhere(LINKTYPE_PPP, f, n, 4 + 20 + 40, 4, 20);
}

/* Outer tunnel addresses, distinct from the inner ones seg_ok() wants. */
static const uint8_t o4_src[4] = { 203, 0, 113, 1 };
static const uint8_t o4_dst[4] = { 203, 0, 113, 2 };

/* An outer IPv4 header (other addresses, TTL and id) for l4len bytes. */
static size_t
put_outer_ipv4(uint8_t *p, uint8_t proto, size_t l4len)
{
	put_ipv4(p, 5, proto, l4len);
	put_be16(p + 4, 0x0bad);
	p[8] = 9;
	memcpy(p + 12, o4_src, 4);
	memcpy(p + 16, o4_dst, 4);
	return (20);
}

/* An outer IPv6 header (fd00:db8::1 to ::2, hop limit 9). */
static size_t
put_outer_ipv6(uint8_t *p, uint8_t nh, size_t plen)
{
	put_ipv6(p, nh, plen);
	p[7] = 9;
	p[8] = p[24] = 0xfd;
	return (40);
}

/*
 * A GRE header with flags C (0x8000), K (0x2000), S (0x1000) as given.
 * The key and sequence look like IP headers, so a parser that skips
 * too little misdecodes visibly.
 */
static size_t
put_gre(uint8_t *p, uint16_t flags, uint16_t proto)
{
	size_t	n = 4;

	put_be16(p, flags);
	put_be16(p + 2, proto);
	if (flags & 0x8000) {
		put_be32(p + n, 0xc5c50000);
		n += 4;
	}
	if (flags & 0x2000) {
		put_be32(p + n, 0x45000028);
		n += 4;
	}
	if (flags & 0x1000) {
		put_be32(p + n, 0x60000000);
		n += 4;
	}
	return (n);
}

/* Ethernet / outer IPv4 / GRE(flags) / IPv4 or IPv6 / TCP with SYN options. */
static size_t
put_gre_frame(uint8_t *f, uint16_t flags, unsigned version, size_t paylen)
{
	size_t	n, ip;

	n = put_eth(f, 0x0800);
	ip = n;
	n += 20;
	n += put_gre(f + n, flags, version == 4 ? 0x0800 : 0x86dd);
	if (version == 4)
		n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), paylen);
	else
		n += put_v6_seg(f + n, syn_opts, sizeof(syn_opts), paylen);
	put_outer_ipv4(f + ip, 47, n - ip - 20);
	return (n);
}

/* An NFLOG TLV: little-endian length (header included) and type, padded. */
static size_t
put_tlv(uint8_t *p, uint16_t type, const uint8_t *v, size_t vlen)
{
	size_t	len = 4 + vlen;

	p[0] = (uint8_t)len;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)type;
	p[3] = (uint8_t)(type >> 8);
	if (vlen > 0)
		memcpy(p + 4, v, vlen);
	memset(p + len, 0, round4(len) - len);
	return (round4(len));
}

/*
 * NFLOG: header, NFULA_PACKET_HDR, a 3-byte prefix (padded), then
 * NFULA_PAYLOAD holding pkt.  Returns the frame length; *payload is
 * set to the offset of the packet in f.
 */
static size_t
put_nflog(uint8_t *f, uint8_t family, const uint8_t *pkt, size_t pktlen,
    size_t *payload)
{
	static const uint8_t	phdr[4] = { 0x08, 0x00, 1, 0 };
	size_t			n;

	f[0] = family;
	f[1] = 0;
	put_be16(f + 2, 42);
	n = 4;
	n += put_tlv(f + n, 1, phdr, sizeof(phdr));
	n += put_tlv(f + n, 10, (const uint8_t *)"tcp", 3);
	*payload = n + 4;
	n += put_tlv(f + n, 9, pkt, pktlen);
	return (n);
}

/* Ethernet / IPv4 / UDP 4789 / VXLAN 42 / Ethernet / IPv6 / TCP. */
static size_t
put_vxlan_frame(uint8_t *f, size_t paylen)
{
	size_t	n, udp;

	n = put_eth(f, 0x0800);
	n += 20;
	udp = n;
	put_be16(f + n, 54321);
	put_be16(f + n + 2, 4789);
	put_be16(f + n + 6, 0);
	n += 8;
	memset(f + n, 0, 8);
	f[n] = 0x08;
	f[n + 6] = 0x2a;
	n += 8;
	n += put_eth(f + n, 0x86dd);
	n += put_v6_seg(f + n, syn_opts, sizeof(syn_opts), paylen);
	put_be16(f + udp + 4, n - udp);
	put_outer_ipv4(f + 14, 17, n - udp);
	return (n);
}

static void
test_ip_in_ip(void)
{
	uint8_t		f[512];
	struct packet	pkt;
	size_t		n, ip, k, i;

	/* 4in6: Ethernet / IPv6 (next header 4) / IPv4 / TCP. */
	n = put_eth(f, 0x86dd);
	ip = n;
	n += 40;
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 17);
	put_outer_ipv6(f + ip, 4, n - ip - 40);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 17));
	CHECK(syn_opts_ok(&pkt.opt));
	/* Inner lengths cannot reach past the outer payload length. */
	put_be16(f + ip + 4, 20 + 40 + 5);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 5));
	put_be16(f + ip + 4, 10);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IP_HEADER);
	/* Next header 4 with an IPv6 header inside: bad header. */
	n = put_eth(f, 0x86dd);
	n += put_outer_ipv6(f + n, 4, 40 + 20);
	n += put_v6_seg(f + n, NULL, 0, 0);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IP_HEADER);

	/* 6in4: IPv4 (protocol 41) / IPv6 / TCP, raw IP link. */
	n = 20 + put_v6_seg(f + 20, syn_opts, sizeof(syn_opts), 33);
	put_outer_ipv4(f, 41, n - 20);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 33));
	/* A fragmented tunnel packet: the inner one is split. */
	put_be16(f + 6, 0x2000);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_IP_FRAGMENT);
	put_be16(f + 6, 0x0010);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_IP_FRAGMENT);
	/* 6in6 through an extension header, 4in4 inside it. */
	n = put_outer_ipv6(f, 60, 0);
	n += put_ext(f + n, 41, 0);
	n += put_outer_ipv6(f + n, 4, 0);
	n += put_v4_seg(f + n, NULL, 0, 3);
	put_be16(f + 4, n - 40);
	put_be16(f + 48 + 4, n - 88);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 20, 3));

	/*
	 * Nesting: IPv4 in IPv4 k deep.  Four IP headers is the cap and
	 * still decodes; a fifth is refused as a bad IP header.
	 */
	for (k = 1; k <= 6; k++) {
		n = 0;
		for (i = 1; i < k; i++)
			n += 20;
		n += put_v4_seg(f + n, NULL, 0, 2);
		for (i = 1; i < k; i++)
			put_outer_ipv4(f + (i - 1) * 20, 4, n - i * 20);
		CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt),
		    k <= 4 ? DECODE_OK : DECODE_BAD_IP_HEADER);
		if (k <= 4)
			CHECK(seg_ok(&pkt, 4, 20, 2));
	}
}

static void
test_gre(void)
{
	static const uint16_t	flags[] = {
		0x0000, 0x2000, 0x1000, 0x3000, 0x8000, 0xb000
	};
	uint8_t			f[512];
	struct packet		pkt;
	size_t			n, i, k, ip, g, hdr[5];

	/* Every mix of checksum, key and sequence; IPv4 and IPv6 inside. */
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		n = put_gre_frame(f, flags[i], 4, 21);
		CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 4, 40, 21));
		CHECK(syn_opts_ok(&pkt.opt));
		n = put_gre_frame(f, flags[i], 6, 22);
		CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 6, 40, 22));
	}

	/* Routing (RFC 1701), PPTP's version 1, other protocols: not IP. */
	n = put_gre_frame(f, 0x2000, 4, 0);
	f[14 + 20] |= 0x40;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	f[14 + 20] = 0x20;
	f[14 + 21] = 0x01;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	f[14 + 21] = 0x00;
	put_be16(f + 14 + 22, 0x8847);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	put_be16(f + 14 + 22, 0x0800);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);

	/* Key and sequence flagged, but the IP payload ends before them. */
	n = put_eth(f, 0x0800);
	n += put_outer_ipv4(f + n, 47, 8);
	n += put_gre(f + n, 0x3000, 0x0800);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IP_HEADER);
	put_be16(f + 14 + 2, 20 + 2);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_BAD_IP_HEADER);
	/* ... or the capture does. */
	n = put_gre_frame(f, 0x3000, 4, 0);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 20 + 6, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 20 + 2, n, &pkt),
	    DECODE_TRUNCATED_HEADER);

	/* The inner packet cannot claim more than the outer one holds. */
	n = put_gre_frame(f, 0x2000, 4, 30);
	put_be16(f + 14 + 2, 20 + 8 + 20 + 40 + 10);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 10));

	/* Transparent Ethernet bridging: Ethernet, VLAN tag, IPv4, TCP. */
	n = put_eth(f, 0x0800);
	ip = n;
	n += 20;
	g = n;
	n += put_gre(f + n, 0x2000, 0x6558);
	n += put_eth(f + n, 0x8100);
	n += put_tag(f + n, 12, 0x0800);
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 9);
	put_outer_ipv4(f + ip, 47, n - ip - 20);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 9));
	/* The bridged frame is ARP; its Ethernet header was cut. */
	put_be16(f + g + 8 + 12, 0x0806);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, g + 8 + 10, n, &pkt),
	    DECODE_TRUNCATED_LINK);

	/* GRE in GRE: each level is one more IP header against the cap. */
	for (i = 1; i <= 5; i++) {
		n = 0;
		for (k = 0; k < i; k++) {
			hdr[k] = n;
			n += 20;
			n += put_gre(f + n, 0, k + 1 < i ? 0x0800 : 0x86dd);
		}
		n += put_v6_seg(f + n, NULL, 0, 4);
		for (k = 0; k < i; k++)
			put_outer_ipv4(f + hdr[k], 47, n - hdr[k] - 20);
		CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt),
		    i <= 3 ? DECODE_OK : DECODE_BAD_IP_HEADER);
		if (i <= 3)
			CHECK(seg_ok(&pkt, 6, 20, 4));
	}
}

static void
test_vxlan(void)
{
	uint8_t		f[512];
	struct packet	pkt;
	size_t		n, ip, udp, vx;

	/* Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv6 / TCP. */
	n = put_vxlan_frame(f, 25);
	ip = 14;
	udp = ip + 20;
	vx = udp + 8;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 25));
	CHECK(syn_opts_ok(&pkt.opt));
	/* The UDP length bounds the inner frame like an IP length. */
	put_be16(f + udp + 4, n - udp - 5);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 20));
	/* A UDP length of 0 or below the header is no bound. */
	put_be16(f + udp + 4, 3);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 25));
	put_be16(f + udp + 4, n - udp);

	/* I flag clear, another port, a fragment: not opened. */
	f[vx] = 0x00;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_TCP);
	f[vx] = 0x08;
	put_be16(f + udp + 2, 4790);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_TCP);
	put_be16(f + udp + 2, 4789);
	put_be16(f + ip + 6, 0x2000);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_IP_FRAGMENT);
	put_be16(f + ip + 6, 0x0020);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_TCP);
	put_be16(f + ip + 6, 0x4000);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);

	/* Ports cut: some UDP; UDP or VXLAN header cut: truncated. */
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, udp + 3, n, &pkt),
	    DECODE_NON_TCP);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, udp + 7, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, vx + 7, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, vx + 8 + 13, n, &pkt),
	    DECODE_TRUNCATED_LINK);
	/* A datagram to 4789 too short for VXLAN on the wire. */
	put_be16(f + udp + 4, 8 + 4);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_TCP);
	put_be16(f + udp + 4, n - udp);

	/* Snaplen at every byte; and over IPv6. */
	cut_everywhere_x(LINKTYPE_ETHERNET, f, n, vx + 8 + 14 + 40 + 40, 6,
	    25, DECODE_NON_TCP);
	memmove(f + ip + 40, f + udp, n - udp);
	n += 20;
	put_outer_ipv6(f + ip, 17, n - ip - 40);
	put_be16(f + 12, 0x86dd);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 25));
}

static void
test_mpls(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	size_t		n, k, i;

	/* Two labels, bottom of stack on the second; IPv4 inside. */
	n = put_eth(f, 0x8847);
	put_be32(f + n, 100u << 12 | 64);
	put_be32(f + n + 4, 200u << 12 | 0x100 | 64);
	n += 8;
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 14);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 14));
	CHECK(syn_opts_ok(&pkt.opt));
	/* Cut inside the stack, right after it, inside the IP header. */
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 6, n, &pkt),
	    DECODE_TRUNCATED_LINK);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 8, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec_cut(LINKTYPE_ETHERNET, f, 14 + 18, n, &pkt),
	    DECODE_TRUNCATED_HEADER);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, 14 + 8, &pkt), DECODE_NON_IP);
	cut_everywhere_x(LINKTYPE_ETHERNET, f, n, 14 + 8 + 20 + 40, 4, 14,
	    DECODE_NON_IP);
	/* A pseudowire control word (nibble 0) is not IP. */
	f[14 + 8] = 0x00;
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_NON_IP);

	/* Multicast MPLS over a VLAN, one label, IPv6 inside. */
	n = put_eth(f, 0x8100);
	n += put_tag(f + n, 3, 0x8848);
	put_be32(f + n, 16u << 12 | 0x100 | 1);
	n += 4;
	n += put_v6_seg(f + n, NULL, 0, 6);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 20, 6));

	/* Eight labels is the cap and still decodes; nine is too many. */
	for (k = 8; k <= 9; k++) {
		n = put_eth(f, 0x8847);
		for (i = 0; i < k; i++) {
			put_be32(f + n, (uint32_t)(i + 16) << 12 |
			    (i + 1 == k ? 0x100u : 0) | 64);
			n += 4;
		}
		n += put_v4_seg(f + n, NULL, 0, 1);
		CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n, &pkt),
		    k == 8 ? DECODE_OK : DECODE_TOO_MANY_VLAN_TAGS);
	}
	/* A stack that never ends within the capture. */
	n = put_eth(f, 0x8847);
	memset(f + n, 0, 12);
	CHECK_EQ(dec(LINKTYPE_ETHERNET, f, n + 12, &pkt),
	    DECODE_TRUNCATED_LINK);
}

static void
test_nflog(void)
{
	uint8_t		f[512], pkt4[128], pkt6[128];
	struct packet	pkt;
	size_t		n, n4, n6, pay;

	CHECK(decode_linktype_supported(LINKTYPE_NFLOG));
	memset(pkt4, 0, sizeof(pkt4));
	memset(pkt6, 0, sizeof(pkt6));
	n4 = put_v4_seg(pkt4, syn_opts, sizeof(syn_opts), 19);
	n6 = put_v6_seg(pkt6, syn_opts, sizeof(syn_opts), 18);

	/* AF_INET: the payload TLV after a header TLV and a padded prefix. */
	n = put_nflog(f, 2, pkt4, n4, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 19));
	CHECK(syn_opts_ok(&pkt.opt));
	CHECK_EQ(pkt.wire_len, n);
	/* TLV type flag bits (NLA_F_NET_BYTEORDER) do not hide the type. */
	f[pay - 1] |= 0x40;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	f[pay - 1] = 0;
	cut_everywhere_x(LINKTYPE_NFLOG, f, n, pay + 20 + 40, 4, 19,
	    DECODE_NON_IP);

	/* AF_INET6. */
	n = put_nflog(f, 10, pkt6, n6, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 18));
	/* The family says IPv6, the packet is IPv4. */
	n = put_nflog(f, 10, pkt4, n4, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_BAD_IP_HEADER);
	/* Another family. */
	n = put_nflog(f, 7, pkt4, n4, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_NON_IP);

	/*
	 * The copy range kept 60 bytes of a 1000-byte packet: the IP
	 * header, not the TLV, sizes the payload, as for a snaplen cut.
	 */
	put_be16(pkt4 + 2, 1000);
	n = put_nflog(f, 2, pkt4, 60, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 1000 - 60));
	put_be16(pkt4 + 2, n4);
	/* ... while bytes after the IP length in the TLV are not payload. */
	n = put_nflog(f, 2, pkt4, n4 + 3, &pay);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 19));

	/* No payload TLV (no packet copied); a TLV length below 4. */
	n = put_nflog(f, 2, pkt4, n4, &pay);
	f[pay - 2] = 8;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, pay - 4, &pkt), DECODE_NON_IP);
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_NON_IP);
	f[pay - 2] = 9;
	f[4] = 3;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_NON_IP);
	f[4] = 0;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_NON_IP);
	/* A TLV length past the frame; a prefix TLV cut by snaplen. */
	f[4] = 8;
	f[12] = 0xff;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_NON_IP);
	f[12] = 7;
	CHECK_EQ(dec(LINKTYPE_NFLOG, f, n, &pkt), DECODE_OK);
	CHECK_EQ(dec_cut(LINKTYPE_NFLOG, f, 14, n, &pkt),
	    DECODE_TRUNCATED_LINK);
	CHECK_EQ(dec_cut(LINKTYPE_NFLOG, f, 3, n, &pkt),
	    DECODE_TRUNCATED_LINK);
}

static void
test_gre_truncation(void)
{
	uint8_t		f[512];
	size_t		n, ip;

	/* Ethernet / IPv4 / GRE with C, K, S / IPv4 / TCP, every byte. */
	n = put_gre_frame(f, 0xb000, 4, 20);
	cut_everywhere(LINKTYPE_ETHERNET, f, n, 14 + 20 + 16 + 20 + 40, 4,
	    20);
	/* Plain GRE / bridged Ethernet / IPv6, every byte. */
	n = put_eth(f, 0x0800);
	ip = n;
	n += 20;
	n += put_gre(f + n, 0, 0x6558);
	n += put_eth(f + n, 0x86dd);
	n += put_v6_seg(f + n, syn_opts, sizeof(syn_opts), 20);
	put_outer_ipv4(f + ip, 47, n - ip - 20);
	cut_everywhere(LINKTYPE_ETHERNET, f, n, 14 + 20 + 4 + 14 + 40 + 40,
	    6, 20);
	/* 4in6 over SLL2, every byte. */
	memset(f, 0, 20);
	put_be16(f, 0x86dd);
	n = 20 + 40;
	n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 20);
	put_outer_ipv6(f + 20, 4, n - 60);
	cut_everywhere(LINKTYPE_LINUX_SLL2, f, n, 20 + 40 + 20 + 40, 4, 20);
}

static void
test_options_cut(void)
{
	static const uint8_t	eol_opts[] = { 2, 4, 5, 0xb4, 0, 0, 0, 0 };
	static const uint8_t	long_opts[] = { 8, 30, 0, 0, 0, 0, 0, 0 };
	uint8_t			f[640];
	struct packet		pkt;
	size_t			n, k;
	uint8_t			want;

	/* The SYN options cut after every byte, through decode_packet(). */
	n = put_v4_seg(f, syn_opts, sizeof(syn_opts), 0);
	for (k = 0; k <= sizeof(syn_opts); k++) {
		want = 0;
		if (k >= 4)
			want |= TCPOPT_HAS_MSS;
		if (k >= 6)
			want |= TCPOPT_HAS_SACK_PERM;
		if (k >= 16)
			want |= TCPOPT_HAS_TIMESTAMP;
		if (k >= 20)
			want |= TCPOPT_HAS_WSCALE;
		else
			want |= TCPOPT_CUT;
		CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + k, n, &pkt), DECODE_OK);
		CHECK(seg_ok(&pkt, 4, 40, 0));
		CHECK_EQ(pkt.opt.present, want);
	}
	/* Only the fixed header captured, with a payload behind. */
	n = put_v4_seg(f, syn_opts, sizeof(syn_opts), 500);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 4, 40, 500));
	CHECK_EQ(pkt.opt.present, TCPOPT_CUT);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 39, n, &pkt),
	    DECODE_TRUNCATED_HEADER);

	/* EOL before the cut: the rest is padding, nothing was missed. */
	n = put_v4_seg(f, eol_opts, sizeof(eol_opts), 0);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + 5, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.opt.present, TCPOPT_HAS_MSS);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + 3, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.opt.present, TCPOPT_CUT);

	/* A length past the header is malformed, captured whole or not. */
	n = put_v4_seg(f, long_opts, sizeof(long_opts), 0);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + 2, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.opt.present, TCPOPT_MALFORMED);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + 1, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.opt.present, TCPOPT_CUT);
	CHECK_EQ(dec(LINKTYPE_RAW, f, n, &pkt), DECODE_OK);
	CHECK_EQ(pkt.opt.present, TCPOPT_MALFORMED);

	/* IPv6, options cut: the same. */
	n = put_v6_seg(f, syn_opts, sizeof(syn_opts), 7);
	CHECK_EQ(dec_cut(LINKTYPE_RAW, f, 40 + 20 + 9, n, &pkt), DECODE_OK);
	CHECK(seg_ok(&pkt, 6, 40, 7));
	CHECK_EQ(pkt.opt.present, TCPOPT_HAS_MSS | TCPOPT_HAS_SACK_PERM |
	    TCPOPT_CUT);
}

/* A valid frame of link type lt in f; returns its length. */
static size_t
put_valid(int lt, uint8_t *f)
{
	size_t	n = 0;

	switch (lt) {
	case LINKTYPE_NULL:
		f[0] = 2;
		f[1] = f[2] = f[3] = 0;
		return (4 + put_v4_seg(f + 4, syn_opts, sizeof(syn_opts), 30));
	case LINKTYPE_LOOP:
		put_be32(f, 24);
		return (4 + put_v6_seg(f + 4, syn_opts, sizeof(syn_opts), 30));
	case LINKTYPE_ETHERNET:
		n = put_eth(f, 0x8100);
		n += put_tag(f + n, 7, 0x0800);
		return (n + put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 30));
	case LINKTYPE_PPP:
	case LINKTYPE_PPP_HDLC:
		f[0] = 0xff;
		f[1] = 0x03;
		put_be16(f + 2, 0x0057);
		return (4 + put_v6_seg(f + 4, syn_opts, sizeof(syn_opts), 30));
	case LINKTYPE_LINUX_SLL:
		memset(f, 0, 16);
		put_be16(f + 14, 0x0800);
		return (16 + put_v4_seg(f + 16, syn_opts, sizeof(syn_opts),
		    30));
	case LINKTYPE_LINUX_SLL2:
		memset(f, 0, 20);
		put_be16(f, 0x86dd);
		n = 20 + put_ipv6(f + 20, 60, 8 + tcp_size(sizeof(syn_opts),
		    10));
		n += put_ext(f + n, 6, 0);
		return (n + put_tcp(f + n, syn_opts, sizeof(syn_opts), 10));
	case LINKTYPE_IPV6:
		return (put_v6_seg(f, syn_opts, sizeof(syn_opts), 30));
	default:
		return (put_v4_seg(f, syn_opts, sizeof(syn_opts), 30));
	}
}

/*
 * Valid frames of every link type with a few random bytes changed, cut
 * at random lengths: the sanitizers judge, plus a sanity count.
 */
static void
test_noise(void)
{
	static const int	lts[] = {
		LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_PPP, LINKTYPE_RAW,
		LINKTYPE_PPP_HDLC, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL,
		LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2
	};
	uint8_t			f[160];
	struct packet		pkt;
	uint64_t		x = 12345;
	size_t			round, i, j, n, cap;
	int			ok = 0, valid = 0;

	for (i = 0; i < 10; i++) {
		memset(f, 0, sizeof(f));
		n = put_valid(lts[i], f);
		if (dec(lts[i], f, n, &pkt) == DECODE_OK &&
		    pkt.payload_len == (lts[i] == LINKTYPE_LINUX_SLL2 ?
		    10u : 30u))
			valid++;
	}
	CHECK_EQ(valid, 10);

	for (round = 0; round < 50000; round++) {
		i = round % 10;
		memset(f, 0, sizeof(f));
		n = put_valid(lts[i], f);
		for (j = 0; j < round % 4; j++) {
			x = (x * 1103515245 + 12345) & 0x7fffffff;
			f[(x >> 8) % n] = (uint8_t)(x >> 20);
		}
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		cap = (x >> 4) % (n + 1);
		if (dec_cut(lts[i], f, cap, n, &pkt) == DECODE_OK)
			ok++;
	}
	CHECK(ok > 0);
}

/* Tunnel frame number `which` (0-5) in f; sets *lt, returns its length. */
static size_t
put_tunnel(unsigned which, uint8_t *f, int *lt)
{
	uint8_t	pkt[128];
	size_t	n, pay;

	*lt = LINKTYPE_ETHERNET;
	switch (which) {
	case 0:
		return (put_gre_frame(f, 0xb000, 4, 10));
	case 1:
		n = put_eth(f, 0x0800);
		n += 20;
		n += put_gre(f + n, 0x2000, 0x6558);
		n += put_eth(f + n, 0x86dd);
		n += put_v6_seg(f + n, syn_opts, sizeof(syn_opts), 10);
		put_outer_ipv4(f + 14, 47, n - 34);
		return (n);
	case 2:
		return (put_vxlan_frame(f, 10));
	case 3:
		n = put_eth(f, 0x8847);
		put_be32(f + n, 100u << 12 | 64);
		put_be32(f + n + 4, 200u << 12 | 0x100 | 64);
		n += 8;
		return (n + put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 10));
	case 4:
		*lt = LINKTYPE_NFLOG;
		n = put_v4_seg(pkt, syn_opts, sizeof(syn_opts), 10);
		return (put_nflog(f, 2, pkt, n, &pay));
	default:
		n = put_eth(f, 0x86dd);
		n += 40;
		n += put_v4_seg(f + n, syn_opts, sizeof(syn_opts), 10);
		put_outer_ipv6(f + 14, 4, n - 54);
		return (n);
	}
}

/*
 * Tunnel frames with a few random bytes changed, cut at random lengths
 * and claimed shorter on the wire: the sanitizers judge.
 */
static void
test_tunnel_noise(void)
{
	uint8_t		f[256];
	struct packet	pkt;
	uint64_t	x = 987654321;
	size_t		round, j, n, cap, wire;
	int		lt, ok = 0, valid = 0;
	unsigned	i;

	for (i = 0; i < 6; i++) {
		memset(f, 0, sizeof(f));
		n = put_tunnel(i, f, &lt);
		if (dec(lt, f, n, &pkt) == DECODE_OK &&
		    pkt.payload_len == 10 && syn_opts_ok(&pkt.opt))
			valid++;
	}
	CHECK_EQ(valid, 6);

	for (round = 0; round < 60000; round++) {
		memset(f, 0, sizeof(f));
		n = put_tunnel((unsigned)(round % 6), f, &lt);
		for (j = 0; j < round % 5; j++) {
			x = (x * 1103515245 + 12345) & 0x7fffffff;
			f[(x >> 8) % n] = (uint8_t)(x >> 20);
		}
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		cap = (x >> 4) % (n + 1);
		wire = (round & 8) ? cap : n;
		if (dec_cut(lt, f, cap, wire, &pkt) == DECODE_OK)
			ok++;
	}
	CHECK(ok > 0);
}

static void
test_options(void)
{
	struct tcp_options	o;
	static const uint8_t	mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t	ws[] = { 1, 3, 3, 14 };
	static const uint8_t	ts[] = {
		1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 9
	};
	static const uint8_t	len0[] = { 2, 0, 5, 0xb4 };
	static const uint8_t	len1[] = { 3, 1, 1, 1 };
	static const uint8_t	past[] = { 8, 10, 0, 0, 0, 1 };
	static const uint8_t	nolen[] = { 1, 1, 1, 8 };
	static const uint8_t	unknown[] = {
		30, 6, 0, 0, 0, 0, 2, 4, 0x05, 0xb4
	};
	static const uint8_t	eol[] = { 1, 0, 2, 4, 0x05, 0xb4 };
	static const uint8_t	mss_then_bad[] = { 2, 4, 0x05, 0xb4, 3, 0 };
	static const uint8_t	wrong_len[] = { 2, 3, 5, 3, 2, 1 };
	static const uint8_t	bad_sack[] = {
		5, 9, 1, 2, 3, 4, 5, 6, 7, 4, 2
	};
	uint8_t			sack[40];
	uint32_t		k, b;

	memset(&o, 0xaa, sizeof(o));
	decode_tcp_options(mss, sizeof(mss), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_MSS);
	CHECK_EQ(o.mss, 1460);
	CHECK_EQ(o.sack_count, 0);
	CHECK_EQ(o.ts_val, 0);

	decode_tcp_options(ws, sizeof(ws), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_WSCALE);
	CHECK_EQ(o.wscale, 14);

	decode_tcp_options(ts, sizeof(ts), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_TIMESTAMP);
	CHECK_EQ(o.ts_val, 0xdeadbeef);
	CHECK_EQ(o.ts_ecr, 9);

	/* Length 0, length 1, past the list, no length byte. */
	decode_tcp_options(len0, sizeof(len0), &o);
	CHECK_EQ(o.present, TCPOPT_MALFORMED);
	decode_tcp_options(len1, sizeof(len1), &o);
	CHECK_EQ(o.present, TCPOPT_MALFORMED);
	decode_tcp_options(past, sizeof(past), &o);
	CHECK_EQ(o.present, TCPOPT_MALFORMED);
	CHECK_EQ(o.ts_val, 0);
	decode_tcp_options(nolen, sizeof(nolen), &o);
	CHECK_EQ(o.present, TCPOPT_MALFORMED);

	/* An unknown kind is skipped by its length. */
	decode_tcp_options(unknown, sizeof(unknown), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_MSS);
	CHECK_EQ(o.mss, 1460);

	/* EOL ends the list even if bytes follow. */
	decode_tcp_options(eol, sizeof(eol), &o);
	CHECK_EQ(o.present, 0);

	/* A fault after a valid MSS keeps the MSS. */
	decode_tcp_options(mss_then_bad, sizeof(mss_then_bad), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_MSS | TCPOPT_MALFORMED);
	CHECK_EQ(o.mss, 1460);

	/* Known kind, wrong length: skipped, not malformed, walk goes on. */
	decode_tcp_options(wrong_len, sizeof(wrong_len), &o);
	CHECK_EQ(o.present, 0);
	decode_tcp_options(bad_sack, sizeof(bad_sack), &o);
	CHECK_EQ(o.present, TCPOPT_HAS_SACK_PERM);
	CHECK_EQ(o.sack_count, 0);

	/* SACK with 1 to 4 blocks, after two NOPs as stacks send it. */
	for (k = 1; k <= 4; k++) {
		memset(sack, 0, sizeof(sack));
		sack[0] = 1;
		sack[1] = 1;
		sack[2] = 5;
		sack[3] = (uint8_t)(2 + 8 * k);
		for (b = 0; b < k; b++) {
			put_be32(sack + 4 + 8 * b, 1000 * (b + 1));
			put_be32(sack + 8 + 8 * b, 1000 * (b + 1) + 500);
		}
		memset(&o, 0xaa, sizeof(o));
		decode_tcp_options(sack, 4 + 8 * k, &o);
		CHECK_EQ(o.present, TCPOPT_HAS_SACK);
		CHECK_EQ(o.sack_count, k);
		for (b = 0; b < k; b++) {
			CHECK_EQ(o.sack[b].left, 1000 * (b + 1));
			CHECK_EQ(o.sack[b].right, 1000 * (b + 1) + 500);
		}
		/* One byte short: the SACK runs past the list. */
		decode_tcp_options(sack, 3 + 8 * k, &o);
		CHECK_EQ(o.present, TCPOPT_MALFORMED);
		CHECK_EQ(o.sack_count, 0);
	}

	/* Empty and NULL lists. */
	memset(&o, 0xaa, sizeof(o));
	decode_tcp_options(NULL, 0, &o);
	CHECK_EQ(o.present, 0);
	CHECK_EQ(o.mss, 0);
	decode_tcp_options(mss, 0, &o);
	CHECK_EQ(o.present, 0);

	/* SYN options as a whole, through decode_packet() too. */
	decode_tcp_options(syn_opts, sizeof(syn_opts), &o);
	CHECK(syn_opts_ok(&o));
}

int
main(void)
{
	test_ethernet();
	test_vlan();
	test_pppoe();
	test_sll();
	test_null_loop();
	test_raw();
	test_ppp();
	test_linktypes_and_names();
	test_ipv4();
	test_ipv4_fragments();
	test_ipv6_ext();
	test_ipv6_jumbo();
	test_tcp_header();
	test_snaplen_and_padding();
	test_truncation();
	test_noise();
	test_options();
	test_options_cut();
	test_ip_in_ip();
	test_gre();
	test_vxlan();
	test_mpls();
	test_nflog();
	test_gre_truncation();
	test_tunnel_noise();
	return (harness_result());
}
