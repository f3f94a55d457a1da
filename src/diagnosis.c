/*
 * diagnosis.c - what limits a transfer: an online time split per
 * direction of data, the receiver's window trend and zero-window
 * episodes, and a verdict with its evidence in one sentence.
 *
 * Between two segments of a connection the state of each transfer is
 * constant and decided by what the last segment left behind:
 *   receiver  R's window is zero, or F has within one MSS of it in flight
 *   loss      F is recovering a loss (retransmission, gap, or 2+ dup
 *             ACKs) that R has not yet acknowledged past
 *   path      at least one MSS in flight, window open, no loss: the
 *             path (congestion control, bandwidth) sets the pace
 *   sender    less than one MSS in flight with the window open: F had
 *             nothing to send
 *   idle      as sender, but the gap lasted longer than IDLE_GAP_NS
 * This mirrors Linux's chrono accounting (tcpi_rwnd_limited within
 * tcpi_busy_time), measured from outside.  Everything is O(1) per
 * segment; the sentence is written once, when the connection ends.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnosis.h"
#include "seq.h"
#include "tunables.h"

#define NS	1e9

struct diag_ext *
diag_pool_get(struct diag_pool *pool)
{
	struct diag_ext *e = pool->free_list;

	if (e != NULL) {
		pool->free_list = e->next_free;
	} else if ((e = malloc(sizeof(*e))) != NULL) {
		pool->allocated++;
	} else {
		pool->failed++;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	pool->in_use++;
	if (pool->in_use > pool->peak_in_use)
		pool->peak_in_use = pool->in_use;
	return e;
}

void
diag_pool_put(struct diag_pool *pool, struct diag_ext *e)
{
	if (e == NULL)
		return;
	e->next_free = pool->free_list;
	pool->free_list = e;
	pool->in_use--;
}

void
diag_pool_clear(struct diag_pool *pool)
{
	struct diag_ext *e, *next;

	for (e = pool->free_list; e != NULL; e = next) {
		next = e->next_free;
		free(e);
		pool->allocated--;
	}
	pool->free_list = NULL;
}

/* The transfer's out-of-line block, taken from the pool on first use. */
static struct diag_ext *
ext_of(struct diag_dir *dd, struct diag_pool *pool)
{
	if (dd->ext == NULL && pool != NULL)
		dd->ext = diag_pool_get(pool);
	return dd->ext;
}

/*
 * Add the time since the last segment to the state it was in.
 * `steady_data` says this segment is F's new data arriving at F's usual
 * pace: then a "sender" gap before it was the sender's link or pacing
 * spacing the segments out (a bottleneck before the capture point), not
 * an application with nothing to send, and it counts as path time.
 */
static void
account(struct diag_dir *dd, uint64_t now_ns, bool steady_data)
{
	uint64_t dt;
	uint8_t st;

	if (now_ns <= dd->last_ns)
		return;	/* time going backwards adds nothing */
	dt = now_ns - dd->last_ns;
	st = dd->state;
	if (st == LIMIT_SENDER && steady_data)
		st = LIMIT_PATH;
	else if (st == LIMIT_SENDER && dt > IDLE_GAP_NS)
		st = LIMIT_IDLE;
	dd->time_ns[st] += dt;
	dd->last_ns = now_ns;
	dd->time_dirty = true;
}

/*
 * Whether p, F's new data, comes at F's steady pace: within twice the
 * smoothed gap between F's data segments (RFC 6298-style 1/8 gain).
 * Bursts then pauses (an application writing now and then) are not
 * steady; segments spaced evenly by a bottleneck are.
 */
static bool
steady_pace(struct diag_dir *dd, uint64_t now_ns)
{
	uint64_t gap;
	bool steady;

	if (dd->last_data_ns == 0 || now_ns < dd->last_data_ns) {
		dd->last_data_ns = now_ns;
		return false;
	}
	gap = now_ns - dd->last_data_ns;
	steady = dd->pace_ns != 0 && gap <= 2 * dd->pace_ns;
	dd->pace_ns = dd->pace_ns == 0 ? gap : dd->pace_ns - dd->pace_ns / 8 + gap / 8;
	dd->last_data_ns = now_ns;
	return steady;
}

