/*
 * main.c - the command line: parse options, pick a sink, run the
 * pipeline, print what went wrong and choose the exit status.
 *
 * This is the only file that prints errors or calls exit().
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline.h"
#include "report.h"
#include "tcpsight.h"
#include "tunables.h"

#ifndef TCPSIGHT_VERSION
#define TCPSIGHT_VERSION "0.0.0"
#endif

enum output_format { FORMAT_AUTO, FORMAT_JSON, FORMAT_NDJSON, FORMAT_TEXT };

/* Long-only options. */
enum {
	OPT_MAX_FLOWS = 256,
	OPT_TIMEOUT_OPENING,
	OPT_TIMEOUT_ESTABLISHED,
	OPT_TIMEOUT_CLOSED,
	OPT_EVENTS,
	OPT_SERIES,
	OPT_MAX_EVENTS,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'F' },
	{ "filter", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "series", no_argument, NULL, OPT_SERIES },
	{ "max-events", required_argument, NULL, OPT_MAX_EVENTS },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "timeout-opening", required_argument, NULL, OPT_TIMEOUT_OPENING },
	{ "timeout-established", required_argument, NULL, OPT_TIMEOUT_ESTABLISHED },
	{ "timeout-closed", required_argument, NULL, OPT_TIMEOUT_CLOSED },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: %s [options] FILE...      (FILE may be - for standard input)\n"
	    "  -F, --format json|ndjson|text   report format (default: text on a\n"
	    "                                  terminal, json otherwise)\n"
	    "  -f, --filter EXPR               BPF filter (pcap-filter(7) syntax)\n"
	    "  -o, --output FILE               write the report to FILE\n"
	    "      --events                    report every flagged segment\n"
	    "      --series                    add window / in-flight series to\n"
	    "                                  each diagnosis (JSON formats)\n"
	    "      --max-events N              events kept per flow in the JSON\n"
	    "                                  document (default %u)\n"
	    "      --max-flows N               connections tracked at once (default %u)\n"
	    "      --timeout-opening S         idle timeout while opening (default %u s)\n"
	    "      --timeout-established S     idle timeout when open (default %u s)\n"
	    "      --timeout-closed S          linger after FIN/RST (default %u s)\n"
	    "  -h, --help                      this help\n"
	    "  -V, --version                   print the version\n"
	    "See tcpsight(1) for the report's fields.\n",
	    TCPSIGHT_NAME, DEFAULT_MAX_EVENTS_PER_FLOW, DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUT_OPENING_S,
	    DEFAULT_TIMEOUT_ESTABLISHED_S, DEFAULT_TIMEOUT_CLOSED_S);
}

/* Parse a whole number in [min, max]; false if it is not one. */
static bool
parse_number(const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_format(const char *s, enum output_format *out)
{
	if (strcmp(s, "json") == 0)
		*out = FORMAT_JSON;
	else if (strcmp(s, "ndjson") == 0)
		*out = FORMAT_NDJSON;
	else if (strcmp(s, "text") == 0)
		*out = FORMAT_TEXT;
	else
		return false;
	return true;
}

int
main(int argc, char **argv)
{
	struct pipeline_options opt = { 0 };
	struct run_summary *sum;
	struct report_sink *sink;
	enum output_format format = FORMAT_AUTO;
	const char *output = NULL;
	uint32_t max_events = DEFAULT_MAX_EVENTS_PER_FLOW;
	unsigned long long v;
	FILE *out = stdout;
	size_t i;
	int c, rc, status;

	opt.limits.max_flows = DEFAULT_MAX_FLOWS;
	opt.limits.timeout_ns[FLOW_CLASS_OPENING] =
	    DEFAULT_TIMEOUT_OPENING_S * 1000000000ull;
	opt.limits.timeout_ns[FLOW_CLASS_ESTABLISHED] =
	    DEFAULT_TIMEOUT_ESTABLISHED_S * 1000000000ull;
	opt.limits.timeout_ns[FLOW_CLASS_CLOSED] =
	    DEFAULT_TIMEOUT_CLOSED_S * 1000000000ull;

	while ((c = getopt_long(argc, argv, "F:f:o:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!parse_format(optarg, &format)) {
				fprintf(stderr, "%s: unknown format '%s' "
				    "(json, ndjson or text)\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			break;
		case 'f':
			opt.filter = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_EVENTS:
			opt.events = true;
			break;
		case OPT_SERIES:
			opt.series = true;
			break;
		case OPT_MAX_EVENTS:
			if (!parse_number(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr, "%s: --max-events wants a number from 1 "
				    "to %u, not '%s'\n", TCPSIGHT_NAME, UINT32_MAX, optarg);
				return EXIT_FATAL;
			}
			max_events = (uint32_t)v;
			break;
		case OPT_MAX_FLOWS:
			if (!parse_number(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr, "%s: --max-flows wants a number from 1 "
				    "to %u, not '%s'\n", TCPSIGHT_NAME, UINT32_MAX, optarg);
				return EXIT_FATAL;
			}
			opt.limits.max_flows = (uint32_t)v;
			break;
		case OPT_TIMEOUT_OPENING:
		case OPT_TIMEOUT_ESTABLISHED:
		case OPT_TIMEOUT_CLOSED:
			if (!parse_number(optarg, 0, 100u * 365 * 86400, &v)) {
				fprintf(stderr, "%s: %s wants seconds, not '%s'\n",
				    TCPSIGHT_NAME, argv[optind - 1], optarg);
				return EXIT_FATAL;
			}
			opt.limits.timeout_ns[c - OPT_TIMEOUT_OPENING] =
			    v * 1000000000ull;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s\n", TCPSIGHT_NAME, TCPSIGHT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_FATAL;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no capture file given (use - for standard "
		    "input)\n", TCPSIGHT_NAME);
		usage(stderr);
		return EXIT_FATAL;
	}
	opt.inputs = (const char *const *)&argv[optind];
	opt.input_count = (size_t)(argc - optind);

	/* A closed pipe becomes a write error we report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, output, strerror(errno));
		return EXIT_FATAL;
	}
	if (format == FORMAT_AUTO)
		format = isatty(fileno(out)) ? FORMAT_TEXT : FORMAT_JSON;
	sink = format == FORMAT_TEXT ? report_text_create(out) :
	    format == FORMAT_NDJSON ? report_ndjson_create(out) :
	    report_json_doc_create(out, opt.events ? max_events : 0);
	sum = calloc(1, sizeof(*sum));
	if (sink == NULL || sum == NULL) {
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, tcps_strerror(TCPS_ERR_NOMEM));
		return EXIT_FATAL;
	}

	rc = pipeline_run(&opt, sink, sum);
	for (i = 0; i < sum->message_count; i++)
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, sum->messages[i]);
	if (rc == TCPS_ERR_OUTPUT)
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME,
		    output != NULL ? output : "standard output",
		    errno != 0 ? strerror(errno) : tcps_strerror(rc));
	else if (rc != 0 && rc != TCPS_ERR_OPEN && rc != TCPS_ERR_FILTER)
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, tcps_strerror(rc));

	if (rc != 0)
		status = EXIT_FATAL;
	else
		status = sum->truncated ? EXIT_DAMAGED : EXIT_OK;
	report_sink_free(&sink);
	free(sum);
	if (out != stdout && fclose(out) != 0 && status != EXIT_FATAL) {
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, output, strerror(errno));
		status = EXIT_FATAL;
	}
	return status;
}
