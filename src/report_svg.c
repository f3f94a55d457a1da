/*
 * report_svg.c - the pictures (see plot.h) and the --plot sink.
 *
 * A graph is drawn from one direction's bounded series: at most
 * SERIES_POINTS buckets, each with the window's minimum and maximum, the
 * most bytes in flight, the data sent, the highest ACK and right edge,
 * the SACK blocks; and the retransmissions one by one.  Between two
 * buckets that saw segments nothing changed, so the window and the bytes
 * in flight are held at their value at the end of the bucket (estimated
 * from its highest ACK, right edge and data).  Periods where the window
 * was zero, or full (less than one MSS left), are shaded: the time the
 * receiver held the sender up.  Zero-window shading is drawn only when
 * the diagnosis counted zero-window episodes, and includes its longest
 * episodes at their exact times.
 *
 * The --plot sink is a tee: every record goes on to the main report;
 * each finished flow's graphs are written to files, at once or, with
 * --plot-top, kept for the most stalled flows and written at the end.
 * Which flows are drawn: --flow is flow_select.c, --plot-top plot_select.c.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "report_internal.h"
#include "tcpsight.h"

/* The plot area inside the canvas. */
#define AREA_LEFT	84.0
#define AREA_RIGHT	(PLOT_WIDTH - 24.0)
#define AREA_TOP	76.0
#define AREA_BOTTOM	(PLOT_HEIGHT - 64.0)
#define CHAR_WIDTH	6.9	/* average width of a 12 px sans-serif character */
#define MAX_TICKS	24	/* per axis */

/* Colours. */
#define C_TEXT		"#222222"
#define C_MUTED		"#555555"
#define C_GRID		"#e3e3e3"
#define C_DATA		"#1b2a49"
#define C_RETRANS	"#d62728"
#define C_ACK		"#2ca02c"
#define C_EDGE		"#c08a00"
#define C_SACK		"#8e44ad"
#define C_DATA_BOX	"#c9d3e3"
#define C_ZERO		"#f7c6c6"
#define C_FULL		"#fbe7a6"
#define C_WINDOW	"#1f5fa8"
#define C_WINDOW_BAND	"#4a90d9"
#define C_INFLIGHT	"#e6550d"

enum span_kind { SPAN_FULL = 0, SPAN_ZERO, SPAN_KIND_COUNT };

/* A shaded period, seconds since the flow's first segment. */
struct span {
	double t0, t1;
};

/* A stretch of the window timeline with constant values. */
struct stretch {
	double t0, t1;
	double wlo, whi;	/* advertised window, bytes */
	double inflight;
};

/* One bucket that saw segments, ready to draw. */
struct bucket_view {
	const struct series_point *pt;
	double t0, t1;		/* its interval, s since the flow's first segment */
	double seq_lo, seq_hi;	/* unwrapped relative sequence numbers */
	double ack, edge;
	double sack_lo, sack_hi;
	double w_end;		/* window at its end (estimated) */
	double inflight_end;	/* bytes in flight at its end (estimated) */
};

/* Everything a graph of one direction needs, computed once. */
struct view {
	const struct flow *f;
	const struct series_dir *sd;
	const struct diag_dir *dd;
	struct diag_summary ds;
	int dir;
	uint32_t mss;
	double t_end;		/* the flow's last segment */
	double x0, x1;		/* time axis range */
	size_t n;		/* buckets that saw segments */
	struct bucket_view b[SERIES_POINTS];
	int64_t ref[SERIES_POINTS];	/* unwrap reference at each bucket index */
	size_t nstretch;
	struct stretch st[2 * SERIES_POINTS];
	size_t nspan[SPAN_KIND_COUNT];
	struct span spans[SPAN_KIND_COUNT][2 * SERIES_POINTS + DIAG_MAX_EPISODES];
	double seq_top;		/* highest data, ACK or SACK */
	double edge_top;	/* highest right edge */
	double win_top;		/* highest window or bytes in flight */
	double win_typical;	/* ... not exceeded 95% of the time */
	bool has_sack;
};

/* Pixel mapping of one graph. */
struct axes {
	double x0, x1, y0, y1;	/* data ranges */
};

const char *
plot_kind_name(enum plot_kind kind)
{
	return kind == PLOT_TSG ? "tsg" : "window";
}

const char *
plot_dir_name(int dir)
{
	return dir == DIR_C2S ? "c2s" : "s2c";
}

bool
plot_has_data(const struct flow *f, int dir)
{
	return f->series != NULL && f->series->dir[dir].started &&
	    f->an.dir[dir].payload_bytes > 0 && f->diag.dir[dir].active;
}

double
plot_stall_seconds(const struct flow *f)
{
	struct diag_summary ds;
	double stall = 0;
	int d;

	for (d = 0; d < 2; d++)
		if (diagnosis_summarize(&f->diag, &f->an, d, &ds))
			stall += (ds.share[LIMIT_RECEIVER] + ds.share[LIMIT_LOSS]) *
			    ds.transfer_s;
	return stall;
}

uint64_t
plot_problems(const struct flow *f)
{
	uint64_t n = 0;
	int d;

	for (d = 0; d < 2; d++) {
		const struct dir_analysis *da = &f->an.dir[d];

		n += (uint64_t)da->flag_count[SEG_RETRANSMISSION] +
		    da->flag_count[SEG_LOST_SEGMENT] + da->zero_window_episodes;
	}
	return n;
}

bool
plot_worse(double sa, uint64_t pa, uint64_t ia, double sb, uint64_t pb,
    uint64_t ib)
{
	if (sa != sb)
		return sa > sb;
	if (pa != pb)
		return pa > pb;
	return ia < ib;
}

