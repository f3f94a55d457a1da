/*
 * report_detail.c - the text view of one connection in full (--flow).
 *
 * Everything the JSON flow object holds except the events and the
 * series, as aligned "label: value" lines: the connection (endpoints,
 * states, history, end, times, handshake), then each direction's
 * counters, options, RTT and windows, then each direction's diagnosis
 * with its zero-window episodes.  Sizes and times in human units, with
 * the exact byte count beside any size of 1000 bytes or more.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "report_internal.h"
#include "tcpsight.h"

#define LABEL_WIDTH	22	/* "max bytes in flight:" and its padding */
#define WRAP_COLUMN	100	/* the flag list wraps before this column */
#define ENDPOINT_LEN	(INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

/* Colours, empty strings when colour is off. */
struct palette {
	const char *red;	/* problem counts, as in the table */
	const char *yellow;	/* a verdict other than healthy and its evidence */
	const char *off;
};

/* One "label: value" line, indented by `indent` spaces. */
#ifdef __GNUC__
__attribute__((format(printf, 4, 5)))
#endif
static void
field(FILE *out, int indent, const char *label, const char *fmt, ...)
{
	char lab[64];
	va_list ap;

	snprintf(lab, sizeof(lab), "%s:", label);
	fprintf(out, "%*s%-*s ", indent, "", LABEL_WIDTH, lab);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* Bytes in human units, with the exact count beside from 1000 B on. */
static void
format_bytes_exact(uint64_t n, char *buf, size_t len)
{
	char human[32];

	report_format_bytes(n, human, sizeof(human));
	if (n < 1000)
		snprintf(buf, len, "%s", human);
	else
		snprintf(buf, len, "%s (%llu B)", human, (unsigned long long)n);
}

/* A capture time as UTC date and time to the microsecond. */
static void
format_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char day[32];

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(day, sizeof(day), "%lld", (long long)sec);
	snprintf(buf, len, "%s.%06u UTC", day,
	    (unsigned)(ns % 1000000000u / 1000u));
}

/* A time after the connection's first segment: "+12.5 ms". */
static void
format_offset(const struct flow *f, uint64_t ns, char *buf, size_t len)
{
	char d[32];

	report_format_duration(ns > f->first_ns ? ns - f->first_ns : 0, d,
	    sizeof(d));
	snprintf(buf, len, "+%s", d);
}

static const char *
yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* RTT statistics on one line, as the JSON "rtt" objects hold them. */
static void
print_rtt(FILE *out, const char *label, const struct rtt_stats *r)
{
	char mn[32], mean[32], mx[32], last[32];

	if (r->count == 0) {
		field(out, 4, label, "no sample");
		return;
	}
	report_format_duration(r->min_ns, mn, sizeof(mn));
	report_format_duration(r->sum_ns / r->count, mean, sizeof(mean));
	report_format_duration(r->max_ns, mx, sizeof(mx));
	report_format_duration(r->last_ns, last, sizeof(last));
	field(out, 4, label, "min %s, mean %s, max %s, last %s (%u sample%s)",
	    mn, mean, mx, last, r->count, r->count == 1 ? "" : "s");
}

/* Whether a flag counts as a problem (coloured like the table's columns). */
static bool
flag_is_problem(int flag)
{
	return flag == SEG_RETRANSMISSION || flag == SEG_FAST_RETRANSMISSION ||
	    flag == SEG_SPURIOUS_RETRANSMISSION || flag == SEG_OUT_OF_ORDER ||
	    flag == SEG_LOST_SEGMENT || flag == SEG_DUPLICATE_ACK ||
	    flag == SEG_ZERO_WINDOW;
}

/* Every non-zero flag count, "name count" separated by commas, wrapped. */
static void
print_flags(FILE *out, const struct dir_analysis *d, const struct palette *pal)
{
	int i, col, any = 0;
	char item[64];

	fprintf(out, "    %-*s", LABEL_WIDTH, "flags:");
	col = 4 + LABEL_WIDTH;
	for (i = 0; i < SEG_FLAG_COUNT; i++) {
		int n;

		if (d->flag_count[i] == 0)
			continue;
		n = snprintf(item, sizeof(item), "%s %u",
		    analysis_flag_name((enum seg_flag)i), d->flag_count[i]);
		if (any && col + 2 + n > WRAP_COLUMN) {
			fprintf(out, ",\n%*s", 4 + LABEL_WIDTH, "");
			col = 4 + LABEL_WIDTH;
		} else if (any) {
			fputs(",", out);
			col += 1;
		}
		fprintf(out, " %s%s%s", flag_is_problem(i) ? pal->red : "", item,
		    flag_is_problem(i) ? pal->off : "");
		col += 1 + n;
		any = 1;
	}
	fputs(any ? "\n" : " none\n", out);
}

