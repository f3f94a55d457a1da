/*
 * report_internal.h - helpers shared by the report_*.c sinks.
 */
#ifndef TCPSIGHT_REPORT_INTERNAL_H
#define TCPSIGHT_REPORT_INTERNAL_H

#include <stddef.h>

#include "flow.h"

/* Write the address of key side `side` of f as text into buf. */
void report_format_addr(const struct flow *f, int side, char *buf, size_t len);

#endif
