/*
 * decode_tcp.c - TCP header (RFC 9293) and options (RFC 7323, RFC 2018).
 *
 * The fixed 20-byte header must be captured; the options and payload
 * need not be.  Every header field lies in the fixed part, the payload
 * length comes from the IP layer, and options cut by snaplen are parsed
 * as far as they were captured (TCPOPT_CUT).  The option parser is also
 * exported on its own (decode_tcp_options()) so tests and other callers
 * can feed it a bare option list.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "decode_internal.h"

#define TCP_MIN_HDR_LEN		20
#define TCP_AE_BIT		0x01	/* low bit of byte 12: AE, once NS */

#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WSCALE		3
#define TCPOPT_SACK_PERM	4
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8

#define TCPOLEN_MSS		4
#define TCPOLEN_WSCALE		3
#define TCPOLEN_SACK_PERM	2
#define TCPOLEN_SACK_BLOCK	8	/* per block, after kind and length */
#define TCPOLEN_TIMESTAMP	10

static void	parse_options(const uint8_t *, uint32_t, uint32_t,
		    struct tcp_options *);

/*
 * Whether the TCP header at c lies whole in the captured bytes and in
 * seg_len; see decode_internal.h.
 */
bool
decode_tcp_header_fits(const struct cursor *c, uint32_t seg_len)
{
	uint32_t	hlen;

	/* The share cannot hold even the fixed header. */
	if (seg_len < TCP_MIN_HDR_LEN)
		return (false);
	/* A snaplen cut is decode_tcp()'s to report, not a fragment. */
	if (!cur_has(c, TCP_MIN_HDR_LEN))
		return (true);
	hlen = (uint32_t)(cur_u8(c, 12) >> 4) * 4;
	/* A bogus offset is decode_tcp()'s to report. */
	if (hlen < TCP_MIN_HDR_LEN)
		return (true);
	return (hlen <= seg_len);
}

/*
 * Decode the TCP header at c into *out; see decode_internal.h.
 * payload_len is seg_len minus the header, whatever was captured.
 */
enum decode_status
decode_tcp(const struct cursor *c, uint32_t seg_len, struct packet *out)
{
	uint32_t	hlen, optcap;
	uint8_t		b12;

	/*
	 * The IP payload cannot hold even a minimal TCP header, so any
	 * data offset would point past it.  Checked before the capture
	 * because the cursor is already limited to seg_len.
	 */
	if (seg_len < TCP_MIN_HDR_LEN)
		return (DECODE_BAD_TCP_OFFSET);
	/* The fixed header was cut by snaplen. */
	if (!cur_has(c, TCP_MIN_HDR_LEN))
		return (DECODE_TRUNCATED_HEADER);
	b12 = cur_u8(c, 12);
	hlen = (uint32_t)(b12 >> 4) * 4;
	/* Data offset below 5 words overlaps the fixed header. */
	if (hlen < TCP_MIN_HDR_LEN)
		return (DECODE_BAD_TCP_OFFSET);
	/* Data offset points past the end of the IP payload. */
	if (hlen > seg_len)
		return (DECODE_BAD_TCP_OFFSET);

	out->sport = cur_be16(c, 0);
	out->dport = cur_be16(c, 2);
	out->seq = cur_be32(c, 4);
	out->ack = cur_be32(c, 8);
	out->flags = (uint16_t)(cur_u8(c, 13) |
	    ((b12 & TCP_AE_BIT) ? TH_AE : 0));
	out->window = cur_be16(c, 14);
	out->tcp_hdr_len = (uint16_t)hlen;
	out->payload_len = seg_len - hlen;
	/* Options cut by snaplen: parse the captured ones only. */
	optcap = (c->len < hlen ? c->len : hlen) - TCP_MIN_HDR_LEN;
	parse_options(c->p + TCP_MIN_HDR_LEN, optcap, hlen - TCP_MIN_HDR_LEN,
	    &out->opt);
	return (DECODE_OK);
}

/* Parse a TCP option list into *opt; see decode.h. */
void
decode_tcp_options(const uint8_t *p, uint32_t len, struct tcp_options *opt)
{
	parse_options(p, len, len, opt);
}

