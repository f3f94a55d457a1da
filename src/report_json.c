/*
 * report_json.c - the JSON document and NDJSON sinks (jansson).
 *
 * Both build the same flow object; the document sink keeps every flow
 * object until finish() and writes them in id order, the NDJSON sink
 * writes each one as its connection ends and keeps nothing.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "capture.h"
#include "report.h"
#include "report_internal.h"
#include "tcpsight.h"

#ifndef TCPSIGHT_VERSION
#define TCPSIGHT_VERSION "0.0.0"
#endif

/* Nanoseconds as seconds (a JSON number). */
static json_t *
json_seconds(uint64_t ns)
{
	return json_real((double)ns / 1e9);
}

static json_t *
json_endpoint(const struct flow *f, int side)
{
	char addr[INET6_ADDRSTRLEN];

	report_format_addr(f, side, addr, sizeof(addr));
	return json_pack("{s:s, s:i}", "addr", addr, "port",
	    (json_int_t)f->key.port[side]);
}

/* Counts of every flag, all names present, in the flag table's order. */
static json_t *
json_flag_counts(const uint32_t *counts)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < SEG_FLAG_COUNT; i++)
		json_object_set_new(o, analysis_flag_name((enum seg_flag)i),
		    json_integer(counts[i]));
	return o;
}

static json_t *
json_rtt(const struct rtt_stats *r)
{
	if (r->count == 0)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:i}",
	    "min", json_seconds(r->min_ns),
	    "mean", json_seconds(r->sum_ns / r->count),
	    "max", json_seconds(r->max_ns),
	    "last", json_seconds(r->last_ns),
	    "count", (json_int_t)r->count);
}

static json_t *
json_direction(const struct dir_analysis *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "packets", json_integer((json_int_t)d->packets));
	json_object_set_new(o, "data_segments", json_integer(d->data_segments));
	json_object_set_new(o, "bytes", json_integer((json_int_t)d->wire_bytes));
	json_object_set_new(o, "payload_bytes",
	    json_integer((json_int_t)d->payload_bytes));
	json_object_set_new(o, "syn", json_integer(d->syn));
	json_object_set_new(o, "fin", json_integer(d->fin));
	json_object_set_new(o, "rst", json_integer(d->rst));
	json_object_set_new(o, "isn", d->syn_seen ? json_integer(d->isn) : json_null());
	json_object_set_new(o, "mss", d->mss ? json_integer(d->mss) : json_null());
	json_object_set_new(o, "window_scale",
	    d->wscale == WSCALE_UNKNOWN ? json_null() :
	    json_integer(d->wscale == WSCALE_NONE ? 0 : d->wscale));
	json_object_set_new(o, "sack_permitted", json_boolean(d->sack_permitted));
	json_object_set_new(o, "timestamps", json_boolean(d->timestamps));
	if (d->packets > 0) {
		json_object_set_new(o, "first_time", json_seconds(d->first_ns));
		json_object_set_new(o, "last_time", json_seconds(d->last_ns));
	} else {
		json_object_set_new(o, "first_time", json_null());
		json_object_set_new(o, "last_time", json_null());
	}
	json_object_set_new(o, "unique_bytes", json_integer((json_int_t)d->unique_bytes));
	json_object_set_new(o, "retransmitted_segments",
	    json_integer(d->flag_count[SEG_RETRANSMISSION]));
	json_object_set_new(o, "retransmitted_bytes",
	    json_integer((json_int_t)d->retrans_bytes));
	json_object_set_new(o, "out_of_order_segments",
	    json_integer(d->flag_count[SEG_OUT_OF_ORDER]));
	json_object_set_new(o, "max_bytes_in_flight",
	    json_integer((json_int_t)d->max_in_flight));
	json_object_set_new(o, "flags", json_flag_counts(d->flag_count));
	json_object_set_new(o, "rtt", json_rtt(&d->rtt));
	json_object_set_new(o, "rtt_timestamps", json_rtt(&d->rtt_ts));
	json_object_set_new(o, "zero_window", json_pack("{s:i, s:o}",
	    "episodes", (json_int_t)d->zero_window_episodes,
	    "seconds", json_seconds(d->zero_window_ns)));
	json_object_set_new(o, "sack_blocks", json_integer(d->sack_blocks));
	json_object_set_new(o, "dsacks", json_integer(d->dsacks));
	json_object_set_new(o, "gaps_forgotten", json_integer(d->holes_dropped));
	if (d->window_seen) {
		json_object_set_new(o, "window_min", json_integer(d->window_min));
		json_object_set_new(o, "window_max", json_integer(d->window_max));
		json_object_set_new(o, "window_last", json_integer(d->window_last));
	} else {
		json_object_set_new(o, "window_min", json_null());
		json_object_set_new(o, "window_max", json_null());
		json_object_set_new(o, "window_last", json_null());
	}
	return o;
}

