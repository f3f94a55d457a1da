/*
 * test-report-format.c - the report's address formatting against libc.
 *
 * IPv4 addresses are formatted by hand (inet_ntop goes through sprintf,
 * once per flow record); every octet value in every position must give
 * what inet_ntop gives.  IPv6 still goes through inet_ntop.
 */
#include <arpa/inet.h>
#include <string.h>

#include "../src/report_internal.h"
#include "harness.h"

static void
check_v4(const uint8_t a[4])
{
	struct flow f;
	char got[INET6_ADDRSTRLEN], want[INET_ADDRSTRLEN];

	memset(&f, 0, sizeof(f));
	f.key.ip_version = 4;
	memcpy(f.key.addr[1], a, 4);
	report_format_addr(&f, 1, got, sizeof(got));
	inet_ntop(AF_INET, a, want, sizeof(want));
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "  got %s, want %s\n", got, want);
}

int
main(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 1 };
	struct flow f;
	char got[INET6_ADDRSTRLEN];
	uint8_t a[4];
	int pos, v;

	for (pos = 0; pos < 4; pos++)
		for (v = 0; v < 256; v++) {
			memset(a, pos == 0 ? 1 : 0, sizeof(a));
			a[3] = (uint8_t)(pos == 3 ? v : 7);
			a[pos] = (uint8_t)v;
			check_v4(a);
		}
	check_v4((const uint8_t[4]){ 255, 255, 255, 255 });
	check_v4((const uint8_t[4]){ 0, 0, 0, 0 });

	memset(&f, 0, sizeof(f));
	f.key.ip_version = 6;
	memcpy(f.key.addr[0], v6, 16);
	report_format_addr(&f, 0, got, sizeof(got));
	CHECK(strcmp(got, "2001:db8::1") == 0);
	return harness_result();
}
