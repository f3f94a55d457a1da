/*
 * report_text.c - the terminal table.
 *
 * Keeps one small row per connection (not the flow record) and prints
 * the table, worst first, when the run is over.  In detail mode (--flow)
 * each connection's full detail (report_detail.c) is rendered as it ends
 * and printed, in id order, instead of the table.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "tunables.h"
#include "tcpsight.h"

#define ENDPOINT_LEN	(INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

/* What the table shows of one connection. */
struct text_row {
	uint64_t id;
	char client[ENDPOINT_LEN];
	char server[ENDPOINT_LEN];
	const char *conn_state;		/* static string */
	const char *end_reason;		/* static string */
	uint64_t duration_ns;
	uint64_t packets;		/* both directions */
	uint64_t payload[2];		/* c2s, s2c payload bytes */
	uint32_t retrans;		/* retransmitted segments, both directions */
	uint32_t dupacks;		/* duplicate ACKs, both directions */
	uint32_t out_of_order;
	uint32_t lost;			/* gaps: segments not captured */
	uint32_t zero_windows;		/* zero-window episodes */
	uint64_t problems;		/* sort key: the counts above, summed */
	double stall_s;			/* receiver-limited + loss-recovery time */
	char *diagnosis;		/* "c2s: verdict: evidence" lines, or NULL */
	char *detail;			/* detail mode: the rendered detail, or NULL */
	char history[HISTORY_MAX + 1];
};

struct text_sink {
	struct report_sink base;
	FILE *out;
	bool live_screen;	/* redraw a live view: live capture on a terminal */
	size_t top;		/* rows shown at most; 0 = all (--top) */
	bool only_problems;	/* hide rows without problems (--only-problems) */
	bool color;		/* ANSI colours (--color, NO_COLOR) */
	bool detail;		/* print each connection in full, not the table (--flow) */
	struct text_row *rows;
	size_t count;
	size_t cap;
};

void
report_format_addr(const struct flow *f, int side, char *buf, size_t len)
{
	const uint8_t *a = f->key.addr[side];

	/* IPv4 by hand: glibc's inet_ntop goes through sprintf, per flow. */
	if (f->key.ip_version == 4 && len >= INET_ADDRSTRLEN) {
		char *p = buf;
		int i;

		for (i = 0; i < 4; i++) {
			if (a[i] >= 100)
				*p++ = (char)('0' + a[i] / 100);
			if (a[i] >= 10)
				*p++ = (char)('0' + a[i] / 10 % 10);
			*p++ = (char)('0' + a[i] % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
	} else {
		inet_ntop(f->key.ip_version == 4 ? AF_INET : AF_INET6, a, buf,
		    (socklen_t)len);
	}
}

void
report_format_endpoint(const struct flow *f, int side, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	report_format_addr(f, side, addr, sizeof(addr));
	if (f->key.ip_version == 6)
		snprintf(buf, len, "[%s]:%u", addr, f->key.port[side]);
	else
		snprintf(buf, len, "%s:%u", addr, f->key.port[side]);
}

void
report_format_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f KB", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", (double)n / 1e9);
}

void
report_format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000000)
		snprintf(buf, len, "%llu us", (unsigned long long)(ns / 1000));
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}