/* One flagged segment. */
static json_t *
json_event(const struct flow *f, int dir, const struct packet *p,
    const struct seg_verdict *v)
{
	json_t *o = json_object(), *flags = json_array();
	int i;

	for (i = 0; i < SEG_FLAG_COUNT; i++)
		if (v->flags & SEG_BIT(i))
			json_array_append_new(flags,
			    json_string(analysis_flag_name((enum seg_flag)i)));
	json_object_set_new(o, "frame", json_integer((json_int_t)p->frame));
	json_object_set_new(o, "time", json_seconds(p->ts_ns));
	json_object_set_new(o, "flow", json_integer((json_int_t)f->id));
	json_object_set_new(o, "dir", json_string(dir == DIR_C2S ? "c2s" : "s2c"));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "seq", json_integer(v->rel_seq));
	json_object_set_new(o, "ack", json_integer(v->rel_ack));
	json_object_set_new(o, "len", json_integer(p->payload_len));
	json_object_set_new(o, "win", json_integer(v->window));
	if (v->evidence != EVIDENCE_NONE)
		json_object_set_new(o, "evidence",
		    json_string(analysis_evidence_name((enum resend_evidence)v->evidence)));
	if (v->flags & SEG_BIT(SEG_DUPLICATE_ACK)) {
		json_object_set_new(o, "duplicate_ack_num", json_integer(v->dupack_num));
		json_object_set_new(o, "duplicate_ack_frame",
		    json_integer((json_int_t)v->dupack_frame));
	}
	return o;
}

static json_t *
json_episode(const struct zw_episode *e)
{
	return json_pack("{s:o, s:o, s:o, s:i, s:o, s:o, s:i}",
	    "start", json_seconds(e->start_ns),
	    "end", json_seconds(e->end_ns),
	    "seconds", json_seconds(e->end_ns > e->start_ns ? e->end_ns - e->start_ns : 0),
	    "probes", (json_int_t)e->probes,
	    "reopen_seconds", e->reopen_mss_ns == UINT32_MAX ? json_null() :
	    json_seconds(e->reopen_mss_ns),
	    "reopen_full_seconds", e->reopen_full_ns == UINT32_MAX ? json_null() :
	    json_seconds(e->reopen_full_ns),
	    "window_before", (json_int_t)e->window_before);
}

/*
 * A series: one array per bucket, [seconds from its start, window min,
 * max, bytes in flight max, relative seq low, high (null without data),
 * highest ACK, highest right edge (null without ACK)], and the
 * retransmissions as [seconds, relative seq, length].
 */
