/*
 * decode_internal.h - the cursor and layer entry points shared by
 * decode_link.c, decode_ip.c and decode_tcp.c.
 *
 * Not part of the public contract (that is include/decode.h).  Every
 * read of frame bytes goes through struct cursor, which knows both how
 * many bytes were captured and how many were on the wire from its
 * position on, so each layer can tell a snaplen cut (truncated_*) from
 * a length field that lies (bad_*), and can size the TCP payload from
 * the IP length fields rather than from caplen.
 *
 * Tunnels (IP in IP, GRE, VXLAN) call back into the IP and link layers
 * with the same cursor, so every inner header is bounded by the outer
 * ones and by caplen alike.  The cursor counts the IP headers opened so
 * far, which caps the nesting.
 */
#ifndef TCPSIGHT_DECODE_INTERNAL_H
#define TCPSIGHT_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "tunables.h"	/* MAX_VLAN_TAGS, MAX_IPV6_EXT_HEADERS */

/*
 * IP headers decoded in one frame, the outer one included: a frame
 * nested deeper (IP in GRE in IP in IP ...) is refused as a bad IP
 * header.  Real tunnels stop at two or three levels; the cap keeps a
 * crafted frame from recursing once per 20 bytes.
 */
#define MAX_IP_LEVELS		4

/* MPLS labels walked looking for bottom of stack (RFC 3032). */
#define MAX_MPLS_LABELS		8

/*
 * A bounds-checked view of the frame from the current layer on.
 * Invariant: len <= wire.  len counts captured bytes from p; wire
 * counts bytes the frame had on the wire from p (so wire - len bytes
 * were cut by snaplen).  An IP layer may shrink both to the length its
 * header announces, which is how Ethernet padding is dropped.
 */
struct cursor {
	const uint8_t	*p;	/* first unread byte */
	uint32_t	 len;	/* captured bytes left from p */
	uint32_t	 wire;	/* bytes left from p on the wire */
	unsigned	 depth;	/* IP headers opened before p */
};

/* Whether n more bytes were captured. */
static inline bool
cur_has(const struct cursor *c, uint32_t n)
{
	return (c->len >= n);
}

/*
 * Readers at byte offset off from the cursor.  They read byte by byte
 * (no unaligned access) and return 0 past the captured bytes, so a
 * missed cur_has() check can misdecode but never read out of bounds.
 * Callers still check cur_has() first to choose the right status.
 */
static inline uint8_t
cur_u8(const struct cursor *c, uint32_t off)
{
	if (off >= c->len)
		return (0);
	return (c->p[off]);
}

static inline uint16_t
cur_be16(const struct cursor *c, uint32_t off)
{
	if (off > c->len || c->len - off < 2)
		return (0);
	return ((uint16_t)(c->p[off] << 8 | c->p[off + 1]));
}

/* Little-endian (NFLOG's host order in practice), else as cur_be16(). */
static inline uint16_t
cur_le16(const struct cursor *c, uint32_t off)
{
	if (off > c->len || c->len - off < 2)
		return (0);
	return ((uint16_t)(c->p[off] | c->p[off + 1] << 8));
}

static inline uint32_t
cur_be32(const struct cursor *c, uint32_t off)
{
	if (off > c->len || c->len - off < 4)
		return (0);
	return ((uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
	    (uint32_t)c->p[off + 2] << 8 | (uint32_t)c->p[off + 3]);
}

/* Copy n bytes at off into dst; false (dst untouched) if not captured. */
static inline bool
cur_copy(const struct cursor *c, uint32_t off, void *dst, uint32_t n)
{
	if (off > c->len || c->len - off < n)
		return (false);
	/* n is a constant at every call: the compiler makes this a move. */
	memcpy(dst, c->p + off, n);
	return (true);
}

/* Step past n captured bytes; false (cursor unchanged) if not captured. */
static inline bool
cur_skip(struct cursor *c, uint32_t n)
{
	if (c->len < n)
		return (false);
	if (n == 0)
		return (true);
	c->p += n;
	c->len -= n;
	c->wire -= n;
	return (true);
}

/*
 * Limit the cursor to n bytes on the wire (an IP length field); bytes
 * past them, such as Ethernet padding or an FCS, are no longer seen.
 */
static inline void
cur_limit(struct cursor *c, uint32_t n)
{
	if (c->wire > n)
		c->wire = n;
	if (c->len > c->wire)
		c->len = c->wire;
}

/*
 * decode_link.c: decode the Ethernet frame at c (VLAN tags, LLC/SNAP,
 * PPPoE and MPLS included).  Also the inner frame of GRE transparent
 * Ethernet bridging and of VXLAN.
 */
enum decode_status decode_ethernet(struct cursor *c, struct packet *out);

/*
 * decode_ip.c: decode the IP header at c (version 4 or 6, or 0 to pick
 * by the version nibble), then the TCP segment it carries, opening IP
 * in IP, GRE and VXLAN on the way.  Fills the IP fields of *out from
 * the innermost IP header and, through decode_tcp(), the TCP ones.
 */
enum decode_status decode_ip(struct cursor *c, unsigned version,
    struct packet *out);

/*
 * decode_tcp.c: decode the TCP header at c.  seg_len is the TCP
 * segment length (header and payload) from the IP length fields;
 * c->len may be shorter (snaplen) but never matters for payload_len.
 * Only the fixed 20 bytes must be captured: options cut by snaplen are
 * parsed as far as they go and flagged TCPOPT_CUT.
 */
enum decode_status decode_tcp(const struct cursor *c, uint32_t seg_len,
    struct packet *out);

/*
 * decode_tcp.c: whether the whole TCP header, options included, lies
 * within seg_len (a first fragment's share of the segment).  Only what
 * was captured can tell: a header whose fixed part was cut by snaplen,
 * or whose data offset is below 5, counts as fitting, so decode_tcp()
 * can report it as truncated_header or bad_tcp_offset.  Used to keep
 * first IP fragments that carry it.
 */
bool decode_tcp_header_fits(const struct cursor *c, uint32_t seg_len);

#endif
