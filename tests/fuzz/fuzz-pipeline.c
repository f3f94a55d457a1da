/*
 * fuzz-pipeline.c - libFuzzer target: the whole pipeline on one capture
 * file (pcap or pcapng, as libpcap reads it) held in memory.
 *
 * pipeline_run() opens its inputs by name (capture_open_offline), so the
 * input bytes go into a memfd and the pipeline reads "/proc/self/fd/N":
 * libpcap parses exactly these bytes, with no file on disk.  The report
 * goes to /dev/null.
 *
 * The run's options are picked from the input's length, so every input
 * still is a whole, unmodified capture (the seeds are testdata's files)
 * and a crash reproduces from the file alone:
 *   size & 3: 0 NDJSON, 1 NDJSON with --events --series,
 *             2 JSON document with --events (max 4 per flow), 3 text;
 *   size & 4: --max-flows 4 (evictions), else 64.  Not the default
 *             (1,000,000): the table allocates records 4096 at a time
 *             (2 KiB each), and touching a 9 MB slab per run would make
 *             the slab, not the capture, the cost of every execution;
 *   size & 8: short idle timeouts (1 s, 2 s, 1 s), else the defaults.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pipeline.h"
#include "report.h"
#include "tcpsight.h"
#include "tunables.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz-pipeline: check failed: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static int memfd = -1;
static FILE *devnull;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_options opt;
	struct report_sink *sink;
	struct run_summary *sum;
	const char *inputs[1];
	size_t done = 0, i;
	uint64_t skipped = 0;
	ssize_t n;
	int rc;

	if (size > (1u << 20))
		return 0;
	if (memfd < 0) {
		memfd = memfd_create("fuzz-pipeline", 0);
		CHECK(memfd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
		devnull = fopen("/dev/null", "w");
		CHECK(devnull != NULL);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	while (done < size) {
		n = pwrite(memfd, data + done, size - done, (off_t)done);
		CHECK(n > 0);
		done += (size_t)n;
	}

	memset(&opt, 0, sizeof(opt));
	inputs[0] = path;
	opt.inputs = inputs;
	opt.input_count = 1;
	opt.limits.max_flows = (size & 4) ? 4 : 64;
	if (size & 8) {
		opt.limits.timeout_ns[FLOW_CLASS_OPENING] = 1000000000ull;
		opt.limits.timeout_ns[FLOW_CLASS_ESTABLISHED] = 2000000000ull;
		opt.limits.timeout_ns[FLOW_CLASS_CLOSED] = 1000000000ull;
	} else {
		opt.limits.timeout_ns[FLOW_CLASS_OPENING] =
		    DEFAULT_TIMEOUT_OPENING_S * 1000000000ull;
		opt.limits.timeout_ns[FLOW_CLASS_ESTABLISHED] =
		    DEFAULT_TIMEOUT_ESTABLISHED_S * 1000000000ull;
		opt.limits.timeout_ns[FLOW_CLASS_CLOSED] =
		    DEFAULT_TIMEOUT_CLOSED_S * 1000000000ull;
	}
	switch (size & 3) {
	case 0:
		sink = report_ndjson_create(devnull, false);
		break;
	case 1:
		opt.events = opt.series = true;
		sink = report_ndjson_create(devnull, false);
		break;
	case 2:
		opt.events = true;
		sink = report_json_doc_create(devnull, 4);
		break;
	default:
		sink = report_text_create(devnull, false);
		break;
	}
	sum = calloc(1, sizeof(*sum));
	CHECK(sink != NULL && sum != NULL);

	rc = pipeline_run(&opt, sink, sum);
	CHECK(rc == 0 || rc == TCPS_ERR_OPEN);
	if (rc == 0) {
		/* Every frame read is analysed or skipped for a named reason. */
		for (i = 0; i < DECODE_STATUS_COUNT; i++)
			skipped += sum->skipped[i];
		CHECK(sum->packets == sum->tcp_packets + skipped);
		CHECK(sum->skipped[DECODE_OK] == 0);
		CHECK(sum->table.active == 0);
		CHECK(sum->table.created >= sum->table.evicted + sum->table.timed_out);
		CHECK(sum->first_ns <= sum->last_ns);
	}
	report_sink_free(&sink);
	free(sum);
	(void)fflush(devnull);
	return 0;
}
