/*
 * report_html.c - the --html sink: one self-contained page.
 *
 * A tee (plot.h): every record goes on to the main report.  Of each
 * finished flow it keeps one small table row (not the flow record), and
 * the rendered graphs of the most stalled flows in a bounded list, so a
 * capture of many thousands of connections costs a row each.  finish()
 * writes the page: the capture summary, the table of every flow with
 * each troubled transfer's verdict in words, and the graphs of the worst
 * flows inline.  Inline CSS and a small inline script (sorting by column,
 * a troubled-only filter); no external resource, no network fetch.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plot.h"
#include "report_internal.h"
#include "tcpsight.h"

#ifndef TCPSIGHT_VERSION
#define TCPSIGHT_VERSION "0.0.0"
#endif

#define ENDPOINT_LEN	(INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

/* What the page shows of one connection. */
struct html_row {
	uint64_t id;
	char client[ENDPOINT_LEN];
	char server[ENDPOINT_LEN];
	const char *conn_state;		/* static string */
	const char *end_reason;		/* static string */
	uint64_t duration_ns;
	uint64_t packets;
	uint64_t payload[2];		/* c2s, s2c payload bytes */
	uint32_t retrans;		/* retransmitted segments, both directions */
	uint32_t zero_windows;		/* zero-window episodes, both directions */
	uint64_t problems;		/* for ties in the worst-first order */
	double   stall_s;
	int      verdict[2];		/* enum verdict, -1: no data that way */
	double   confidence[2];
	char    *evidence[2];		/* troubled directions only, else NULL */
};

struct html_sink {
	struct tee_sink tee;
	FILE *out;
	const char *name;		/* of the page, for messages */
	struct flow_select sel;
	struct plot_top top;		/* graphs of the worst flows */
	struct html_row *rows;
	size_t count;
	size_t cap;
	uint64_t verdicts[VERDICT_COUNT];	/* transfers by verdict */
	char *errbuf;
	size_t errlen;
};

/* The style sheet: plain, readable, printable. */
static const char html_css[] =
"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
"sans-serif;color:#222;margin:0;background:#f6f7f9}\n"
"main{max-width:1400px;margin:0 auto;padding:16px 24px 40px}\n"
"h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px}"
"h3{font-size:16px;margin:0 0 6px}\n"
".files{color:#555;margin:0 0 12px;word-break:break-all}\n"
".cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}\n"
".card{background:#fff;border:1px solid #dde1e6;border-radius:6px;"
"padding:8px 14px;min-width:120px}\n"
".card b{display:block;font-size:20px}.card span{color:#555;font-size:12px}\n"
".warn{background:#fff4e5;border:1px solid #f0c36d;border-radius:6px;"
"padding:8px 12px;margin:8px 0}\n"
".toolbar{display:flex;gap:18px;align-items:center;color:#555;margin:4px 0 8px}\n"
"table.flows{border-collapse:collapse;width:100%;background:#fff;"
"border:1px solid #dde1e6;font-size:13px}\n"
".flows th{position:sticky;top:0;background:#eef1f5;text-align:left;"
"padding:6px 8px;border-bottom:2px solid #c9d0d8;cursor:pointer;"
"white-space:nowrap;user-select:none}\n"
".flows th:hover{background:#e2e7ee}\n"
".flows th[aria-sort=ascending]::after{content:' \\25B2';font-size:10px}\n"
".flows th[aria-sort=descending]::after{content:' \\25BC';font-size:10px}\n"
".flows td{padding:4px 8px;border-bottom:1px solid #edf0f3;vertical-align:top}\n"
".flows td.n{text-align:right;white-space:nowrap;font-variant-numeric:"
"tabular-nums}\n"
".flows tr.troubled td:first-child{border-left:3px solid #d62728}\n"
".flows tbody tr:hover{background:#f7fafc}\n"
"table.only-troubled tbody tr:not(.troubled){display:none}\n"
".mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;"
"white-space:nowrap}\n"
".v{display:inline-block;border-radius:3px;padding:0 5px;font-size:12px;"
"margin:1px 0;white-space:nowrap}\n"
".v.healthy{background:#e3f4e3;color:#1d6b1d}"
".v.receiver_limited{background:#fde0e0;color:#a11}"
".v.network_limited{background:#ece0f7;color:#5b2a86}"
".v.sender_limited{background:#e1ebf7;color:#1f4f82}"
".v.mixed{background:#fff0d6;color:#8a5300}\n"
".ev{color:#444;font-size:12px;max-width:560px}\n"
"article.flow{background:#fff;border:1px solid #dde1e6;border-radius:6px;"
"padding:14px 16px;margin:14px 0}\n"
"article.flow ul{margin:4px 0 10px;padding-left:18px}\n"
".graphs{display:flex;flex-direction:column;gap:8px;max-width:980px}\n"
".graphs svg{width:100%;height:auto;border:1px solid #e6e9ed;border-radius:4px}\n"
"footer{color:#777;font-size:12px;margin-top:30px}\n"
"a{color:#1f5fa8}\n";

