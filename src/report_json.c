/*
 * report_json.c - the JSON document and NDJSON sinks.
 *
 * Both write the same flow record with the streaming writer of
 * json_writer.h, and the summaries with jansson.  The document sink keeps
 * each finished flow's text in a temporary file and writes them in id
 * order at finish(); the NDJSON sink writes each one as its connection
 * ends and keeps nothing.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uthash.h>

#include "capture.h"
#include "json_writer.h"
#include "report.h"
#include "report_internal.h"
#include "tcpsight.h"

#ifndef TCPSIGHT_VERSION
#define TCPSIGHT_VERSION "0.0.0"
#endif

/* Nanoseconds as seconds (a JSON number), for the jansson-built sections. */
static json_t *
json_seconds(uint64_t ns)
{
	return json_real((double)ns / 1e9);
}

/*
 * The flow and event records are written with the streaming writer
 * (json_writer.h): they are most of the output, and jansson's tree and
 * dump cost ~700,000 instructions per flow.  The summaries below them
 * are built with jansson.
 */

static void
w_endpoint(struct json_writer *w, const char *key, const struct flow *f, int side)
{
	char addr[INET6_ADDRSTRLEN];

	report_format_addr(f, side, addr, sizeof(addr));
	jw_object(w, key);
	jw_string(w, "addr", addr);
	jw_uint(w, "port", f->key.port[side]);
	jw_end(w);
}

/* Counts of every flag, all names present, in the flag table's order. */
static void
w_flag_counts(struct json_writer *w, const char *key, const uint32_t *counts)
{
	int i;

	jw_object(w, key);
	for (i = 0; i < SEG_FLAG_COUNT; i++)
		jw_uint(w, analysis_flag_name((enum seg_flag)i), counts[i]);
	jw_end(w);
}

static void
w_rtt(struct json_writer *w, const char *key, const struct rtt_stats *r)
{
	if (r->count == 0) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	jw_seconds(w, "min", r->min_ns);
	jw_seconds(w, "mean", r->sum_ns / r->count);
	jw_seconds(w, "max", r->max_ns);
	jw_seconds(w, "last", r->last_ns);
	jw_uint(w, "count", r->count);
	jw_end(w);
}

static void
w_direction(struct json_writer *w, const char *key, const struct dir_analysis *d)
{
	jw_object(w, key);
	jw_uint(w, "packets", d->packets);
	jw_uint(w, "data_segments", d->data_segments);
	jw_uint(w, "bytes", d->wire_bytes);
	jw_uint(w, "payload_bytes", d->payload_bytes);
	jw_uint(w, "syn", d->syn);
	jw_uint(w, "fin", d->fin);
	jw_uint(w, "rst", d->rst);
	if (d->syn_seen)
		jw_uint(w, "isn", d->isn);
	else
		jw_null(w, "isn");
	if (d->mss)
		jw_uint(w, "mss", d->mss);
	else
		jw_null(w, "mss");
	if (d->wscale == WSCALE_UNKNOWN)
		jw_null(w, "window_scale");
	else
		jw_uint(w, "window_scale", d->wscale == WSCALE_NONE ? 0 : d->wscale);
	jw_bool(w, "sack_permitted", d->sack_permitted);
	jw_bool(w, "timestamps", d->timestamps);
	if (d->packets > 0) {
		jw_seconds(w, "first_time", d->first_ns);
		jw_seconds(w, "last_time", d->last_ns);
	} else {
		jw_null(w, "first_time");
		jw_null(w, "last_time");
	}
	jw_uint(w, "unique_bytes", d->unique_bytes);
	jw_uint(w, "retransmitted_segments", d->flag_count[SEG_RETRANSMISSION]);
	jw_uint(w, "retransmitted_bytes", d->retrans_bytes);
	jw_uint(w, "out_of_order_segments", d->flag_count[SEG_OUT_OF_ORDER]);
	jw_uint(w, "max_bytes_in_flight", d->max_in_flight);
	w_flag_counts(w, "flags", d->flag_count);
	w_rtt(w, "rtt", &d->rtt);
	w_rtt(w, "rtt_timestamps", &d->rtt_ts);
	jw_object(w, "zero_window");
	jw_uint(w, "episodes", d->zero_window_episodes);
	jw_seconds(w, "seconds", d->zero_window_ns);
	jw_end(w);
	jw_uint(w, "sack_blocks", d->sack_blocks);
	jw_uint(w, "dsacks", d->dsacks);
	jw_uint(w, "gaps_forgotten", d->holes_dropped);
	if (d->window_seen) {
		jw_uint(w, "window_min", d->window_min);
		jw_uint(w, "window_max", d->window_max);
		jw_uint(w, "window_last", d->window_last);
	} else {
		jw_null(w, "window_min");
		jw_null(w, "window_max");
		jw_null(w, "window_last");
	}
	jw_end(w);
}