void
plot_escape(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* ---- the data of a graph ---- */

/* A relative sequence number as a 64-bit one, near the reference. */
static int64_t
unwrap(int64_t ref, uint32_t v)
{
	return ref + (int32_t)(v - (uint32_t)ref);
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Seconds since the flow's first segment. */
static double
rel_s(const struct view *v, uint64_t ns)
{
	return ns > v->f->first_ns ? (double)(ns - v->f->first_ns) / 1e9 : 0;
}

/* Add a shaded period; an empty one only if `instant` (drawn thin). */
static void
add_span(struct view *v, enum span_kind k, double t0, double t1, bool instant)
{
	size_t cap = sizeof(v->spans[0]) / sizeof(v->spans[0][0]);

	if ((instant ? t1 < t0 : t1 <= t0) || v->nspan[k] == cap)
		return;
	v->spans[k][v->nspan[k]].t0 = t0;
	v->spans[k][v->nspan[k]].t1 = t1;
	v->nspan[k]++;
}

static int
cmp_span(const void *a, const void *b)
{
	const struct span *sa = a, *sb = b;

	return (sa->t0 > sb->t0) - (sa->t0 < sb->t0);
}

/* Sort the spans of kind k and merge those that overlap or touch. */
static void
merge_spans(struct view *v, enum span_kind k)
{
	struct span *s = v->spans[k];
	size_t i, n = 0;

	if (v->nspan[k] == 0)
		return;
	qsort(s, v->nspan[k], sizeof(*s), cmp_span);
	for (i = 1; i < v->nspan[k]; i++) {
		if (s[i].t0 <= s[n].t1 + 1e-9) {
			if (s[i].t1 > s[n].t1)
				s[n].t1 = s[i].t1;
		} else
			s[++n] = s[i];
	}
	v->nspan[k] = n + 1;
}

/*
 * Whether the sender was held up by the window: zero at some time, or
 * full (less than one MSS free) even at its largest.
 */
static void
classify(struct view *v, double t0, double t1, double wlo, double whi,
    double inflight)
{
	if (wlo <= 0)
		add_span(v, SPAN_ZERO, t0, t1, false);
	else if (inflight > 0 && inflight + v->mss > whi)
		add_span(v, SPAN_FULL, t0, t1, false);
}

/* The buckets that saw segments, unwrapped, with their end values. */
static void
collect_buckets(struct view *v)
{
	const struct series_dir *sd = v->sd;
	int64_t ref = 0, hs = 0, ha = 0;
	bool seen_data = false, seen_ack = false;
	uint32_t i;

	v->n = 0;
	for (i = 0; i < SERIES_POINTS; i++) {
		const struct series_point *pt = &sd->pts[i];
		struct bucket_view *b;
		double t;

		v->ref[i] = ref;
		if (!pt->used && !pt->has_data && !pt->has_ack)
			continue;
		b = &v->b[v->n++];
		b->pt = pt;
		t = rel_s(v, sd->start_ns + (uint64_t)i * sd->width_ns);
		b->t0 = t;
		b->t1 = t + (double)sd->width_ns / 1e9;
		if (b->t1 > v->t_end)
			b->t1 = v->t_end > t ? v->t_end : t;
		b->seq_lo = b->seq_hi = b->ack = b->edge = 0;
		b->sack_lo = b->sack_hi = 0;
		if (pt->has_data) {
			int64_t lo = unwrap(ref, pt->seq_lo), hi = unwrap(ref, pt->seq_hi);

			b->seq_lo = (double)lo;
			b->seq_hi = (double)hi;
			if (!seen_data || hi > hs)
				hs = hi;
			seen_data = true;
			if (hi > ref)
				ref = hi;
		}
		if (pt->has_ack) {
			int64_t a = unwrap(ref, pt->ack_hi), e = unwrap(ref, pt->edge_hi);

			b->ack = (double)a;
			b->edge = (double)e;
			if (!seen_ack || a > ha)
				ha = a;
			seen_ack = true;
			if (a > ref)
				ref = a;
		}
		if (pt->has_sack) {
			b->sack_lo = (double)unwrap(ref, pt->sack_lo);
			b->sack_hi = (double)unwrap(ref, pt->sack_hi);
			v->has_sack = true;
		}
		/* The window after the highest ACK; the data not yet acknowledged. */
		b->w_end = pt->window_min;
		if (pt->has_ack)
			b->w_end = clampd(b->edge - b->ack, pt->window_min, pt->window_max);
		b->inflight_end = pt->inflight_max;
		if (pt->has_data || pt->has_ack)
			b->inflight_end = clampd((double)(hs - (seen_ack ? ha : 0)), 0,
			    pt->inflight_max);
	}
}

/* The window timeline: each bucket, then its end values held to the next. */
static void
build_timeline(struct view *v)
{
	size_t i, next;

	v->nstretch = 0;
	for (i = 0; i < v->n; i = next) {
		const struct bucket_view *b = &v->b[i];
		struct stretch *s;
		double until;

		for (next = i + 1; next < v->n && !v->b[next].pt->used; next++)
			;
		if (!b->pt->used)
			continue;
		until = next < v->n ? v->b[next].t0 : v->t_end;
		s = &v->st[v->nstretch++];
		s->t0 = b->t0;
		s->t1 = b->t1;
		s->wlo = b->pt->window_min;
		s->whi = b->pt->window_max;
		s->inflight = b->pt->inflight_max;
		classify(v, s->t0, s->t1, s->wlo, s->whi, s->inflight);
		if (until > b->t1) {
			s = &v->st[v->nstretch++];
			s->t0 = b->t1;
			s->t1 = until;
			s->wlo = s->whi = b->w_end;
			s->inflight = b->inflight_end;
			classify(v, s->t0, s->t1, s->wlo, s->whi, s->inflight);
		}
	}
}

/* A retransmission's relative sequence number, unwrapped. */
static int64_t
mark_seq(const struct view *v, const struct series_mark *m)
{
	uint64_t idx = m->t_ns > v->sd->start_ns ?
	    (m->t_ns - v->sd->start_ns) / v->sd->width_ns : 0;

	return unwrap(v->ref[idx < SERIES_POINTS ? idx : SERIES_POINTS - 1], m->seq);
}

/*
 * The time axis: the transfer, from the first data to the last time data
 * was in flight, the zero-window episodes included; from 0 unless the
 * transfer started late.  An idle tail (waiting for the FIN) is cut.
 */
static void
time_range(struct view *v)
{
	double end = v->dd->end_ns ? rel_s(v, v->dd->end_ns) : v->t_end, len;
	size_t i;

	v->x0 = v->n > 0 ? v->b[0].t0 : 0;
	for (i = 0; i < v->nspan[SPAN_ZERO]; i++)
		if (v->spans[SPAN_ZERO][i].t1 > end)
			end = v->spans[SPAN_ZERO][i].t1;
	/* The bucket the transfer ended in, whole. */
	for (i = 0; i < v->n; i++)
		if (v->b[i].t0 <= end && v->b[i].t1 > end)
			end = v->b[i].t1;
	len = end - v->x0;
	v->x1 = end + len * 0.03;
	if (v->x1 > v->t_end)
		v->x1 = v->t_end;
	if (v->x1 < end)
		v->x1 = end;
	if (v->x0 < (v->x1 - v->x0) * 0.25)
		v->x0 = 0;
	if (v->x1 - v->x0 < 1e-6)
		v->x1 = v->x0 + 1e-3;
}

/* A stretch's time and the higher of its window and bytes in flight. */
struct weighted {
	double value;
	double weight;
};

static int
cmp_weighted(const void *a, const void *b)
{
	const struct weighted *wa = a, *wb = b;

	return (wa->value > wb->value) - (wa->value < wb->value);
}

/*
 * The value the window (or the bytes in flight) stays under 95% of the
 * time shown: a brief peak, such as the initial window of a slow reader,
 * must not squash the rest of the graph.
 */
static double
typical_window(const struct view *v)
{
	struct weighted w[2 * SERIES_POINTS];
	double total = 0, sum = 0;
	size_t i, n = 0;

	for (i = 0; i < v->nstretch; i++) {
		const struct stretch *s = &v->st[i];
		double t0 = fmax(s->t0, v->x0), t1 = fmin(s->t1, v->x1);

		if (t1 <= t0)
			continue;
		w[n].value = fmax(s->whi, s->inflight);
		w[n].weight = t1 - t0;
		total += w[n].weight;
		n++;
	}
	if (n == 0)
		return v->win_top;
	qsort(w, n, sizeof(w[0]), cmp_weighted);
	for (i = 0; i < n; i++) {
		sum += w[i].weight;
		if (sum >= total * 0.95)
			return w[i].value;
	}
	return w[n - 1].value;
}

/* The highest sequence number, right edge, window in the time range. */
static void
value_ranges(struct view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		const struct bucket_view *b = &v->b[i];

		if (b->t0 > v->x1)
			break;
		if (b->pt->has_data && b->seq_hi > v->seq_top)
			v->seq_top = b->seq_hi;
		if (b->pt->has_ack && b->ack > v->seq_top)
			v->seq_top = b->ack;
		if (b->pt->has_sack && b->sack_hi > v->seq_top)
			v->seq_top = b->sack_hi;
		if (b->pt->has_ack && b->edge > v->edge_top)
			v->edge_top = b->edge;
	}
	for (i = 0; i < v->sd->mark_count; i++) {
		const struct series_mark *m = &v->sd->marks[i];
		double top = (double)mark_seq(v, m) + m->len;

		if (top > v->seq_top)
			v->seq_top = top;
	}
	for (i = 0; i < v->nstretch; i++) {
		const struct stretch *s = &v->st[i];

		if (s->t0 > v->x1)
			break;
		if (s->whi > v->win_top)
			v->win_top = s->whi;
		if (s->inflight > v->win_top)
			v->win_top = s->inflight;
	}
	v->win_typical = typical_window(v);
}

/* Fill *v for direction dir of f. */
static void
build_view(struct view *v, const struct flow *f, int dir)
{
	const struct dir_analysis *r = &f->an.dir[!dir];
	uint32_t i;
	int k;

	memset(v, 0, sizeof(*v));
	v->f = f;
	v->dir = dir;
	v->sd = &f->series->dir[dir];
	v->dd = &f->diag.dir[dir];
	if (!diagnosis_summarize(&f->diag, &f->an, dir, &v->ds))
		memset(&v->ds, 0, sizeof(v->ds));
	v->mss = r->mss != 0 ? r->mss : v->dd->max_payload ? v->dd->max_payload : 536;
	v->t_end = rel_s(v, f->last_ns);
	collect_buckets(v);
	build_timeline(v);
	if (v->dd->episodes > 0) {
		unsigned n;
		const struct zw_episode *longest = diag_longest_episodes(v->dd, &n);

		for (k = 0; k < (int)n; k++) {
			const struct zw_episode *e = &longest[k];
			double t0 = rel_s(v, e->start_ns);
			double t1 = e->end_ns ? rel_s(v, e->end_ns) : v->t_end;

			/* Time going backwards in the capture: still show it. */
			add_span(v, SPAN_ZERO, fmin(t0, t1), fmax(t0, t1), true);
		}
	} else {
		/* No episode counted: a zero window here is a full one. */
		for (i = 0; i < v->nspan[SPAN_ZERO]; i++)
			add_span(v, SPAN_FULL, v->spans[SPAN_ZERO][i].t0,
			    v->spans[SPAN_ZERO][i].t1, false);
		v->nspan[SPAN_ZERO] = 0;
	}
	merge_spans(v, SPAN_FULL);
	merge_spans(v, SPAN_ZERO);
	time_range(v);
	value_ranges(v);
}

/* ---- drawing ---- */

static double
px_x(const struct axes *a, double t)
{
	return AREA_LEFT + (t - a->x0) / (a->x1 - a->x0) * (AREA_RIGHT - AREA_LEFT);
}

static double
px_y(const struct axes *a, double y)
{
	return AREA_BOTTOM - (y - a->y0) / (a->y1 - a->y0) * (AREA_BOTTOM - AREA_TOP);
}

/* A step of 1, 2 or 5 times a power of ten giving at most max_ticks ticks. */
static double
nice_step(double range, int max_ticks)
{
	double raw = range / max_ticks, mag, r;

	if (!(raw > 0))
		return 1;
	mag = pow(10, floor(log10(raw)));
	r = raw / mag;
	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

/* Decimals needed to print multiples of step. */
static int
step_decimals(double step)
{
	int d = 0;

	while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
		d++;
	return d;
}

/* Bytes: the unit the axis labels use. */
static void
byte_unit(double top, double *unit, const char **name)
{
	if (top >= 2e6) {
		*unit = 1e6;
		*name = "MB";
	} else if (top >= 2e3) {
		*unit = 1e3;
		*name = "KB";
	} else {
		*unit = 1;
		*name = "B";
	}
}

/* Multiples of step in [lo, hi] into out (at most MAX_TICKS); how many. */
static int
tick_values(double lo, double hi, double step, double *out)
{
	double k = ceil(lo / step - 1e-9);
	int n = 0;

	/* Each tick computed afresh: no rounding error piles up. */
	while (n < MAX_TICKS && (k + n) * step <= hi + step * 1e-6) {
		out[n] = (k + n) * step;
		n++;
	}
	return n;
}

/* Grid, ticks and labels of both axes; a frame around the plot area. */
static void
draw_axes(FILE *out, const struct axes *a, const char *ylabel)
{
	double xstep, ystep, unit, tscale, xt[MAX_TICKS], yt[MAX_TICKS];
	const char *uname, *tname;
	int i, nx, ny, xdec, ydec;

	/* Time: milliseconds under a second, else seconds. */
	tscale = a->x1 - a->x0 < 1.0 ? 1000 : 1;
	tname = tscale == 1000 ? "ms" : "s";
	xstep = nice_step((a->x1 - a->x0) * tscale, 10) / tscale;
	xdec = step_decimals(xstep * tscale);
	nx = tick_values(a->x0, a->x1, xstep, xt);
	byte_unit(a->y1, &unit, &uname);
	ystep = nice_step((a->y1 - a->y0) / unit, 8) * unit;
	if (ystep < 1)
		ystep = 1;	/* no fractions of a byte */
	ydec = step_decimals(ystep / unit);
	ny = tick_values(a->y0, a->y1, ystep, yt);

	fprintf(out, "<g class=\"grid\" stroke=\"%s\" stroke-width=\"1\">\n", C_GRID);
	for (i = 0; i < nx; i++)
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		    px_x(a, xt[i]), AREA_TOP, px_x(a, xt[i]), AREA_BOTTOM);
	for (i = 0; i < ny; i++)
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		    AREA_LEFT, px_y(a, yt[i]), AREA_RIGHT, px_y(a, yt[i]));
	fputs("</g>\n", out);

	fprintf(out, "<g class=\"axis x\" fill=\"%s\" text-anchor=\"middle\">\n",
	    C_TEXT);
	for (i = 0; i < nx; i++) {
		double v = xt[i] * tscale;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"%s\"/>", px_x(a, xt[i]), AREA_BOTTOM, px_x(a, xt[i]),
		    AREA_BOTTOM + 5, C_TEXT);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%.*f</text>\n", px_x(a, xt[i]),
		    AREA_BOTTOM + 19, xdec, fabs(v) < 1e-12 ? 0.0 : v);
	}
	fputs("</g>\n", out);
	fprintf(out, "<g class=\"axis y\" fill=\"%s\" text-anchor=\"end\">\n", C_TEXT);
	for (i = 0; i < ny; i++) {
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"%s\"/>", AREA_LEFT - 5, px_y(a, yt[i]), AREA_LEFT,
		    px_y(a, yt[i]), C_TEXT);
		if (fabs(yt[i]) < 1e-9)
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">0</text>\n",
			    AREA_LEFT - 8, px_y(a, yt[i]) + 4);
		else
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%.*f %s</text>\n",
			    AREA_LEFT - 8, px_y(a, yt[i]) + 4, ydec, yt[i] / unit, uname);
	}
	fputs("</g>\n", out);
	fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"%s\"/>\n", AREA_LEFT, AREA_TOP,
	    AREA_RIGHT - AREA_LEFT, AREA_BOTTOM - AREA_TOP, C_MUTED);
	fprintf(out, "<text class=\"axis-label x\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\" fill=\"%s\">time since the connection's first "
	    "packet (%s)</text>\n", (AREA_LEFT + AREA_RIGHT) / 2, AREA_BOTTOM + 44,
	    C_TEXT, tname);
	fprintf(out, "<text class=\"axis-label y\" transform=\"translate(18 %.1f) "
	    "rotate(-90)\" text-anchor=\"middle\" fill=\"%s\">%s</text>\n",
	    (AREA_TOP + AREA_BOTTOM) / 2, C_TEXT, ylabel);
}

