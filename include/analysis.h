/*
 * analysis.h - per-segment TCP analysis and per-direction accounting.
 *
 * For every segment this decides what happened (retransmission, duplicate
 * ACK, zero window, ...: tshark's tcp.analysis flags, with tshark's names)
 * and keeps the per-direction counters the report shows.  Directions are
 * named from the client's point of view: DIR_C2S carries what the client
 * sent, DIR_S2C what the server sent.  Everything is fixed-size and
 * updated in O(1) per segment, with no allocation.
 *
 * Naming inside: for a segment P, F is the direction that sent it and R
 * the other one (tshark's convention).
 */
#ifndef TCPSIGHT_ANALYSIS_H
#define TCPSIGHT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

#define DIR_C2S	0
#define DIR_S2C	1

/* Window scale of a direction: a shift 0..14, or one of these. */
#define WSCALE_UNKNOWN	(-1)	/* handshake not seen: shift cannot be known */
#define WSCALE_NONE	(-2)	/* handshake seen without scaling: shift 0 */

/* Per-segment verdicts, one bit each; names in analysis_flag_name(). */
enum seg_flag {
	SEG_RETRANSMISSION = 0,	/* resends data already sent (set with fast/spurious too) */
	SEG_FAST_RETRANSMISSION,	/* ... at the duplicated ACK, after >= 2 dup ACKs */
	SEG_SPURIOUS_RETRANSMISSION,	/* ... of data the receiver had acknowledged */
	SEG_OUT_OF_ORDER,	/* fills a gap, but was sent before the data after it */
	SEG_LOST_SEGMENT,	/* starts beyond the next expected byte: a gap */
	SEG_ACK_LOST_SEGMENT,	/* acknowledges data never seen in the capture */
	SEG_DUPLICATE_ACK,	/* repeats the previous ACK, same window, no data */
	SEG_ZERO_WINDOW,	/* advertises a zero receive window */
	SEG_ZERO_WINDOW_PROBE,	/* probes a peer whose window is zero */
	SEG_ZERO_WINDOW_PROBE_ACK,	/* answers a zero-window probe */
	SEG_WINDOW_FULL,	/* fills the peer's advertised window exactly */
	SEG_WINDOW_UPDATE,	/* only changes the advertised window */
	SEG_KEEP_ALIVE,		/* keep-alive: one byte before the next expected */
	SEG_KEEP_ALIVE_ACK,	/* answers a keep-alive */
	SEG_REUSED_PORTS,	/* SYN that starts a new connection on a used 4-tuple */
	SEG_FLAG_COUNT
};

#define SEG_BIT(f)	(1u << (f))

/* Holes (sequence ranges never seen) remembered per direction. */
#define ANALYSIS_MAX_HOLES	4
/* TSval values remembered per direction for timestamp RTT samples. */
#define ANALYSIS_TS_RING	4

/* Running statistics of RTT samples, in nanoseconds. */
struct rtt_stats {
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns;	/* for the mean */
	uint64_t last_ns;
	uint32_t count;
};

/* A sequence range [left, right) sent but not seen in the capture. */
struct seq_hole {
	uint32_t left;
	uint32_t right;
};

/*
 * What one direction sent, its sequence state and its counters.  Fields
 * are grouped by size so that the record has no padding; the one-bit
 * flags are packed at the end.
 */
struct dir_analysis {
	/* -- sequence state (tshark's nextseq / lastack) -- */
	uint32_t nextseq;	/* highest seq + len (+1 for SYN/FIN) sent */
	uint32_t lastack;	/* ACK field of its last segment with ACK set */
	uint64_t nextseq_ns;	/* when nextseq last advanced */
	uint64_t lastack_ns;	/* time of its last segment with ACK set */
	uint64_t dupack_of_frame;	/* frame of the ACK being duplicated */

	/* -- what was sent -- */
	uint64_t packets;
	uint64_t wire_bytes;	/* sum of frame lengths on the wire */
	uint64_t payload_bytes;	/* sum of TCP segment lengths */
	uint64_t unique_bytes;	/* payload sent for the first time (goodput) */
	uint64_t retrans_bytes;	/* payload of segments flagged retransmission */
	uint64_t first_ns;	/* time of its first and last segment */
	uint64_t last_ns;

	/* -- round-trip time, from its data to the peer's ACK -- */
	uint64_t timed_ns;	/* when the segment being timed was sent */
	struct rtt_stats rtt;	/* ACK-based samples, Karn's rule */
	struct rtt_stats rtt_ts;	/* samples from echoed TCP timestamps */
	uint64_t ts_ns[ANALYSIS_TS_RING];	/* when each TSval was first seen */
	uint32_t ts_val[ANALYSIS_TS_RING];	/* TSvals it sent, newest last */

	/* -- flow control -- */
	uint64_t zero_window_since_ns;	/* start of the open zero-window episode */
	uint64_t zero_window_ns;	/* total time its window was zero */

	uint32_t data_segments;	/* segments with payload */
	uint32_t syn;		/* segments with SYN */
	uint32_t fin;		/* segments with FIN */
	uint32_t rst;		/* segments with RST */
	uint32_t flag_count[SEG_FLAG_COUNT];	/* segments with each flag */

	/* -- handshake and options -- */
	uint32_t isn;		/* initial sequence number, if syn_seen */
	uint32_t base_seq;	/* origin of relative numbers: ISN, or first seq - 1 */