/* R's advertised window in bytes, with an inferred scale if need be. */
static uint32_t
receiver_window(const struct diag_dir *dd, const struct dir_analysis *r)
{
	if (r->wscale >= 0 && r->sent_non_syn)
		return (uint32_t)r->window_raw << r->wscale;
	if (r->wscale == WSCALE_UNKNOWN && dd->inferred_shift > 0)
		return (uint32_t)r->window_raw << dd->inferred_shift;
	return r->window_raw;
}

/*
 * Without the handshake R's scale is unknown: take the smallest shift
 * under which F's bytes in flight never exceed R's window.
 */
static void
infer_scale(struct diag_dir *dd, const struct dir_analysis *f,
    const struct dir_analysis *r)
{
	uint32_t need;
	int shift;

	if (r->wscale != WSCALE_UNKNOWN || !r->window_seen || r->window_raw == 0 ||
	    !r->lastack_known || !seq_gt(f->nextseq, r->lastack))
		return;
	need = f->nextseq - r->lastack;
	shift = dd->inferred_shift < 0 ? 0 : dd->inferred_shift;
	while (shift < MAX_WSCALE && ((uint64_t)r->window_raw << shift) < need)
		shift++;
	if (shift > 0 && shift > dd->inferred_shift) {
		dd->inferred_shift = (int8_t)shift;
		dd->scale_inferred = true;
	}
}

static uint32_t
mss_of(const struct diag_dir *dd, const struct dir_analysis *r)
{
	if (r->mss != 0)
		return r->mss;	/* what R announced it accepts */
	return dd->max_payload ? dd->max_payload : 536;
}

/* An episode's length; 0 if the capture's clock ran backwards. */
static uint64_t
episode_ns(const struct zw_episode *e)
{
	return e->end_ns > e->start_ns ? e->end_ns - e->start_ns : 0;
}

/* Keep an episode among the longest ones. */
static void
keep_episode(struct diag_ext *x, const struct zw_episode *e)
{
	uint64_t len = episode_ns(e);
	int i, n = x->longest_count;

	for (i = 0; i < n; i++)
		if (len > episode_ns(&x->longest[i]))
			break;
	if (i == DIAG_MAX_EPISODES)
		return;
	if (n == DIAG_MAX_EPISODES)
		n--;
	memmove(&x->longest[i + 1], &x->longest[i],
	    (size_t)(n - i) * sizeof(x->longest[0]));
	x->longest[i] = *e;
	if (x->longest_count < DIAG_MAX_EPISODES)
		x->longest_count++;
}

static uint32_t
ns32(uint64_t ns)
{
	return ns >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)ns;
}

/* Finish the reopen measurement of the current episode and keep it. */
static void
settle_episode(struct diag_dir *dd)
{
	if (!dd->reopen_pending)
		return;
	dd->reopen_pending = false;
	keep_episode(dd->ext, &dd->ext->current);	/* pending implies ext */
}

/* Histogram bucket of window w: floor(log2(w + 1)), capped. */
static uint8_t
window_bucket(uint32_t w)
{
	int b;

	for (b = 0; b < DIAG_WINDOW_BUCKETS - 1 && ((uint64_t)w + 1) >> (b + 1); b++)
		;
	return (uint8_t)b;
}

/*
 * Add the pending run of samples to the histogram.  A 16-bit bucket about
 * to overflow widens the histogram into the out-of-line block; if no block
 * can be had (out of memory, counted by the pool) the bucket saturates.
 */
static void
hist_flush(struct diag_dir *dd, struct diag_pool *pool)
{
	uint32_t n = dd->hist_run;
	uint8_t b = dd->hist_bucket;
	struct diag_ext *x;
	int i;

	if (n == 0)
		return;
	dd->hist_run = 0;
	if (dd->ext != NULL && dd->ext->hist_wide) {
		dd->ext->window_hist[b] += n;
		return;
	}
	if ((uint64_t)dd->window_hist[b] + n <= UINT16_MAX) {
		dd->window_hist[b] = (uint16_t)(dd->window_hist[b] + n);
		return;
	}
	if ((x = ext_of(dd, pool)) == NULL) {
		dd->window_hist[b] = UINT16_MAX;
		return;
	}
	for (i = 0; i < DIAG_WINDOW_BUCKETS; i++)
		x->window_hist[i] = dd->window_hist[i];
	x->hist_wide = true;
	x->window_hist[b] += n;
}