/* Counters, options, RTT and windows of what direction `dir` sent. */
static void
print_direction(FILE *out, const struct flow *f, int dir, const struct palette *pal)
{
	const struct dir_analysis *d = &f->an.dir[dir];
	char a[64], b[64], c[64];
	uint32_t retx = d->flag_count[SEG_RETRANSMISSION];
	uint32_t ooo = d->flag_count[SEG_OUT_OF_ORDER];

	fprintf(out, "\n  %s: sent by the %s\n", dir == DIR_C2S ? "c2s" : "s2c",
	    dir == DIR_C2S ? "client" : "server");
	field(out, 4, "packets", "%llu", (unsigned long long)d->packets);
	field(out, 4, "data segments", "%u", d->data_segments);
	format_bytes_exact(d->wire_bytes, a, sizeof(a));
	field(out, 4, "bytes", "%s on the wire", a);
	format_bytes_exact(d->payload_bytes, a, sizeof(a));
	field(out, 4, "payload bytes", "%s", a);
	format_bytes_exact(d->unique_bytes, a, sizeof(a));
	field(out, 4, "unique bytes", "%s", a);
	if (d->packets > 0) {
		format_offset(f, d->first_ns, a, sizeof(a));
		format_offset(f, d->last_ns, b, sizeof(b));
		field(out, 4, "time", "first %s, last %s", a, b);
	} else {
		field(out, 4, "time", "no segment");
	}
	field(out, 4, "syn / fin / rst", "%u / %u / %u", d->syn, d->fin, d->rst);
	if (d->syn_seen)
		field(out, 4, "isn", "%u", d->isn);
	else
		field(out, 4, "isn", "unknown (no SYN seen)");
	if (d->mss != 0)
		field(out, 4, "mss", "%u", d->mss);
	else
		field(out, 4, "mss", "none");
	if (d->wscale == WSCALE_UNKNOWN)
		field(out, 4, "window scale", "unknown (handshake not seen)");
	else if (d->wscale == WSCALE_NONE)
		field(out, 4, "window scale", "0 (not in use)");
	else
		field(out, 4, "window scale", "%d", d->wscale);
	field(out, 4, "sack permitted", "%s", yes_no(d->sack_permitted));
	field(out, 4, "timestamps", "%s", yes_no(d->timestamps));
	format_bytes_exact(d->retrans_bytes, a, sizeof(a));
	field(out, 4, "retransmitted", "%s%u segment%s%s, %s", retx ? pal->red : "",
	    retx, retx == 1 ? "" : "s", retx ? pal->off : "", a);
	field(out, 4, "out of order", "%s%u segment%s%s", ooo ? pal->red : "", ooo,
	    ooo == 1 ? "" : "s", ooo ? pal->off : "");
	format_bytes_exact(d->max_in_flight, a, sizeof(a));
	field(out, 4, "max bytes in flight", "%s", a);
	print_flags(out, d, pal);
	print_rtt(out, "rtt from acks", &d->rtt);
	print_rtt(out, "rtt from timestamps", &d->rtt_ts);
	if (d->window_seen) {
		format_bytes_exact(d->window_min, a, sizeof(a));
		format_bytes_exact(d->window_max, b, sizeof(b));
		format_bytes_exact(d->window_last, c, sizeof(c));
		field(out, 4, "window advertised", "min %s, max %s, last %s", a, b, c);
	} else {
		field(out, 4, "window advertised", "none seen");
	}
	report_format_duration(d->zero_window_ns, a, sizeof(a));
	field(out, 4, "zero window", "%s%u episode%s%s, %s",
	    d->zero_window_episodes ? pal->red : "", d->zero_window_episodes,
	    d->zero_window_episodes == 1 ? "" : "s",
	    d->zero_window_episodes ? pal->off : "", a);
	field(out, 4, "sack blocks", "%u, of which %u D-SACK", d->sack_blocks,
	    d->dsacks);
	if (d->holes_dropped != 0)
		field(out, 4, "gaps forgotten", "%u", d->holes_dropped);
}

