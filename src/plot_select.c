/*
 * plot_select.c - which flows the pictures are drawn for with --plot-top:
 * the most stalled flows, kept rendered in a bounded list until the end.
 * The drawing itself is report_svg.c; --flow is flow_select.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "tcpsight.h"

/* ---- the most stalled flows ---- */

int
plot_top_init(struct plot_top *top, size_t cap, bool standalone)
{
	memset(top, 0, sizeof(*top));
	top->cap = cap;
	top->standalone = standalone;
	top->items = calloc(cap > 0 ? cap : 1, sizeof(*top->items));
	return top->items == NULL ? TCPS_ERR_NOMEM : 0;
}

static void
kept_free(struct plot_kept *k)
{
	int d, g;

	for (d = 0; d < 2; d++)
		for (g = 0; g < PLOT_KIND_COUNT; g++) {
			free(k->svg[d][g]);
			k->svg[d][g] = NULL;
		}
}

/* Render every graph of f into k. */
static int
kept_render(struct plot_kept *k, const struct flow *f, bool standalone)
{
	int d, g, rc;

	for (d = 0; d < 2; d++) {
		if (!plot_has_data(f, d))
			continue;
		for (g = 0; g < PLOT_KIND_COUNT; g++) {
			size_t len;
			FILE *mem = open_memstream(&k->svg[d][g], &len);

			if (mem == NULL)
				return TCPS_ERR_NOMEM;
			rc = plot_render(mem, f, d, (enum plot_kind)g, standalone);
			if (fclose(mem) != 0 && rc == 0)
				rc = TCPS_ERR_NOMEM;
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int
plot_top_offer(struct plot_top *top, const struct flow *f)
{
	struct plot_kept k;
	size_t i;
	int rc;

	if (top->cap == 0 || (!plot_has_data(f, DIR_C2S) && !plot_has_data(f, DIR_S2C)))
		return 0;
	memset(&k, 0, sizeof(k));
	k.id = f->id;
	k.stall_s = plot_stall_seconds(f);
	k.problems = plot_problems(f);
	if (top->n == top->cap) {
		const struct plot_kept *last = &top->items[top->n - 1];

		if (!plot_worse(k.stall_s, k.problems, k.id, last->stall_s,
		    last->problems, last->id))
			return 0;
	}
	if ((rc = kept_render(&k, f, top->standalone)) != 0) {
		kept_free(&k);
		return rc;
	}
	if (top->n == top->cap)
		kept_free(&top->items[--top->n]);
	for (i = top->n; i > 0 && plot_worse(k.stall_s, k.problems, k.id,
	    top->items[i - 1].stall_s, top->items[i - 1].problems,
	    top->items[i - 1].id); i--)
		top->items[i] = top->items[i - 1];
	top->items[i] = k;
	top->n++;
	return 0;
}

const struct plot_kept *
plot_top_find(const struct plot_top *top, uint64_t id)
{
	size_t i;

	for (i = 0; i < top->n; i++)
		if (top->items[i].id == id)
			return &top->items[i];
	return NULL;
}

void
plot_top_free(struct plot_top *top)
{
	size_t i;

	for (i = 0; i < top->n; i++)
		kept_free(&top->items[i]);
	free(top->items);
	memset(top, 0, sizeof(*top));
}
