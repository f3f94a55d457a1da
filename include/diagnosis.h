/*
 * diagnosis.h - what limits each direction's transfer: the receiver (a
 * slow reader), the network, or the sender.
 *
 * An online, O(1)-per-segment time split in the spirit of RFC 4898's
 * SndLimTime* counters and Linux's tcpi_rwnd_limited / tcpi_busy_time,
 * computed passively from the segments both ways: between two segments
 * of a connection, each direction that carries data is in exactly one
 * state, decided by the segment before; the time between them is added
 * to that state.  Plus the receiver's window trend, its zero-window
 * episodes, and an inferred window scale when the handshake was missed.
 */
#ifndef TCPSIGHT_DIAGNOSIS_H
#define TCPSIGHT_DIAGNOSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis.h"
#include "decode.h"
#include "series.h"

/* Where the time of a transfer went. */
enum limit_state {
	LIMIT_RECEIVER = 0,	/* receiver's window zero or full */
	LIMIT_LOSS,		/* loss recovery: from a detected loss to its ACK */
	LIMIT_PATH,		/* data in flight, window open, no loss: the path's pace */
	LIMIT_SENDER,		/* window open, less than one MSS in flight */
	LIMIT_IDLE,		/* nothing in flight for longer than the idle gap */
	LIMIT_STATE_COUNT
};

/* Zero-window episodes kept per direction: the longest ones. */
#define DIAG_MAX_EPISODES	4

/* Buckets of the window histogram used for the median (powers of two). */
#define DIAG_WINDOW_BUCKETS	32

/* One zero-window episode of the receiver. */
struct zw_episode {
	uint64_t start_ns;
	uint64_t end_ns;		/* 0 while open */
	uint32_t probes;		/* zero-window probes the sender sent during it */
	uint32_t reopen_mss_ns;		/* end to window >= 1 MSS, ns (capped); 0 = at once */
	uint32_t reopen_full_ns;	/* end to the window before the episode; UINT32_MAX = never */
	uint32_t window_before;		/* window before it closed, scaled */
};

/*
 * The rarely needed part of a transfer's diagnosis, kept out of the flow
 * record: taken from a struct diag_pool when the receiver's window first
 * goes to zero, or when a 16-bit window histogram bucket would overflow
 * (more than 65535 samples in one bucket), and given back when the flow
 * ends.  At most one per direction of a connection, so the pool is
 * bounded by twice the flow table's cap.
 */
struct diag_ext {
	struct zw_episode current;	/* the open or most recent episode */
	struct zw_episode longest[DIAG_MAX_EPISODES];	/* longest first */
	uint8_t  longest_count;
	bool     hist_wide;		/* window_hist below is in use, not the record's */
	uint32_t window_hist[DIAG_WINDOW_BUCKETS];	/* widened histogram */
	struct diag_ext *next_free;	/* free-list link while in the pool */
};

/*
 * Free list of struct diag_ext blocks.  Blocks are malloc'd one at a time
 * when the free list is empty (a rare event: a zero window, or a very long
 * transfer) and reused after their flow ends; all are freed by
 * diag_pool_clear().  No global state: the flow table owns one.
 */
struct diag_pool {
	struct diag_ext *free_list;
	uint64_t allocated;	/* blocks malloc'd (in use or free) */
	uint64_t in_use;	/* blocks held by flows now */
	uint64_t peak_in_use;	/* most held at once */
	uint64_t failed;	/* blocks that could not be had (out of memory) */
};

/* A zeroed block from the pool; NULL (counted in failed) when out of memory. */
struct diag_ext *diag_pool_get(struct diag_pool *pool);

/* Give a block back; NULL-safe. */
void diag_pool_put(struct diag_pool *pool, struct diag_ext *e);

/* Free every block on the free list (blocks in use must have been put back). */
void diag_pool_clear(struct diag_pool *pool);

/*
 * The diagnosis state of one direction of data (F sends, R receives).
 * Laid out hot first; the one-bit flags are packed at the end.
 */
struct diag_dir {
	uint64_t last_ns;		/* time of the last accounted segment */
	uint64_t last_data_ns;		/* time of F's latest new data segment */
	uint64_t pace_ns;		/* smoothed gap between F's new data segments */
	uint64_t first_data_ns;
	uint64_t end_ns;		/* the last time data was in flight or sent */
	uint64_t time_ns[LIMIT_STATE_COUNT];	/* running split */
	uint64_t final_ns[LIMIT_STATE_COUNT];	/* split as of end_ns */
	uint64_t edge_advance_limited;	/* right-edge advance while receiver-limited */
	uint64_t sent_unlimited;	/* bytes F sent while not receiver-limited */
	/* Least squares of w over t (s); the sample count is the histogram's. */
	double   fit_t, fit_w, fit_tt, fit_tw;
	struct diag_ext *ext;		/* episodes, widened histogram; NULL until needed */
	uint32_t recovery_point;	/* F.nextseq when the loss was detected */
	uint32_t max_payload;		/* F's largest segment: the MSS if none announced */