	/* -- windows it advertised (scaled bytes; RSTs excluded) -- */
	uint32_t window_min;
	uint32_t window_max;
	uint32_t window_last;

	uint32_t nextseq_tsval;	/* TSval of the segment that advanced nextseq */
	uint32_t dupacks;	/* duplicate ACKs of lastack so far */
	uint32_t ack_unseen_mark;	/* R.nextseq when ack_lost_segment was last flagged */
	struct seq_hole holes[ANALYSIS_MAX_HOLES];	/* its data not seen, oldest first */
	uint32_t holes_dropped;	/* holes forgotten because the set was full */
	uint32_t timed_end;	/* end sequence number of the segment being timed */
	uint32_t max_in_flight;	/* largest nextseq - peer's lastack after a data segment */
	uint32_t sack_blocks;	/* SACK blocks it sent */
	uint32_t dsacks;	/* D-SACK blocks it sent (RFC 2883) */
	uint32_t zero_window_episodes;	/* times its window went to zero */

	uint16_t mss;		/* MSS option from its SYN; 0 = none */
	uint16_t window_raw;	/* raw field of its last segment */
	uint16_t nextseq_ipid;	/* IPv4 ID of the segment that advanced nextseq */
	uint16_t last_flags;	/* SEG_* bits of its previous segment */
	uint8_t  wscale_offer;	/* shift it offered, clamped to MAX_WSCALE */
	int8_t   wscale;	/* shift in effect for its windows, or WSCALE_* */
	uint8_t  hole_count;
	uint8_t  ts_next;	/* ring slot to write next */

	bool     base_known : 1;
	bool     syn_seen : 1;
	bool     sack_permitted : 1;	/* SACK-permitted option in its SYN */
	bool     timestamps : 1;	/* sent TCP timestamps (RFC 7323) */
	bool     wscale_offered : 1;	/* its SYN carried a window-scale option */
	bool     sent_non_syn : 1;	/* sent a segment without SYN: its windows scale */
	bool     window_seen : 1;	/* window_min/max/last and window_raw are set */
	bool     nextseq_known : 1;
	bool     lastack_known : 1;
	bool     nextseq_has_ts : 1;
	bool     ack_unseen_marked : 1;
	bool     timing : 1;	/* a segment is being timed (one at a time, RFC 6298) */
	bool     zero_window_open : 1;	/* its window is zero right now */
};

/* Per-connection analysis: both directions and the handshake timing. */
struct conn_analysis {
	struct dir_analysis dir[2];	/* DIR_C2S, DIR_S2C */
	uint64_t syn_ns;	/* most recent client SYN before the SYN/ACK */
	uint64_t synack_ns;	/* first SYN/ACK */
	uint64_t ack_ns;	/* client's first ACK after the SYN/ACK */
};

/* What decided between retransmission and out-of-order for a segment. */
enum resend_evidence {
	EVIDENCE_NONE = 0,	/* not a resend */
	EVIDENCE_ALREADY_ACKED,	/* the receiver had acknowledged it (spurious) */
	EVIDENCE_SEEN_BEFORE,	/* its bytes were already in the capture */
	EVIDENCE_TIMESTAMP,	/* its TSval against the newest segment's */
	EVIDENCE_IP_ID,		/* its IPv4 ID against the newest segment's */
	EVIDENCE_DUP_ACKS,	/* fills a gap at the duplicated ACK (fast) */
	EVIDENCE_TIME,		/* only the time since the newest segment */
	EVIDENCE_COUNT
};

/* What the analysis said of one segment. */
struct seg_verdict {
	uint32_t flags;		/* SEG_BIT(enum seg_flag) bits */
	uint32_t dupack_num;	/* with SEG_DUPLICATE_ACK: its number, 1, 2, ... */
	uint64_t dupack_frame;	/* ... and the frame of the ACK it duplicates */
	uint32_t rel_seq;	/* seq relative to the sender's base */
	uint32_t rel_ack;	/* ack relative to the receiver's base (0 without ACK) */
	uint32_t window;	/* advertised window, scaled */
	uint8_t  evidence;	/* enum resend_evidence, for resends and out-of-order */
};

/* Reset *ca for a new connection: zero counters, window scales unknown. */
void analysis_init(struct conn_analysis *ca);

/*
 * Analyse one segment travelling in direction `dir` and account it; the
 * verdict goes to *v.  `reused_ports` marks the SYN that replaced an
 * earlier connection on the same 4-tuple.
 */
void analysis_update(struct conn_analysis *ca, int dir, const struct packet *p,
    bool reused_ports, struct seg_verdict *v);

/* Close open episodes (a zero window still open) at the connection's end. */
void analysis_finish(struct conn_analysis *ca, uint64_t end_ns);

/*
 * Window in bytes that a segment from `dir` advertises: the raw field
 * shifted by the direction's scale, except on SYN segments (never scaled).
 * With an unknown scale the raw value is returned.
 */
uint32_t analysis_scaled_window(const struct dir_analysis *d, const struct packet *p);

/* Name of an evidence kind: "seen_before", "timestamp", ... */
const char *analysis_evidence_name(enum resend_evidence e);

/* tshark's name of a flag: "retransmission", "duplicate_ack", ... */
const char *analysis_flag_name(enum seg_flag f);

#endif
