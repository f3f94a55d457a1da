/*
 * report_internal.h - helpers shared by the report_*.c sinks.
 */
#ifndef TCPSIGHT_REPORT_INTERNAL_H
#define TCPSIGHT_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Write the address of key side `side` of f as text into buf. */
void report_format_addr(const struct flow *f, int side, char *buf, size_t len);

/* "addr:port", or "[addr]:port" for IPv6, of key side `side` of f. */
void report_format_endpoint(const struct flow *f, int side, char *buf, size_t len);

/* Bytes in human units: "512 B", "1.5 KB", "12.3 MB" (powers of 1000). */
void report_format_bytes(uint64_t n, char *buf, size_t len);

#endif