	/* The receiver's window, seen from this transfer (scaled bytes). */
	uint32_t window_last;
	uint32_t window_shrinks;	/* times the window got smaller */
	uint32_t right_edge;		/* R.lastack + window */
	uint32_t episodes;		/* R's zero-window episodes that held this transfer up */
	uint32_t hist_run;		/* samples in hist_bucket not yet added to the histogram */
	uint16_t window_hist[DIAG_WINDOW_BUCKETS];	/* samples by floor(log2(w + 1)) */
	uint8_t  hist_bucket;		/* bucket of window_last (the pending run) */
	uint8_t  state;			/* enum limit_state since last_ns */
	int8_t   inferred_shift;	/* R's window scale if inferred, else -1 */
	bool     active : 1;		/* F has sent data: the transfer has started */
	bool     in_recovery : 1;	/* loss detected, not yet acknowledged */
	bool     scale_inferred : 1;	/* R's window scale was inferred from the data */
	bool     edge_known : 1;	/* right_edge is set */
	bool     episode_open : 1;	/* ext->current is open: window zero now */
	bool     reopen_pending : 1;	/* waiting for the window to reach 1 MSS / previous */
	bool     time_dirty : 1;	/* time_ns changed since final_ns was copied */
};

/* The longest zero-window episodes of transfer dd, longest first; *n of them. */
static inline const struct zw_episode *
diag_longest_episodes(const struct diag_dir *dd, unsigned *n)
{
	*n = dd->ext != NULL ? dd->ext->longest_count : 0;
	return dd->ext != NULL ? dd->ext->longest : NULL;
}

/* Both directions. */
struct conn_diagnosis {
	struct diag_dir dir[2];		/* DIR_C2S, DIR_S2C: data sent that way */
};

/*
 * Account segment p, sent in direction `dir`, after analysis_update()
 * has seen it (its verdict is v).  With a non-NULL series, also sample
 * each transfer's window and bytes in flight into it.  O(1); allocates
 * only on a transfer's first zero window or histogram overflow, from pool.
 */
void diagnosis_update(struct conn_diagnosis *cd, const struct conn_analysis *ca,
    int dir, const struct packet *p, const struct seg_verdict *v,
    struct window_series *series, struct diag_pool *pool);

/* Close open episodes at the end of the connection. */
void diagnosis_finish(struct conn_diagnosis *cd, uint64_t end_ns);

/* Give the out-of-line blocks of cd back to the pool (at the flow's end). */
void diagnosis_release(struct conn_diagnosis *cd, struct diag_pool *pool);

/* A verdict and the numbers behind it, for the sinks. */
enum verdict {
	VERDICT_HEALTHY = 0,
	VERDICT_RECEIVER_LIMITED,
	VERDICT_NETWORK_LIMITED,
	VERDICT_SENDER_LIMITED,
	VERDICT_MIXED,
	VERDICT_COUNT
};

struct diag_summary {
	enum verdict verdict;
	double   confidence;		/* 0..1 */
	double   share[LIMIT_STATE_COUNT];	/* of the transfer time; sums to 1 */
	double   transfer_s;		/* first data segment to end of transfer */
	double   busy_receiver_share;	/* receiver-limited / (receiver + loss + path) */
	double   window_slope;		/* bytes per second, least squares */
	uint32_t window_min;
	uint32_t window_median;		/* approximate: power-of-two bucket */
	uint32_t window_max;
	double   read_rate;		/* bytes/s the receiver freed while limiting */
	double   arrival_rate;		/* bytes/s the sender sent while not limited */
	uint64_t zero_window_ns;	/* total time the window was zero */
	char     evidence[320];		/* one plain-English sentence */
};

/*
 * Summarize direction `dir` of a finished connection.  False when that
 * direction carried no data (no diagnosis).
 */
bool diagnosis_summarize(const struct conn_diagnosis *cd, const struct conn_analysis *ca,
    int dir, struct diag_summary *out);

/* "receiver_limited", ... */
const char *diagnosis_verdict_name(enum verdict v);

#endif
