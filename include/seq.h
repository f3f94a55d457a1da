/*
 * seq.h - wrap-safe TCP sequence comparisons (RFC 9293 section 3.4).
 *
 * Sequence numbers live in a 2^32 circle; a < b means b lies less than
 * 2^31 ahead of a.  Every comparison of sequence or ACK numbers goes
 * through these helpers.
 */
#ifndef TCPSIGHT_SEQ_H
#define TCPSIGHT_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }
static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

#endif