/* Shaded periods of kind k, full height of the plot area. */
static void
draw_spans(FILE *out, const struct view *v, const struct axes *a,
    enum span_kind k)
{
	size_t i;

	if (v->nspan[k] == 0)
		return;
	for (i = 0; i < v->nspan[k]; i++) {
		double x0 = px_x(a, v->spans[k][i].t0), x1 = px_x(a, v->spans[k][i].t1);

		if (x1 - x0 < 1.5)
			x1 = x0 + 1.5;
		fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"%s\"><title>%s %.4f s to %.4f s</title>"
		    "</rect>\n", k == SPAN_ZERO ? "zero-window" : "window-full",
		    x0, AREA_TOP, x1 - x0, AREA_BOTTOM - AREA_TOP,
		    k == SPAN_ZERO ? C_ZERO : C_FULL,
		    k == SPAN_ZERO ? "zero window" : "window full (receiver-limited)",
		    v->spans[k][i].t0, v->spans[k][i].t1);
	}
}

/* One legend entry; returns the x of the next one. */
static double
legend_item(FILE *out, double x, double y, const char *swatch_kind,
    const char *colour, const char *label)
{
	if (strcmp(swatch_kind, "area") == 0)
		fprintf(out, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"18\" "
		    "height=\"10\" fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\"/>",
		    x, y - 9, colour);
	else if (strcmp(swatch_kind, "mark") == 0)
		fprintf(out, "<path class=\"swatch\" d=\"M%.1f %.1fV%.1fM%.1f %.1fl4 "
		    "4l-4 4l-4 -4z\" stroke=\"%s\" fill=\"%s\" stroke-width=\"1.5\"/>",
		    x + 9, y - 11, y + 1, x + 9, y - 9, colour, colour);
	else if (strcmp(swatch_kind, "tick") == 0)
		fprintf(out, "<path class=\"swatch\" d=\"M%.1f %.1fV%.1fM%.1f %.1fh6"
		    "M%.1f %.1fh6\" stroke=\"%s\" fill=\"none\" stroke-width=\"1.5\"/>",
		    x + 9, y - 11, y + 1, x + 6, y - 11, x + 6, y + 1, colour);
	else if (strcmp(swatch_kind, "bar") == 0)
		fprintf(out, "<line class=\"swatch\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"4\" stroke-opacity=\"0.7\"/>",
		    x + 9, y - 11, x + 9, y + 1, colour);
	else
		fprintf(out, "<line class=\"swatch\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
		    x, y - 4, x + 18, y - 4, colour);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", x + 23, y, C_TEXT);
	plot_escape(out, label);
	fputs("</text>\n", out);
	return x + 23 + (double)strlen(label) * CHAR_WIDTH + 18;
}

