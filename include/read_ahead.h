/*
 * read_ahead.h - the reader and decoder stages of a capture file on a
 * thread of their own (--threads 2).
 *
 * Reading (libpcap, stdio, the kernel's copy) and decoding take about as
 * long as everything after them.  On a second CPU they run ahead of the
 * analysis: frames come out decoded, in file order, through a bounded
 * ring, so the analysis sees exactly what it would have read itself.
 */
#ifndef TCPSIGHT_READ_AHEAD_H
#define TCPSIGHT_READ_AHEAD_H

#include <stdint.h>

#include "capture.h"
#include "decode.h"

/* A frame read and decoded ahead of its analysis. */
struct frame {
	uint64_t ts_ns;		/* capture time */
	uint32_t wire_len;	/* length on the wire */
	uint8_t  decode;	/* enum decode_status */
	struct packet pkt;	/* the segment, if decode is DECODE_OK (ts_ns and
				 * frame left for the caller to set) */
};

/* Fill *fr from the frame libpcap just handed over. */
void frame_decode(struct frame *fr, const struct capture_view *view);

struct read_ahead;

/*
 * Start reading `cap` (a file on disk: capture_is_disk_file()) on a new
 * thread, at most max_frames frames (0: all).  The capture belongs to
 * that thread until read_ahead_finish().  Returns 0, or TCPS_ERR_NOMEM when the ring
 * or the thread cannot be had (then read the capture directly).
 */
int read_ahead_start(struct read_ahead **out, struct capture *cap,
    uint64_t max_frames);

/*
 * The next frame, waiting for it if need be; valid until the next call.
 * NULL when the input is over: *status is then CAPTURE_END, or
 * CAPTURE_DAMAGED (capture_error() says why, after read_ahead_finish()).
 */
struct frame *read_ahead_next(struct read_ahead *ra, enum capture_status *status);

/* Progress of the reading thread (capture_progress()); false if unknown. */
bool read_ahead_progress(struct read_ahead *ra, uint64_t *done, uint64_t *total);

/*
 * Stop the thread (at once, if the input is not over) and free; the
 * capture is the caller's again.  NULL-safe.
 */
void read_ahead_finish(struct read_ahead **ra);

#endif