/*
 * Sorting by a click on a column heading (numbers by their data-v
 * value, biggest first; text A to Z; a second click reverses), the
 * troubled-only filter, and "#sort=COLUMN" or "#sort=COLUMN-" in the
 * address to open the page sorted.
 */
static const char html_script[] =
"(function () {\n"
"\t'use strict';\n"
"\tvar table = document.getElementById('flow-table');\n"
"\tif (!table) return;\n"
"\tvar body = table.tBodies[0], heads = table.tHead.rows[0].cells;\n"
"\tfunction isNum(col) { return heads[col].getAttribute('data-type') === 'num'; }\n"
"\tfunction keyOf(row, col, num) {\n"
"\t\tvar c = row.cells[col];\n"
"\t\tif (num) {\n"
"\t\t\tvar v = parseFloat(c.getAttribute('data-v'));\n"
"\t\t\treturn isNaN(v) ? -Infinity : v;\n"
"\t\t}\n"
"\t\treturn c.textContent.toLowerCase();\n"
"\t}\n"
"\tfunction sortBy(col, dir) {\n"
"\t\tvar num = isNum(col), keyed = [], i;\n"
"\t\tfor (i = 0; i < body.rows.length; i++)\n"
"\t\t\tkeyed.push({ k: keyOf(body.rows[i], col, num), i: i, r: body.rows[i] });\n"
"\t\tkeyed.sort(function (a, b) {\n"
"\t\t\tif (a.k < b.k) return -dir;\n"
"\t\t\tif (a.k > b.k) return dir;\n"
"\t\t\treturn a.i - b.i;\n"
"\t\t});\n"
"\t\tvar frag = document.createDocumentFragment();\n"
"\t\tfor (i = 0; i < keyed.length; i++) frag.appendChild(keyed[i].r);\n"
"\t\tbody.appendChild(frag);\n"
"\t\tfor (i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');\n"
"\t\theads[col].setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');\n"
"\t}\n"
"\tArray.prototype.forEach.call(heads, function (h, col) {\n"
"\t\th.tabIndex = 0;\n"
"\t\tfunction go() {\n"
"\t\t\tvar cur = h.getAttribute('aria-sort');\n"
"\t\t\tsortBy(col, cur ? (cur === 'ascending' ? -1 : 1) : (isNum(col) ? -1 : 1));\n"
"\t\t}\n"
"\t\th.addEventListener('click', go);\n"
"\t\th.addEventListener('keydown', function (e) {\n"
"\t\t\tif (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); }\n"
"\t\t});\n"
"\t});\n"
"\tvar only = document.getElementById('troubled-only');\n"
"\tif (only) only.addEventListener('change', function () {\n"
"\t\ttable.classList.toggle('only-troubled', only.checked);\n"
"\t});\n"
"\tvar m = /^#sort=(\\d+)(-?)$/.exec(location.hash);\n"
"\tif (m && +m[1] < heads.length) sortBy(+m[1], m[2] ? -1 : 1);\n"
"\tdocument.documentElement.setAttribute('data-ready', 'yes');\n"
"})();\n";

/* Seconds in human units: "850 us", "12.5 ms", "3.20 s". */
static void
format_seconds(double s, char *buf, size_t len)
{
	if (s < 0.001)
		snprintf(buf, len, "%.0f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.2f s", s);
}

/* Fill *r from the finished connection f. */
static int
fill_row(struct html_sink *h, struct html_row *r, const struct flow *f,
    enum flow_end_reason reason)
{
	int d;