static json_t *
json_series(const struct series_dir *sd)
{
	json_t *o = json_object(), *pts = json_array(), *marks = json_array();
	uint32_t i;

	for (i = 0; i < SERIES_POINTS; i++) {
		const struct series_point *pt = &sd->pts[i];

		if (!pt->used && !pt->has_data && !pt->has_ack)
			continue;
		json_array_append_new(pts, json_pack("[f, I, I, I, o, o, o, o]",
		    (double)(i * sd->width_ns) / 1e9, (json_int_t)pt->window_min,
		    (json_int_t)pt->window_max, (json_int_t)pt->inflight_max,
		    pt->has_data ? json_integer(pt->seq_lo) : json_null(),
		    pt->has_data ? json_integer(pt->seq_hi) : json_null(),
		    pt->has_ack ? json_integer(pt->ack_hi) : json_null(),
		    pt->has_ack ? json_integer(pt->edge_hi) : json_null()));
	}
	for (i = 0; i < sd->mark_count; i++)
		json_array_append_new(marks, json_pack("[f, I, I]",
		    (double)(sd->marks[i].t_ns - sd->start_ns) / 1e9,
		    (json_int_t)sd->marks[i].seq, (json_int_t)sd->marks[i].len));
	json_object_set_new(o, "start", sd->started ? json_seconds(sd->start_ns) :
	    json_null());
	json_object_set_new(o, "bucket_seconds", json_seconds(sd->width_ns));
	json_object_set_new(o, "columns", json_pack("[s, s, s, s, s, s, s, s]",
	    "offset", "window_min", "window_max", "bytes_in_flight_max",
	    "seq_low", "seq_high", "ack", "right_edge"));
	json_object_set_new(o, "points", pts);
	json_object_set_new(o, "retransmissions", marks);
	json_object_set_new(o, "retransmissions_dropped", json_integer(sd->marks_dropped));
	return o;
}