/* The members of one flagged segment (the caller opens the object). */
static void
w_event_members(struct json_writer *w, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	int i;

	jw_uint(w, "frame", p->frame);
	jw_seconds(w, "time", p->ts_ns);
	jw_uint(w, "flow", f->id);
	jw_string(w, "dir", dir == DIR_C2S ? "c2s" : "s2c");
	jw_array(w, "flags");
	for (i = 0; i < SEG_FLAG_COUNT; i++)
		if (v->flags & SEG_BIT(i))
			jw_string(w, NULL, analysis_flag_name((enum seg_flag)i));
	jw_end(w);
	jw_uint(w, "seq", v->rel_seq);
	jw_uint(w, "ack", v->rel_ack);
	jw_uint(w, "len", p->payload_len);
	jw_uint(w, "win", v->window);
	if (v->evidence != EVIDENCE_NONE)
		jw_string(w, "evidence",
		    analysis_evidence_name((enum resend_evidence)v->evidence));
	if (v->flags & SEG_BIT(SEG_DUPLICATE_ACK)) {
		jw_uint(w, "duplicate_ack_num", v->dupack_num);
		jw_uint(w, "duplicate_ack_frame", v->dupack_frame);
	}
}

/* A duration that may be unknown (UINT32_MAX). */
static void
w_maybe_seconds(struct json_writer *w, const char *key, uint32_t ns)
{
	if (ns == UINT32_MAX)
		jw_null(w, key);
	else
		jw_seconds(w, key, ns);
}

static void
w_episode(struct json_writer *w, const struct zw_episode *e)
{
	jw_object(w, NULL);
	jw_seconds(w, "start", e->start_ns);
	jw_seconds(w, "end", e->end_ns);
	jw_seconds(w, "seconds", e->end_ns > e->start_ns ? e->end_ns - e->start_ns : 0);
	jw_uint(w, "probes", e->probes);
	w_maybe_seconds(w, "reopen_seconds", e->reopen_mss_ns);
	w_maybe_seconds(w, "reopen_full_seconds", e->reopen_full_ns);
	jw_uint(w, "window_before", e->window_before);
	jw_end(w);
}

/*
 * A series: one array per bucket, [seconds from its start, window min,
 * max, bytes in flight max, relative seq low, high (null without data),
 * highest ACK, highest right edge (null without ACK)], and the
 * retransmissions as [seconds, relative seq, length].
 */
static void
w_series(struct json_writer *w, const char *key, const struct series_dir *sd)
{
	static const char *const columns[] = { "offset", "window_min",
	    "window_max", "bytes_in_flight_max", "seq_low", "seq_high", "ack",
	    "right_edge" };
	uint32_t i;

	jw_object(w, key);
	if (sd->started)
		jw_seconds(w, "start", sd->start_ns);
	else
		jw_null(w, "start");
	jw_seconds(w, "bucket_seconds", sd->width_ns);
	jw_array(w, "columns");
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		jw_string(w, NULL, columns[i]);
	jw_end(w);
	jw_array(w, "points");
	for (i = 0; i < SERIES_POINTS; i++) {
		const struct series_point *pt = &sd->pts[i];

		if (!pt->used && !pt->has_data && !pt->has_ack)
			continue;
		jw_array(w, NULL);
		jw_seconds(w, NULL, (uint64_t)i * sd->width_ns);
		jw_uint(w, NULL, pt->window_min);
		jw_uint(w, NULL, pt->window_max);
		jw_uint(w, NULL, pt->inflight_max);
		if (pt->has_data) {
			jw_uint(w, NULL, pt->seq_lo);
			jw_uint(w, NULL, pt->seq_hi);
		} else {
			jw_null(w, NULL);
			jw_null(w, NULL);
		}
		if (pt->has_ack) {
			jw_uint(w, NULL, pt->ack_hi);
			jw_uint(w, NULL, pt->edge_hi);
		} else {
			jw_null(w, NULL);
			jw_null(w, NULL);
		}
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "retransmissions");
	for (i = 0; i < sd->mark_count; i++) {
		jw_array(w, NULL);
		jw_seconds(w, NULL, sd->marks[i].t_ns - sd->start_ns);
		jw_uint(w, NULL, sd->marks[i].seq);
		jw_uint(w, NULL, sd->marks[i].len);
		jw_end(w);
	}
	jw_end(w);
	jw_uint(w, "retransmissions_dropped", sd->marks_dropped);
	jw_end(w);
}

