/*
 * flow_select.c - --flow: parse a connection's id or endpoints, and
 * match finished connections against it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow_select.h"
#include "tcpsight.h"

/* Parse "ADDR:PORT" or "[ADDR]:PORT" into sel's side i. */
static bool
parse_endpoint(const char *s, size_t len, struct flow_select *sel, int i)
{
	char buf[INET6_ADDRSTRLEN + 8], *colon, *end, *addr;
	unsigned long port;
	int family;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	colon = strrchr(buf, ':');
	if (colon == NULL || colon[1] == '\0')
		return false;
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port > 65535 || colon[1] == '-')
		return false;
	addr = buf;
	family = AF_INET;
	if (buf[0] == '[') {
		size_t n = strlen(buf);

		if (n < 3 || buf[n - 1] != ']')
			return false;
		buf[n - 1] = '\0';
		addr = buf + 1;
		family = AF_INET6;
	}
	memset(sel->addr[i], 0, sizeof(sel->addr[i]));
	if (inet_pton(family, addr, sel->addr[i]) != 1)
		return false;
	if (i == 1 && sel->ip_version != (family == AF_INET ? 4 : 6))
		return false;
	sel->ip_version = family == AF_INET ? 4 : 6;
	sel->port[i] = (uint16_t)port;
	return true;
}

int
flow_select_parse(const char *s, struct flow_select *sel)
{
	const char *dash;
	char *end;

	memset(sel, 0, sizeof(*sel));
	if (s == NULL) {
		sel->all = true;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		sel->id = strtoull(s, &end, 10);
		if (errno == 0 && *end == '\0') {
			sel->by_id = true;
			return 0;
		}
	}
	dash = strchr(s, '-');
	if (dash == NULL || !parse_endpoint(s, (size_t)(dash - s), sel, 0) ||
	    !parse_endpoint(dash + 1, strlen(dash + 1), sel, 1))
		return TCPS_ERR_USAGE;
	return 0;
}

bool
flow_select_match(const struct flow_select *sel, const struct flow *f)
{
	int i;

	if (sel->all)
		return true;
	if (sel->by_id)
		return f->id == sel->id;
	if (f->key.ip_version != sel->ip_version)
		return false;
	for (i = 0; i < 2; i++)
		if (memcmp(f->key.addr[i], sel->addr[0], 16) == 0 &&
		    f->key.port[i] == sel->port[0] &&
		    memcmp(f->key.addr[!i], sel->addr[1], 16) == 0 &&
		    f->key.port[!i] == sel->port[1])
			return true;
	return false;
}
