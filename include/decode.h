/*
 * decode.h - turn one captured frame into a plain struct packet.
 *
 * The decoder is pure: no state, no allocation, no output.  It reads the
 * frame through one bounds-checked cursor and never looks past caplen.
 * A frame that is not a decodable TCP segment yields a named
 * enum decode_status, which the caller counts per reason.
 */
#ifndef TCPSIGHT_DECODE_H
#define TCPSIGHT_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Link types we decode (LINKTYPE_* numbers as stored in pcap files). */
#define LINKTYPE_NULL		0	/* BSD loopback, host byte order AF */
#define LINKTYPE_ETHERNET	1
#define LINKTYPE_PPP		9
#define LINKTYPE_RAW		101	/* raw IPv4 or IPv6 */
#define LINKTYPE_PPP_HDLC	50
#define LINKTYPE_LOOP		108	/* OpenBSD loopback, network order AF */
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_IPV4		228
#define LINKTYPE_IPV6		229
#define LINKTYPE_NFLOG		239	/* Linux NFLOG: header, then TLVs */
#define LINKTYPE_LINUX_SLL2	276
#define DLT_RAW_ALT		12	/* some BSDs write DLT_RAW's value */
#define DLT_RAW_ALT2		14

/* Why a frame was not decoded into a TCP segment (counted per reason). */
enum decode_status {
	DECODE_OK = 0,
	DECODE_UNKNOWN_LINKTYPE,	/* link type we do not decode */
	DECODE_TRUNCATED_LINK,		/* link header cut by snaplen */
	DECODE_TOO_MANY_VLAN_TAGS,	/* more stacked tags than MAX_VLAN_TAGS */
	DECODE_NON_IP,			/* ARP, LLDP, ... */
	DECODE_BAD_IP_HEADER,		/* version, IHL or length fields lie */
	DECODE_BAD_IPV6_EXT,		/* extension chain runs past packet or too long */
	DECODE_IP_FRAGMENT,		/* non-first fragment, or first without full TCP header */
	DECODE_NON_TCP,			/* UDP, ICMP, ... */
	DECODE_TRUNCATED_HEADER,	/* IP or TCP header cut by snaplen */
	DECODE_BAD_TCP_OFFSET,		/* data offset < 5 or past the IP payload */
	DECODE_STATUS_COUNT
};

/* Bits of struct tcp_options.present. */
#define TCPOPT_HAS_MSS		0x01
#define TCPOPT_HAS_WSCALE	0x02
#define TCPOPT_HAS_SACK_PERM	0x04
#define TCPOPT_HAS_SACK		0x08
#define TCPOPT_HAS_TIMESTAMP	0x10
#define TCPOPT_CUT		0x40	/* option list cut by snaplen: rest not seen */
#define TCPOPT_MALFORMED	0x80	/* option list ended early: length 0/1 or past header */

#define TCPOPT_MAX_SACK_BLOCKS	4	/* 40 option bytes hold at most 4 blocks */

/* One SACK block [left, right) in raw sequence space (RFC 2018). */
struct sack_block {
	uint32_t left;
	uint32_t right;
};

/* TCP options we understand (RFC 9293, RFC 7323, RFC 2018). */
struct tcp_options {
	uint8_t  present;	/* TCPOPT_HAS_* bits */
	uint8_t  wscale;	/* shift count as sent (may exceed 14; clamp when used) */
	uint8_t  sack_count;	/* valid entries in sack[] */
	uint16_t mss;
	uint32_t ts_val;	/* RFC 7323 TSval */
	uint32_t ts_ecr;	/* RFC 7323 TSecr */
	struct sack_block sack[TCPOPT_MAX_SACK_BLOCKS];
};

/* TCP flag bits as in the header's 13th byte; TH_NS kept apart in bit 8. */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20
#define TH_ECE	0x40
#define TH_CWR	0x80
#define TH_AE	0x100	/* formerly NS (RFC 3540), now AccECN AE */

/*
 * A decoded TCP segment.  Plain data: it holds no pointer into the
 * capture buffer, so it stays valid after the next read.
 */
struct packet {
	uint64_t ts_ns;		/* capture time, ns since the epoch (set by caller) */
	uint64_t frame;		/* 1-based frame number across all inputs (set by caller) */
	uint32_t wire_len;	/* original length on the wire (pcap header len) */
	uint8_t  ip_version;	/* 4 or 6 */
	uint8_t  ttl;		/* IPv4 TTL or IPv6 hop limit */
	uint16_t ip_id;		/* IPv4 identification; 0 for IPv6 */
	uint8_t  src[16];	/* source address; IPv4 in the first 4 bytes, rest zero */
	uint8_t  dst[16];	/* destination address, same layout */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;		/* raw sequence number */
	uint32_t ack;		/* raw acknowledgment field (even if ACK is clear) */
	uint16_t flags;		/* TH_* bits */
	uint16_t window;	/* raw 16-bit window field, unscaled */
	uint16_t tcp_hdr_len;	/* TCP header length in bytes (data offset * 4) */
	uint32_t payload_len;	/* segment length from IP length fields, not caplen */
	struct tcp_options opt;
};

/*
 * Decode one frame of link type `linktype`.  `bytes` holds `caplen`
 * captured bytes of a frame that was `wire_len` long on the wire.
 * Fills every field of *out except ts_ns and frame; on failure *out is
 * left partly written and must not be used.
 */
enum decode_status decode_packet(int linktype, const uint8_t *bytes,
    uint32_t caplen, uint32_t wire_len, struct packet *out);

/*
 * Parse a TCP option list of `len` bytes into *opt (zeroed first).
 * Never reads past len; a malformed list sets TCPOPT_MALFORMED and keeps
 * what was parsed before the fault.
 */
void decode_tcp_options(const uint8_t *p, uint32_t len, struct tcp_options *opt);

/* Whether we decode this link type at all. */
bool decode_linktype_supported(int linktype);

/* Stable snake_case name of a status, as used in the report. */
const char *decode_status_name(enum decode_status status);

#endif