/* Samples in bucket i, the pending run included. */
static uint64_t
hist_count(const struct diag_dir *dd, int i)
{
	uint64_t n = dd->ext != NULL && dd->ext->hist_wide ?
	    dd->ext->window_hist[i] : dd->window_hist[i];

	return i == dd->hist_bucket ? n + dd->hist_run : n;
}

/* R advertised window w (scaled): zero-window episodes and the trend. */
static void
track_receiver_window(struct diag_dir *dd, const struct dir_analysis *r,
    uint32_t w, uint64_t now_ns, struct diag_pool *pool)
{
	uint32_t mss, right;
	struct diag_ext *x;
	double t;
	uint8_t b;

	if (w == 0 && !dd->episode_open) {
		dd->episodes++;
		dd->episode_open = true;
		if ((x = ext_of(dd, pool)) != NULL) {
			settle_episode(dd);
			memset(&x->current, 0, sizeof(x->current));
			x->current.start_ns = now_ns;
			x->current.window_before = dd->window_last;
			x->current.reopen_full_ns = UINT32_MAX;
		}
	} else if (w != 0 && dd->episode_open) {
		dd->episode_open = false;
		if ((x = dd->ext) != NULL) {
			mss = mss_of(dd, r);
			x->current.end_ns = now_ns;
			dd->reopen_pending = true;
			x->current.reopen_mss_ns = w >= mss ? 0 : UINT32_MAX;
		}
	}
	if (dd->reopen_pending && w != 0) {
		x = dd->ext;
		mss = mss_of(dd, r);
		if (x->current.reopen_mss_ns == UINT32_MAX && w >= mss)
			x->current.reopen_mss_ns = ns32(now_ns - x->current.end_ns);
		if (w >= x->current.window_before) {
			x->current.reopen_full_ns = ns32(now_ns - x->current.end_ns);
			settle_episode(dd);
		}
	}

	/* The histogram counts runs of one bucket: most ACKs repeat the window. */
	if (w != dd->window_last) {
		if (w < dd->window_last)
			dd->window_shrinks++;
		dd->window_last = w;
		b = window_bucket(w);
		if (b != dd->hist_bucket) {
			hist_flush(dd, pool);
			dd->hist_bucket = b;
		}
	}
	if (++dd->hist_run == UINT32_MAX)
		hist_flush(dd, pool);
	t = (double)(now_ns - dd->first_data_ns) / NS;
	dd->fit_t += t;
	dd->fit_w += w;
	dd->fit_tt += t * t;
	dd->fit_tw += t * w;

	if (r->lastack_known) {
		right = r->lastack + w;
		if (dd->edge_known && seq_gt(right, dd->right_edge) &&
		    dd->state == LIMIT_RECEIVER)
			dd->edge_advance_limited += right - dd->right_edge;
		if (!dd->edge_known || seq_gt(right, dd->right_edge))
			dd->right_edge = right;
		dd->edge_known = true;
	}
}

/*
 * The state the transfer is in after this segment, given F's bytes in
 * flight and R's window (receiver_window()).
 */
static uint8_t
current_state(const struct diag_dir *dd, const struct dir_analysis *r,
    uint32_t inflight, uint32_t rwnd)
{
	uint32_t mss = mss_of(dd, r);

	if (r->window_seen && r->window_raw == 0)
		return LIMIT_RECEIVER;
	if (dd->in_recovery)
		return LIMIT_LOSS;
	if (r->window_seen && inflight > 0 && (uint64_t)inflight + mss > rwnd)
		return LIMIT_RECEIVER;
	if (inflight >= mss)
		return LIMIT_PATH;
	return LIMIT_SENDER;
}