/*
 * Both directions' diagnoses of a finished flow, summarized once for the
 * flow record and the worst-stalls list.
 */
struct flow_summaries {
	bool has[2];			/* the direction carried data */
	struct diag_summary s[2];	/* by DIR_C2S / DIR_S2C */
};

static void
summarize_flow(const struct flow *f, struct flow_summaries *fs)
{
	int dir;

	for (dir = 0; dir < 2; dir++)
		fs->has[dir] = diagnosis_summarize(&f->diag, &f->an, dir, &fs->s[dir]);
}

/* The diagnosis of one direction of data; nothing if it carried none. */
static void
w_diagnosis_dir(struct json_writer *w, const char *key, const struct flow *f,
    int dir, const struct flow_summaries *fs)
{
	const struct diag_dir *dd = &f->diag.dir[dir];
	const struct diag_summary *s = &fs->s[dir];
	const struct zw_episode *longest;
	unsigned i, n;

	if (!fs->has[dir])
		return;
	jw_object(w, key);
	jw_string(w, "verdict", diagnosis_verdict_name(s->verdict));
	jw_fixed(w, "confidence", s->confidence, 2);
	jw_object(w, "shares");
	jw_fixed(w, "receiver_limited", s->share[LIMIT_RECEIVER], 3);
	jw_fixed(w, "network_limited", s->share[LIMIT_LOSS] + s->share[LIMIT_PATH], 3);
	jw_fixed(w, "sender_limited", s->share[LIMIT_SENDER], 3);
	jw_fixed(w, "idle", s->share[LIMIT_IDLE], 3);
	jw_end(w);
	jw_fixed(w, "loss_recovery_share", s->share[LIMIT_LOSS], 3);
	jw_fixed(w, "receiver_share_of_busy", s->busy_receiver_share, 3);
	jw_fixed(w, "transfer_seconds", s->transfer_s, 9);
	jw_string(w, "evidence", s->evidence);
	jw_uint(w, "zero_window_count", dd->episodes);
	jw_seconds(w, "zero_window_seconds", s->zero_window_ns);
	jw_array(w, "zero_window_episodes");
	longest = diag_longest_episodes(dd, &n);
	for (i = 0; i < n; i++)
		w_episode(w, &longest[i]);
	jw_end(w);
	jw_object(w, "window_trend");
	jw_fixed(w, "slope", s->window_slope, 0);
	jw_uint(w, "min", s->window_min);
	jw_uint(w, "median", s->window_median);
	jw_uint(w, "max", s->window_max);
	jw_uint(w, "shrinks", dd->window_shrinks);
	jw_fixed(w, "read_rate", s->read_rate, 0);
	jw_fixed(w, "arrival_rate", s->arrival_rate, 0);
	jw_end(w);
	if (f->series != NULL)
		w_series(w, "series", &f->series->dir[dir]);
	jw_bool(w, "window_scale_inferred", dd->scale_inferred);
	if (dd->scale_inferred)
		jw_uint(w, "inferred_window_scale", dd->inferred_shift);
	else
		jw_null(w, "inferred_window_scale");
	jw_end(w);
}

static void
w_handshake(struct json_writer *w, const struct conn_analysis *ca)
{
	if (ca->syn_ns == 0 || ca->synack_ns == 0 || ca->ack_ns == 0 ||
	    ca->synack_ns < ca->syn_ns || ca->ack_ns < ca->synack_ns) {
		jw_null(w, "handshake_rtt");
		return;
	}
	jw_object(w, "handshake_rtt");
	jw_seconds(w, "total", ca->ack_ns - ca->syn_ns);
	jw_seconds(w, "server", ca->synack_ns - ca->syn_ns);
	jw_seconds(w, "client", ca->ack_ns - ca->synack_ns);
	jw_end(w);
}