/* "512 B", "1.5 KB", "2.7 MB" (powers of 1000, as the text report). */
static void
format_bytes_short(double n, char *buf, size_t len)
{
	if (n < 1e3)
		snprintf(buf, len, "%.0f B", n);
	else if (n < 1e6)
		snprintf(buf, len, "%.1f KB", n / 1e3);
	else if (n < 1e9)
		snprintf(buf, len, "%.1f MB", n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", n / 1e9);
}

/* "1.71 s", "4.5 ms". */
static void
format_seconds(double s, char *buf, size_t len)
{
	if (s >= 1)
		snprintf(buf, len, "%.2f s", s);
	else if (s >= 0.001)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.0f us", s * 1e6);
}

/* The <svg> element, background, title and subtitle. */
static void
draw_header(FILE *out, const struct view *v, enum plot_kind kind, bool standalone)
{
	const struct flow *f = v->f;
	const struct diag_summary *ds = &v->ds;
	char client[INET6_ADDRSTRLEN + 8], server[INET6_ADDRSTRLEN + 8];
	char dur[32], zw[32];
	double net = ds->share[LIMIT_LOSS] + ds->share[LIMIT_PATH];
	uint32_t retx = f->an.dir[v->dir].flag_count[SEG_RETRANSMISSION];

	report_format_endpoint(f, f->client_side, client, sizeof(client));
	report_format_endpoint(f, !f->client_side, server, sizeof(server));
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "class=\"tcpsight-graph graph-%s\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, Arial, "
	    "sans-serif\" font-size=\"12\">\n", plot_kind_name(kind), PLOT_WIDTH,
	    PLOT_HEIGHT, PLOT_WIDTH, PLOT_HEIGHT);
	fprintf(out, "<title>flow %llu %s %s graph</title>\n",
	    (unsigned long long)f->id, plot_dir_name(v->dir),
	    kind == PLOT_TSG ? "time-sequence" : "window");
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
	    PLOT_WIDTH, PLOT_HEIGHT);
	fprintf(out, "<text class=\"title\" x=\"%.1f\" y=\"22\" font-size=\"15\" "
	    "font-weight=\"bold\" fill=\"%s\">flow %llu: ", AREA_LEFT - 70, C_TEXT,
	    (unsigned long long)f->id);
	plot_escape(out, client);
	fputs(" \xe2\x86\x92 ", out);	/* U+2192 RIGHTWARDS ARROW */
	plot_escape(out, server);
	fprintf(out, " \xc2\xb7 %s, data %s \xc2\xb7 %s (%.2f)</text>\n",
	    plot_dir_name(v->dir), v->dir == DIR_C2S ?
	    "client \xe2\x86\x92 server" : "server \xe2\x86\x92 client",
	    diagnosis_verdict_name(ds->verdict), ds->confidence);
	format_seconds(ds->transfer_s, dur, sizeof(dur));
	format_seconds((double)ds->zero_window_ns / 1e9, zw, sizeof(zw));
	fprintf(out, "<text class=\"subtitle\" x=\"%.1f\" y=\"42\" fill=\"%s\">"
	    "%s. Transfer %s: receiver-limited %.0f%%, network %.0f%%, sender "
	    "%.0f%%, idle %.0f%% \xc2\xb7 %u retransmission%s \xc2\xb7 %u zero-window "
	    "episode%s (%s)</text>\n", AREA_LEFT - 70, C_MUTED,
	    kind == PLOT_TSG ? "Time-sequence graph" : "Window graph", dur,
	    ds->share[LIMIT_RECEIVER] * 100, net * 100, ds->share[LIMIT_SENDER] * 100,
	    ds->share[LIMIT_IDLE] * 100, retx, retx == 1 ? "" : "s",
	    v->dd->episodes, v->dd->episodes == 1 ? "" : "s", zw);
}