/* A share of the transfer time, rounded as in the JSON, in percent. */
static double
percent(double share)
{
	return round(share * 1000) / 10;
}

/* The zero-window episodes kept for a transfer, in time order. */
static void
print_episodes(FILE *out, const struct flow *f, const struct diag_dir *dd,
    const struct diag_summary *s)
{
	struct zw_episode eps[DIAG_MAX_EPISODES], tmp;
	char total[32], start[48], dur[32], mss[32], full[32], before[32];
	unsigned kept;
	const struct zw_episode *longest = diag_longest_episodes(dd, &kept);
	int i, j, n = (int)kept;

	report_format_duration(s->zero_window_ns, total, sizeof(total));
	if (dd->episodes == 0) {
		field(out, 4, "zero-window episodes", "none");
		return;
	}
	if (n < (int)dd->episodes)
		field(out, 4, "zero-window episodes", "%u, %s in all; the %d "
		    "longest:", dd->episodes, total, n);
	else
		field(out, 4, "zero-window episodes", "%u, %s in all:",
		    dd->episodes, total);
	if (n > 0)
		memcpy(eps, longest, (size_t)n * sizeof(eps[0]));
	for (i = 1; i < n; i++)		/* insertion sort by start */
		for (j = i; j > 0 && eps[j].start_ns < eps[j - 1].start_ns; j--) {
			tmp = eps[j];
			eps[j] = eps[j - 1];
			eps[j - 1] = tmp;
		}
	fprintf(out, "      %12s  %10s  %6s  %10s  %10s  %s\n", "START",
	    "DURATION", "PROBES", "TO 1 MSS", "TO FULL", "WINDOW BEFORE");
	for (i = 0; i < n; i++) {
		const struct zw_episode *e = &eps[i];

		format_offset(f, e->start_ns, start, sizeof(start));
		report_format_duration(e->end_ns > e->start_ns ?
		    e->end_ns - e->start_ns : 0, dur, sizeof(dur));
		if (e->reopen_mss_ns == UINT32_MAX)
			snprintf(mss, sizeof(mss), "never");
		else
			report_format_duration(e->reopen_mss_ns, mss, sizeof(mss));
		if (e->reopen_full_ns == UINT32_MAX)
			snprintf(full, sizeof(full), "never");
		else
			report_format_duration(e->reopen_full_ns, full, sizeof(full));
		report_format_bytes(e->window_before, before, sizeof(before));
		fprintf(out, "      %12s  %10s  %6u  %10s  %10s  %s\n", start, dur,
		    e->probes, mss, full, before);
	}
}

/* Bytes per second, rounded as in the JSON, with a sign: "-52.1 KB/s". */
static void
format_rate(double r, char *buf, size_t len)
{
	char b[32];

	r = round(r);	/* -0.3 becomes -0.0, which is not below 0: no "-0 B/s" */
	report_format_bytes((uint64_t)(r < 0 ? -r : r), b, sizeof(b));
	snprintf(buf, len, "%s%s/s", r < 0 ? "-" : "", b);
}

/* The diagnosis of data sent in direction `dir`; false if it sent none. */
static bool
print_diagnosis(FILE *out, const struct flow *f, int dir, const struct palette *pal)
{
	const struct diag_dir *dd = &f->diag.dir[dir];
	struct diag_summary s;
	char a[64], b[64], c[64], slope[48];
	bool bad;

	if (!diagnosis_summarize(&f->diag, &f->an, dir, &s))
		return false;
	bad = s.verdict != VERDICT_HEALTHY;
	fprintf(out, "\n  diagnosis of %s: data sent by the %s\n",
	    dir == DIR_C2S ? "c2s" : "s2c", dir == DIR_C2S ? "client" : "server");
	field(out, 4, "verdict", "%s%s%s (confidence %.2f)", bad ? pal->yellow : "",
	    diagnosis_verdict_name(s.verdict), bad ? pal->off : "",
	    round(s.confidence * 100) / 100);
	field(out, 4, "evidence", "%s%s%s", bad ? pal->yellow : "", s.evidence,
	    bad ? pal->off : "");
	report_format_duration((uint64_t)(s.transfer_s * 1e9), a, sizeof(a));
	field(out, 4, "transfer time", "%s", a);
	field(out, 4, "time limited by", "receiver %.1f%%, network %.1f%% (loss "
	    "recovery %.1f%%), sender %.1f%%, idle %.1f%%",
	    percent(s.share[LIMIT_RECEIVER]),
	    percent(s.share[LIMIT_LOSS] + s.share[LIMIT_PATH]),
	    percent(s.share[LIMIT_LOSS]), percent(s.share[LIMIT_SENDER]),
	    percent(s.share[LIMIT_IDLE]));
	field(out, 4, "receiver of busy time", "%.1f%%", percent(s.busy_receiver_share));
	report_format_bytes(s.window_min, a, sizeof(a));
	report_format_bytes(s.window_median, b, sizeof(b));
	report_format_bytes(s.window_max, c, sizeof(c));
	format_rate(s.window_slope, slope, sizeof(slope));
	field(out, 4, "window trend", "min %s, median %s, max %s, slope %s, "
	    "%u shrink%s", a, b, c, slope, dd->window_shrinks,
	    dd->window_shrinks == 1 ? "" : "s");
	format_rate(s.read_rate, a, sizeof(a));
	format_rate(s.arrival_rate, b, sizeof(b));
	field(out, 4, "read / arrival rate", "%s / %s", a, b);
	if (dd->scale_inferred)
		field(out, 4, "window scale", "%d, inferred from the data",
		    dd->inferred_shift);
	print_episodes(out, f, dd, &s);
	return true;
}