/* The pictures' view of this segment, for transfer d (F sends, R receives). */
static void
feed_series(struct window_series *series, const struct diag_dir *dd, int d,
    int dir, const struct dir_analysis *f, const struct dir_analysis *r,
    const struct packet *p, const struct seg_verdict *v, uint32_t inflight)
{
	const struct tcp_options *o = &p->opt;
	uint32_t ack, lo, hi;
	int i;

	series_add(series, d, p->ts_ns, receiver_window(dd, r), inflight);
	if (dir == d) {
		if (p->payload_len > 0 && !(v->flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE)))
			series_add_data(series, d, p->ts_ns, p->seq - f->base_seq,
			    p->payload_len, (v->flags & SEG_BIT(SEG_RETRANSMISSION)) != 0);
		return;
	}
	if (!(p->flags & TH_ACK) || (p->flags & TH_RST))
		return;
	ack = p->ack - f->base_seq;
	lo = hi = 0;
	for (i = 0; i < o->sack_count && (o->present & TCPOPT_HAS_SACK); i++) {
		if (i == 0 || seq_lt(o->sack[i].left - f->base_seq, lo))
			lo = o->sack[i].left - f->base_seq;
		if (i == 0 || seq_gt(o->sack[i].right - f->base_seq, hi))
			hi = o->sack[i].right - f->base_seq;
	}
	series_add_ack(series, d, p->ts_ns, ack, ack + receiver_window(dd, r),
	    (o->present & TCPOPT_HAS_SACK) && o->sack_count > 0, lo, hi);
}

void
diagnosis_update(struct conn_diagnosis *cd, const struct conn_analysis *ca,
    int dir, const struct packet *p, const struct seg_verdict *v,
    struct window_series *series, struct diag_pool *pool)
{
	const uint32_t loss = SEG_BIT(SEG_RETRANSMISSION) | SEG_BIT(SEG_LOST_SEGMENT);
	int d;

	if (p->payload_len > 0 && !cd->dir[dir].active &&
	    !(v->flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE))) {
		struct diag_dir *dd = &cd->dir[dir];

		dd->active = true;
		dd->inferred_shift = -1;
		dd->first_data_ns = dd->last_ns = dd->end_ns = p->ts_ns;
		dd->state = LIMIT_SENDER;
	}
	for (d = 0; d < 2; d++) {
		struct diag_dir *dd = &cd->dir[d];
		const struct dir_analysis *f = &ca->dir[d], *r = &ca->dir[!d];
		uint32_t inflight, rwnd;
		bool steady;

		if (!dd->active)
			continue;
		/* F's bytes in flight: nothing below changes F or R. */
		inflight = r->lastack_known && seq_gt(f->nextseq, r->lastack) ?
		    f->nextseq - r->lastack : 0;
		steady = dir == d && p->payload_len > 0 &&
		    !(v->flags & (SEG_BIT(SEG_RETRANSMISSION) |
		    SEG_BIT(SEG_ZERO_WINDOW_PROBE))) && steady_pace(dd, p->ts_ns);
		account(dd, p->ts_ns, steady);
		if (dir == d) {
			/* A segment of this transfer. */
			if (p->payload_len > dd->max_payload &&
			    !(v->flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE)))
				dd->max_payload = p->payload_len;
			if ((v->flags & loss) && !dd->in_recovery) {
				dd->in_recovery = true;
				dd->recovery_point = f->nextseq;
			}
			if ((v->flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE)) &&
			    dd->episode_open && dd->ext != NULL)
				dd->ext->current.probes++;
			if (p->payload_len > 0 && dd->state != LIMIT_RECEIVER &&
			    !(v->flags & SEG_BIT(SEG_RETRANSMISSION)))
				dd->sent_unlimited += p->payload_len;
			infer_scale(dd, f, r);
			rwnd = receiver_window(dd, r);
		} else {
			/* An ACK or window from the receiver of this transfer. */
			if ((v->flags & SEG_BIT(SEG_DUPLICATE_ACK)) && v->dupack_num >= 2 &&
			    !dd->in_recovery) {
				dd->in_recovery = true;
				dd->recovery_point = f->nextseq;
			}
			if (dd->in_recovery && (p->flags & TH_ACK) &&
			    seq_geq(p->ack, dd->recovery_point))
				dd->in_recovery = false;
			rwnd = receiver_window(dd, r);
			if (!(p->flags & (TH_RST | TH_SYN)))
				track_receiver_window(dd, r, rwnd, p->ts_ns, pool);
		}
		dd->state = current_state(dd, r, inflight, rwnd);
		if (series != NULL)
			feed_series(series, dd, d, dir, f, r, p, v, inflight);
		if (inflight > 0 || (dir == d && p->payload_len > 0)) {
			dd->end_ns = p->ts_ns;
			if (dd->time_dirty) {
				memcpy(dd->final_ns, dd->time_ns, sizeof(dd->final_ns));
				dd->time_dirty = false;
			}
		}
	}
}