/* Under the time axis, right: the connection went on after the range shown. */
static void
draw_tail_note(FILE *out, const struct view *v)
{
	char end[32];

	if (v->t_end <= v->x1 + (v->x1 - v->x0) * 0.01)
		return;
	format_seconds(v->t_end, end, sizeof(end));
	fprintf(out, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"end\" fill=\"%s\" font-size=\"11\">idle until the "
	    "end at %s \xe2\x86\x92</text>\n", AREA_RIGHT, AREA_BOTTOM + 44,
	    C_MUTED, end);
}

/* The clip path of the plot area, and the group it clips. */
static void
open_area(FILE *out, const struct view *v, enum plot_kind kind)
{
	fprintf(out, "<defs><clipPath id=\"area-%llu-%s-%s\"><rect x=\"%.1f\" "
	    "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
	    (unsigned long long)v->f->id, plot_dir_name(v->dir), plot_kind_name(kind),
	    AREA_LEFT, AREA_TOP, AREA_RIGHT - AREA_LEFT, AREA_BOTTOM - AREA_TOP);
	fprintf(out, "<g clip-path=\"url(#area-%llu-%s-%s)\">\n",
	    (unsigned long long)v->f->id, plot_dir_name(v->dir), plot_kind_name(kind));
}

/* A step line through (t0, value) .. (t1, value) of each bucket with an ACK. */
static void
draw_ack_steps(FILE *out, const struct view *v, const struct axes *a, bool edge,
    const char *cls, const char *colour, const char *dash)
{
	size_t i;
	bool started = false;

	fprintf(out, "<path class=\"%s\" fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"1.6\"%s d=\"", cls, colour, dash);
	for (i = 0; i < v->n; i++) {
		const struct bucket_view *b = &v->b[i];
		double y;

		if (!b->pt->has_ack)
			continue;
		y = px_y(a, edge ? b->edge : b->ack);
		if (!started)
			fprintf(out, "M%.1f %.1f", px_x(a, b->t1), y);
		else
			fprintf(out, "H%.1fV%.1f", px_x(a, b->t1), y);
		started = true;
	}
	if (started)
		fprintf(out, "H%.1f", px_x(a, v->x1));
	else
		fputs("M0 0", out);
	fputs("\"/>\n", out);
}

