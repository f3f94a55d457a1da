/*
 * pipeline.c - drive one pass: capture -> decode -> flow -> state ->
 * analysis, with finished connections handed to the sink.
 *
 * The loop body is the per-packet path: it allocates nothing and
 * formats nothing (messages are written only when an input fails).
 * Time is packet time: idle expiry runs every EXPIRY_INTERVAL_NS of
 * capture time, so a run over a file is reproducible.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "decode.h"
#include "pipeline.h"
#include "read_ahead.h"
#include "tcpsight.h"
#include "tunables.h"

/* State of one run, shared with the flow table's end callback. */
struct run {
	struct report_sink *sink;
	volatile sig_atomic_t *stop;	/* set by a signal handler */
	uint64_t max_packets;	/* -c; 0 = no limit */
	bool live;		/* reading an interface */
	bool dump;		/* -w is open: copy every frame */
	bool opened_once;	/* the after-open hook has run */
	uint64_t stats_interval_ns;	/* live stats period; 0 = none */
	uint64_t next_stats_ns;	/* wall clock of the next stats record */
	uint64_t deadline_ns;	/* --duration: wall clock to stop at; 0 = none */
	uint64_t next_view_ns;	/* wall clock of the next live view */
	uint64_t next_tick_ns;	/* packet time of the next live tick */
	uint64_t clock_ns;	/* packet time that drives idle expiry */
	const struct pipeline_options *opt;
	size_t input;		/* index of the input being read */
	uint64_t next_progress_ns;	/* wall clock of the next progress report */
	uint64_t max_timeout_ns;	/* the longest idle timeout */
	uint64_t jump_ns;	/* a far-ahead time not yet confirmed */
	bool jump_pending;
	bool events;		/* hand flagged segments to the sink */
	bool series;		/* give each connection a window series */
	struct read_ahead *ahead;	/* the input's reading thread, or NULL */
	struct run_summary *sum;
	struct flow_table *table;
	struct flow *view;	/* copies of the live view's rows; NULL without one */
	int sink_error;		/* first error a sink returned; stops the run */
};

static void
add_message(struct run_summary *sum, const char *fmt, ...)
{
	va_list ap;

	if (sum->message_count >= REPORT_MAX_MESSAGES)
		return;	/* the first ones say what matters */
	va_start(ap, fmt);
	vsnprintf(sum->messages[sum->message_count++], REPORT_MESSAGE_LEN, fmt, ap);
	va_end(ap);
}

static void
note_linktype(struct run_summary *sum, int linktype)
{
	size_t i;

	for (i = 0; i < sum->linktype_count; i++)
		if (sum->linktypes[i] == linktype)
			return;
	if (sum->linktype_count < REPORT_MAX_LINKTYPES)
		sum->linktypes[sum->linktype_count++] = linktype;
}

/* Flow table callback: count the flow and hand it to the sink. */
static void
on_flow_end(void *arg, struct flow *f, enum flow_end_reason reason)
{
	struct run *run = arg;
	int rc;

	analysis_finish(&f->an, f->last_ns);
	diagnosis_finish(&f->diag, f->last_ns);
	reason = report_end_reason(f, reason);
	run->sum->by_end_reason[reason]++;
	run->sum->by_conn_state[tcp_state_conn_state(&f->tcp)]++;
	if (run->sink_error != 0) {
		free(f->series);	/* output already failed: do not write more */
		f->series = NULL;
		return;
	}
	rc = run->sink->flow_end(run->sink, f, reason);
	if (rc != 0)
		run->sink_error = rc;
	free(f->series);
	f->series = NULL;
}

/*
 * tshark's rule for a new connection on a known 4-tuple (its tcp.stream):
 * a SYN without ACK whose sequence number differs from the direction's
 * base (its ISN, or the first sequence number seen minus one).
 */
static bool
syn_starts_new_connection(const struct flow *f, int dir, const struct packet *p)
{
	const struct dir_analysis *d = &f->an.dir[dir];

	if ((p->flags & (TH_SYN | TH_ACK)) != TH_SYN)
		return false;
	return d->base_known && p->seq != d->base_seq;
}

/*
 * tcp_state_is_closed() and tcp_state_is_opening(), inline: this runs for
 * every segment.
 */
static inline enum flow_class
class_of(const struct flow *f)
{
	const struct tcp_conn_state *cs = &f->tcp;
	const unsigned opening = (1u << TCP_SYN_SENT) | (1u << TCP_SYN_RCVD) |
	    (1u << TCP_LISTEN);

	if (cs->rst_sent[0] || cs->rst_sent[1] || (cs->fin_sent[0] && cs->fin_sent[1]))
		return FLOW_CLASS_CLOSED;
	if (((1u << cs->state[EP_CLIENT]) | (1u << cs->state[EP_SERVER])) & opening)
		return FLOW_CLASS_OPENING;
	return FLOW_CLASS_ESTABLISHED;
}