void
diagnosis_finish(struct conn_diagnosis *cd, uint64_t end_ns)
{
	int d;

	for (d = 0; d < 2; d++) {
		struct diag_dir *dd = &cd->dir[d];

		if (!dd->active)
			continue;
		if (dd->episode_open) {
			/* Still zero at the end: the episode lasts to the end. */
			dd->episode_open = false;
			if (dd->ext != NULL) {
				dd->ext->current.end_ns = end_ns;
				dd->ext->current.reopen_mss_ns = UINT32_MAX;
				dd->reopen_pending = true;
			}
			if (dd->state == LIMIT_RECEIVER && end_ns > dd->end_ns) {
				account(dd, end_ns, false);
				dd->end_ns = end_ns;
				memcpy(dd->final_ns, dd->time_ns, sizeof(dd->final_ns));
				dd->time_dirty = false;
			}
		}
		settle_episode(dd);
	}
}

void
diagnosis_release(struct conn_diagnosis *cd, struct diag_pool *pool)
{
	int d;

	for (d = 0; d < 2; d++) {
		diag_pool_put(pool, cd->dir[d].ext);
		cd->dir[d].ext = NULL;
	}
}

const char *
diagnosis_verdict_name(enum verdict v)
{
	static const char *const names[VERDICT_COUNT] = {
		[VERDICT_HEALTHY] = "healthy",
		[VERDICT_RECEIVER_LIMITED] = "receiver_limited",
		[VERDICT_NETWORK_LIMITED] = "network_limited",
		[VERDICT_SENDER_LIMITED] = "sender_limited",
		[VERDICT_MIXED] = "mixed",
	};

	if ((unsigned)v >= VERDICT_COUNT)
		return "healthy";
	return names[v];
}

/* A rate in human units: "850 B/s", "1.2 MB/s". */
static void
format_rate(double bps, char *buf, size_t len)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.1f GB/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.1f MB/s", bps / 1e6);
	else if (bps >= 1e3)
		snprintf(buf, len, "%.1f KB/s", bps / 1e3);
	else
		snprintf(buf, len, "%.0f B/s", bps);
}

/*
 * A share as a whole percentage, the digits printf("%.0f", share * 100)
 * would print (rint() rounds halves to even, as printf does), at a
 * fraction of its cost: formatting doubles was most of a summary's time.
 * Shares are finite and not negative; anything else shows as 0.
 */
static unsigned long long
pct(double share)
{
	double x = share * 100;

	return x >= 0 && x < 1e18 ? (unsigned long long)rint(x) : 0;
}