/* The time-sequence graph. */
static void
draw_tsg(FILE *out, const struct view *v)
{
	const struct series_dir *sd = v->sd;
	struct axes a;
	double lx, ly = 62, top;
	char label[64];
	size_t i;

	top = v->seq_top > 0 ? v->seq_top : 1;
	/* The right edge may tower over a short transfer: show some of it. */
	if (v->edge_top > top)
		top = fmin(v->edge_top, top * 1.6);
	a.x0 = v->x0;
	a.x1 = v->x1;
	a.y0 = 0;
	a.y1 = top * 1.04;

	fputs("<g class=\"legend\">\n", out);
	lx = legend_item(out, AREA_LEFT, ly, "tick", C_DATA, "data sent");
	if (sd->mark_count > 0) {
		snprintf(label, sizeof(label), "retransmission (%u)",
		    sd->mark_count + sd->marks_dropped);
		lx = legend_item(out, lx, ly, "mark", C_RETRANS, label);
	}
	lx = legend_item(out, lx, ly, "line", C_ACK, "ACK");
	lx = legend_item(out, lx, ly, "line", C_EDGE, "right edge (ACK + window)");
	if (v->has_sack)
		lx = legend_item(out, lx, ly, "bar", C_SACK, "SACK blocks");
	if (v->nspan[SPAN_ZERO] > 0)
		lx = legend_item(out, lx, ly, "area", C_ZERO, "zero window");
	fputs("</g>\n", out);
	(void)lx;

	open_area(out, v, PLOT_TSG);
	draw_spans(out, v, &a, SPAN_ZERO);
	fputs("</g>\n", out);
	draw_axes(out, &a, "sequence number, relative (bytes)");
	open_area(out, v, PLOT_TSG);

	draw_ack_steps(out, v, &a, true, "right-edge", C_EDGE, "");
	draw_ack_steps(out, v, &a, false, "ack", C_ACK, "");

	/* SACK blocks: a bar beside the bucket's data. */
	if (v->has_sack) {
		fprintf(out, "<path class=\"sack\" stroke=\"%s\" stroke-width=\"4\" "
		    "stroke-opacity=\"0.7\" fill=\"none\" d=\"", C_SACK);
		for (i = 0; i < v->n; i++) {
			const struct bucket_view *b = &v->b[i];
			double y0, y1;

			if (!b->pt->has_sack)
				continue;
			y0 = px_y(&a, b->sack_lo);
			y1 = px_y(&a, b->sack_hi);
			if (y0 - y1 < 5)
				y1 = y0 - 5;
			fprintf(out, "M%.1f %.1fV%.1f", px_x(&a, (b->t0 + b->t1) / 2) + 3,
			    y0, y1);
		}
		fputs("\"/>\n", out);
	}

	/* The data of each bucket: a box over its time, a tick in its middle. */
	fprintf(out, "<path class=\"data-box\" fill=\"%s\" fill-opacity=\"0.7\" "
	    "d=\"", C_DATA_BOX);
	for (i = 0; i < v->n; i++) {
		const struct bucket_view *b = &v->b[i];

		if (b->pt->has_data)
			fprintf(out, "M%.1f %.1fH%.1fV%.1fH%.1fZ", px_x(&a, b->t0),
			    px_y(&a, b->seq_lo), px_x(&a, b->t1), px_y(&a, b->seq_hi),
			    px_x(&a, b->t0));
	}
	fputs("\"/>\n", out);
	fprintf(out, "<path class=\"data\" stroke=\"%s\" stroke-width=\"1.4\" "
	    "fill=\"none\" d=\"", C_DATA);
	for (i = 0; i < v->n; i++) {
		const struct bucket_view *b = &v->b[i];
		double x, y0, y1;

		if (!b->pt->has_data)
			continue;
		x = px_x(&a, (b->t0 + b->t1) / 2);
		y0 = px_y(&a, b->seq_lo);
		y1 = px_y(&a, b->seq_hi);
		if (y0 - y1 < 1.5)
			y1 = y0 - 1.5;
		fprintf(out, "M%.1f %.1fV%.1fM%.1f %.1fh4M%.1f %.1fh4", x, y0, y1,
		    x - 2, y0, x - 2, y1);
	}
	fputs("\"/>\n", out);

	/* Retransmissions, one by one. */
	for (i = 0; i < sd->mark_count; i++) {
		const struct series_mark *m = &sd->marks[i];
		int64_t seq = mark_seq(v, m);
		double x = px_x(&a, rel_s(v, m->t_ns));
		double y0 = px_y(&a, (double)seq), y1 = px_y(&a, (double)seq + m->len);
		double ym = (y0 + y1) / 2;

		fprintf(out, "<path class=\"retrans\" stroke=\"%s\" fill=\"%s\" "
		    "stroke-width=\"1.8\" d=\"M%.1f %.1fV%.1fM%.1f %.1fl4.5 4.5l-4.5 "
		    "4.5l-4.5 -4.5z\"><title>retransmission at %.6f s: seq %lld, "
		    "%u bytes</title></path>\n", C_RETRANS, C_RETRANS, x, y0, y1,
		    x, ym - 4.5, rel_s(v, m->t_ns), (long long)seq, m->len);
	}
	fputs("</g>\n", out);
	if (v->edge_top > a.y1) {
		char edge[32];

		format_bytes_short(v->edge_top, edge, sizeof(edge));
		fprintf(out, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\" "
		    "font-size=\"11\">right edge above the scale (up to %s)</text>\n",
		    AREA_LEFT + 6, AREA_TOP + 15, C_EDGE, edge);
	}
	if (sd->marks_dropped > 0)
		fprintf(out, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" fill=\"%s\">%u more retransmissions not "
		    "drawn</text>\n", AREA_RIGHT - 6, AREA_TOP + 16, C_RETRANS,
		    sd->marks_dropped);
}

