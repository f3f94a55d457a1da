/*
 * report.h - sinks: the only stage that formats anything.
 *
 * The pipeline hands each sink finished records through one small
 * interface; a sink serializes them (JSON document, NDJSON lines, text
 * table) and never changes them.  Only report_*.c include jansson.
 */
#ifndef TCPSIGHT_REPORT_H
#define TCPSIGHT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "decode.h"
#include "flow.h"
#include "tcp_state.h"

#define REPORT_MAX_LINKTYPES	16	/* distinct link types listed */
#define REPORT_MAX_MESSAGES	16	/* input warnings kept for the report */
#define REPORT_MESSAGE_LEN	320
#define LIVE_VIEW_ROWS		20	/* open connections on the live screen */

/* A periodic live-capture report (a "stats" line). */
struct live_stats {
	uint64_t wall_ns;		/* when, wall clock, ns since the epoch */
	uint64_t packets;		/* frames read so far */
	uint64_t wire_bytes;		/* their length on the wire */
	uint64_t tcp_packets;
	uint64_t kernel_received;	/* pcap_stats(): frames the filter accepted */
	uint64_t kernel_dropped;	/* ... dropped for lack of buffer space */
	uint64_t if_dropped;		/* ... dropped by the interface */
	uint64_t active_flows;
	uint64_t flow_memory_bytes;	/* flow records allocated, in bytes */
	uint64_t evicted;
	uint64_t timed_out;
};

/* What the whole run saw, handed to the sinks at the end. */
struct run_summary {
	const char *const *files;	/* inputs as named by the user ("-" = stdin) */
	size_t   file_count;
	int      linktypes[REPORT_MAX_LINKTYPES];	/* distinct, in order of first use */
	size_t   linktype_count;
	uint64_t packets;		/* frames read */
	uint64_t tcp_packets;		/* frames decoded as TCP segments */
	uint64_t skipped[DECODE_STATUS_COUNT];	/* frames not analysed, by reason */
	uint64_t first_ns;		/* earliest and latest frame time; */
	uint64_t last_ns;		/* both 0 when no frame was read */
	bool     truncated;		/* an input ended mid-record or was damaged */
	bool     live;			/* read from an interface */
	bool     interrupted;		/* stopped by a signal, -c or --duration */
	uint64_t wire_bytes;		/* frame lengths on the wire, summed */
	struct live_stats last_stats;	/* live: counters at the end */
	size_t   message_count;		/* warnings about inputs, "FILE: text" */
	char     messages[REPORT_MAX_MESSAGES][REPORT_MESSAGE_LEN];
	uint64_t by_end_reason[FLOW_END_REASON_COUNT];	/* finished flows */
	uint64_t by_conn_state[CONN_STATE_COUNT];
	struct flow_table_stats table;	/* flow table counters at the end */
	uint32_t max_flows;		/* the cap in force */
	bool     events_reported;	/* --events: flagged segments went to the sink */
	uint64_t flagged_segments;	/* segments with at least one analysis flag */
	uint64_t flag_totals[SEG_FLAG_COUNT];	/* segments with each flag */
	size_t   flow_record_bytes;	/* size of one flow record */
};

/* A sink.  Functions return 0 or a negative enum tcps_err. */
struct report_sink {
	/*
	 * A segment got analysis flags (only called with --events).  `dir`
	 * is DIR_C2S or DIR_S2C; f, p and v are valid only during the call.
	 * NULL when the sink shows no events.
	 */
	int  (*event)(struct report_sink *s, const struct flow *f, int dir,
	    const struct packet *p, const struct seg_verdict *v);
	/*
	 * Live capture, once a second: the open connections worth showing
	 * (at most LIVE_VIEW_ROWS, busiest and most troubled first).  Valid
	 * during the call only.  NULL if the sink shows no live view.
	 */
	int  (*live_view)(struct report_sink *s, const struct flow *const *flows,
	    size_t n, const struct live_stats *st);
	/* Live capture: a periodic stats record.  NULL if not shown. */
	int  (*stats)(struct report_sink *s, const struct live_stats *st);
	/* A connection is finished; f is valid only during the call. */
	int  (*flow_end)(struct report_sink *s, const struct flow *f,
	    enum flow_end_reason reason);
	/* The run is over: write what is left and flush. */
	int  (*finish)(struct report_sink *s, const struct run_summary *sum);
	/* Free the sink; NULL-safe through report_sink_free(). */
	void (*destroy)(struct report_sink *s);
};

