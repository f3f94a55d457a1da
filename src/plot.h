/*
 * plot.h - the pictures, shared by the --plot sink (report_svg.c, which
 * draws them) and the --html sink (report_html.c, which inlines them).
 *
 * Two graphs per direction of data, drawn from the flow's bounded series
 * (series.h) and its diagnosis once the flow has ended: the
 * time-sequence graph (data sent, retransmissions, ACKs, the window's
 * right edge, SACK blocks, zero-window episodes) and the window graph
 * (advertised window and bytes in flight, receiver-limited periods
 * shaded).  Both are plain SVG text written with fprintf.
 *
 * Also here: the tee both sinks are built on (every record goes on to
 * the main report unchanged) and the bounded list of the most stalled
 * flows' graphs kept until the end of the run (--flow is flow_select.h).
 */
#ifndef TCPSIGHT_PLOT_H
#define TCPSIGHT_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "flow_select.h"
#include "report.h"

#define PLOT_WIDTH		960	/* SVG canvas, px */
#define PLOT_HEIGHT		500
#define PLOT_TOP_MAX		10000	/* --plot-top: graphs kept in memory at most */
#define HTML_GRAPH_FLOWS	20	/* flows graphed in the HTML page by default */

enum plot_kind {
	PLOT_TSG = 0,		/* time-sequence graph */
	PLOT_WINDOW,		/* window and bytes in flight */
	PLOT_KIND_COUNT
};

/* "tsg", "window": the file name part of a graph. */
const char *plot_kind_name(enum plot_kind kind);

/* "c2s", "s2c". */
const char *plot_dir_name(int dir);

/* Whether direction `dir` of f has graphs: it carried data into a series. */
bool plot_has_data(const struct flow *f, int dir);

/*
 * The time f was stalled, in seconds: over both directions, the
 * receiver-limited plus loss-recovery share times the transfer time.
 */
double plot_stall_seconds(const struct flow *f);

/* The "worse" order of flows: 1 if (sa, pa, ia) is worse than (sb, pb, ib). */
bool plot_worse(double sa, uint64_t pa, uint64_t ia, double sb, uint64_t pb,
    uint64_t ib);

/* Trouble counts of f (retransmissions, zero windows, gaps), for ties. */
uint64_t plot_problems(const struct flow *f);

/* Write s with XML's five special characters escaped. */
void plot_escape(FILE *out, const char *s);

/*
 * Write graph `kind` of direction `dir` of f (plot_has_data() true) as
 * one <svg> element; standalone adds the XML declaration (a file of its
 * own), otherwise it is meant to sit inline in HTML.  Element ids are
 * unique per flow, direction and kind.  0, TCPS_ERR_OUTPUT (a write
 * failed) or TCPS_ERR_NOMEM.
 */
int plot_render(FILE *out, const struct flow *f, int dir, enum plot_kind kind,
    bool standalone);

/* One flow's graphs, rendered, kept for the end of the run. */
struct plot_kept {
	uint64_t id;
	double   stall_s;
	uint64_t problems;
	char    *svg[2][PLOT_KIND_COUNT];	/* by direction; NULL = none */
};

/* The `cap` worst flows so far, worst first. */
struct plot_top {
	struct plot_kept *items;
	size_t n;
	size_t cap;
	bool standalone;	/* render with the XML declaration */
};

/* An empty list of at most cap flows.  0 or TCPS_ERR_NOMEM. */
int plot_top_init(struct plot_top *top, size_t cap, bool standalone);

/*
 * Offer f: if it is among the cap worst so far, render its graphs and
 * keep them, dropping the best kept one if the list is full.  0,
 * TCPS_ERR_NOMEM or TCPS_ERR_OUTPUT.
 */
int plot_top_offer(struct plot_top *top, const struct flow *f);

/* The kept graphs of flow `id`, or NULL. */
const struct plot_kept *plot_top_find(const struct plot_top *top, uint64_t id);

/* Free the kept graphs. */
void plot_top_free(struct plot_top *top);

/*
 * A sink that forwards every record to an inner sink: the base of the
 * picture sinks.  Unless the user asked for --series, the inner sink sees
 * each flow with its series hidden, so that the main report is the same
 * with or without the pictures.
 */
struct tee_sink {
	struct report_sink base;
	struct report_sink *inner;	/* owned */
	struct flow *copy;		/* scratch copy for hiding the series; NULL = show */
};

/*
 * Set up t's forwarding callbacks to inner (t->base.flow_end, finish and
 * destroy are left for the caller).  0 or TCPS_ERR_NOMEM.
 */
int tee_init(struct tee_sink *t, struct report_sink *inner, bool show_series);

/* Hand a finished flow to the inner sink. */
int tee_flow_end(struct tee_sink *t, const struct flow *f,
    enum flow_end_reason reason);

/* Free what tee_init() allocated and the inner sink. */
void tee_release(struct tee_sink *t);

#endif