/* A step path through the stretches' values; `which` 0 low, 1 high, 2 in flight. */
static void
step_path(FILE *out, const struct view *v, const struct axes *a, int which)
{
	size_t i;

	for (i = 0; i < v->nstretch; i++) {
		const struct stretch *s = &v->st[i];
		double y = px_y(a, which == 0 ? s->wlo : which == 1 ? s->whi :
		    s->inflight);

		if (i == 0)
			fprintf(out, "M%.1f %.1f", px_x(a, s->t0), y);
		else if (s->t0 > v->st[i - 1].t1 + 1e-12)
			fprintf(out, "H%.1fV%.1f", px_x(a, s->t0), y);
		else
			fprintf(out, "V%.1f", y);
		fprintf(out, "H%.1f", px_x(a, s->t1));
	}
}

/* The window graph. */
static void
draw_window(FILE *out, const struct view *v)
{
	struct axes a;
	bool clipped;
	double lx, ly = 62;
	size_t i;

	a.x0 = v->x0;
	a.x1 = v->x1;
	a.y0 = 0;
	/*
	 * At least one segment high: a window stuck at zero still has a
	 * scale.  A brief peak far above the usual values is cut (and said).
	 */
	a.y1 = fmax(v->win_top, v->mss) * 1.06;
	clipped = v->win_top > 2.5 * fmax(v->win_typical, v->mss);
	if (clipped)
		a.y1 = fmax(v->win_typical, v->mss) * 1.3;

	fputs("<g class=\"legend\">\n", out);
	lx = legend_item(out, AREA_LEFT, ly, "line", C_WINDOW,
	    "advertised window (band: min to max)");
	lx = legend_item(out, lx, ly, "area", "#f6b894", "bytes in flight");
	if (v->nspan[SPAN_FULL] > 0)
		lx = legend_item(out, lx, ly, "area", C_FULL,
		    "window full (receiver-limited)");
	if (v->nspan[SPAN_ZERO] > 0)
		lx = legend_item(out, lx, ly, "area", C_ZERO, "zero window");
	fputs("</g>\n", out);
	(void)lx;

	open_area(out, v, PLOT_WINDOW);
	draw_spans(out, v, &a, SPAN_FULL);
	draw_spans(out, v, &a, SPAN_ZERO);
	fputs("</g>\n", out);
	draw_axes(out, &a, "bytes");
	open_area(out, v, PLOT_WINDOW);
	if (v->nstretch > 0) {
		/* Bytes in flight as an area, so that a full window shows. */
		fprintf(out, "<path class=\"inflight-area\" fill=\"%s\" "
		    "fill-opacity=\"0.3\" d=\"", C_INFLIGHT);
		step_path(out, v, &a, 2);
		fprintf(out, "V%.1fH%.1fZ\"/>\n", px_y(&a, 0), px_x(&a, v->st[0].t0));
		fprintf(out, "<path class=\"inflight\" fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"1.5\" stroke-linejoin=\"round\" d=\"", C_INFLIGHT);
		step_path(out, v, &a, 2);
		fputs("\"/>\n", out);
		/* The window on top: the band of its extremes, outlined. */
		fprintf(out, "<path class=\"window\" fill=\"%s\" fill-opacity=\"0.3\" "
		    "stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" d=\"",
		    C_WINDOW_BAND, C_WINDOW);
		step_path(out, v, &a, 1);
		for (i = v->nstretch; i-- > 0;) {
			const struct stretch *s = &v->st[i];

			fprintf(out, "V%.1fH%.1f", px_y(&a, s->wlo), px_x(&a, s->t0));
			if (i > 0 && s->t0 > v->st[i - 1].t1 + 1e-12)
				fprintf(out, "V%.1fH%.1f", px_y(&a, v->st[i - 1].wlo),
				    px_x(&a, v->st[i - 1].t1));
		}
		fputs("Z\"/>\n", out);
	}
	fputs("</g>\n", out);
	if (clipped) {
		char peak[32];

		format_bytes_short(v->win_top, peak, sizeof(peak));
		fprintf(out, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" fill=\"%s\" font-size=\"11\">scale cut: "
		    "briefly up to %s</text>\n", AREA_RIGHT - 6, AREA_TOP + 15,
		    C_WINDOW, peak);
	}
}

int
plot_render(FILE *out, const struct flow *f, int dir, enum plot_kind kind,
    bool standalone)
{
	struct view *v = malloc(sizeof(*v));

	if (v == NULL)
		return TCPS_ERR_NOMEM;
	build_view(v, f, dir);
	draw_header(out, v, kind, standalone);
	if (kind == PLOT_TSG)
		draw_tsg(out, v);
	else
		draw_window(out, v);
	draw_tail_note(out, v);
	fputs("</svg>\n", out);
	free(v);
	return ferror(out) ? TCPS_ERR_OUTPUT : 0;
}

/* ---- the tee ---- */

static int
tee_event(struct report_sink *s, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	struct tee_sink *t = (struct tee_sink *)s;

	return t->inner->event(t->inner, f, dir, p, v);
}

static int
tee_live_view(struct report_sink *s, const struct flow *const *flows, size_t n,
    const struct live_stats *st)
{
	struct tee_sink *t = (struct tee_sink *)s;

	return t->inner->live_view(t->inner, flows, n, st);
}

static int
tee_stats(struct report_sink *s, const struct live_stats *st)
{
	struct tee_sink *t = (struct tee_sink *)s;

	return t->inner->stats(t->inner, st);
}

int
tee_init(struct tee_sink *t, struct report_sink *inner, bool show_series)
{
	t->inner = inner;
	t->copy = NULL;
	if (!show_series && (t->copy = malloc(sizeof(*t->copy))) == NULL)
		return TCPS_ERR_NOMEM;
	t->base.event = inner->event != NULL ? tee_event : NULL;
	t->base.live_view = inner->live_view != NULL ? tee_live_view : NULL;
	t->base.stats = inner->stats != NULL ? tee_stats : NULL;
	return 0;
}