static void
write_evidence(struct diag_summary *s, const struct diag_dir *dd,
    const struct dir_analysis *f)
{
	char read[32], arrive[32];
	uint32_t retx = f->flag_count[SEG_RETRANSMISSION];
	uint64_t segs = f->data_segments;
	double nonidle = 1.0 - s->share[LIMIT_IDLE];
	double r = nonidle > 0 ? s->share[LIMIT_RECEIVER] / nonidle : 0;
	double l = nonidle > 0 ? s->share[LIMIT_LOSS] / nonidle : 0;
	double snd = nonidle > 0 ? s->share[LIMIT_SENDER] / nonidle : 0;
	double pth = nonidle > 0 ? s->share[LIMIT_PATH] / nonidle : 0;
	size_t n;

	if (segs < DIAG_MIN_SEGMENTS || nonidle <= 0) {
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "too little data to judge: %llu bytes in %llu segments%s",
		    (unsigned long long)f->payload_bytes, (unsigned long long)segs,
		    nonidle <= 0 ? ", all of it idle" : "");
	} else switch (s->verdict) {
	case VERDICT_RECEIVER_LIMITED:
		/* Only this sentence has rates: printf's doubles are dear. */
		format_rate(s->read_rate, read, sizeof(read));
		format_rate(s->arrival_rate, arrive, sizeof(arrive));
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "the receiver's window was zero for %.2f s in %u episode%s and "
		    "limited the sender %llu%% of the time; its application read "
		    "%s while data arrived at %s",
		    (double)s->zero_window_ns / NS, dd->episodes,
		    dd->episodes == 1 ? "" : "s", pct(r), read, arrive);
		break;
	case VERDICT_NETWORK_LIMITED:
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "loss recovery took %llu%% of the transfer: %u of %llu segments "
		    "(%.1f%%) were retransmitted; the receiver's window limited the "
		    "sender %llu%% of the time",
		    pct(l), retx, (unsigned long long)segs,
		    segs ? 100.0 * retx / (double)segs : 0.0, pct(r));
		break;
	case VERDICT_SENDER_LIMITED:
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "the sender had less than one segment in flight with the window "
		    "open %llu%% of the time: it had nothing more to send", pct(snd));
		break;
	case VERDICT_MIXED:
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "no single cause: the receiver's window limited the sender %llu%%, "
		    "loss recovery %llu%%, the sender itself %llu%% of the time "
		    "(%u retransmissions)", pct(r), pct(l), pct(snd), retx);
		break;
	default:
		n = (size_t)snprintf(s->evidence, sizeof(s->evidence),
		    "no stall: the path set the pace %llu%% of the time, the "
		    "receiver's window %llu%%, loss recovery %llu%% "
		    "(%u retransmissions)", pct(pth), pct(r), pct(l), retx);
		break;
	}
	/* Shares above are of the time that was not idle: say so when it shows. */
	if (segs >= DIAG_MIN_SEGMENTS && s->share[LIMIT_IDLE] >= DIAG_IDLE_NOTE &&
	    nonidle > 0 && n < sizeof(s->evidence))
		n += (size_t)snprintf(s->evidence + n, sizeof(s->evidence) - n,
		    " (percentages leave out the %llu%% of the transfer that was idle)",
		    pct(s->share[LIMIT_IDLE]));
	if (dd->scale_inferred && n < sizeof(s->evidence))
		snprintf(s->evidence + n, sizeof(s->evidence) - n,
		    " (window scale not seen in a handshake; inferred as %d)",
		    dd->inferred_shift);
}

static void
choose_verdict(struct diag_summary *s, const struct dir_analysis *f)
{
	double nonidle = 1.0 - s->share[LIMIT_IDLE];
	double r, l, snd, best = 0, second = 0, size_factor;
	bool loss = f->flag_count[SEG_RETRANSMISSION] > 0 ||
	    f->flag_count[SEG_LOST_SEGMENT] > 0;
	enum verdict pick = VERDICT_HEALTHY;
	double cand[VERDICT_COUNT] = { 0 };
	int i;

	if (nonidle <= 0 || f->data_segments < DIAG_MIN_SEGMENTS) {
		/* Too little to judge: say so rather than guess. */
		s->verdict = VERDICT_HEALTHY;
		s->confidence = 0.1;
		return;
	}
	r = s->share[LIMIT_RECEIVER] / nonidle;
	l = s->share[LIMIT_LOSS] / nonidle;
	snd = s->share[LIMIT_SENDER] / nonidle;
	if (r >= RECEIVER_LIMITED_MIN)
		cand[VERDICT_RECEIVER_LIMITED] = r;
	if (loss && l >= LOSS_LIMITED_MIN)
		cand[VERDICT_NETWORK_LIMITED] = l;
	if (snd >= SENDER_LIMITED_MIN)
		cand[VERDICT_SENDER_LIMITED] = snd;
	for (i = 1; i < VERDICT_MIXED; i++) {
		if (cand[i] > best) {
			second = best;
			best = cand[i];
			pick = (enum verdict)i;
		} else if (cand[i] > second) {
			second = cand[i];
		}
	}
	/* Few segments say little. */
	size_factor = f->data_segments >= 40 ? 1.0 : (double)f->data_segments / 40.0;
	if (pick == VERDICT_HEALTHY) {
		s->verdict = VERDICT_HEALTHY;
		s->confidence = (1.0 - fmax(r, fmax(l, snd))) * size_factor;
	} else if (second > 0 && best < 1.5 * second) {
		s->verdict = VERDICT_MIXED;
		s->confidence = (best + second) * size_factor;
	} else {
		s->verdict = pick;
		s->confidence = best * size_factor;
	}
	if (s->confidence > 1)
		s->confidence = 1;
}

