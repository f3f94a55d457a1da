/*
 * report_internal.h - helpers shared by the report_*.c sinks.
 */
#ifndef TCPSIGHT_REPORT_INTERNAL_H
#define TCPSIGHT_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"

/* Write the address of key side `side` of f as text into buf. */
void report_format_addr(const struct flow *f, int side, char *buf, size_t len);

/* "addr:port", or "[addr]:port" for IPv6, of key side `side` of f. */
void report_format_endpoint(const struct flow *f, int side, char *buf, size_t len);

/* Bytes in human units: "512 B", "1.5 KB", "12.3 MB" (powers of 1000). */
void report_format_bytes(uint64_t n, char *buf, size_t len);

/* A duration in human units: "850 us", "12.5 ms", "3.20 s". */
void report_format_duration(uint64_t ns, char *buf, size_t len);

/*
 * Write the full detail of connection f, which ended for `reason`, as
 * text (report_detail.c): a blank line, then "connection ID: ..." and
 * its fields.  With color, problems in red and a verdict other than
 * healthy in yellow.  0, or TCPS_ERR_OUTPUT when out has an error.
 */
int report_detail_write(FILE *out, const struct flow *f,
    enum flow_end_reason reason, bool color);

#endif