/* The per-packet path for one decoded TCP segment. */
static int
process_segment(struct run *run, const struct packet *p)
{
	struct seg_verdict v;
	struct flow *f;
	bool reused = false;
	int dir, i, rc;

	f = flow_table_find(run->table, p, &dir);
	if (f == NULL && dir < 0)
		return TCPS_ERR_NOMEM;	/* a packed connection could not be unpacked */
	if (f != NULL && syn_starts_new_connection(f, dir, p)) {
		flow_table_end(run->table, f, FLOW_END_PORT_REUSE);
		f = NULL;
		reused = true;
	}
	if (f == NULL) {
		/* A SYN/ACK's receiver is the client; otherwise the sender is. */
		bool sender_is_client = (p->flags & (TH_SYN | TH_ACK)) !=
		    (TH_SYN | TH_ACK);

		f = flow_table_add(run->table, p, sender_is_client, &dir);
		if (f == NULL)
			return TCPS_ERR_NOMEM;
		/* Once per connection, only when asked for: not per packet. */
		if (run->series && (f->series = series_create()) == NULL)
			return TCPS_ERR_NOMEM;
	}
	f->last_frame = p->frame;
	if (p->ts_ns < f->first_ns)
		f->first_ns = p->ts_ns;	/* the capture's clock ran backwards */
	tcp_state_update(&f->tcp, dir, p);
	analysis_update(&f->an, dir, p, reused, &v);
	diagnosis_update(&f->diag, &f->an, dir, p, &v, f->series,
	    flow_table_diag_pool(run->table));
	if (v.flags != 0) {
		run->sum->flagged_segments++;
		for (i = 0; i < SEG_FLAG_COUNT; i++)
			if (v.flags & SEG_BIT(i))
				run->sum->flag_totals[i]++;
		if (v.flags & SEG_BIT(SEG_RETRANSMISSION))
			tcp_state_note_history(&f->tcp, dir, HIST_RETRANSMIT);
		if (v.flags & SEG_BIT(SEG_LOST_SEGMENT))
			tcp_state_note_history(&f->tcp, dir, HIST_GAP);
		if (run->events && run->sink->event != NULL) {
			rc = run->sink->event(run->sink, f, dir, p, &v);
			if (rc != 0)
				return rc;
		}
	}
	flow_table_touch(run->table, f, p->ts_ns, class_of(f));
	return 0;
}

static uint64_t
wall_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Live capture: a stats record for the sink. */
static int
emit_stats(struct run *run, struct capture *cap, uint64_t now_ns)
{
	const struct flow_table_stats *ft = flow_table_stats(run->table);
	struct live_stats *st = &run->sum->last_stats;
	struct capture_stats cs;

	memset(st, 0, sizeof(*st));
	st->wall_ns = now_ns;
	st->packets = run->sum->packets;
	st->wire_bytes = run->sum->wire_bytes;
	st->tcp_packets = run->sum->tcp_packets;
	if (capture_get_stats(cap, &cs)) {
		st->kernel_received = cs.received;
		st->kernel_dropped = cs.dropped;
		st->if_dropped = cs.if_dropped;
	}
	st->active_flows = ft->active;
	st->flow_memory_bytes = ft->allocated * flow_record_size() + ft->packed_bytes;
	st->evicted = ft->evicted;
	st->timed_out = ft->timed_out;
	if (run->sink->stats == NULL || run->stats_interval_ns == 0)
		return 0;	/* counted for the summary, not shown */
	return run->sink->stats(run->sink, st);
}

/* The live view's order: the most troubled, then the busiest, first. */
static uint64_t
view_rank(const struct flow *f)
{
	const struct dir_analysis *c = &f->an.dir[DIR_C2S], *s = &f->an.dir[DIR_S2C];
	uint64_t trouble;

	trouble = (uint64_t)c->flag_count[SEG_RETRANSMISSION] +
	    s->flag_count[SEG_RETRANSMISSION] + c->zero_window_episodes +
	    s->zero_window_episodes + c->flag_count[SEG_LOST_SEGMENT] +
	    s->flag_count[SEG_LOST_SEGMENT];
	return (trouble << 40) + c->payload_bytes + s->payload_bytes;
}

