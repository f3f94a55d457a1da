/*
 * series.c - bounded per-direction series (see series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "series.h"

struct window_series *
series_create(void)
{
	return calloc(1, sizeof(struct window_series));
}

static uint32_t
min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Relative sequence numbers grow with the transfer: compare wrap-safely. */
static uint32_t
seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

static uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

static struct series_point
merge(struct series_point a, struct series_point b)
{
	struct series_point m = a;

	if (!a.used) {
		m.used = b.used;
		m.window_min = b.window_min;
		m.window_max = b.window_max;
		m.inflight_max = b.inflight_max;
	} else if (b.used) {
		m.window_min = min32(a.window_min, b.window_min);
		m.window_max = max32(a.window_max, b.window_max);
		m.inflight_max = max32(a.inflight_max, b.inflight_max);
	}
	if (!a.has_data) {
		m.has_data = b.has_data;
		m.seq_lo = b.seq_lo;
		m.seq_hi = b.seq_hi;
	} else if (b.has_data) {
		m.seq_lo = seq_min(a.seq_lo, b.seq_lo);
		m.seq_hi = seq_max(a.seq_hi, b.seq_hi);
	}
	if (!a.has_ack) {
		m.has_ack = b.has_ack;
		m.ack_hi = b.ack_hi;
		m.edge_hi = b.edge_hi;
	} else if (b.has_ack) {
		m.ack_hi = seq_max(a.ack_hi, b.ack_hi);
		m.edge_hi = seq_max(a.edge_hi, b.edge_hi);
	}
	if (!a.has_sack) {
		m.has_sack = b.has_sack;
		m.sack_lo = b.sack_lo;
		m.sack_hi = b.sack_hi;
	} else if (b.has_sack) {
		m.sack_lo = seq_min(a.sack_lo, b.sack_lo);
		m.sack_hi = seq_max(a.sack_hi, b.sack_hi);
	}
	m.retrans = (uint16_t)min32(65535, (uint32_t)a.retrans + b.retrans);
	return m;
}

/* Merge neighbouring buckets pairwise; the width doubles. */
static void
halve(struct series_dir *sd)
{
	int i;

	for (i = 0; i < SERIES_POINTS / 2; i++)
		sd->pts[i] = merge(sd->pts[2 * i], sd->pts[2 * i + 1]);
	memset(&sd->pts[SERIES_POINTS / 2], 0,
	    sizeof(sd->pts[0]) * (SERIES_POINTS / 2));
	sd->width_ns *= 2;
}

/* The bucket for time now_ns, starting the series if need be. */
static struct series_point *
bucket(struct series_dir *sd, uint64_t now_ns)
{
	uint64_t idx;

	if (!sd->started) {
		sd->started = true;
		sd->start_ns = now_ns;
		sd->width_ns = SERIES_FIRST_WIDTH_NS;
	}
	if (now_ns < sd->start_ns)
		now_ns = sd->start_ns;	/* time going backwards joins the first bucket */
	while ((idx = (now_ns - sd->start_ns) / sd->width_ns) >= SERIES_POINTS)
		halve(sd);
	return &sd->pts[idx];
}

void
series_add(struct window_series *s, int dir, uint64_t now_ns, uint32_t window,
    uint32_t inflight)
{
	struct series_point *pt = bucket(&s->dir[dir], now_ns);

	if (!pt->used) {
		pt->used = true;
		pt->window_min = pt->window_max = window;
		pt->inflight_max = inflight;
		return;
	}
	pt->window_min = min32(pt->window_min, window);
	pt->window_max = max32(pt->window_max, window);
	pt->inflight_max = max32(pt->inflight_max, inflight);
}

void
series_add_data(struct window_series *s, int dir, uint64_t now_ns, uint32_t seq,
    uint32_t len, bool retransmission)
{
	struct series_dir *sd = &s->dir[dir];
	struct series_point *pt = bucket(sd, now_ns);

	if (!pt->has_data) {
		pt->has_data = true;
		pt->seq_lo = seq;
		pt->seq_hi = seq + len;
	} else {
		pt->seq_lo = seq_min(pt->seq_lo, seq);
		pt->seq_hi = seq_max(pt->seq_hi, seq + len);
	}
	if (!retransmission)
		return;
	if (pt->retrans < 65535)
		pt->retrans++;
	if (sd->mark_count == SERIES_MAX_MARKS) {
		sd->marks_dropped++;
		return;
	}
	sd->marks[sd->mark_count].t_ns = now_ns;
	sd->marks[sd->mark_count].seq = seq;
	sd->marks[sd->mark_count].len = len;
	sd->mark_count++;
}

void
series_add_ack(struct window_series *s, int dir, uint64_t now_ns, uint32_t ack,
    uint32_t edge, bool has_sack, uint32_t sack_lo, uint32_t sack_hi)
{
	struct series_point *pt = bucket(&s->dir[dir], now_ns);

	if (!pt->has_ack) {
		pt->has_ack = true;
		pt->ack_hi = ack;
		pt->edge_hi = edge;
	} else {
		pt->ack_hi = seq_max(pt->ack_hi, ack);
		pt->edge_hi = seq_max(pt->edge_hi, edge);
	}
	if (!has_sack)
		return;
	if (!pt->has_sack) {
		pt->has_sack = true;
		pt->sack_lo = sack_lo;
		pt->sack_hi = sack_hi;
	} else {
		pt->sack_lo = seq_min(pt->sack_lo, sack_lo);
		pt->sack_hi = seq_max(pt->sack_hi, sack_hi);
	}
}