/* The members of a flow record (the caller opens the object). */
static void
w_flow_members(struct json_writer *w, const struct flow *f,
    enum flow_end_reason reason, const struct flow_summaries *fs)
{
	int cs = f->client_side;

	jw_uint(w, "id", f->id);
	jw_uint(w, "ip_version", f->key.ip_version);
	w_endpoint(w, "client", f, cs);
	w_endpoint(w, "server", f, !cs);
	jw_object(w, "state");
	jw_string(w, "client", tcp_state_name(f->tcp.state[EP_CLIENT]));
	jw_string(w, "server", tcp_state_name(f->tcp.state[EP_SERVER]));
	jw_end(w);
	jw_bool(w, "partial", f->tcp.partial);
	jw_bool(w, "open", !tcp_state_is_closed(&f->tcp));
	jw_string(w, "conn_state", conn_state_name(tcp_state_conn_state(&f->tcp)));
	jw_string(w, "history", f->tcp.history);
	jw_string(w, "end_reason", flow_end_reason_name(reason));
	jw_uint(w, "first_frame", f->first_frame);
	jw_uint(w, "last_frame", f->last_frame);
	jw_seconds(w, "first_time", f->first_ns);
	jw_seconds(w, "last_time", f->last_ns);
	jw_seconds(w, "duration", f->last_ns > f->first_ns ? f->last_ns - f->first_ns : 0);
	w_handshake(w, &f->an);
	w_direction(w, "c2s", &f->an.dir[DIR_C2S]);
	w_direction(w, "s2c", &f->an.dir[DIR_S2C]);
	jw_object(w, "diagnosis");
	w_diagnosis_dir(w, "c2s", f, DIR_C2S, fs);
	w_diagnosis_dir(w, "s2c", f, DIR_S2C, fs);
	jw_end(w);
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
	json_object_set_new(o, "flow_table", json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "max_flows", (json_int_t)sum->max_flows,
	    "peak_active", (json_int_t)sum->table.peak_active,
	    "evicted", (json_int_t)sum->table.evicted,
	    "timed_out", (json_int_t)sum->table.timed_out,
	    "records_allocated", (json_int_t)sum->table.allocated,
	    "record_bytes", (json_int_t)sum->flow_record_bytes,
	    "peak_unpacked", (json_int_t)sum->table.unpacked_peak,
	    "peak_packed", (json_int_t)sum->table.packed_peak,
	    "peak_packed_bytes", (json_int_t)sum->table.packed_bytes_peak,
	    "packs", (json_int_t)sum->table.packs,
	    "unpacks", (json_int_t)sum->table.unpacks));
	return o;
}