/* Fill *r from connection f; `end` is its end reason's name, or "open". */
static int
fill_row(struct text_row *r, const struct flow *f, const char *end)
{
	int d;

	r->id = f->id;
	report_format_endpoint(f, f->client_side, r->client, sizeof(r->client));
	report_format_endpoint(f, !f->client_side, r->server, sizeof(r->server));
	r->conn_state = conn_state_name(tcp_state_conn_state(&f->tcp));
	r->end_reason = end;
	r->duration_ns = f->last_ns - f->first_ns;
	r->packets = f->an.dir[DIR_C2S].packets + f->an.dir[DIR_S2C].packets;
	r->payload[0] = f->an.dir[DIR_C2S].payload_bytes;
	r->payload[1] = f->an.dir[DIR_S2C].payload_bytes;
	memcpy(r->history, f->tcp.history, sizeof(r->history));
	r->retrans = r->dupacks = r->out_of_order = r->lost = r->zero_windows = 0;
	for (d = 0; d < 2; d++) {
		const struct dir_analysis *da = &f->an.dir[d];

		r->retrans += da->flag_count[SEG_RETRANSMISSION];
		r->dupacks += da->flag_count[SEG_DUPLICATE_ACK];
		r->out_of_order += da->flag_count[SEG_OUT_OF_ORDER];
		r->lost += da->flag_count[SEG_LOST_SEGMENT];
		r->zero_windows += da->zero_window_episodes;
	}
	r->problems = (uint64_t)r->retrans + r->dupacks + r->out_of_order +
	    r->lost + r->zero_windows;
	r->stall_s = 0;
	r->diagnosis = NULL;
	r->detail = NULL;
	for (d = 0; d < 2; d++) {
		struct diag_summary ds;
		char line[sizeof(ds.evidence) + 64];
		size_t old_len, add;
		char *grown;

		if (!diagnosis_summarize(&f->diag, &f->an, d, &ds))
			continue;
		r->stall_s += (ds.share[LIMIT_RECEIVER] + ds.share[LIMIT_LOSS]) *
		    ds.transfer_s;
		if (ds.verdict == VERDICT_HEALTHY ||
		    (ds.verdict == VERDICT_SENDER_LIMITED &&
		    f->an.dir[d].payload_bytes < TEXT_SENDER_LIMITED_MIN_BYTES))
			continue;
		add = (size_t)snprintf(line, sizeof(line), "       %s %s (%.2f): %s\n",
		    d == DIR_C2S ? "c2s" : "s2c", diagnosis_verdict_name(ds.verdict),
		    ds.confidence, ds.evidence);
		if (add >= sizeof(line))
			add = sizeof(line) - 1;
		old_len = r->diagnosis ? strlen(r->diagnosis) : 0;
		grown = realloc(r->diagnosis, old_len + add + 1);
		if (grown == NULL)
			return TCPS_ERR_NOMEM;
		memcpy(grown + old_len, line, add + 1);
		r->diagnosis = grown;
	}
	return 0;
}

static int
text_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct text_sink *t = (struct text_sink *)s;
	struct text_row *r;
	size_t len;
	FILE *mem;
	int rc;

	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct text_row *n = realloc(t->rows, ncap * sizeof(*n));

		if (n == NULL)
			return TCPS_ERR_NOMEM;
		t->rows = n;
		t->cap = ncap;
	}
	r = &t->rows[t->count++];
	memset(r, 0, sizeof(*r));	/* a row cut short by an error stays safe */
	if ((rc = fill_row(r, f, flow_end_reason_name(reason))) != 0 || !t->detail)
		return rc;
	/* The flow record is gone after this call: render the detail now. */
	if ((mem = open_memstream(&r->detail, &len)) == NULL)
		return TCPS_ERR_NOMEM;
	rc = report_detail_write(mem, f, reason, t->color);
	if (fclose(mem) != 0 && rc == 0)
		rc = TCPS_ERR_NOMEM;
	return rc != 0 ? TCPS_ERR_NOMEM : 0;
}

/* Worst first: longest stall, most problems, then in id order. */
static int
cmp_row_worst(const void *a, const void *b)
{
	const struct text_row *ra = a, *rb = b;

	if (ra->stall_s != rb->stall_s)
		return ra->stall_s < rb->stall_s ? 1 : -1;
	if (ra->problems != rb->problems)
		return ra->problems < rb->problems ? 1 : -1;
	return (ra->id > rb->id) - (ra->id < rb->id);
}

/* In id order (the detail view). */
static int
cmp_row_id(const void *a, const void *b)
{
	const struct text_row *ra = a, *rb = b;

	return (ra->id > rb->id) - (ra->id < rb->id);
}

/*
 * The header's "problems" line: the segments of every connection with
 * the flags a user looks for first (summary.flags in the JSON).
 */