bool
diagnosis_summarize(const struct conn_diagnosis *cd, const struct conn_analysis *ca,
    int dir, struct diag_summary *s)
{
	const struct diag_dir *dd = &cd->dir[dir];
	const struct dir_analysis *f = &ca->dir[dir], *r = &ca->dir[!dir];
	uint64_t total = 0, seen = 0, limited_ns, open_ns;
	double mean_t, var_t, fit_n;
	int i, shift;

	memset(s, 0, sizeof(*s));
	if (!dd->active)
		return false;
	for (i = 0; i < LIMIT_STATE_COUNT; i++)
		total += dd->final_ns[i];
	s->transfer_s = (double)total / NS;
	for (i = 0; i < LIMIT_STATE_COUNT; i++)
		s->share[i] = total ? (double)dd->final_ns[i] / (double)total : 0;
	if (total == 0)
		s->share[LIMIT_SENDER] = 1;	/* one segment: nothing to split */
	limited_ns = dd->final_ns[LIMIT_RECEIVER];
	open_ns = dd->final_ns[LIMIT_LOSS] + dd->final_ns[LIMIT_PATH] +
	    dd->final_ns[LIMIT_SENDER];
	if (limited_ns + dd->final_ns[LIMIT_LOSS] + dd->final_ns[LIMIT_PATH])
		s->busy_receiver_share = (double)limited_ns / (double)(limited_ns +
		    dd->final_ns[LIMIT_LOSS] + dd->final_ns[LIMIT_PATH]);
	s->read_rate = limited_ns ? (double)dd->edge_advance_limited / ((double)limited_ns / NS) : 0;
	s->arrival_rate = open_ns ? (double)dd->sent_unlimited / ((double)open_ns / NS) : 0;
	s->zero_window_ns = r->zero_window_ns;

	shift = r->wscale == WSCALE_UNKNOWN && dd->inferred_shift > 0 ? dd->inferred_shift : 0;
	s->window_min = r->window_seen ? r->window_min << shift : 0;
	s->window_max = r->window_seen ? r->window_max << shift : 0;
	for (i = 0; i < DIAG_WINDOW_BUCKETS; i++)
		seen += hist_count(dd, i);
	for (i = 0, total = 0; i < DIAG_WINDOW_BUCKETS && seen; i++) {
		total += hist_count(dd, i);
		if (total * 2 >= seen) {
			s->window_median = i == 0 ? 0 : (uint32_t)((1ull << i) - 1);
			break;
		}
	}
	/* The bucket's value may fall outside what was seen: keep min <= median <= max. */
	if (seen && s->window_median < s->window_min)
		s->window_median = s->window_min;
	if (seen && s->window_median > s->window_max)
		s->window_median = s->window_max;
	if (seen >= 2) {
		/* The fit's sample count is the histogram's (exact as a double). */
		fit_n = (double)seen;
		mean_t = dd->fit_t / fit_n;
		var_t = dd->fit_tt / fit_n - mean_t * mean_t;
		if (var_t > 1e-12)
			s->window_slope = (dd->fit_tw / fit_n -
			    mean_t * dd->fit_w / fit_n) / var_t;
	}
	choose_verdict(s, f);
	write_evidence(s, dd, f);
	return true;
}