/*
 * Parse a TCP option list of len bytes of which the first caplen were
 * captured (caplen <= len) into *opt.
 *
 * An option of a known kind with the wrong length (MSS of length 3, say)
 * is skipped by its own length and its present bit stays clear, as the
 * Linux stack's tcp_parse_options() ignores it.  It does not set
 * TCPOPT_MALFORMED: that flag means the list could not be walked to its
 * end (decode.h), and here the walk goes on to the next option.  A SACK
 * option with more blocks than TCPOPT_MAX_SACK_BLOCKS (impossible in a
 * 40-byte option space) keeps the first ones.  A repeated option
 * overwrites the earlier one.
 *
 * The walk also stops where the capture ends (an option, or its length
 * byte, cut by snaplen) and then sets TCPOPT_CUT rather than
 * TCPOPT_MALFORMED: nothing is wrong with the list, we just did not see
 * all of it.  An option whose length runs past the whole list is still
 * malformed, captured or not.
 */
static void
parse_options(const uint8_t *p, uint32_t caplen, uint32_t len,
    struct tcp_options *opt)
{
	struct cursor	c;
	uint32_t	i, n;
	uint8_t		kind, olen;

	memset(opt, 0, sizeof(*opt));
	/*
	 * Fast path for the most common list of all, on every segment of a
	 * connection with timestamps: NOP, NOP, TS (RFC 7323 appendix A).
	 * It gives what the walk below would.
	 */
	if (len == 12 && caplen >= 12 && p != NULL && p[0] == TCPOPT_NOP &&
	    p[1] == TCPOPT_NOP && p[2] == TCPOPT_TIMESTAMP &&
	    p[3] == TCPOLEN_TIMESTAMP) {
		opt->ts_val = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		    (uint32_t)p[6] << 8 | p[7];
		opt->ts_ecr = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		    (uint32_t)p[10] << 8 | p[11];
		opt->present = TCPOPT_HAS_TIMESTAMP;
		return;
	}
	/* No options at all. */
	if (len == 0)
		return;
	c.p = p;
	c.wire = p == NULL ? 0 : len;
	c.len = caplen < c.wire ? caplen : c.wire;
	c.depth = 0;

	while (cur_has(&c, 1)) {
		kind = cur_u8(&c, 0);
		/* End of option list: the rest is padding, seen or not. */
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			cur_skip(&c, 1);
			continue;
		}
		/* The length byte lies past the list. */
		if (c.wire < 2) {
			opt->present |= TCPOPT_MALFORMED;
			return;
		}
		/* The length byte was cut by snaplen. */
		if (!cur_has(&c, 2))
			break;
		olen = cur_u8(&c, 1);
		/* Length 0/1, or running past the list: no way on. */
		if (olen < 2 || olen > c.wire) {
			opt->present |= TCPOPT_MALFORMED;
			return;
		}
		/* The option was cut by snaplen. */
		if (!cur_has(&c, olen))
			break;

		switch (kind) {
		case TCPOPT_MSS:
			if (olen != TCPOLEN_MSS)
				break;
			opt->mss = cur_be16(&c, 2);
			opt->present |= TCPOPT_HAS_MSS;
			break;
		case TCPOPT_WSCALE:
			if (olen != TCPOLEN_WSCALE)
				break;
			opt->wscale = cur_u8(&c, 2);
			opt->present |= TCPOPT_HAS_WSCALE;
			break;
		case TCPOPT_SACK_PERM:
			if (olen != TCPOLEN_SACK_PERM)
				break;
			opt->present |= TCPOPT_HAS_SACK_PERM;
			break;
		case TCPOPT_SACK:
			if (olen < 2 + TCPOLEN_SACK_BLOCK ||
			    (olen - 2) % TCPOLEN_SACK_BLOCK != 0)
				break;
			n = (olen - 2u) / TCPOLEN_SACK_BLOCK;
			if (n > TCPOPT_MAX_SACK_BLOCKS)
				n = TCPOPT_MAX_SACK_BLOCKS;
			for (i = 0; i < n; i++) {
				opt->sack[i].left = cur_be32(&c,
				    2 + i * TCPOLEN_SACK_BLOCK);
				opt->sack[i].right = cur_be32(&c,
				    6 + i * TCPOLEN_SACK_BLOCK);
			}
			opt->sack_count = (uint8_t)n;
			opt->present |= TCPOPT_HAS_SACK;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != TCPOLEN_TIMESTAMP)
				break;
			opt->ts_val = cur_be32(&c, 2);
			opt->ts_ecr = cur_be32(&c, 6);
			opt->present |= TCPOPT_HAS_TIMESTAMP;
			break;
		default:
			/* MPTCP, TFO, MD5, ...: not ours, skip by length. */
			break;
		}
		cur_skip(&c, olen);
	}
	/* The walk stopped at the end of the capture, not of the list. */
	if (c.wire > c.len)
		opt->present |= TCPOPT_CUT;
}