/* The diagnosis of one direction of data. */
static json_t *
json_diagnosis_dir(const struct flow *f, int dir)
{
	const struct diag_dir *dd = &f->diag.dir[dir];
	const struct zw_episode *longest;
	struct diag_summary s;
	json_t *o, *eps;
	unsigned i, n;

	if (!diagnosis_summarize(&f->diag, &f->an, dir, &s))
		return NULL;
	eps = json_array();
	longest = diag_longest_episodes(dd, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(eps, json_episode(&longest[i]));
	o = json_object();
	json_object_set_new(o, "verdict", json_string(diagnosis_verdict_name(s.verdict)));
	json_object_set_new(o, "confidence", json_real(round(s.confidence * 100) / 100));
	json_object_set_new(o, "shares", json_pack("{s:f, s:f, s:f, s:f}",
	    "receiver_limited", round(s.share[LIMIT_RECEIVER] * 1000) / 1000,
	    "network_limited", round((s.share[LIMIT_LOSS] + s.share[LIMIT_PATH]) * 1000) / 1000,
	    "sender_limited", round(s.share[LIMIT_SENDER] * 1000) / 1000,
	    "idle", round(s.share[LIMIT_IDLE] * 1000) / 1000));
	json_object_set_new(o, "loss_recovery_share",
	    json_real(round(s.share[LIMIT_LOSS] * 1000) / 1000));
	json_object_set_new(o, "receiver_share_of_busy",
	    json_real(round(s.busy_receiver_share * 1000) / 1000));
	json_object_set_new(o, "transfer_seconds", json_real(s.transfer_s));
	json_object_set_new(o, "evidence", json_string(s.evidence));
	json_object_set_new(o, "zero_window_count", json_integer(dd->episodes));
	json_object_set_new(o, "zero_window_seconds", json_seconds(s.zero_window_ns));
	json_object_set_new(o, "zero_window_episodes", eps);
	json_object_set_new(o, "window_trend", json_pack("{s:f, s:I, s:I, s:I, s:i, s:f, s:f}",
	    "slope", round(s.window_slope),
	    "min", (json_int_t)s.window_min,
	    "median", (json_int_t)s.window_median,
	    "max", (json_int_t)s.window_max,
	    "shrinks", (json_int_t)dd->window_shrinks,
	    "read_rate", round(s.read_rate),
	    "arrival_rate", round(s.arrival_rate)));
	if (f->series != NULL)
		json_object_set_new(o, "series", json_series(&f->series->dir[dir]));
	json_object_set_new(o, "window_scale_inferred", json_boolean(dd->scale_inferred));
	json_object_set_new(o, "inferred_window_scale", dd->scale_inferred ?
	    json_integer(dd->inferred_shift) : json_null());
	return o;
}

static json_t *
json_diagnosis(const struct flow *f)
{
	json_t *o = json_object(), *d;

	if ((d = json_diagnosis_dir(f, DIR_C2S)) != NULL)
		json_object_set_new(o, "c2s", d);
	if ((d = json_diagnosis_dir(f, DIR_S2C)) != NULL)
		json_object_set_new(o, "s2c", d);
	return o;
}

static json_t *
json_handshake(const struct conn_analysis *ca)
{
	if (ca->syn_ns == 0 || ca->synack_ns == 0 || ca->ack_ns == 0 ||
	    ca->synack_ns < ca->syn_ns || ca->ack_ns < ca->synack_ns)
		return json_null();
	return json_pack("{s:o, s:o, s:o}",
	    "total", json_seconds(ca->ack_ns - ca->syn_ns),
	    "server", json_seconds(ca->synack_ns - ca->syn_ns),
	    "client", json_seconds(ca->ack_ns - ca->synack_ns));
}

static json_t *
report_flow_json(const struct flow *f, enum flow_end_reason reason)
{
	json_t *o = json_object();
	int cs = f->client_side;

	json_object_set_new(o, "id", json_integer((json_int_t)f->id));
	json_object_set_new(o, "ip_version", json_integer(f->key.ip_version));
	json_object_set_new(o, "client", json_endpoint(f, cs));
	json_object_set_new(o, "server", json_endpoint(f, !cs));
	json_object_set_new(o, "state", json_pack("{s:s, s:s}",
	    "client", tcp_state_name(f->tcp.state[EP_CLIENT]),
	    "server", tcp_state_name(f->tcp.state[EP_SERVER])));
	json_object_set_new(o, "partial", json_boolean(f->tcp.partial));
	json_object_set_new(o, "open", json_boolean(!tcp_state_is_closed(&f->tcp)));
	json_object_set_new(o, "conn_state",
	    json_string(conn_state_name(tcp_state_conn_state(&f->tcp))));
	json_object_set_new(o, "history", json_string(f->tcp.history));
	json_object_set_new(o, "end_reason", json_string(flow_end_reason_name(reason)));
	json_object_set_new(o, "first_frame", json_integer((json_int_t)f->first_frame));
	json_object_set_new(o, "last_frame", json_integer((json_int_t)f->last_frame));
	json_object_set_new(o, "first_time", json_seconds(f->first_ns));
	json_object_set_new(o, "last_time", json_seconds(f->last_ns));
	json_object_set_new(o, "duration", json_seconds(f->last_ns > f->first_ns ?
	    f->last_ns - f->first_ns : 0));
	json_object_set_new(o, "handshake_rtt", json_handshake(&f->an));
	json_object_set_new(o, "c2s", json_direction(&f->an.dir[DIR_C2S]));
	json_object_set_new(o, "s2c", json_direction(&f->an.dir[DIR_S2C]));
	json_object_set_new(o, "diagnosis", json_diagnosis(f));
	return o;
}

static json_t *
report_capture_json(const struct run_summary *sum)
{
	json_t *o = json_object(), *files = json_array(), *lts = json_array();
	json_t *skipped = json_object(), *msgs = json_array();
	size_t i;

	for (i = 0; i < sum->file_count; i++)
		json_array_append_new(files, json_string(sum->files[i]));
	for (i = 0; i < sum->linktype_count; i++)
		json_array_append_new(lts, json_pack("{s:i, s:s}",
		    "id", (json_int_t)sum->linktypes[i],
		    "name", capture_linktype_name(sum->linktypes[i])));
	for (i = 1; i < DECODE_STATUS_COUNT; i++)
		json_object_set_new(skipped, decode_status_name((enum decode_status)i),
		    json_integer((json_int_t)sum->skipped[i]));
	for (i = 0; i < sum->message_count; i++)
		json_array_append_new(msgs, json_string(sum->messages[i]));
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "link_types", lts);
	json_object_set_new(o, "packets", json_integer((json_int_t)sum->packets));
	json_object_set_new(o, "tcp_packets", json_integer((json_int_t)sum->tcp_packets));
	json_object_set_new(o, "skipped", skipped);
	json_object_set_new(o, "first_time",
	    sum->packets ? json_seconds(sum->first_ns) : json_null());
	json_object_set_new(o, "last_time",
	    sum->packets ? json_seconds(sum->last_ns) : json_null());
	json_object_set_new(o, "truncated", json_boolean(sum->truncated));
	json_object_set_new(o, "live", json_boolean(sum->live));
	json_object_set_new(o, "interrupted", json_boolean(sum->interrupted));
	json_object_set_new(o, "wire_bytes", json_integer((json_int_t)sum->wire_bytes));
	if (sum->live)
		json_object_set_new(o, "kernel", json_pack("{s:I, s:I, s:I}",
		    "received", (json_int_t)sum->last_stats.kernel_received,
		    "dropped", (json_int_t)sum->last_stats.kernel_dropped,
		    "interface_dropped", (json_int_t)sum->last_stats.if_dropped));
	json_object_set_new(o, "warnings", msgs);
	return o;
}

