/*
 * report_select.c - --flow for the main report: a sink that passes on
 * only the selected connections (their flow records, events and live
 * rows) to the report it wraps, and counts how many it passed.
 *
 * The run summary is handed on unchanged, so the report's summary still
 * counts every connection.  The pictures do their own selection
 * (report_svg.c, report_html.c) and sit outside this sink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_select.h"
#include "report.h"
#include "tcpsight.h"

struct select_sink {
	struct report_sink base;
	struct report_sink *inner;	/* owned */
	struct flow_select sel;
	uint64_t matched;		/* finished connections passed on */
	const struct flow **view;	/* scratch for the live view's selected rows */
};

static int
select_event(struct report_sink *s, const struct flow *f, int dir,
    const struct packet *p, const struct seg_verdict *v)
{
	struct select_sink *ss = (struct select_sink *)s;

	if (!flow_select_match(&ss->sel, f))
		return 0;
	return ss->inner->event(ss->inner, f, dir, p, v);
}

static int
select_live_view(struct report_sink *s, const struct flow *const *flows,
    size_t n, const struct live_stats *st)
{
	struct select_sink *ss = (struct select_sink *)s;
	size_t i, kept = 0;

	/* The pipeline hands over at most LIVE_VIEW_ROWS rows. */
	for (i = 0; i < n && kept < LIVE_VIEW_ROWS; i++)
		if (flow_select_match(&ss->sel, flows[i]))
			ss->view[kept++] = flows[i];
	return ss->inner->live_view(ss->inner, ss->view, kept, st);
}

static int
select_stats(struct report_sink *s, const struct live_stats *st)
{
	struct select_sink *ss = (struct select_sink *)s;

	return ss->inner->stats(ss->inner, st);
}

static int
select_flow_end(struct report_sink *s, const struct flow *f,
    enum flow_end_reason reason)
{
	struct select_sink *ss = (struct select_sink *)s;

	if (!flow_select_match(&ss->sel, f))
		return 0;
	ss->matched++;
	return ss->inner->flow_end(ss->inner, f, reason);
}

static int
select_finish(struct report_sink *s, const struct run_summary *sum)
{
	struct select_sink *ss = (struct select_sink *)s;

	return ss->inner->finish(ss->inner, sum);
}

static void
select_destroy(struct report_sink *s)
{
	struct select_sink *ss = (struct select_sink *)s;

	report_sink_free(&ss->inner);
	free(ss->view);
	free(ss);
}

int
report_select_create(struct report_sink **out, struct report_sink *inner,
    const char *flow, char *errbuf, size_t errlen)
{
	struct select_sink *ss;

	*out = NULL;
	if (errlen > 0)
		errbuf[0] = '\0';
	if ((ss = calloc(1, sizeof(*ss))) == NULL ||
	    (ss->view = calloc(LIVE_VIEW_ROWS, sizeof(*ss->view))) == NULL) {
		free(ss);
		snprintf(errbuf, errlen, "%s", tcps_strerror(TCPS_ERR_NOMEM));
		return TCPS_ERR_NOMEM;
	}
	if (flow == NULL || flow_select_parse(flow, &ss->sel) != 0) {
		snprintf(errbuf, errlen, "--flow wants a flow id or "
		    "ADDR:PORT-ADDR:PORT, not '%s'", flow != NULL ? flow : "");
		free(ss->view);
		free(ss);
		return TCPS_ERR_USAGE;
	}
	ss->inner = inner;
	ss->base.event = inner->event != NULL ? select_event : NULL;
	ss->base.live_view = inner->live_view != NULL ? select_live_view : NULL;
	ss->base.stats = inner->stats != NULL ? select_stats : NULL;
	ss->base.flow_end = select_flow_end;
	ss->base.finish = select_finish;
	ss->base.destroy = select_destroy;
	*out = &ss->base;
	return 0;
}

uint64_t
report_select_matched(const struct report_sink *s)
{
	return ((const struct select_sink *)s)->matched;
}
