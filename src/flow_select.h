/*
 * flow_select.h - --flow: pick connections by id or by endpoints.
 *
 * Shared by every sink that honours --flow: the report filter
 * (report_select.c) and the pictures (report_svg.c, report_html.c).
 */
#ifndef TCPSIGHT_FLOW_SELECT_H
#define TCPSIGHT_FLOW_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* The connections --flow selects. */
struct flow_select {
	bool     all;		/* no --flow: every connection */
	bool     by_id;		/* an id was given (else endpoints) */
	uint64_t id;
	uint8_t  ip_version;	/* by endpoints: 4 or 6 */
	uint8_t  addr[2][16];	/* the two endpoints as given, in either order */
	uint16_t port[2];
};

/*
 * Parse a --flow argument: a decimal id, or "ADDR:PORT-ADDR:PORT" with
 * IPv6 addresses in brackets.  NULL selects every connection.  0, or
 * TCPS_ERR_USAGE when s is neither.
 */
int flow_select_parse(const char *s, struct flow_select *sel);

/* Whether f is selected (endpoints match in either order). */
bool flow_select_match(const struct flow_select *sel, const struct flow *f);

#endif
