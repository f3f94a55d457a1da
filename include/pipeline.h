/*
 * pipeline.h - one pass over the inputs: capture, decode, flow, state,
 * analysis, and the sink.
 */
#ifndef TCPSIGHT_PIPELINE_H
#define TCPSIGHT_PIPELINE_H

#include <signal.h>
#include <stddef.h>

#include "capture.h"
#include "flow.h"
#include "report.h"

/* What to read and how. */
struct pipeline_options {
	const char *const *inputs;	/* file names; "-" is standard input */
	size_t input_count;
	const char *filter;		/* BPF expression, or NULL */
	bool events;			/* hand flagged segments to the sink */
	bool series;			/* keep a window series per connection */
	struct flow_limits limits;
	const struct live_options *live; /* capture this interface instead of inputs */
	const char *write_file;		/* -w: also save the frames read here */
	uint64_t max_packets;		/* -c: stop after this many frames; 0 = all */
	uint64_t duration_ns;		/* --duration: stop after this long (wall clock) */
	uint64_t stats_interval_ns;	/* live: a stats record this often; 0 = none */
	volatile sig_atomic_t *stop;	/* set by a signal handler: finish cleanly */
	bool read_ahead;		/* files: read and decode on a second thread */
	/*
	 * Called once the first input is open, before reading (dropping
	 * privileges); non-zero stops the run with the message in errbuf.
	 */
	int (*after_open)(void *arg, char *errbuf, size_t errlen);
	void *after_open_arg;
	/*
	 * Files only: called a few times a second with how far the current
	 * input has been read (bytes of total; total 0 when unknown), and
	 * once with done == total == 0 when reading ends.  NULL: no progress.
	 */
	void (*progress)(void *arg, size_t input, uint64_t done, uint64_t total,
	    uint64_t packets);
	void *progress_arg;
};

/*
 * Read every input in order and feed the sink; fills *sum and calls the
 * sink's finish().  Inputs that cannot be opened or end damaged are noted
 * in sum->messages (and sum->truncated) and the run goes on.  Returns 0;
 * TCPS_ERR_OPEN when no input could be opened (finish() is not called);
 * TCPS_ERR_FILTER when the filter does not compile (message in
 * sum->messages[0]); TCPS_ERR_OUTPUT or TCPS_ERR_NOMEM when the run had
 * to stop.
 */
int pipeline_run(const struct pipeline_options *opt, struct report_sink *sink,
    struct run_summary *sum);

#endif