static json_t *
report_tool_json(void)
{
	return json_pack("{s:s, s:s}", "name", TCPSIGHT_NAME,
	    "version", TCPSIGHT_VERSION);
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
worst_note(struct worst_list *w, const struct flow *f, const struct flow_summaries *fs)
{
	int dir, i;

	for (dir = 0; dir < 2; dir++) {
		const struct diag_summary *s = &fs->s[dir];

		if (!fs->has[dir])
			continue;
		w->verdicts[s->verdict]++;
		double stall = (s->share[LIMIT_RECEIVER] + s->share[LIMIT_LOSS]) *
		    s->transfer_s;
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
		    "verdict", diagnosis_verdict_name(s->verdict),
		    "stall_seconds", round(stall * 1e6) / 1e6, "evidence", s->evidence);
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

/*
 * The document is written at finish(), flows in id order.  Finished
 * flows are kept as their JSON text in an unnamed temporary file, with
 * only {id, offset, length} in memory, so the document's memory stays set
 * by the open connections as the NDJSON sink's does.  The flows' events
 * (--events) wait, as text too, in a table of the open flows that have
 * any, and are written into the flow's text when it ends.
 */

#define DOC_INDENT	2	/* spaces per level, as jansson's JSON_INDENT(2) */
#define DOC_FLOW_DEPTH	2	/* document { "flows": [ flow ...: level 2 */

/* Where one finished flow's text is in the spill file. */
struct doc_flow_ref {
	uint64_t id;
	uint64_t offset;
	uint64_t length;
};

/* The events of one open flow, held until it ends. */
struct doc_held_events {
	uint64_t flow;			/* hash key: the flow id */
	struct json_writer text;	/* "[ event, ... " (array left open) */
	uint32_t count;
	uint64_t dropped;		/* past max_events: counted only */
	UT_hash_handle hh;
};

struct json_doc_sink {
	struct report_sink base;
	FILE *out;
	/*
	 * Finished flows' text, in the order they ended: bytes [0, spilled)
	 * are in the temporary file, [spilled, text_len) in `pending`.  With
	 * no usable temporary file (spill == NULL) all of it is in `pending`.
	 */
	FILE *spill;		/* tmpfile(3), written and read with pwrite/pread */
	uint64_t spilled;	/* bytes in it */
	uint64_t text_len;	/* bytes of text in all */
	struct json_writer pending;	/* text not (yet) in the file */
	struct doc_flow_ref *refs;	/* one per finished flow */
	size_t ref_count;
	size_t ref_cap;
	struct doc_held_events *held;	/* uthash by flow id */
	uint32_t max_events;	/* events kept per flow */
	bool with_events;	/* give every flow an "events" array */
	struct json_writer flow_text;	/* reused for each flow */
	struct worst_list worst;
};

#define DOC_SPILL_CHUNK	(1u << 20)	/* text gathered before a pwrite(2) */

/*
 * The temporary file failed (its disk is full) or never was: bring its
 * text back into memory and go on there.  Returns 0 or TCPS_ERR_NOMEM.
 */
static int
doc_to_memory(struct json_doc_sink *d)
{
	struct json_writer all;
	char chunk[65536];
	uint64_t at = 0, on_disk = d->spilled;
	ssize_t n;

	jw_init(&all, 0);
	while (at < on_disk && !all.failed) {
		size_t want = on_disk - at < sizeof(chunk) ?
		    (size_t)(on_disk - at) : sizeof(chunk);

		n = pread(fileno(d->spill), chunk, want, (off_t)at);
		if (n <= 0)
			break;
		jw_append(&all, chunk, (size_t)n);
		at += (uint64_t)n;
	}
	jw_append(&all, d->pending.buf, d->pending.len);
	fclose(d->spill);
	d->spill = NULL;
	jw_free(&d->pending);
	d->pending = all;
	d->spilled = 0;
	return at == on_disk && !d->pending.failed && d->pending.len == d->text_len ?
	    0 : TCPS_ERR_NOMEM;
}

/* Write the pending text to the temporary file (or fall back to memory). */
static int
doc_spill(struct json_doc_sink *d)
{
	size_t off = 0;
	ssize_t n;

	while (off < d->pending.len) {
		n = pwrite(fileno(d->spill), d->pending.buf + off, d->pending.len - off,
		    (off_t)(d->spilled + off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return doc_to_memory(d);
		off += (size_t)n;
	}
	d->spilled += off;
	jw_reset(&d->pending, 0);
	return 0;
}

/* Keep one finished flow's text; its place goes into d->refs. */
static int
doc_store(struct json_doc_sink *d, uint64_t id, const char *text, size_t len)
{
	if (d->ref_count == d->ref_cap) {
		size_t cap = d->ref_cap ? d->ref_cap * 2 : 1024;
		struct doc_flow_ref *grown = realloc(d->refs, cap * sizeof(*grown));

		if (grown == NULL)
			return TCPS_ERR_NOMEM;
		d->refs = grown;
		d->ref_cap = cap;
	}
	jw_append(&d->pending, text, len);
	if (d->pending.failed)
		return TCPS_ERR_NOMEM;
	d->refs[d->ref_count++] = (struct doc_flow_ref){ id, d->text_len, len };
	d->text_len += len;
	if (d->spill != NULL && d->pending.len >= DOC_SPILL_CHUNK)
		return doc_spill(d);
	return 0;
}

static int
doc_event(struct report_sink *s, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	struct doc_held_events *h;
	uint64_t id = f->id;

	HASH_FIND(hh, d->held, &id, sizeof(id), h);
	if (h == NULL) {
		h = calloc(1, sizeof(*h));
		if (h == NULL)
			return TCPS_ERR_NOMEM;
		h->flow = id;
		/* The array sits at the flow's level + 1, its events one deeper. */
		jw_init(&h->text, DOC_INDENT);
		jw_reset(&h->text, DOC_FLOW_DEPTH + 1);
		jw_array(&h->text, NULL);
		HASH_ADD(hh, d->held, flow, sizeof(h->flow), h);
	}
	if (h->count >= d->max_events) {
		h->dropped++;
		return 0;
	}
	jw_object(&h->text, NULL);
	w_event_members(&h->text, f, dir, p, v);
	jw_end(&h->text);
	if (h->text.failed)
		return TCPS_ERR_NOMEM;
	h->count++;
	return 0;
}

static void
held_free(struct json_doc_sink *d, struct doc_held_events *h)
{
	HASH_DEL(d->held, h);
	jw_free(&h->text);
	free(h);
}

static int
doc_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	struct json_writer *w = &d->flow_text;
	struct doc_held_events *h = NULL;
	uint64_t id = f->id;

	struct flow_summaries fs;

	summarize_flow(f, &fs);
	jw_reset(w, DOC_FLOW_DEPTH);
	jw_object(w, NULL);
	w_flow_members(w, f, reason, &fs);
	if (d->with_events) {
		HASH_FIND(hh, d->held, &id, sizeof(id), h);
		if (h != NULL) {
			jw_end(&h->text);
			if (h->text.failed)	/* out of memory while held: no half array */
				w->failed = true;
			else
				jw_raw(w, "events", h->text.buf, h->text.len);
			jw_uint(w, "events_dropped", h->dropped);
			held_free(d, h);
		} else {
			jw_array(w, "events");
			jw_end(w);
			jw_uint(w, "events_dropped", 0);
		}
	}
	jw_end(w);
	worst_note(&d->worst, f, &fs);
	if (w->failed)
		return TCPS_ERR_NOMEM;
	return doc_store(d, id, w->buf, w->len);
}

static int
cmp_flow_ref(const void *a, const void *b)
{
	uint64_t ia = ((const struct doc_flow_ref *)a)->id;
	uint64_t ib = ((const struct doc_flow_ref *)b)->id;

	return (ia > ib) - (ia < ib);
}

/*
 * Write `key` and a jansson value as a member of the document's top
 * object: dumped with JSON_INDENT(2) and shifted one level right.
 */
static int
doc_member(FILE *out, const char *key, json_t *v, bool first)
{
	char *text = json_dumps(v, JSON_INDENT(DOC_INDENT) | JSON_REAL_PRECISION(16) |
	    JSON_ENCODE_ANY);
	const char *p;

	json_decref(v);
	if (text == NULL)
		return TCPS_ERR_NOMEM;
	fprintf(out, "%s\n  \"%s\": ", first ? "" : ",", key);
	for (p = text; *p != '\0'; p++) {
		putc(*p, out);
		if (*p == '\n')
			fputs("  ", out);
	}
	free(text);
	return 0;
}

/* The flows, from the temporary file and memory, in id order. */
static int
doc_flows(struct json_doc_sink *d)
{
	char *buf = NULL;
	size_t cap = 0, i;
	int rc = 0;

	if (d->ref_count > 0)
		qsort(d->refs, d->ref_count, sizeof(d->refs[0]), cmp_flow_ref);
	fputs(",\n  \"flows\": [", d->out);
	for (i = 0; i < d->ref_count && rc == 0; i++) {
		const struct doc_flow_ref *r = &d->refs[i];
		const char *text;

		if (r->offset >= d->spilled) {
			text = d->pending.buf + (r->offset - d->spilled);
		} else {
			if (r->length > cap) {
				char *grown = realloc(buf, r->length);

				if (grown == NULL) {
					rc = TCPS_ERR_NOMEM;
					break;
				}
				buf = grown;
				cap = r->length;
			}
			if (pread(fileno(d->spill), buf, r->length, (off_t)r->offset) !=
			    (ssize_t)r->length) {
				rc = TCPS_ERR_OUTPUT;
				break;
			}
			text = buf;
		}
		fputs(i == 0 ? "\n    " : ",\n    ", d->out);
		fwrite(text, 1, r->length, d->out);
	}
	fputs(d->ref_count > 0 ? "\n  ]" : "]", d->out);
	free(buf);
	return rc;
}

static int
doc_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	int rc;

	fputc('{', d->out);
	rc = doc_member(d->out, "tool", report_tool_json(), true);
	if (rc == 0)
		rc = doc_member(d->out, "capture", report_capture_json(sum), false);
	if (rc == 0)
		rc = doc_flows(d);
	if (rc == 0)
		rc = doc_member(d->out, "summary", report_summary_json(sum), false);
	if (rc == 0)
		rc = doc_member(d->out, "diagnosis", worst_json(&d->worst), false);
	if (rc == 0)
		fputs("\n}\n", d->out);
	if (rc == 0 && (fflush(d->out) != 0 || ferror(d->out)))
		rc = TCPS_ERR_OUTPUT;
	return rc;
}

static void
doc_destroy(struct report_sink *s)
{
	struct json_doc_sink *d = (struct json_doc_sink *)s;
	struct doc_held_events *h, *tmp;

	HASH_ITER(hh, d->held, h, tmp)
		held_free(d, h);
	if (d->spill != NULL)
		fclose(d->spill);
	free(d->refs);
	jw_free(&d->pending);
	jw_free(&d->flow_text);
	worst_free(&d->worst);
	free(d);
}

struct report_sink *
report_json_doc_create(FILE *out, uint32_t max_events)
{
	struct json_doc_sink *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	/* Without a writable temporary directory the text stays in memory. */
	d->spill = tmpfile();
	jw_init(&d->pending, 0);
	jw_init(&d->flow_text, DOC_INDENT);
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
	struct json_writer lines;	/* complete lines not yet written */
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
	off_t end;
	const char *buf = n->lines.buf;
	size_t len = n->lines.len, off = 0, keep;
	ssize_t w = 0;
	int saved;

	while (off < len) {
		w = write(n->fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	jw_reset(&n->lines, 0);
	if (off == len)
		return 0;
	if (w == 0)
		errno = ENOSPC;
	saved = errno;
	for (keep = off; keep > 0 && buf[keep - 1] != '\n'; keep--)
		;
	/*
	 * The file now ends with the off bytes written; cut the off - keep
	 * of an unfinished line.  Measured from the end, not from where the
	 * write began: with O_APPEND (>>) that offset said nothing.
	 */
	if (off > keep && n->regular && (end = lseek(n->fd, 0, SEEK_CUR)) >= 0 &&
	    end >= (off_t)(off - keep) &&
	    ftruncate(n->fd, end - (off_t)(off - keep)) == 0)
		(void)lseek(n->fd, end - (off_t)(off - keep), SEEK_SET);
	errno = saved;
	return TCPS_ERR_OUTPUT;
}

/*
 * A line has been written into n->lines after `mark`: end it, and write
 * when the buffer is full (or at once, live).  A line the writer could
 * not finish (out of memory) is taken back.
 */
static int
nd_line_done(struct ndjson_sink *n, size_t mark)
{
	jw_append(&n->lines, "\n", 1);
	/* Out of memory in the line or its newline: take the line back. */
	if (n->lines.failed) {
		n->lines.len = mark;
		n->lines.failed = false;
		n->lines.depth = 0;
		return TCPS_ERR_NOMEM;
	}
	if (n->flush_each_line || n->lines.len >= NDJSON_BUFFER)
		return nd_flush(n);
	return 0;
}

/* Add one jansson value as a compact line. */
static int
write_line(struct ndjson_sink *n, json_t *o)
{
	char *text = json_dumps(o, NDJSON_FLAGS);
	size_t mark = n->lines.len;

	if (text == NULL)
		return TCPS_ERR_NOMEM;
	jw_append(&n->lines, text, strlen(text));
	free(text);
	return nd_line_done(n, mark);
}

static int
nd_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct ndjson_sink *n = (struct ndjson_sink *)s;
	size_t mark = n->lines.len;
	struct flow_summaries fs;

	summarize_flow(f, &fs);
	jw_object(&n->lines, NULL);
	jw_string(&n->lines, "type", "flow");
	w_flow_members(&n->lines, f, reason, &fs);
	jw_end(&n->lines);
	worst_note(&n->worst, f, &fs);
	return nd_line_done(n, mark);
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
	size_t mark = n->lines.len;

	jw_object(&n->lines, NULL);
	jw_string(&n->lines, "type", "event");
	w_event_members(&n->lines, f, dir, p, v);
	jw_end(&n->lines);
	return nd_line_done(n, mark);
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
	jw_free(&n->lines);
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
	jw_init(&n->lines, 0);
	n->base.event = nd_event;
	n->base.stats = nd_stats;
	n->base.flow_end = nd_flow_end;
	n->base.finish = nd_finish;
	n->base.destroy = nd_destroy;
	return &n->base;
}