static void
print_problems(FILE *out, const struct run_summary *sum)
{
	static const struct {
		enum seg_flag flag;
		const char *one, *many;
	} shown[] = {
		{ SEG_RETRANSMISSION, "retransmission", "retransmissions" },
		{ SEG_LOST_SEGMENT, "segment missing from the capture",
		    "segments missing from the capture" },
		{ SEG_OUT_OF_ORDER, "out-of-order segment", "out-of-order segments" },
		{ SEG_DUPLICATE_ACK, "duplicate ACK", "duplicate ACKs" },
		{ SEG_ZERO_WINDOW, "zero-window segment", "zero-window segments" },
	};
	const char *sep = "";
	size_t i;

	fputs("  problems:", out);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		uint64_t n = sum->flag_totals[shown[i].flag];

		if (n == 0)
			continue;
		fprintf(out, "%s %llu %s", sep, (unsigned long long)n,
		    n == 1 ? shown[i].one : shown[i].many);
		sep = ",";
	}
	fputs(*sep ? "\n" : " none found\n", out);
}

static void
print_header(FILE *out, const struct run_summary *sum)
{
	uint64_t flows = 0;
	char span[32];
	size_t i;

	/* Every connection, also those a --flow filter kept from this sink. */
	for (i = 0; i < FLOW_END_REASON_COUNT; i++)
		flows += sum->by_end_reason[i];
	report_format_duration(sum->last_ns - sum->first_ns, span, sizeof(span));
	fprintf(out, "%s:", TCPSIGHT_NAME);
	for (i = 0; i < sum->file_count; i++)
		fprintf(out, " %s", sum->files[i]);
	fprintf(out, "\n  %llu packets (%llu TCP), %llu TCP connection%s, "
	    "span %s%s\n", (unsigned long long)sum->packets,
	    (unsigned long long)sum->tcp_packets, (unsigned long long)flows,
	    flows == 1 ? "" : "s",
	    span, sum->truncated ? ", input truncated" : "");
	print_problems(out, sum);
	for (i = 1; i < DECODE_STATUS_COUNT; i++)
		if (sum->skipped[i] != 0)
			fprintf(out, "  skipped %llu %s\n",
			    (unsigned long long)sum->skipped[i],
			    decode_status_name((enum decode_status)i));
}

/* The table: a heading line and a line per row, diagnosis under it. */
static void
print_rows(FILE *out, const struct text_row *rows, size_t n, bool color)
{
	/* Problems in red, the diagnosis in yellow (only when colour is on). */
	const char *red = color ? "\033[31m" : "", *yellow = color ? "\033[33m" : "";
	const char *off = color ? "\033[0m" : "";
	const char *line, *end;
	char dur[32], up[32], down[32];
	size_t i;

	if (n > 0)
		fprintf(out, "\n%5s  %-24s  %-24s  %-6s  %9s  %7s  %10s  %10s  "
		    "%5s %6s %4s %4s %3s  %-12s  %s\n",
		    "ID", "CLIENT", "SERVER", "STATE", "DURATION", "PKTS",
		    "C2S DATA", "S2C DATA", "RETX", "DUPACK", "OOO", "LOST", "ZW",
		    "END", "HISTORY");
	for (i = 0; i < n; i++) {
		const struct text_row *r = &rows[i];

		report_format_duration(r->duration_ns, dur, sizeof(dur));
		report_format_bytes(r->payload[0], up, sizeof(up));
		report_format_bytes(r->payload[1], down, sizeof(down));
		fprintf(out, "%5llu  %-24s  %-24s  %-6s  %9s  %7llu  %10s  %10s  "
		    "%s%5u %6u %4u %4u %3u%s  %-12s  %s\n",
		    (unsigned long long)r->id, r->client, r->server,
		    r->conn_state, dur, (unsigned long long)r->packets, up, down,
		    r->problems ? red : "", r->retrans, r->dupacks, r->out_of_order,
		    r->lost, r->zero_windows, r->problems ? off : "", r->end_reason,
		    r->history);
		for (line = r->diagnosis; line != NULL && *line != '\0'; line = end + 1) {
			end = strchr(line, '\n');
			if (end == NULL)
				end = line + strlen(line) - 1;
			fprintf(out, "%s%.*s%s\n", yellow, (int)(end - line), line, off);
		}
	}
}