/* Once a second of a live capture: hand the sink a view of open connections. */
static int
emit_live_view(struct run *run, uint64_t now_ns)
{
	const struct flow *flows[LIVE_VIEW_ROWS];
	struct live_stats st;
	size_t i, n;

	if (run->view == NULL || now_ns < run->next_view_ns)
		return 0;
	run->next_view_ns = now_ns + LIVE_VIEW_INTERVAL_NS;
	n = flow_table_top(run->table, run->view, LIVE_VIEW_ROWS);
	for (i = 0; i < n; i++)
		flows[i] = &run->view[i];
	/* The counters as of now, kernel drops as of the last stats record. */
	st = run->sum->last_stats;
	st.wall_ns = now_ns;
	st.packets = run->sum->packets;
	st.wire_bytes = run->sum->wire_bytes;
	st.tcp_packets = run->sum->tcp_packets;
	st.active_flows = flow_table_stats(run->table)->active;
	return run->sink->live_view(run->sink, flows, n, &st);
}

/*
 * Between frames of a live capture, and every so many frames: stop at
 * the deadline, write stats, and expire idle connections by the wall
 * clock when no frame brings packet time forward.  False: stop reading.
 */
static bool
live_tick(struct run *run, struct capture *cap)
{
	uint64_t now = wall_clock_ns();

	if (run->deadline_ns != 0 && now >= run->deadline_ns) {
		run->sum->interrupted = true;
		return false;
	}
	if (run->stats_interval_ns != 0 && now >= run->next_stats_ns) {
		int rc = emit_stats(run, cap, now);

		if (rc != 0 && run->sink_error == 0)
			run->sink_error = rc;
		run->next_stats_ns = now + run->stats_interval_ns;
	}
	if (now > run->sum->last_ns + EXPIRY_INTERVAL_NS)
		flow_table_expire(run->table, now);
	if (emit_live_view(run, now) != 0 && run->sink_error == 0)
		run->sink_error = TCPS_ERR_OUTPUT;
	return run->sink_error == 0;
}

/*
 * The packet-time clock that expires idle connections.  One packet
 * stamped far in the future (a broken clock, a corrupt record) must not
 * end every open connection: a jump longer than the longest idle timeout
 * is believed only when the next packet confirms it.
 */
static void
advance_expiry_clock(struct run *run, uint64_t ts_ns)
{
	if (ts_ns <= run->clock_ns)
		return;
	if (run->clock_ns != 0 && ts_ns - run->clock_ns > run->max_timeout_ns) {
		if (!run->jump_pending ||
		    ts_ns + run->max_timeout_ns < run->jump_ns) {
			run->jump_pending = true;	/* wait for a second opinion */
			run->jump_ns = ts_ns;
			return;
		}
	}
	run->jump_pending = false;
	run->clock_ns = ts_ns;
}

static void
report_progress(struct run *run, struct capture *cap)
{
	uint64_t now = wall_clock_ns(), done, total;

	if (now < run->next_progress_ns)
		return;
	run->next_progress_ns = now + PROGRESS_INTERVAL_NS;
	if (!(run->ahead != NULL ? read_ahead_progress(run->ahead, &done, &total) :
	    capture_progress(cap, &done, &total)))
		done = total = 0;
	run->opt->progress(run->opt->progress_arg, run->input, done, total,
	    run->sum->packets);
}

/* Whether the user asked to stop: a signal, or -c reached. */
static bool
should_stop(struct run *run, uint64_t frame)
{
	if (run->stop != NULL && *run->stop) {
		run->sum->interrupted = true;
		return true;
	}
	if (run->max_packets != 0 && frame >= run->max_packets) {
		run->sum->interrupted = true;
		return true;
	}
	return false;
}

/*
 * Account for one frame read and analyse its segment (fr->decode says
 * whether it is one).  Returns 0, 1 to stop reading (a live deadline or a
 * sink error), or a fatal enum tcps_err.
 */
static int
take_frame(struct run *run, struct capture *cap, struct frame *fr,
    uint64_t *frame, uint64_t *next_expiry_ns)
{
	struct run_summary *sum = run->sum;
	int rc;

	++*frame;
	sum->packets++;
	sum->wire_bytes += fr->wire_len;
	if (sum->packets == 1 || fr->ts_ns < sum->first_ns)
		sum->first_ns = fr->ts_ns;
	if (fr->ts_ns > sum->last_ns)
		sum->last_ns = fr->ts_ns;
	/* Every 64k frames, at most a few times a second: how far. */
	if (run->opt->progress != NULL && (*frame & 0xffff) == 0)
		report_progress(run, cap);
	/* Live frames carry the wall clock: tick by them, no syscall. */
	if (run->live && fr->ts_ns >= run->next_tick_ns) {
		run->next_tick_ns = fr->ts_ns + LIVE_TICK_NS;
		if (!live_tick(run, cap))
			return 1;
	}
	if (fr->decode != DECODE_OK) {
		sum->skipped[fr->decode]++;
		return 0;
	}
	sum->tcp_packets++;
	fr->pkt.ts_ns = fr->ts_ns;
	fr->pkt.frame = *frame;
	rc = process_segment(run, &fr->pkt);
	if (rc != 0)
		return rc;
	advance_expiry_clock(run, fr->ts_ns);
	if (run->clock_ns >= *next_expiry_ns) {
		flow_table_expire(run->table, run->clock_ns);
		*next_expiry_ns = run->clock_ns + EXPIRY_INTERVAL_NS;
	}
	return run->sink_error != 0;
}