int
report_detail_write(FILE *out, const struct flow *f, enum flow_end_reason reason,
    bool color)
{
	const struct palette pal = {
		color ? "\033[31m" : "", color ? "\033[33m" : "", color ? "\033[0m" : ""
	};
	const struct conn_analysis *ca = &f->an;
	char client[ENDPOINT_LEN], server[ENDPOINT_LEN], a[64], b[64], c[64];
	bool closed = tcp_state_is_closed(&f->tcp);
	bool any;
	int d;

	report_format_endpoint(f, f->client_side, client, sizeof(client));
	report_format_endpoint(f, !f->client_side, server, sizeof(server));
	fprintf(out, "\nconnection %llu: %s -> %s\n", (unsigned long long)f->id,
	    client, server);
	field(out, 2, "client", "%s", client);
	field(out, 2, "server", "%s", server);
	field(out, 2, "ip version", "%u", f->key.ip_version);
	field(out, 2, "state", "client %s, server %s (%s)",
	    tcp_state_name(f->tcp.state[EP_CLIENT]),
	    tcp_state_name(f->tcp.state[EP_SERVER]), closed ? "closed" : "open");
	field(out, 2, "conn_state", "%s%s",
	    conn_state_name(tcp_state_conn_state(&f->tcp)),
	    f->tcp.partial ? " (partial: the client's SYN was not seen)" : "");
	field(out, 2, "history", "%s", f->tcp.history);
	field(out, 2, "end reason", "%s", flow_end_reason_name(reason));
	format_time(f->first_ns, a, sizeof(a));
	field(out, 2, "first segment", "frame %llu, %s",
	    (unsigned long long)f->first_frame, a);
	format_time(f->last_ns, a, sizeof(a));
	field(out, 2, "last segment", "frame %llu, %s",
	    (unsigned long long)f->last_frame, a);
	report_format_duration(f->last_ns > f->first_ns ? f->last_ns - f->first_ns : 0,
	    a, sizeof(a));
	field(out, 2, "duration", "%s", a);
	/* The same conditions as the JSON's "handshake_rtt". */
	if (ca->syn_ns == 0 || ca->synack_ns == 0 || ca->ack_ns == 0 ||
	    ca->synack_ns < ca->syn_ns || ca->ack_ns < ca->synack_ns) {
		field(out, 2, "handshake rtt", "not seen");
	} else {
		report_format_duration(ca->ack_ns - ca->syn_ns, a, sizeof(a));
		report_format_duration(ca->synack_ns - ca->syn_ns, b, sizeof(b));
		report_format_duration(ca->ack_ns - ca->synack_ns, c, sizeof(c));
		field(out, 2, "handshake rtt", "%s (server %s, client %s)", a, b, c);
	}
	for (d = 0; d < 2; d++)
		print_direction(out, f, d, &pal);
	any = false;
	for (d = 0; d < 2; d++)
		any |= print_diagnosis(out, f, d, &pal);
	if (!any)
		fputs("\n  diagnosis: no data was sent either way\n", out);
	return ferror(out) ? TCPS_ERR_OUTPUT : 0;
}
