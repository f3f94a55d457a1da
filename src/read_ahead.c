/*
 * read_ahead.c - read and decode a capture file on a second thread.
 *
 * The reading thread calls capture_next() and decode_packet() and puts
 * each frame into the next slot of a ring; the analysis thread takes
 * them out in the same order.  A frame holds no pointer into libpcap's
 * buffer (struct packet is a copy), so a slot stays valid after libpcap
 * has moved on.
 *
 * The two ring indexes are C11 atomics, each on a cache line of its own
 * and published every READ_AHEAD_PUBLISH frames: `head` with a release
 * store by the reader once the slots are written, `tail` by the analysis
 * once it is done with them.  No fence and no lock per frame (a
 * sequentially consistent store would wait for every slot's cache lines
 * to come back from the other core).  Neither thread wakes the other: in
 * a virtual machine a wake-up costs more than thousands of frames.  The
 * analysis, finding the ring empty, naps for READ_AHEAD_NAP_NS and looks
 * again; the reader, finding it full, naps until half of it is free, so
 * memory is bounded by the ring and the reader wakes up seldom.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "read_ahead.h"
#include "tcpsight.h"
#include "tunables.h"

struct read_ahead {
	struct capture *cap;		/* the reading thread's until finished */
	struct frame *ring;		/* READ_AHEAD_FRAMES slots */
	uint64_t max_frames;		/* frames to read at most; 0 = all */
	pthread_t thread;

	/* Written by the reading thread. */
	_Alignas(64) _Atomic uint64_t head;	/* frames published */
	_Atomic bool ended;		/* no frame will follow head */
	enum capture_status status;	/* why (written before `ended`) */
	_Atomic uint64_t done_bytes;	/* capture_progress(), every 64k frames */
	_Atomic uint64_t total_bytes;	/* 0 until known */

	/* Written by the analysis thread. */
	_Alignas(64) _Atomic uint64_t tail;	/* frames it is done with */
	_Atomic bool stop;		/* finish early */

	/* The analysis thread's own. */
	_Alignas(64) uint64_t next;	/* the next frame to hand out */
	uint64_t seen_head;		/* head as last loaded */
};

void
frame_decode(struct frame *fr, const struct capture_view *view)
{
	fr->ts_ns = view->ts_ns;
	fr->wire_len = view->wire_len;
	fr->decode = (uint8_t)decode_packet(view->linktype, view->bytes,
	    view->caplen, view->wire_len, &fr->pkt);
}

static void
nap(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

/*
 * The ring is full: wait until the analysis has taken half of it, napping
 * longer each time (each nap costs the reading CPU a wake-up, and may
 * cost another process the CPU it shares).  False: stop now.
 */
static bool
wait_for_room(struct read_ahead *ra, uint64_t head)
{
	long ns = READ_AHEAD_NAP_NS;

	while (head - atomic_load_explicit(&ra->tail, memory_order_acquire) >
	    READ_AHEAD_FRAMES / 2) {
		if (atomic_load_explicit(&ra->stop, memory_order_relaxed))
			return false;
		nap(ns);
		if (ns < READ_AHEAD_NAP_MAX_NS)
			ns *= 2;
	}
	return true;
}

static void *
reader_main(void *arg)
{
	struct read_ahead *ra = arg;
	uint64_t head = 0, published = 0, done, total;
	enum capture_status cs = CAPTURE_END;
	struct capture_view view;

	for (;;) {
		if (atomic_load_explicit(&ra->stop, memory_order_relaxed))
			break;
		if (ra->max_frames != 0 && head >= ra->max_frames)
			break;
		if (head - atomic_load_explicit(&ra->tail, memory_order_acquire) >=
		    READ_AHEAD_FRAMES) {
			atomic_store_explicit(&ra->head, head, memory_order_release);
			published = head;
			if (!wait_for_room(ra, head))
				break;
		}
		cs = capture_next(ra->cap, &view);
		if (cs != CAPTURE_PACKET) {
			if (cs != CAPTURE_DAMAGED)
				cs = CAPTURE_END;	/* a file has no timeouts */
			break;
		}
		frame_decode(&ra->ring[head % READ_AHEAD_FRAMES], &view);
		head++;
		if (head - published >= READ_AHEAD_PUBLISH) {
			atomic_store_explicit(&ra->head, head, memory_order_release);
			published = head;
		}
		if ((head & 0xffff) == 0 && capture_progress(ra->cap, &done, &total)) {
			atomic_store_explicit(&ra->done_bytes, done, memory_order_relaxed);
			atomic_store_explicit(&ra->total_bytes, total, memory_order_relaxed);
		}
	}
	if (cs == CAPTURE_PACKET)
		cs = CAPTURE_END;	/* stopped, or max_frames read */
	ra->status = cs;
	atomic_store_explicit(&ra->head, head, memory_order_release);
	atomic_store_explicit(&ra->ended, true, memory_order_release);
	return NULL;
}

int
read_ahead_start(struct read_ahead **out, struct capture *cap,
    uint64_t max_frames)
{
	struct read_ahead *ra;
	sigset_t all, old;
	int rc;

	*out = NULL;
	/* A struct's size is a multiple of its alignment, as aligned_alloc wants. */
	ra = aligned_alloc(_Alignof(struct read_ahead), sizeof(*ra));
	if (ra == NULL)
		return TCPS_ERR_NOMEM;
	memset(ra, 0, sizeof(*ra));
	ra->ring = malloc(READ_AHEAD_FRAMES * sizeof(*ra->ring));
	if (ra->ring == NULL) {
		free(ra);
		return TCPS_ERR_NOMEM;
	}
	ra->cap = cap;
	ra->max_frames = max_frames;
	/* Signals go to the analysis thread: a read is never interrupted. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&ra->thread, NULL, reader_main, ra);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		free(ra->ring);
		free(ra);
		return TCPS_ERR_NOMEM;
	}
	*out = ra;
	return 0;
}

struct frame *
read_ahead_next(struct read_ahead *ra, enum capture_status *status)
{
	bool ended;

	if (ra->next == ra->seen_head) {
		/* Done with every frame handed out: give the slots back. */
		atomic_store_explicit(&ra->tail, ra->next, memory_order_release);
		for (;;) {
			ended = atomic_load_explicit(&ra->ended, memory_order_acquire);
			ra->seen_head = atomic_load_explicit(&ra->head,
			    memory_order_acquire);
			if (ra->seen_head != ra->next)
				break;
			if (ended) {
				*status = ra->status;
				return NULL;
			}
			nap(READ_AHEAD_NAP_NS);
		}
	} else if (ra->next % READ_AHEAD_PUBLISH == 0) {
		/* The frames handed out so far are free again. */
		atomic_store_explicit(&ra->tail, ra->next, memory_order_release);
	}
	return &ra->ring[ra->next++ % READ_AHEAD_FRAMES];
}

bool
read_ahead_progress(struct read_ahead *ra, uint64_t *done, uint64_t *total)
{
	*total = atomic_load_explicit(&ra->total_bytes, memory_order_relaxed);
	*done = atomic_load_explicit(&ra->done_bytes, memory_order_relaxed);
	return *total != 0;
}

void
read_ahead_finish(struct read_ahead **rap)
{
	struct read_ahead *ra = *rap;

	if (ra == NULL)
		return;
	atomic_store_explicit(&ra->stop, true, memory_order_relaxed);
	pthread_join(ra->thread, NULL);
	free(ra->ring);
	free(ra);
	*rap = NULL;
}