	memset(r, 0, sizeof(*r));
	r->id = f->id;
	report_format_endpoint(f, f->client_side, r->client, sizeof(r->client));
	report_format_endpoint(f, !f->client_side, r->server, sizeof(r->server));
	r->conn_state = conn_state_name(tcp_state_conn_state(&f->tcp));
	r->end_reason = flow_end_reason_name(reason);
	r->duration_ns = f->last_ns - f->first_ns;
	r->packets = f->an.dir[DIR_C2S].packets + f->an.dir[DIR_S2C].packets;
	r->problems = plot_problems(f);
	for (d = 0; d < 2; d++) {
		const struct dir_analysis *da = &f->an.dir[d];
		struct diag_summary ds;

		r->payload[d] = da->payload_bytes;
		r->retrans += da->flag_count[SEG_RETRANSMISSION];
		r->zero_windows += da->zero_window_episodes;
		r->verdict[d] = -1;
		if (!diagnosis_summarize(&f->diag, &f->an, d, &ds))
			continue;
		r->stall_s += (ds.share[LIMIT_RECEIVER] + ds.share[LIMIT_LOSS]) *
		    ds.transfer_s;
		r->verdict[d] = (int)ds.verdict;
		r->confidence[d] = ds.confidence;
		h->verdicts[ds.verdict]++;
		if (ds.verdict != VERDICT_HEALTHY &&
		    (r->evidence[d] = strdup(ds.evidence)) == NULL)
			return TCPS_ERR_NOMEM;
	}
	return 0;
}

static int
html_flow_end(struct report_sink *s, const struct flow *f, enum flow_end_reason reason)
{
	struct html_sink *h = (struct html_sink *)s;
	int rc = tee_flow_end(&h->tee, f, reason);

	if (rc != 0)
		return rc;
	if (h->count == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 64;
		struct html_row *n = realloc(h->rows, ncap * sizeof(*n));

		if (n == NULL)
			return TCPS_ERR_NOMEM;
		h->rows = n;
		h->cap = ncap;
	}
	rc = fill_row(h, &h->rows[h->count], f, report_end_reason(f, reason));
	h->count++;
	if (rc == 0 && flow_select_match(&h->sel, f))
		rc = plot_top_offer(&h->top, f);
	if (rc != 0)
		snprintf(h->errbuf, h->errlen, "%s", tcps_strerror(rc));
	return rc;
}

/* Worst first: longest stall, most problems, then in id order. */
static int
cmp_row_worst(const void *a, const void *b)
{
	const struct html_row *ra = a, *rb = b;

	if (plot_worse(ra->stall_s, ra->problems, ra->id, rb->stall_s,
	    rb->problems, rb->id))
		return -1;
	return ra->id != rb->id;
}

static bool
row_troubled(const struct html_row *r)
{
	return r->evidence[0] != NULL || r->evidence[1] != NULL;
}

/* "2026-12-01 10:31:46 UTC". */
static void
format_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%llu", (unsigned long long)(ns / 1000000000u));
}

static void
card(FILE *out, const char *value, const char *label)
{
	fputs("<div class=\"card\"><b>", out);
	plot_escape(out, value);
	fputs("</b><span>", out);
	plot_escape(out, label);
	fputs("</span></div>\n", out);
}

/* The title, the inputs and the capture summary. */
static void
write_summary(struct html_sink *h, const struct run_summary *sum)
{
	FILE *out = h->out;
	char buf[64], first[48], last[48];
	uint64_t retrans = 0, zw = 0, troubled = 0;
	double stall = 0;
	size_t i;
	int v;

	fputs("<header>\n<h1>tcpsight report</h1>\n<p class=\"files\">", out);
	for (i = 0; i < sum->file_count; i++) {
		if (i > 0)
			fputs(", ", out);
		plot_escape(out, sum->files[i]);
	}
	fputs("</p>\n</header>\n<section id=\"summary\">\n<div class=\"cards\">\n", out);
	for (i = 0; i < h->count; i++) {
		retrans += h->rows[i].retrans;
		zw += h->rows[i].zero_windows;
		stall += h->rows[i].stall_s;
		troubled += row_troubled(&h->rows[i]);
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sum->packets);
	card(out, buf, "packets");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)sum->tcp_packets);
	card(out, buf, "TCP segments");
	snprintf(buf, sizeof(buf), "%zu", h->count);
	card(out, buf, "TCP connections");
	format_seconds((double)(sum->last_ns - sum->first_ns) / 1e9, buf, sizeof(buf));
	card(out, buf, "capture span");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)troubled);
	card(out, buf, "troubled connections");
	format_seconds(stall, buf, sizeof(buf));
	card(out, buf, "stalled in total");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)retrans);
	card(out, buf, "retransmissions");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)zw);
	card(out, buf, "zero-window episodes");
	fputs("</div>\n<p>Transfers by verdict:", out);
	for (v = 0; v < VERDICT_COUNT; v++)
		fprintf(out, " <span class=\"v %s\">%s %llu</span>",
		    diagnosis_verdict_name((enum verdict)v),
		    diagnosis_verdict_name((enum verdict)v),
		    (unsigned long long)h->verdicts[v]);
	fputs("</p>\n", out);
	if (sum->packets > 0) {
		format_time(sum->first_ns, first, sizeof(first));
		format_time(sum->last_ns, last, sizeof(last));
		fprintf(out, "<p>From %s to %s.", first, last);
		for (i = 1; i < DECODE_STATUS_COUNT; i++)
			if (sum->skipped[i] != 0)
				fprintf(out, " Skipped %llu frames: %s.",
				    (unsigned long long)sum->skipped[i],
				    decode_status_name((enum decode_status)i));
		fputs("</p>\n", out);
	}
	if (sum->truncated || sum->interrupted || sum->message_count > 0) {
		fputs("<div class=\"warn\">", out);
		if (sum->truncated)
			fputs("<p>The input was damaged or truncated: the report covers "
			    "what could be read.</p>", out);
		if (sum->interrupted)
			fputs("<p>The run was stopped before the end of the input.</p>",
			    out);
		for (i = 0; i < sum->message_count; i++) {
			fputs("<p>", out);
			plot_escape(out, sum->messages[i]);
			fputs("</p>", out);
		}
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
}