static json_t *
report_summary_json(const struct run_summary *sum)
{
	json_t *o = json_object(), *by_state = json_object(), *by_end = json_object();
	uint64_t flows = 0;
	size_t i;

	for (i = 0; i < CONN_STATE_COUNT; i++)
		if (sum->by_conn_state[i] != 0)
			json_object_set_new(by_state, conn_state_name((enum conn_state)i),
			    json_integer((json_int_t)sum->by_conn_state[i]));
	for (i = 0; i < FLOW_END_REASON_COUNT; i++) {
		flows += sum->by_end_reason[i];
		if (sum->by_end_reason[i] != 0)
			json_object_set_new(by_end,
			    flow_end_reason_name((enum flow_end_reason)i),
			    json_integer((json_int_t)sum->by_end_reason[i]));
	}
	json_object_set_new(o, "flows", json_integer((json_int_t)flows));
	json_object_set_new(o, "flagged_segments",
	    json_integer((json_int_t)sum->flagged_segments));
	{
		json_t *totals = json_object();

		for (i = 0; i < SEG_FLAG_COUNT; i++)
			json_object_set_new(totals, analysis_flag_name((enum seg_flag)i),
			    json_integer((json_int_t)sum->flag_totals[i]));
		json_object_set_new(o, "flags", totals);
	}
	json_object_set_new(o, "by_conn_state", by_state);
	json_object_set_new(o, "by_end_reason", by_end);
	json_object_set_new(o, "flow_table", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
	    "max_flows", (json_int_t)sum->max_flows,
	    "peak_active", (json_int_t)sum->table.peak_active,
	    "evicted", (json_int_t)sum->table.evicted,
	    "timed_out", (json_int_t)sum->table.timed_out,
	    "records_allocated", (json_int_t)sum->table.allocated,
	    "record_bytes", (json_int_t)sum->flow_record_bytes));
	return o;
}

static json_t *
report_tool_json(void)
{
	return json_pack("{s:s, s:s}", "name", TCPSIGHT_NAME,
	    "version", TCPSIGHT_VERSION);
}

/* Write one JSON value and a newline; TCPS_ERR_OUTPUT on failure. */
static int
report_write_json(FILE *out, json_t *v, size_t flags)
{
	int rc = json_dumpf(v, out, flags);

	if (rc != 0 || fputc('\n', out) == EOF)
		return TCPS_ERR_OUTPUT;
	return 0;
}

enum flow_end_reason
report_end_reason(const struct flow *f, enum flow_end_reason reason)
{
	if (f->tcp.rst_sent[0] || f->tcp.rst_sent[1])
		return FLOW_END_RST;
	if (f->tcp.fin_sent[0] && f->tcp.fin_sent[1])
		return FLOW_END_FIN;
	return reason;
}

void
report_sink_free(struct report_sink **s)
{
	if (s == NULL || *s == NULL)
		return;
	(*s)->destroy(*s);
	*s = NULL;
}

/* ---- the worst stalls, kept by both JSON sinks ---- */

#define WORST_KEPT	10	/* transfers listed in the top-level diagnosis */

