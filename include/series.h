/*
 * series.h - bounded time series per direction of data, for --series and
 * the pictures (--plot, --html): the receiver's window and the sender's
 * bytes in flight, and the time-sequence view (data sent, ACKs, the
 * window's right edge, SACK blocks, retransmissions).
 *
 * At most SERIES_POINTS buckets per direction: when a transfer outlasts
 * them, neighbouring buckets merge and the bucket width doubles, so the
 * cost per segment is O(1) amortized and the memory fixed.  Each bucket
 * keeps minima and maxima, so a zero-window dip is never averaged away.
 * Retransmissions are kept one by one, up to SERIES_MAX_MARKS per
 * direction (the rest counted).  Allocated once per connection, only when
 * asked for.  Sequence numbers are relative to the sender's base.
 */
#ifndef TCPSIGHT_SERIES_H
#define TCPSIGHT_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#define SERIES_POINTS		256
#define SERIES_FIRST_WIDTH_NS	1000000ull	/* 1 ms buckets to start with */
#define SERIES_MAX_MARKS	1024		/* retransmissions kept per direction */

/* One bucket. */
struct series_point {
	uint32_t window_min;	/* receiver's window, scaled bytes */
	uint32_t window_max;
	uint32_t inflight_max;	/* sender's bytes in flight */
	uint32_t seq_lo;	/* lowest relative seq of data sent in it */
	uint32_t seq_hi;	/* highest relative end of data sent in it */
	uint32_t ack_hi;	/* highest relative ACK from the receiver */
	uint32_t edge_hi;	/* highest ACK + window (right edge) */
	uint32_t sack_lo;	/* SACK blocks reported: lowest left edge */
	uint32_t sack_hi;	/* ... highest right edge */
	uint16_t retrans;	/* retransmitted segments sent in it */
	bool     used;		/* window/inflight set */
	bool     has_data;	/* seq_lo/seq_hi set */
	bool     has_ack;	/* ack_hi/edge_hi set */
	bool     has_sack;	/* sack_lo/sack_hi set */
};

/* One retransmitted segment. */
struct series_mark {
	uint64_t t_ns;
	uint32_t seq;		/* relative */
	uint32_t len;
};

/* One direction of data. */
struct series_dir {
	uint64_t start_ns;	/* time of the first sample */
	uint64_t width_ns;	/* bucket width */
	bool     started;
	uint32_t mark_count;	/* marks kept */
	uint32_t marks_dropped;	/* retransmissions beyond SERIES_MAX_MARKS */
	struct series_point pts[SERIES_POINTS];
	struct series_mark marks[SERIES_MAX_MARKS];
};

struct window_series {
	struct series_dir dir[2];	/* DIR_C2S, DIR_S2C */
};

/* A zeroed series; NULL when out of memory.  Free with free(). */
struct window_series *series_create(void);

/* The receiver's window and the bytes in flight of direction `dir`. */
void series_add(struct window_series *s, int dir, uint64_t now_ns,
    uint32_t window, uint32_t inflight);

/* Data [seq, seq + len) sent in direction `dir`, a retransmission or not. */
void series_add_data(struct window_series *s, int dir, uint64_t now_ns,
    uint32_t seq, uint32_t len, bool retransmission);

/* The receiver of `dir` acknowledged `ack`, with right edge `edge`; a
 * SACK range [sack_lo, sack_hi) if has_sack. */
void series_add_ack(struct window_series *s, int dir, uint64_t now_ns,
    uint32_t ack, uint32_t edge, bool has_sack, uint32_t sack_lo, uint32_t sack_hi);

#endif