/*
 * One JSON document for the whole run, written by finish().  With
 * max_events > 0 every flow gets an "events" array of at most that many
 * flagged segments (the rest are counted); with 0 there are no arrays.
 */
struct report_sink *report_json_doc_create(FILE *out, uint32_t max_events);

/*
 * One JSON object per line: flows as they end, then a summary line.
 * Lines are written whole with write(2) on out's descriptor, gathered
 * unless flush_each_line (live capture); when the output fills up, a
 * regular file is cut back to its last whole line.
 */
struct report_sink *report_ndjson_create(FILE *out, bool flush_each_line);

/*
 * A human-readable table, written by finish().  With live_screen (live
 * capture on a terminal) the screen is also redrawn with the open
 * connections every second.
 */
struct report_sink *report_text_create(FILE *out, bool live_screen);

/*
 * Limit the text table to the `top` worst connections (0: all) and, with
 * only_problems, to connections with a problem or a verdict other than
 * healthy.  The header still counts every connection.
 */
void report_text_limit(struct report_sink *text, size_t top, bool only_problems);

/* Colour the text table's problem counts and diagnoses (ANSI). */
void report_text_color(struct report_sink *text, bool color);

/*
 * Make the text sink print, instead of the table, the full detail of
 * every connection it is handed (used with --flow): endpoints, states,
 * handshake, per-direction counters, RTT, windows and the diagnosis with
 * its zero-window episodes.
 */
void report_text_detail(struct report_sink *text, bool detail);

/* What the picture sinks draw (--plot, --html). */
struct plot_options {
	const char *flow;	/* --flow: an id or ADDR:PORT-ADDR:PORT; NULL = all */
	size_t top;		/* --plot-top: the N most stalled flows; 0 = default */
	bool show_series;	/* --series: the main sink reports the series too */
};

/*
 * --plot: a sink that forwards every record to `inner` (which it then
 * owns) and writes, per flow and direction that carried data, a
 * time-sequence and a window graph as SVG files into directory `dir`
 * (created if missing).  Without po->top they are written as each flow
 * ends; with it the graphs of the po->top most stalled flows are kept
 * and written by finish().  Returns 0 with *out set, TCPS_ERR_USAGE for
 * a bad po->flow, TCPS_ERR_OUTPUT when dir cannot be made, or
 * TCPS_ERR_NOMEM; errbuf gets a message for any error, now or later
 * (a file that cannot be written).  On error, inner is not freed.
 */
int report_plot_create(struct report_sink **out, struct report_sink *inner,
    const char *dir, const struct plot_options *po, char *errbuf, size_t errlen);

/*
 * --html: a sink that forwards every record to `inner` (which it then
 * owns) and writes one self-contained HTML page to `html` at finish():
 * the capture summary, a sortable table of every flow, each troubled
 * transfer's verdict, and the graphs of the po->top (default
 * HTML_GRAPH_FLOWS) most stalled flows inline.  `name` names the file in
 * messages written to errbuf.  Returns 0 with *out set, TCPS_ERR_USAGE
 * for a bad po->flow or TCPS_ERR_NOMEM (message in errbuf); on error,
 * inner is not freed.
 */
int report_html_create(struct report_sink **out, struct report_sink *inner,
    FILE *html, const char *name, const struct plot_options *po, char *errbuf,
    size_t errlen);

/*
 * --flow: a sink that forwards to `inner` (which it then owns) only the
 * connections `flow` selects, an id or ADDR:PORT-ADDR:PORT (flow
 * records, their events, their rows of the live view); the run summary
 * goes on unchanged, so it still counts every connection.  Returns 0
 * with *out set, TCPS_ERR_USAGE for a bad `flow` or TCPS_ERR_NOMEM, with
 * a message in errbuf; on error, inner is not freed.
 */
int report_select_create(struct report_sink **out, struct report_sink *inner,
    const char *flow, char *errbuf, size_t errlen);

/* How many finished connections a report_select_create() sink passed on. */
uint64_t report_select_matched(const struct report_sink *s);

/* Destroy a sink and clear the caller's pointer; NULL-safe. */
void report_sink_free(struct report_sink **s);

/* The end reason a flow reports: a closed connection ended by FIN or RST. */
enum flow_end_reason report_end_reason(const struct flow *f,
    enum flow_end_reason reason);

#endif