/* A numeric cell: the sort value and the text shown. */
static void
num_cell(FILE *out, double value, const char *text)
{
	fprintf(out, "<td class=\"n\" data-v=\"%.9g\">", value);
	plot_escape(out, text);
}

/* The verdicts of a row's directions, with the evidence of troubled ones. */
static void
verdict_cell(FILE *out, const struct html_row *r, bool lines)
{
	int d;

	for (d = 0; d < 2; d++) {
		const char *name;

		if (r->verdict[d] < 0)
			continue;
		name = diagnosis_verdict_name((enum verdict)r->verdict[d]);
		fprintf(out, "%s<span class=\"v %s\">%s %s (%.2f)</span>",
		    lines ? "<li>" : "", name, plot_dir_name(d), name, r->confidence[d]);
		if (r->evidence[d] != NULL) {
			fputs(lines ? " " : "<div class=\"ev\">", out);
			plot_escape(out, r->evidence[d]);
			fputs(lines ? "" : "</div>", out);
		}
		fputs(lines ? "</li>\n" : " ", out);
	}
}

/* The table of every connection, worst first. */
static void
write_table(struct html_sink *h)
{
	FILE *out = h->out;
	char dur[32], up[32], down[32], stall[32];
	size_t i;

	fprintf(out, "<section id=\"flows\">\n<h2>Connections (%zu)</h2>\n"
	    "<div class=\"toolbar\"><span>Worst first; click a column heading to "
	    "sort.</span><label><input type=\"checkbox\" id=\"troubled-only\"> "
	    "troubled only</label></div>\n", h->count);
	fputs("<table class=\"flows\" id=\"flow-table\">\n<thead><tr>"
	    "<th data-type=\"num\">ID</th><th>client</th><th>server</th>"
	    "<th>state</th><th data-type=\"num\">duration</th>"
	    "<th data-type=\"num\">client \xe2\x86\x92 server</th>"
	    "<th data-type=\"num\">server \xe2\x86\x92 client</th>"
	    "<th data-type=\"num\">retrans.</th>"
	    "<th data-type=\"num\">stall</th><th>verdict</th></tr></thead>\n<tbody>\n",
	    out);
	for (i = 0; i < h->count; i++) {
		const struct html_row *r = &h->rows[i];
		char id[32];

		format_seconds((double)r->duration_ns / 1e9, dur, sizeof(dur));
		report_format_bytes(r->payload[0], up, sizeof(up));
		report_format_bytes(r->payload[1], down, sizeof(down));
		format_seconds(r->stall_s, stall, sizeof(stall));
		fprintf(out, "<tr%s>", row_troubled(r) ? " class=\"troubled\"" : "");
		snprintf(id, sizeof(id), "%llu", (unsigned long long)r->id);
		if (plot_top_find(&h->top, r->id) != NULL)
			fprintf(out, "<td class=\"n\" data-v=\"%s\"><a href=\"#flow-%s\" "
			    "title=\"graphs\">%s</a>", id, id, id);
		else
			num_cell(out, (double)r->id, id);
		fputs("<td class=\"mono\">", out);
		plot_escape(out, r->client);
		fputs("<td class=\"mono\">", out);
		plot_escape(out, r->server);
		fprintf(out, "<td>%s", r->conn_state);
		num_cell(out, (double)r->duration_ns / 1e9, dur);
		num_cell(out, (double)r->payload[0], up);
		num_cell(out, (double)r->payload[1], down);
		snprintf(id, sizeof(id), "%u", r->retrans);
		num_cell(out, r->retrans, id);
		num_cell(out, r->stall_s, r->stall_s > 0 ? stall : "0");
		fputs("<td>", out);
		verdict_cell(out, r, false);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* The graphs of the worst flows, worst first. */
static void
write_graphs(struct html_sink *h)
{
	FILE *out = h->out;
	size_t i, j;
	int d, g;

	fprintf(out, "<section id=\"graphs\">\n<h2>Graphs of the %zu most stalled "
	    "connection%s</h2>\n", h->top.n, h->top.n == 1 ? "" : "s");
	if (h->count > h->top.n)
		fputs("<p>For any other connection: <code>tcpsight --plot DIR --flow "
		    "ID FILE...</code> writes its graphs as SVG files.</p>\n", out);
	for (i = 0; i < h->top.n; i++) {
		const struct plot_kept *k = &h->top.items[i];
		const struct html_row *r = NULL;

		for (j = 0; j < h->count && r == NULL; j++)
			if (h->rows[j].id == k->id)
				r = &h->rows[j];
		fprintf(out, "<article class=\"flow\" id=\"flow-%llu\">\n<h3>flow %llu: ",
		    (unsigned long long)k->id, (unsigned long long)k->id);
		if (r != NULL) {
			plot_escape(out, r->client);
			fputs(" \xe2\x86\x92 ", out);
			plot_escape(out, r->server);
			fputs("</h3>\n<ul>\n", out);
			verdict_cell(out, r, true);
			fputs("</ul>\n", out);
		} else
			fputs("</h3>\n", out);
		for (d = 0; d < 2; d++) {
			if (k->svg[d][PLOT_TSG] == NULL)
				continue;
			/* The window first: where a slow reader shows. */
			fputs("<div class=\"graphs\">\n", out);
			for (g = PLOT_KIND_COUNT; g-- > 0;)
				fputs(k->svg[d][g], out);
			fputs("</div>\n", out);
		}
		fputs("</article>\n", out);
	}
	fputs("</section>\n", out);
}

static int
html_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct html_sink *h = (struct html_sink *)s;
	FILE *out = h->out;
	int rc = h->tee.inner->finish(h->tee.inner, sum);
	size_t i;

	if (h->count > 0)
		qsort(h->rows, h->count, sizeof(*h->rows), cmp_row_worst);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>tcpsight: ", out);
	for (i = 0; i < sum->file_count; i++) {
		if (i > 0)
			fputs(", ", out);
		plot_escape(out, sum->files[i]);
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_css);
	write_summary(h, sum);
	write_table(h);
	write_graphs(h);
	fprintf(out, "<footer>Written by %s %s. Stall: the time a transfer was "
	    "held up by the receiver's window or by loss recovery.</footer>\n"
	    "</main>\n<script>\n%s</script>\n</body>\n</html>\n", TCPSIGHT_NAME,
	    TCPSIGHT_VERSION, html_script);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(h->errbuf, h->errlen, "%s: cannot write", h->name);
		if (rc == 0)
			rc = TCPS_ERR_OUTPUT;
	}
	return rc;
}