int
tee_flow_end(struct tee_sink *t, const struct flow *f, enum flow_end_reason reason)
{
	if (t->copy == NULL || f->series == NULL)
		return t->inner->flow_end(t->inner, f, reason);
	/* The main report shows the series only when asked for. */
	memcpy(t->copy, f, sizeof(*f));
	t->copy->series = NULL;
	return t->inner->flow_end(t->inner, t->copy, reason);
}

void
tee_release(struct tee_sink *t)
{
	free(t->copy);
	t->copy = NULL;
	report_sink_free(&t->inner);
}

/* ---- the --plot sink ---- */

struct plot_sink {
	struct tee_sink tee;
	char *dir;
	struct flow_select sel;
	bool keep;		/* --plot-top: keep the worst, write at the end */
	struct plot_top top;
	char *errbuf;
	size_t errlen;
};

/* Write text (or render the graph) into DIR/flow-ID-DIR-KIND.svg. */
static int
write_graph(struct plot_sink *ps, const struct flow *f, uint64_t id, int d,
    enum plot_kind g, const char *text)
{
	char path[4096];
	FILE *fp;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/flow-%llu-%s-%s.svg", ps->dir,
	    (unsigned long long)id, plot_dir_name(d), plot_kind_name(g));
	if ((fp = fopen(path, "w")) == NULL) {
		snprintf(ps->errbuf, ps->errlen, "%s: %s", path, strerror(errno));
		return TCPS_ERR_OUTPUT;
	}
	if (text != NULL)
		fputs(text, fp);
	else
		rc = plot_render(fp, f, d, g, true);
	if (fflush(fp) != 0 || ferror(fp)) {
		snprintf(ps->errbuf, ps->errlen, "%s: %s", path, strerror(errno));
		rc = TCPS_ERR_OUTPUT;
	}
	if (fclose(fp) != 0 && rc == 0) {
		snprintf(ps->errbuf, ps->errlen, "%s: %s", path, strerror(errno));
		rc = TCPS_ERR_OUTPUT;
	}
	if (rc == TCPS_ERR_NOMEM)
		snprintf(ps->errbuf, ps->errlen, "%s", tcps_strerror(rc));
	return rc;
}

static int
plot_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct plot_sink *ps = (struct plot_sink *)s;
	int rc = tee_flow_end(&ps->tee, f, reason), d, g;

	if (rc != 0 || !flow_select_match(&ps->sel, f))
		return rc;
	if (ps->keep) {
		if ((rc = plot_top_offer(&ps->top, f)) != 0)
			snprintf(ps->errbuf, ps->errlen, "%s", tcps_strerror(rc));
		return rc;
	}
	for (d = 0; d < 2; d++)
		for (g = 0; g < PLOT_KIND_COUNT && plot_has_data(f, d); g++)
			if ((rc = write_graph(ps, f, f->id, d, (enum plot_kind)g,
			    NULL)) != 0)
				return rc;
	return 0;
}

static int
plot_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct plot_sink *ps = (struct plot_sink *)s;
	int rc = ps->tee.inner->finish(ps->tee.inner, sum), wrc, d, g;
	size_t i;

	for (i = 0; i < ps->top.n; i++)
		for (d = 0; d < 2; d++)
			for (g = 0; g < PLOT_KIND_COUNT; g++) {
				const char *text = ps->top.items[i].svg[d][g];

				if (text == NULL)
					continue;
				wrc = write_graph(ps, NULL, ps->top.items[i].id, d,
				    (enum plot_kind)g, text);
				if (wrc != 0)
					return rc != 0 ? rc : wrc;
			}
	return rc;
}

static void
plot_destroy(struct report_sink *s)
{
	struct plot_sink *ps = (struct plot_sink *)s;

	tee_release(&ps->tee);
	plot_top_free(&ps->top);
	free(ps->dir);
	free(ps);
}

/* mkdir -p: make dir and its missing parents. */
static int
make_dirs(const char *dir, char *errbuf, size_t errlen)
{
	char *path = strdup(dir), *p;
	struct stat st;
	int rc = 0;

	if (path == NULL)
		return TCPS_ERR_NOMEM;
	for (p = path + 1; rc == 0; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			rc = TCPS_ERR_OUTPUT;
		}
		if (last)
			break;
		*p = '/';
	}
	if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		snprintf(errbuf, errlen, "%s: not a directory", dir);
		rc = TCPS_ERR_OUTPUT;
	}
	free(path);
	return rc;
}

int
report_plot_create(struct report_sink **out, struct report_sink *inner,
    const char *dir, const struct plot_options *po, char *errbuf, size_t errlen)
{
	struct plot_sink *ps;
	int rc;

	*out = NULL;
	if (errlen > 0)
		errbuf[0] = '\0';
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		goto nomem;
	ps->errbuf = errbuf;
	ps->errlen = errlen;
	if (flow_select_parse(po->flow, &ps->sel) != 0) {
		snprintf(errbuf, errlen, "--flow wants a flow id or "
		    "ADDR:PORT-ADDR:PORT, not '%s'", po->flow);
		free(ps);
		return TCPS_ERR_USAGE;
	}
	if ((rc = make_dirs(dir, errbuf, errlen)) != 0) {
		free(ps);
		if (rc == TCPS_ERR_NOMEM)
			goto nomem;
		return rc;
	}
	ps->keep = po->top > 0;
	if ((ps->dir = strdup(dir)) == NULL ||
	    plot_top_init(&ps->top, po->top, true) != 0 ||
	    tee_init(&ps->tee, inner, po->show_series) != 0) {
		ps->tee.inner = NULL;	/* not ours on failure */
		free(ps->tee.copy);
		plot_top_free(&ps->top);
		free(ps->dir);
		free(ps);
		goto nomem;
	}
	ps->tee.base.flow_end = plot_flow_end;
	ps->tee.base.finish = plot_finish;
	ps->tee.base.destroy = plot_destroy;
	*out = &ps->tee.base;
	return 0;
nomem:
	snprintf(errbuf, errlen, "%s", tcps_strerror(TCPS_ERR_NOMEM));
	return TCPS_ERR_NOMEM;
}