/* One transfer in the top-level list. */
struct worst_entry {
	uint64_t flow;
	int dir;
	double stall_s;		/* receiver-limited plus loss-recovery time */
	json_t *summary;	/* owned */
};

struct worst_list {
	struct worst_entry e[WORST_KEPT];	/* most stalled first */
	int count;
	uint64_t verdicts[VERDICT_COUNT];	/* all transfers, by verdict */
};

static void
worst_note(struct worst_list *w, const struct flow *f)
{
	struct diag_summary s;
	int dir, i;

	for (dir = 0; dir < 2; dir++) {
		if (!diagnosis_summarize(&f->diag, &f->an, dir, &s))
			continue;
		w->verdicts[s.verdict]++;
		double stall = (s.share[LIMIT_RECEIVER] + s.share[LIMIT_LOSS]) *
		    s.transfer_s;
		if (stall <= 0)
			continue;
		for (i = 0; i < w->count; i++)
			if (stall > w->e[i].stall_s)
				break;
		if (i == WORST_KEPT)
			continue;
		if (w->count == WORST_KEPT)
			json_decref(w->e[--w->count].summary);
		memmove(&w->e[i + 1], &w->e[i], (size_t)(w->count - i) * sizeof(w->e[0]));
		w->e[i].flow = f->id;
		w->e[i].dir = dir;
		w->e[i].stall_s = stall;
		w->e[i].summary = json_pack("{s:I, s:s, s:s, s:f, s:s}",
		    "flow", (json_int_t)f->id, "dir", dir == DIR_C2S ? "c2s" : "s2c",
		    "verdict", diagnosis_verdict_name(s.verdict),
		    "stall_seconds", round(stall * 1e6) / 1e6, "evidence", s.evidence);
		w->count++;
	}
}

/* The top-level "diagnosis": verdict counts and the worst stalls. */
static json_t *
worst_json(const struct worst_list *w)
{
	json_t *o = json_object(), *list = json_array(), *counts = json_object();
	int i;

	for (i = 0; i < VERDICT_COUNT; i++)
		json_object_set_new(counts, diagnosis_verdict_name((enum verdict)i),
		    json_integer((json_int_t)w->verdicts[i]));
	for (i = 0; i < w->count; i++)
		json_array_append(list, w->e[i].summary);
	json_object_set_new(o, "verdicts", counts);
	json_object_set_new(o, "worst_stalls", list);
	return o;
}

static void
worst_free(struct worst_list *w)
{
	int i;

	for (i = 0; i < w->count; i++)
		json_decref(w->e[i].summary);
	w->count = 0;
}

/* ---- the JSON document sink ---- */

struct json_doc_sink {
	struct report_sink base;
	FILE *out;
	json_t *flows;		/* flow objects, in the order flows ended */
	json_t *events;		/* open flows' event arrays, keyed by decimal id */
	uint32_t max_events;	/* events kept per flow */
	bool with_events;	/* give every flow an "events" array */
	struct worst_list worst;
};

static void
flow_key_text(const struct flow *f, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)f->id);
}

static int
doc_event(struct report_sink *s, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	char key[24];
	json_t *list, *held;

	flow_key_text(f, key, sizeof(key));
	held = json_object_get(d->events, key);
	if (held == NULL) {
		held = json_pack("{s:[], s:i}", "list", "dropped", (json_int_t)0);
		if (held == NULL || json_object_set_new(d->events, key, held) != 0)
			return TCPS_ERR_NOMEM;
	}
	list = json_object_get(held, "list");
	if (json_array_size(list) >= d->max_events) {
		json_object_set_new(held, "dropped", json_integer(
		    json_integer_value(json_object_get(held, "dropped")) + 1));
		return 0;
	}
	if (json_array_append_new(list, json_event(f, dir, p, v)) != 0)
		return TCPS_ERR_NOMEM;
	return 0;
}