/* Frames decoded by the reading thread (--threads 2). */
static enum capture_status
read_from_thread(struct run *run, struct capture *cap, uint64_t *frame,
    uint64_t *next_expiry_ns, int *rc)
{
	enum capture_status cs;
	struct frame *fr;

	for (;;) {
		if (should_stop(run, *frame))
			return CAPTURE_END;
		if ((fr = read_ahead_next(run->ahead, &cs)) == NULL)
			return cs;
		*rc = take_frame(run, cap, fr, frame, next_expiry_ns);
		if (*rc != 0)
			return CAPTURE_END;
	}
}

/* Frames read and decoded here, one at a time. */
static enum capture_status
read_here(struct run *run, struct capture *cap, uint64_t *frame,
    uint64_t *next_expiry_ns, int *rc)
{
	struct capture_view view;
	enum capture_status cs;
	struct frame fr;

	for (;;) {
		if (should_stop(run, *frame))
			return CAPTURE_END;
		cs = capture_next(cap, &view);
		if (cs == CAPTURE_TIMEOUT) {
			if (!live_tick(run, cap))
				return CAPTURE_END;
			continue;
		}
		if (cs != CAPTURE_PACKET)
			return cs;
		if (run->dump)
			capture_dump_last(cap);
		frame_decode(&fr, &view);
		*rc = take_frame(run, cap, &fr, frame, next_expiry_ns);
		if (*rc != 0)
			return CAPTURE_END;
	}
}

/*
 * Read one input to its end.  Returns 0 or a fatal enum tcps_err.  A
 * file on disk is read ahead on a second thread if asked for, unless -w
 * copies the frames (each is copied when read: none past a stop
 * request).  Not standard input or a pipe: a read there can wait for
 * ever, and a stop request could not end it.
 */
static int
read_input(struct run *run, struct capture *cap, const char *name,
    uint64_t *frame, uint64_t *next_expiry_ns)
{
	struct run_summary *sum = run->sum;
	enum capture_status cs;
	int rc = 0;

	if (run->opt->read_ahead && capture_is_disk_file(cap) && !run->dump)
		(void)read_ahead_start(&run->ahead, cap, run->max_packets != 0 ?
		    run->max_packets - *frame : 0);	/* if not, read here */
	if (run->ahead != NULL) {
		cs = read_from_thread(run, cap, frame, next_expiry_ns, &rc);
		read_ahead_finish(&run->ahead);
	} else
		cs = read_here(run, cap, frame, next_expiry_ns, &rc);
	if (rc < 0)
		return rc;
	if (run->sink_error != 0)
		return run->sink_error;
	if (cs == CAPTURE_DAMAGED) {
		sum->truncated = true;
		add_message(sum, "%s: %s after frame %llu: %s", name,
		    run->live ? "capture failed" : "damaged",
		    (unsigned long long)*frame, capture_error(cap));
	}
	return 0;
}

/*
 * Open input i (a file, or the interface), then -w and the after-open
 * hook.  *fatal tells a failure that must stop the run (the interface,
 * the filter, -w, the hook) from a capture file that merely cannot be
 * read (the run goes on with the next one).
 */
static int
open_input(struct run *run, const struct pipeline_options *opt, size_t i,
    struct capture **cap, char *err, size_t errlen, bool *fatal)
{
	int rc;

	if (opt->live != NULL)
		rc = capture_open_live(cap, opt->live, opt->filter, err, errlen);
	else
		rc = capture_open_offline(cap, opt->inputs[i], opt->filter, err, errlen);
	*fatal = rc != 0 && (opt->live != NULL || rc == TCPS_ERR_FILTER);
	if (rc != 0)
		return rc;
	if (opt->write_file != NULL && !run->opened_once) {
		rc = capture_dump_open(*cap, opt->write_file, err, errlen);
		run->dump = rc == 0;
	}
	if (rc == 0 && opt->after_open != NULL && !run->opened_once &&
	    opt->after_open(opt->after_open_arg, err, errlen) != 0)
		rc = TCPS_ERR_USAGE;
	run->opened_once = true;
	if (rc != 0) {
		*fatal = true;
		capture_close(cap);
	}
	return rc;
}

