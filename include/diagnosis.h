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

/* The diagnosis state of one direction of data (F sends, R receives). */
struct diag_dir {
	bool     active;		/* F has sent data: the transfer has started */
	bool     in_recovery;		/* loss detected, not yet acknowledged */
	bool     scale_inferred;	/* R's window scale was inferred from the data */
	uint8_t  state;			/* enum limit_state since last_ns */
	int8_t   inferred_shift;	/* R's window scale if inferred, else -1 */
	uint32_t recovery_point;	/* F.nextseq when the loss was detected */
	uint32_t max_payload;		/* F's largest segment: the MSS if none announced */
	uint64_t last_data_ns;		/* time of F's latest new data segment */
	uint64_t pace_ns;		/* smoothed gap between F's new data segments */
	uint64_t last_ns;		/* time of the last accounted segment */
	uint64_t first_data_ns;
	uint64_t end_ns;		/* the last time data was in flight or sent */
	uint64_t time_ns[LIMIT_STATE_COUNT];	/* running split */
	uint64_t final_ns[LIMIT_STATE_COUNT];	/* split as of end_ns */

	/* The receiver's window, seen from this transfer (scaled bytes). */
	uint32_t window_last;
	uint32_t window_shrinks;	/* times the window got smaller */
	uint32_t right_edge;		/* R.lastack + window */
	bool     edge_known;
	uint64_t edge_advance_limited;	/* right-edge advance while receiver-limited */
	uint64_t sent_unlimited;	/* bytes F sent while not receiver-limited */
	uint32_t window_hist[DIAG_WINDOW_BUCKETS];	/* samples by floor(log2(w + 1)) */
	double   fit_n, fit_t, fit_w, fit_tt, fit_tw;	/* least squares of w over t (s) */

	/* R's zero-window episodes that held this transfer up. */
	uint32_t episodes;
	struct zw_episode current;	/* the open or most recent episode */
	bool     episode_open;
	bool     reopen_pending;	/* waiting for the window to reach 1 MSS / previous */
	struct zw_episode longest[DIAG_MAX_EPISODES];	/* longest first */
	uint8_t  longest_count;
};

/* Both directions. */
struct conn_diagnosis {
	struct diag_dir dir[2];		/* DIR_C2S, DIR_S2C: data sent that way */
};

/*
 * Account segment p, sent in direction `dir`, after analysis_update()
 * has seen it (its verdict is v).  With a non-NULL series, also sample
 * each transfer's window and bytes in flight into it.  O(1); no
 * allocation.
 */
void diagnosis_update(struct conn_diagnosis *cd, const struct conn_analysis *ca,
    int dir, const struct packet *p, const struct seg_verdict *v,
    struct window_series *series);

/* Close open episodes at the end of the connection. */
void diagnosis_finish(struct conn_diagnosis *cd, uint64_t end_ns);

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