static int
doc_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	json_t *o = report_flow_json(f, reason), *held;
	char key[24];

	if (d->with_events) {
		flow_key_text(f, key, sizeof(key));
		held = json_object_get(d->events, key);
		json_object_set_new(o, "events", held ?
		    json_incref(json_object_get(held, "list")) : json_array());
		json_object_set_new(o, "events_dropped", held ?
		    json_incref(json_object_get(held, "dropped")) : json_integer(0));
		if (held != NULL)
			json_object_del(d->events, key);
	}
	worst_note(&d->worst, f);
	if (json_array_append_new(d->flows, o) != 0)
		return TCPS_ERR_NOMEM;
	return 0;
}

static int
cmp_flow_json_id(const void *a, const void *b)
{
	json_int_t ia = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t ib = json_integer_value(json_object_get(*(json_t *const *)b, "id"));

	return (ia > ib) - (ia < ib);
}

/* Return a new array with the flows of `flows` in id order. */
static json_t *
sorted_by_id(json_t *flows)
{
	size_t n = json_array_size(flows), i;
	json_t **v, *sorted;

	if (n == 0)
		return json_array();
	v = malloc(n * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(flows, i);
	qsort(v, n, sizeof(*v), cmp_flow_json_id);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	return sorted;
}

static int
doc_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	json_t *doc, *flows;
	int rc;

	flows = sorted_by_id(d->flows);
	if (flows == NULL)
		return TCPS_ERR_NOMEM;
	doc = json_object();
	json_object_set_new(doc, "tool", report_tool_json());
	json_object_set_new(doc, "capture", report_capture_json(sum));
	json_object_set_new(doc, "flows", flows);
	json_object_set_new(doc, "summary", report_summary_json(sum));
	json_object_set_new(doc, "diagnosis", worst_json(&d->worst));
	rc = report_write_json(d->out, doc, JSON_INDENT(2) | JSON_REAL_PRECISION(16));
	json_decref(doc);
	if (rc == 0 && fflush(d->out) != 0)
		rc = TCPS_ERR_OUTPUT;
	return rc;
}

static void
doc_destroy(struct report_sink *s)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;

	json_decref(d->flows);
	json_decref(d->events);
	worst_free(&d->worst);
	free(d);
}

struct report_sink *
report_json_doc_create(FILE *out, uint32_t max_events)
{
	struct json_doc_sink *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->flows = json_array();
	d->events = json_object();
	if (d->flows == NULL || d->events == NULL) {
		json_decref(d->flows);
		json_decref(d->events);
		free(d);
		return NULL;
	}
	d->max_events = max_events;
	d->with_events = max_events > 0;
	d->base.event = doc_event;
	d->base.flow_end = doc_flow_end;
	d->base.finish = doc_finish;
	d->base.destroy = doc_destroy;
	d->out = out;
	return &d->base;
}

/* ---- the NDJSON sink ---- */

struct ndjson_sink {
	struct report_sink base;
	int fd;			/* written with write(2), whole lines only */
	bool regular;		/* fd is a regular file: a cut can be undone */
	bool flush_each_line;	/* live: every line goes out at once */
	char *buf;		/* complete lines not yet written */
	size_t len;
	size_t cap;
	struct worst_list worst;
};

#define NDJSON_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(16))
#define NDJSON_BUFFER	65536	/* lines gathered before a write(2) */

/*
 * Write out the gathered lines.  When the output takes only part of them
 * (disk full, file size limit), a regular file is cut back to its last
 * whole line, so a reader never sees half a JSON object; errno is kept
 * for the caller's message.
 */