static void
html_destroy(struct report_sink *s)
{
	struct html_sink *h = (struct html_sink *)s;
	size_t i;

	for (i = 0; i < h->count; i++) {
		free(h->rows[i].evidence[0]);
		free(h->rows[i].evidence[1]);
	}
	free(h->rows);
	plot_top_free(&h->top);
	tee_release(&h->tee);
	free(h);
}

int
report_html_create(struct report_sink **out, struct report_sink *inner,
    FILE *html, const char *name, const struct plot_options *po, char *errbuf,
    size_t errlen)
{
	struct html_sink *h;

	*out = NULL;
	if (errlen > 0)
		errbuf[0] = '\0';
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto nomem;
	if (flow_select_parse(po->flow, &h->sel) != 0) {
		snprintf(errbuf, errlen, "--flow wants a flow id or "
		    "ADDR:PORT-ADDR:PORT, not '%s'", po->flow);
		free(h);
		return TCPS_ERR_USAGE;
	}
	if (plot_top_init(&h->top, po->top > 0 ? po->top : HTML_GRAPH_FLOWS,
	    false) != 0 || tee_init(&h->tee, inner, po->show_series) != 0) {
		free(h->tee.copy);
		plot_top_free(&h->top);
		free(h);
		goto nomem;
	}
	h->out = html;
	h->name = name;
	h->errbuf = errbuf;
	h->errlen = errlen;
	h->tee.base.flow_end = html_flow_end;
	h->tee.base.finish = html_finish;
	h->tee.base.destroy = html_destroy;
	*out = &h->tee.base;
	return 0;
nomem:
	snprintf(errbuf, errlen, "%s", tcps_strerror(TCPS_ERR_NOMEM));
	return TCPS_ERR_NOMEM;
}