static int
text_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct text_sink *t = (struct text_sink *)s;
	size_t i, kept, shown;

	if (t->count > 0)
		qsort(t->rows, t->count, sizeof(*t->rows),
		    t->detail ? cmp_row_id : cmp_row_worst);
	if (t->live_screen)
		fputs("\033[H\033[2J", t->out);	/* replace the live view */
	print_header(t->out, sum);
	if (t->detail) {
		for (i = 0; i < t->count; i++)
			if (t->rows[i].detail != NULL)	/* NULL: out of memory */
				fputs(t->rows[i].detail, t->out);
		if (fflush(t->out) != 0 || ferror(t->out))
			return TCPS_ERR_OUTPUT;
		return 0;
	}
	if (t->only_problems) {
		/* Keep the troubled rows, in their order (worst first). */
		for (i = kept = 0; i < t->count; i++) {
			if (t->rows[i].problems == 0 && t->rows[i].diagnosis == NULL) {
				free(t->rows[i].diagnosis);
				continue;
			}
			t->rows[kept++] = t->rows[i];
		}
		shown = kept;
		t->count = kept;
	} else {
		shown = t->count;
	}
	if (t->top != 0 && shown > t->top)
		shown = t->top;
	print_rows(t->out, t->rows, shown, t->color);
	if (shown < t->count)
		fprintf(t->out, "  (%zu more connection%s not shown)\n", t->count - shown,
		    t->count - shown == 1 ? "" : "s");
	if (fflush(t->out) != 0 || ferror(t->out))
		return TCPS_ERR_OUTPUT;
	return 0;
}

/*
 * Live capture on a terminal: redraw the screen with the busiest and
 * most troubled open connections, like top(1).
 */
static int
text_live_view(struct report_sink *s, const struct flow *const *flows, size_t n,
    const struct live_stats *st)
{
	struct text_sink *t = (struct text_sink *)s;
	struct text_row rows[LIVE_VIEW_ROWS];
	size_t i, shown = n < LIVE_VIEW_ROWS ? n : LIVE_VIEW_ROWS;
	int rc = 0;

	if (!t->live_screen)
		return 0;
	for (i = 0; i < shown && rc == 0; i++)
		rc = fill_row(&rows[i], flows[i], "open");
	if (rc == 0) {
		qsort(rows, shown, sizeof(rows[0]), cmp_row_worst);
		fprintf(t->out, "\033[H\033[2J%s: %llu packets, %llu TCP, %llu open "
		    "connections, %zu finished, kernel drops %llu (Ctrl-C to stop)\n",
		    TCPSIGHT_NAME, (unsigned long long)st->packets,
		    (unsigned long long)st->tcp_packets,
		    (unsigned long long)st->active_flows, t->count,
		    (unsigned long long)st->kernel_dropped);
		print_rows(t->out, rows, shown, t->color);
	}
	while (i-- > 0)
		free(rows[i].diagnosis);
	if (rc == 0 && fflush(t->out) != 0)
		rc = TCPS_ERR_OUTPUT;
	return rc;
}

static void
text_destroy(struct report_sink *s)
{
	struct text_sink *t = (struct text_sink *)s;
	size_t i;

	for (i = 0; i < t->count; i++) {
		free(t->rows[i].diagnosis);
		free(t->rows[i].detail);
	}
	free(t->rows);
	free(t);
}

struct report_sink *
report_text_create(FILE *out, bool live_screen)
{
	struct text_sink *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->live_screen = live_screen;
	t->base.live_view = text_live_view;
	t->base.flow_end = text_flow_end;
	t->base.finish = text_finish;
	t->base.destroy = text_destroy;
	t->out = out;
	return &t->base;
}

void
report_text_limit(struct report_sink *s, size_t top, bool only_problems)
{
	struct text_sink *t = (struct text_sink *)s;

	t->top = top;
	t->only_problems = only_problems;
}

void
report_text_color(struct report_sink *s, bool color)
{
	((struct text_sink *)s)->color = color;
}

void
report_text_detail(struct report_sink *s, bool detail)
{
	((struct text_sink *)s)->detail = detail;
}