int
pipeline_run(const struct pipeline_options *opt, struct report_sink *sink,
    struct run_summary *sum)
{
	char err[REPORT_MESSAGE_LEN];
	struct run run = { .sink = sink, .sum = sum, .events = opt->events, .opt = opt,
	    .series = opt->series, .stop = opt->stop,
	    .max_packets = opt->max_packets, .live = opt->live != NULL,
	    .stats_interval_ns = opt->live != NULL ? opt->stats_interval_ns : 0 };
	struct capture *cap;
	uint64_t frame = 0, next_expiry_ns = 0;
	size_t i, opened = 0, count;
	bool fatal;
	int rc = 0, lt;

	count = opt->live != NULL ? 1 : opt->input_count;
	sum->files = opt->live != NULL ? &opt->live->device : opt->inputs;
	sum->file_count = count;
	sum->live = opt->live != NULL;
	sum->max_flows = opt->limits.max_flows;
	sum->events_reported = opt->events;
	sum->flow_record_bytes = flow_record_size();
	for (i = 0; i < FLOW_CLASS_COUNT; i++)
		if (opt->limits.timeout_ns[i] > run.max_timeout_ns)
			run.max_timeout_ns = opt->limits.timeout_ns[i];
	run.table = flow_table_create(&opt->limits, on_flow_end, &run);
	if (run.table == NULL)
		return TCPS_ERR_NOMEM;
	if (opt->live != NULL && sink->live_view != NULL) {
		run.view = calloc(LIVE_VIEW_ROWS, sizeof(*run.view));
		if (run.view == NULL) {
			flow_table_free(&run.table);
			return TCPS_ERR_NOMEM;
		}
		flow_table_set_rank(run.table, view_rank);
	}

	for (i = 0; i < count && rc == 0 && !sum->interrupted; i++) {
		const char *name = sum->files[i];

		rc = open_input(&run, opt, i, &cap, err, sizeof(err), &fatal);
		if (fatal) {
			sum->message_count = 0;
			if (rc == TCPS_ERR_USAGE)	/* the after-open hook: not the input's fault */
				add_message(sum, "%s", err);
			else
				add_message(sum, "%s: %s", name, err);
			if (rc != TCPS_ERR_FILTER)
				rc = TCPS_ERR_OPEN;
			break;
		}
		if (rc != 0) {
			add_message(sum, "%s: %s", name, err);
			rc = 0;
			continue;
		}
		opened++;
		lt = capture_linktype(cap);
		note_linktype(sum, lt);
		if (!decode_linktype_supported(lt))
			add_message(sum, "%s: link type %d (%s) is not supported; "
			    "its frames are counted as skipped", name, lt,
			    capture_linktype_name(lt));
		if (run.live) {
			uint64_t now = wall_clock_ns();

			run.next_stats_ns = now + run.stats_interval_ns;
			run.deadline_ns = opt->duration_ns ? now + opt->duration_ns : 0;
		}
		run.input = i;
		rc = read_input(&run, cap, name, &frame, &next_expiry_ns);
		if (opt->progress != NULL && !run.live)
			opt->progress(opt->progress_arg, i, 0, 0, sum->packets);
		if (run.live)
			(void)emit_stats(&run, cap, wall_clock_ns());
		if (run.dump && capture_dump_flush(cap) != 0 && rc == 0)
			add_message(sum, "%s: cannot write", opt->write_file);
		capture_close(&cap);
	}
	if (rc == 0 && opened == 0)
		rc = TCPS_ERR_OPEN;
	if (rc == TCPS_ERR_OPEN || rc == TCPS_ERR_FILTER) {
		flow_table_free(&run.table);
		free(run.view);
		return rc;
	}
	/* Earlier inputs that failed to open count as damage once one opened. */
	if (opened < count && !sum->interrupted)
		sum->truncated = true;
	if (flow_table_end_all(run.table, FLOW_END_END_OF_INPUT) != 0 && rc == 0)
		rc = TCPS_ERR_NOMEM;
	sum->table = *flow_table_stats(run.table);
	flow_table_free(&run.table);
	free(run.view);
	if (rc == 0 && run.sink_error != 0)
		rc = run.sink_error;
	if (rc == 0 || rc == TCPS_ERR_NOMEM) {
		int frc = sink->finish(sink, sum);

		if (rc == 0)
			rc = frc;
	}
	return rc;
}
