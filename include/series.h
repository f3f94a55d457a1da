/*
 * series.h - a bounded time series of the receiver's window and the
 * sender's bytes in flight, per direction of data (--series).
 *
 * At most SERIES_POINTS buckets per direction: when a transfer outlasts
 * them, neighbouring buckets merge and the bucket width doubles, so the
 * cost per segment is O(1) amortized and the memory fixed.  Each bucket
 * keeps the minimum and maximum window, so a zero-window dip is never
 * averaged away.  Allocated once per connection, only with --series.
 */
#ifndef TCPSIGHT_SERIES_H
#define TCPSIGHT_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#define SERIES_POINTS		256
#define SERIES_FIRST_WIDTH_NS	1000000ull	/* 1 ms buckets to start with */

/* One bucket. */
struct series_point {
	uint32_t window_min;	/* receiver's window, scaled bytes */
	uint32_t window_max;
	uint32_t inflight_max;	/* sender's bytes in flight */
	bool     used;
};

/* One direction of data. */
struct series_dir {
	uint64_t start_ns;	/* time of the first sample */
	uint64_t width_ns;	/* bucket width */
	bool     started;
	struct series_point pts[SERIES_POINTS];
};

struct window_series {
	struct series_dir dir[2];	/* DIR_C2S, DIR_S2C */
};

/* A zeroed series; NULL when out of memory.  Free with free(). */
struct window_series *series_create(void);

/* Add one sample for direction `dir` at time now_ns. */
void series_add(struct window_series *s, int dir, uint64_t now_ns,
    uint32_t window, uint32_t inflight);

#endif
