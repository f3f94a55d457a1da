/*
 * series.c - bounded window / in-flight series (see series.h).
 */
#include <stdlib.h>
#include <string.h>

#include "series.h"

struct window_series *
series_create(void)
{
	return calloc(1, sizeof(struct window_series));
}

/* Merge neighbouring buckets pairwise; the width doubles. */
static void
halve(struct series_dir *sd)
{
	int i;

	for (i = 0; i < SERIES_POINTS / 2; i++) {
		struct series_point a = sd->pts[2 * i], b = sd->pts[2 * i + 1];
		struct series_point m = a.used ? a : b;

		if (a.used && b.used) {
			m.window_min = a.window_min < b.window_min ? a.window_min : b.window_min;
			m.window_max = a.window_max > b.window_max ? a.window_max : b.window_max;
			m.inflight_max = a.inflight_max > b.inflight_max ?
			    a.inflight_max : b.inflight_max;
		}
		sd->pts[i] = m;
	}
	memset(&sd->pts[SERIES_POINTS / 2], 0,
	    sizeof(sd->pts[0]) * (SERIES_POINTS / 2));
	sd->width_ns *= 2;
}

void
series_add(struct window_series *s, int dir, uint64_t now_ns, uint32_t window,
    uint32_t inflight)
{
	struct series_dir *sd = &s->dir[dir];
	struct series_point *pt;
	uint64_t idx;

	if (!sd->started) {
		sd->started = true;
		sd->start_ns = now_ns;
		sd->width_ns = SERIES_FIRST_WIDTH_NS;
	}
	if (now_ns < sd->start_ns)
		now_ns = sd->start_ns;	/* time going backwards joins the first bucket */
	while ((idx = (now_ns - sd->start_ns) / sd->width_ns) >= SERIES_POINTS)
		halve(sd);
	pt = &sd->pts[idx];
	if (!pt->used) {
		pt->used = true;
		pt->window_min = pt->window_max = window;
		pt->inflight_max = inflight;
		return;
	}
	if (window < pt->window_min)
		pt->window_min = window;
	if (window > pt->window_max)
		pt->window_max = window;
	if (inflight > pt->inflight_max)
		pt->inflight_max = inflight;
}