static int
nd_flush(struct ndjson_sink *n)
{
	off_t start = n->regular ? lseek(n->fd, 0, SEEK_CUR) : -1;
	size_t off = 0, keep;
	ssize_t w = 0;
	int saved;

	while (off < n->len) {
		w = write(n->fd, n->buf + off, n->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off == n->len) {
		n->len = 0;
		return 0;
	}
	if (w == 0)
		errno = ENOSPC;
	saved = errno;
	for (keep = off; keep > 0 && n->buf[keep - 1] != '\n'; keep--)
		;
	if (off > 0 && start >= 0 && ftruncate(n->fd, start + (off_t)keep) == 0)
		(void)lseek(n->fd, start + (off_t)keep, SEEK_SET);
	errno = saved;
	n->len = 0;
	return TCPS_ERR_OUTPUT;
}

/* Add one compact JSON line; write when the buffer is full (or at once, live). */
static int
write_line(struct ndjson_sink *n, json_t *o)
{
	char *text = json_dumps(o, NDJSON_FLAGS);
	size_t len;
	int rc = 0;

	if (text == NULL)
		return TCPS_ERR_NOMEM;
	len = strlen(text);
	if (n->len + len + 1 > n->cap) {
		size_t ncap = n->len + len + 1 > NDJSON_BUFFER ? n->len + len + 1 :
		    NDJSON_BUFFER;
		char *grown = realloc(n->buf, ncap);

		if (grown == NULL) {
			free(text);
			return TCPS_ERR_NOMEM;
		}
		n->buf = grown;
		n->cap = ncap;
	}
	memcpy(n->buf + n->len, text, len);
	n->buf[n->len + len] = '\n';
	n->len += len + 1;
	free(text);
	if (n->flush_each_line || n->len >= NDJSON_BUFFER)
		rc = nd_flush(n);
	return rc;
}

static int
nd_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;
	json_t *flow = report_flow_json(f, reason);
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, "type", json_string("flow"));
	json_object_update(o, flow);
	json_decref(flow);
	worst_note(&n->worst, f);
	rc = write_line(n, o);
	json_decref(o);
	return rc;
}

static int
nd_stats(struct report_sink *s, const struct live_stats *st)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;
	json_t *o;
	int rc;

	o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "type", "stats",
	    "time", json_seconds(st->wall_ns),
	    "packets", (json_int_t)st->packets,
	    "bytes", (json_int_t)st->wire_bytes,
	    "tcp_packets", (json_int_t)st->tcp_packets,
	    "kernel_received", (json_int_t)st->kernel_received,
	    "kernel_dropped", (json_int_t)st->kernel_dropped,
	    "interface_dropped", (json_int_t)st->if_dropped,
	    "active_flows", (json_int_t)st->active_flows,
	    "flow_memory_bytes", (json_int_t)st->flow_memory_bytes,
	    "evicted", (json_int_t)st->evicted,
	    "timed_out", (json_int_t)st->timed_out);
	rc = write_line(n, o);
	json_decref(o);
	if (rc == 0)
		rc = nd_flush(n);	/* a stats line is news: out at once */
	return rc;
}

static int
nd_event(struct report_sink *s, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;
	json_t *e = json_event(f, dir, p, v), *o = json_object();
	int rc;

	json_object_set_new(o, "type", json_string("event"));
	json_object_update(o, e);
	json_decref(e);
	rc = write_line(n, o);
	json_decref(o);
	return rc;
}

static int
nd_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;
	json_t *o;
	int rc;

	o = json_pack("{s:s, s:o, s:o, s:o, s:o}", "type", "summary",
	    "tool", report_tool_json(),
	    "capture", report_capture_json(sum),
	    "summary", report_summary_json(sum),
	    "diagnosis", worst_json(&n->worst));
	rc = write_line(n, o);
	json_decref(o);
	if (rc == 0)
		rc = nd_flush(n);
	return rc;
}

static void
nd_destroy(struct report_sink *s)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;

	worst_free(&n->worst);
	free(n->buf);
	free(n);
}

struct report_sink *
report_ndjson_create(FILE *out, bool flush_each_line)
{
	struct ndjson_sink *n = calloc(1, sizeof(*n));
	struct stat st;

	if (n == NULL)
		return NULL;
	/* Lines go out with write(2): nothing may wait in the FILE's buffer. */
	fflush(out);
	n->fd = fileno(out);
	n->regular = fstat(n->fd, &st) == 0 && S_ISREG(st.st_mode);
	n->flush_each_line = flush_each_line;
	n->base.event = nd_event;
	n->base.stats = nd_stats;
	n->base.flow_end = nd_flow_end;
	n->base.finish = nd_finish;
	n->base.destroy = nd_destroy;
	return &n->base;
}
