/*
 * main.c - the command line: parse options, pick a sink, run the
 * pipeline, print what went wrong and choose the exit status.
 *
 * This is the only file that prints errors or calls exit().
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flow_select.h"
#include "pipeline.h"
#include "plot.h"
#include "report.h"
#include "tcpsight.h"
#include "tunables.h"

#ifndef TCPSIGHT_VERSION
#define TCPSIGHT_VERSION "0.0.0"
#endif

enum output_format { FORMAT_AUTO, FORMAT_JSON, FORMAT_NDJSON, FORMAT_TEXT };

/*
 * The one piece of global mutable state: set by SIGINT/SIGTERM, read by
 * the pipeline's loop, which then finishes cleanly.
 */
static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Long-only options. */
enum {
	OPT_MAX_FLOWS = 256,
	OPT_TIMEOUT_OPENING,
	OPT_TIMEOUT_ESTABLISHED,
	OPT_TIMEOUT_CLOSED,
	OPT_EVENTS,
	OPT_SERIES,
	OPT_TOP,
	OPT_ONLY_PROBLEMS,
	OPT_COLOR,
	OPT_DURATION,
	OPT_STATS_INTERVAL,
	OPT_MAX_EVENTS,
	OPT_PLOT,
	OPT_PLOT_TOP,
	OPT_FLOW,
	OPT_HTML,
	OPT_THREADS,
	OPT_PACK_IDLE,
};

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'F' },
	{ "filter", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "series", no_argument, NULL, OPT_SERIES },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "only-problems", no_argument, NULL, OPT_ONLY_PROBLEMS },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "max-events", required_argument, NULL, OPT_MAX_EVENTS },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "plot-top", required_argument, NULL, OPT_PLOT_TOP },
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "timeout-opening", required_argument, NULL, OPT_TIMEOUT_OPENING },
	{ "timeout-established", required_argument, NULL, OPT_TIMEOUT_ESTABLISHED },
	{ "timeout-closed", required_argument, NULL, OPT_TIMEOUT_CLOSED },
	{ "pack-idle", required_argument, NULL, OPT_PACK_IDLE },
	{ "interface", required_argument, NULL, 'i' },
	{ "snapshot-length", required_argument, NULL, 's' },
	{ "no-promiscuous-mode", no_argument, NULL, 'p' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "write", required_argument, NULL, 'w' },
	{ "relinquish-privileges", required_argument, NULL, 'Z' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: %s [options] FILE...      (FILE may be - for standard input)\n"
	    "       %s -i INTERFACE [options] [BPF expression]\n"
	    "  -F, --format json|ndjson|text   report format (default: text on a\n"
	    "                                  terminal, json otherwise)\n"
	    "  -f, --filter EXPR               BPF filter (pcap-filter(7) syntax)\n"
	    "  -o, --output FILE               write the report to FILE\n"
	    "      --events                    report every flagged segment\n"
	    "      --top N                     text: show the N worst connections\n"
	    "      --only-problems             text: show only troubled connections\n"
	    "      --color WHEN                text: auto (default), always, never\n"
	    "      --flow ID                   report only connection ID (or\n"
	    "                                  ADDR:PORT-ADDR:PORT); text: in full\n"
	    "      --series                    add window / in-flight series to\n"
	    "                                  each diagnosis (JSON formats)\n"
	    "      --max-events N              events kept per flow in the JSON\n"
	    "                                  document (default %u)\n"
	    "      --plot DIR                  write each flow's time-sequence and\n"
	    "                                  window graphs as SVG files into DIR\n"
	    "      --html FILE                 also write a self-contained HTML report\n"
	    "                                  with the worst flows' graphs (default %u)\n"
	    "      --plot-top N                graph only the N most stalled flows\n"
	    "      --threads N                 1: all in one thread; 2: read and\n"
	    "                                  decode files on a second one (default:\n"
	    "                                  2 with two CPUs or more)\n"
	    "      --max-flows N               connections tracked at once (default %u)\n"
	    "      --timeout-opening S         idle timeout while opening (default %u s)\n"
	    "      --timeout-established S     idle timeout when open (default %u s)\n"
	    "      --timeout-closed S          linger after FIN/RST (default %u s)\n"
	    "      --pack-idle S               pack the state of connections idle for\n"
	    "                                  S seconds (default %u; 0: never)\n"
	    "  -c, --count N                   stop after N packets\n"
	    "live capture:\n"
	    "  -i, --interface IF              capture on IF (\"any\" for all)\n"
	    "  -s, --snapshot-length N         bytes kept per packet (default %d)\n"
	    "  -p, --no-promiscuous-mode       do not put the interface in promiscuous mode\n"
	    "  -B, --buffer-size KIB           kernel capture buffer in KiB\n"
	    "      --duration S                stop after S seconds\n"
	    "      --stats-interval S          a stats record every S seconds (default %u; 0: none)\n"
	    "  -w, --write FILE                also save the packets read to FILE (pcap)\n"
	    "  -Z, --relinquish-privileges U   run as user U once the interface is open\n"
	    "                                  (default nobody when started as root)\n"
	    "  -q, --quiet                     no progress line on the terminal\n"
	    "  -h, --help                      this help\n"
	    "  -V, --version                   print the version\n"
	    "See tcpsight(1) for the report's fields.\n",
	    TCPSIGHT_NAME, TCPSIGHT_NAME, DEFAULT_MAX_EVENTS_PER_FLOW,
	    HTML_GRAPH_FLOWS, DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUT_OPENING_S,
	    DEFAULT_TIMEOUT_ESTABLISHED_S, DEFAULT_TIMEOUT_CLOSED_S,
	    DEFAULT_PACK_IDLE_S,
	    DEFAULT_LIVE_SNAPLEN, DEFAULT_STATS_INTERVAL_S);
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

/* The progress line's state (files, standard error on a terminal). */
struct progress {
	uint64_t start_ns;	/* wall clock when reading began */
	uint64_t start_done;	/* bytes read of the input when it began */
	size_t input;		/* index of the input the line is about */
	size_t inputs;		/* how many inputs */
	bool shown;		/* a line is on the screen */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One line on standard error: percent of the file read, packets per
 * second, time left; erased when reading ends.  Only on a terminal.
 */
static void
show_progress(void *arg, size_t input, uint64_t done, uint64_t total,
    uint64_t packets)
{
	struct progress *pg = arg;
	double elapsed, rate, left;
	uint64_t now = now_ns();

	if (done == 0 && total == 0) {
		if (pg->shown)
			fputs("\r\033[K", stderr);	/* reading ended: erase the line */
		pg->shown = false;
		pg->start_ns = 0;
		return;
	}
	if (pg->start_ns == 0 || input != pg->input) {
		pg->start_ns = now;
		pg->input = input;
		pg->start_done = done;
		return;	/* a rate needs two readings */
	}
	elapsed = (double)(now - pg->start_ns) / 1e9;
	rate = elapsed > 0 ? (double)packets / elapsed : 0;
	left = done > pg->start_done && total > done ?
	    elapsed * (double)(total - done) / (double)(done - pg->start_done) : 0;
	fprintf(stderr, "\r\033[K%s: %s%3.0f%% of file %zu/%zu, %.2f Mpkt/s, "
	    "%d:%02d left", TCPSIGHT_NAME, "", total ? 100.0 * (double)done /
	    (double)total : 0.0, input + 1, pg->inputs, rate / 1e6,
	    (int)(left / 60), (int)left % 60);
	fflush(stderr);
	pg->shown = true;
}

/* Parse a number of seconds, decimals allowed, in [0, 10 years]. */
static bool
parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 315360000.0)
		return false;
	*ns = (uint64_t)(v * 1e9);
	return true;
}

/* What the after-open hook needs. */
struct drop_privileges {
	const char *user;	/* NULL: keep the current user */
	const struct live_options *live;	/* non-NULL: say we are listening */
};

/* Live: say we are capturing (after any privilege drop), as tcpdump does. */
static int
announce_listening(const struct drop_privileges *dp)
{
	if (dp->live != NULL)
		fprintf(stderr, "%s: listening on %s, snapshot length %d\n",
		    TCPSIGHT_NAME, dp->live->device, dp->live->snaplen);
	return 0;
}

/*
 * Become `user` once the capture device (and -w file) are open: the
 * rest of the run parses hostile packets and needs no privilege.
 */
static int
drop_privileges(void *arg, char *errbuf, size_t errlen)
{
	const struct drop_privileges *dp = arg;
	struct passwd *pw;

	if (dp->user == NULL)
		return announce_listening(dp);
	errno = 0;
	pw = getpwnam(dp->user);
	if (pw == NULL) {
		snprintf(errbuf, errlen, "-Z %s: no such user", dp->user);
		return TCPS_ERR_USAGE;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		snprintf(errbuf, errlen, "cannot become user %s: %s", dp->user,
		    strerror(errno));
		return TCPS_ERR_USAGE;
	}
	/* Make sure there is no way back. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(errbuf, errlen, "could regain root after dropping to %s",
		    dp->user);
		return TCPS_ERR_USAGE;
	}
	return announce_listening(dp);
}

/* Join the remaining words into one BPF expression (tcpdump's way). */
static char *
join_words(char **words, int count)
{
	size_t len = 1;
	char *out;
	int i;

	for (i = 0; i < count; i++)
		len += strlen(words[i]) + 1;
	out = calloc(1, len);
	if (out == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, words[i]);
	}
	return out;
}

static void
install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe becomes a write error we report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	struct pipeline_options opt = { 0 };
	struct live_options live = {
		.snaplen = DEFAULT_LIVE_SNAPLEN, .promisc = 1,
		.timeout_ms = LIVE_READ_TIMEOUT_MS,
	};
	struct drop_privileges dp = { NULL };
	struct run_summary *sum;
	struct report_sink *sink, *tee, *selector = NULL;
	struct plot_options po = { NULL, 0, false };
	enum output_format format = FORMAT_AUTO;
	const char *output = NULL, *user = NULL, *plot_dir = NULL, *html = NULL;
	char plot_err[REPORT_MESSAGE_LEN] = "", html_err[REPORT_MESSAGE_LEN] = "";
	char flow_err[REPORT_MESSAGE_LEN];
	struct flow_select flow_sel;
	FILE *html_out = NULL;
	char *filter_words = NULL;
	uint32_t max_events = DEFAULT_MAX_EVENTS_PER_FLOW;
	size_t text_top = 0;		/* --top: rows of the text table */
	bool quiet = false;		/* -q: no progress line */
	struct progress progress = { 0 };
	bool only_problems = false;	/* --only-problems */
	int color_when = 0;		/* --color: 1 always, -1 never, 0 auto */
	int threads = 0;		/* --threads: 1 or 2; 0 = by the CPUs */
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
	opt.limits.pack_idle_ns = DEFAULT_PACK_IDLE_S * 1000000000ull;
	opt.stats_interval_ns = DEFAULT_STATS_INTERVAL_S * 1000000000ull;
	opt.stop = &stop_requested;

	while ((c = getopt_long(argc, argv, "F:f:o:i:s:pB:c:w:Z:qhV", long_options,
	    NULL)) != -1) {
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
		case 'i':
			live.device = optarg;
			break;
		case 's':
			if (!parse_number(optarg, 0, 262144, &v)) {
				fprintf(stderr, "%s: -s wants a snapshot length from 0 "
				    "to 262144, not '%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			live.snaplen = v == 0 ? 262144 : (int)v;	/* 0: tcpdump's "all" */
			break;
		case 'p':
			live.promisc = 0;
			break;
		case 'B':
			if (!parse_number(optarg, 1, 4194304, &v)) {
				fprintf(stderr, "%s: -B wants a buffer size in KiB, not "
				    "'%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			live.buffer_kib = (int)v;
			break;
		case 'c':
			if (!parse_number(optarg, 1, UINT64_MAX, &v)) {
				fprintf(stderr, "%s: -c wants a packet count, not '%s'\n",
				    TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			opt.max_packets = v;
			break;
		case OPT_THREADS:
			if (!parse_number(optarg, 1, 2, &v)) {
				fprintf(stderr, "%s: --threads wants 1 or 2, not "
				    "'%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			threads = (int)v;
			break;
		case OPT_DURATION:
			if (!parse_seconds(optarg, &opt.duration_ns) || opt.duration_ns == 0) {
				fprintf(stderr, "%s: --duration wants seconds, not '%s'\n",
				    TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			break;
		case OPT_STATS_INTERVAL:
			if (!parse_seconds(optarg, &opt.stats_interval_ns)) {
				fprintf(stderr, "%s: --stats-interval wants seconds, not "
				    "'%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			break;
		case 'w':
			opt.write_file = optarg;
			break;
		case 'Z':
			user = optarg;
			break;
		case OPT_EVENTS:
			opt.events = true;
			break;
		case OPT_TOP:
			if (!parse_number(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr, "%s: --top wants a number of connections, "
				    "not '%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			text_top = (size_t)v;
			break;
		case OPT_ONLY_PROBLEMS:
			only_problems = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				color_when = 0;
			else if (strcmp(optarg, "always") == 0)
				color_when = 1;
			else if (strcmp(optarg, "never") == 0)
				color_when = -1;
			else {
				fprintf(stderr, "%s: --color wants auto, always or "
				    "never, not '%s'\n", TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			break;
		case OPT_SERIES:
			opt.series = true;
			break;
		case OPT_PLOT:
			plot_dir = optarg;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_FLOW:
			if (flow_select_parse(optarg, &flow_sel) != 0) {
				fprintf(stderr, "%s: --flow wants a flow id or "
				    "ADDR:PORT-ADDR:PORT, not '%s'\n", TCPSIGHT_NAME,
				    optarg);
				return EXIT_FATAL;
			}
			po.flow = optarg;
			break;
		case OPT_PLOT_TOP:
			if (!parse_number(optarg, 1, PLOT_TOP_MAX, &v)) {
				fprintf(stderr, "%s: --plot-top wants a number from 1 "
				    "to %u, not '%s'\n", TCPSIGHT_NAME, PLOT_TOP_MAX,
				    optarg);
				return EXIT_FATAL;
			}
			po.top = (size_t)v;
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
		case OPT_PACK_IDLE:
			if (!parse_number(optarg, 0, 100u * 365 * 86400, &v)) {
				fprintf(stderr, "%s: --pack-idle wants seconds, not '%s'\n",
				    TCPSIGHT_NAME, optarg);
				return EXIT_FATAL;
			}
			opt.limits.pack_idle_ns = v * 1000000000ull;
			break;
		case 'q':
			quiet = true;
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
	if (po.top != 0 && plot_dir == NULL && html == NULL) {
		fprintf(stderr, "%s: --plot-top chooses what --plot or --html "
		    "draw; give one of those\n", TCPSIGHT_NAME);
		return EXIT_FATAL;
	}
	if (po.flow != NULL && (text_top != 0 || only_problems)) {
		fprintf(stderr, "%s: --top and --only-problems shape the table, "
		    "which --flow replaces with the connection's detail\n",
		    TCPSIGHT_NAME);
		return EXIT_FATAL;
	}
	/* The pictures need each connection's series; the report shows it
	 * only with --series. */
	po.show_series = opt.series;
	if (plot_dir != NULL || html != NULL)
		opt.series = true;
	if (live.device != NULL) {
		/* Live: what follows the options is a BPF expression. */
		if (optind < argc) {
			if (opt.filter != NULL) {
				fprintf(stderr, "%s: give the filter either with -f or "
				    "after the options, not both\n", TCPSIGHT_NAME);
				return EXIT_FATAL;
			}
			opt.filter = filter_words = join_words(&argv[optind], argc - optind);
			if (filter_words == NULL) {
				fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME,
				    tcps_strerror(TCPS_ERR_NOMEM));
				return EXIT_FATAL;
			}
		}
		opt.live = &live;
		/* Root only opens the device; the analysis runs unprivileged. */
		dp.user = user != NULL ? user : (geteuid() == 0 ? DEFAULT_LIVE_USER : NULL);
		dp.live = &live;
		opt.after_open = drop_privileges;
		opt.after_open_arg = &dp;
	} else {
		if (optind >= argc) {
			fprintf(stderr, "%s: no capture file given (use - for standard "
			    "input, or -i INTERFACE)\n", TCPSIGHT_NAME);
			usage(stderr);
			return EXIT_FATAL;
		}
		opt.inputs = (const char *const *)&argv[optind];
		opt.input_count = (size_t)(argc - optind);
		if (user != NULL) {
			dp.user = user;
			opt.after_open = drop_privileges;
			opt.after_open_arg = &dp;
		}
	}

	if (opt.live == NULL && !quiet && isatty(STDERR_FILENO)) {
		progress.inputs = opt.input_count;
		opt.progress = show_progress;
		opt.progress_arg = &progress;
	}
	install_signal_handlers();
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, output, strerror(errno));
		free(filter_words);
		return EXIT_FATAL;
	}
	if (format == FORMAT_AUTO)
		format = opt.live != NULL ? FORMAT_NDJSON :
		    isatty(fileno(out)) ? FORMAT_TEXT : FORMAT_JSON;
	if (opt.live != NULL)
		setvbuf(out, NULL, _IOLBF, 0);	/* a live feed goes out line by line */
	sink = format == FORMAT_TEXT ?
	    report_text_create(out, opt.live != NULL && isatty(fileno(out))) :
	    format == FORMAT_NDJSON ? report_ndjson_create(out, opt.live != NULL) :
	    report_json_doc_create(out, opt.events ? max_events : 0);
	if (sink != NULL && format == FORMAT_TEXT) {
		const char *no_color = getenv("NO_COLOR");	/* no-color.org */

		report_text_limit(sink, text_top, only_problems);
		report_text_color(sink, color_when > 0 || (color_when == 0 &&
		    isatty(fileno(out)) && (no_color == NULL || *no_color == '\0')));
		report_text_detail(sink, po.flow != NULL);
	}
	else if (text_top != 0 || only_problems) {
		fprintf(stderr, "%s: --top and --only-problems shape the text "
		    "table (-F text)\n", TCPSIGHT_NAME);
		return EXIT_FATAL;
	}
	sum = calloc(1, sizeof(*sum));
	if (sink == NULL || sum == NULL) {
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, tcps_strerror(TCPS_ERR_NOMEM));
		return EXIT_FATAL;
	}
	/* --flow: the report shows only the selected connections. */
	rc = 0;
	if (po.flow != NULL) {
		rc = report_select_create(&tee, sink, po.flow, flow_err,
		    sizeof(flow_err));
		if (rc == 0)
			sink = selector = tee;
		else
			fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, flow_err);
	}
	/* The pictures: sinks that pass every record on to the report. */
	if (rc == 0 && plot_dir != NULL) {
		rc = report_plot_create(&tee, sink, plot_dir, &po, plot_err,
		    sizeof(plot_err));
		if (rc == 0)
			sink = tee;
		else
			fprintf(stderr, "%s: --plot: %s\n", TCPSIGHT_NAME, plot_err);
	}
	if (rc == 0 && html != NULL) {
		/* Around the --plot sink: pass the series on, it hides them. */
		if (plot_dir != NULL)
			po.show_series = true;
		if ((html_out = fopen(html, "w")) == NULL) {
			fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, html,
			    strerror(errno));
			rc = TCPS_ERR_OUTPUT;
		} else if ((rc = report_html_create(&tee, sink, html_out, html, &po,
		    html_err, sizeof(html_err))) == 0)
			sink = tee;
		else
			fprintf(stderr, "%s: --html: %s\n", TCPSIGHT_NAME, html_err);
	}
	if (rc != 0) {
		report_sink_free(&sink);
		if (html_out != NULL)
			fclose(html_out);
		free(sum);
		free(filter_words);
		return EXIT_FATAL;
	}

	/* Files are read ahead on a second thread when there is a CPU for it. */
	if (threads == 0)
		threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	opt.read_ahead = threads == 2;

	errno = 0;
	rc = pipeline_run(&opt, sink, sum);
	for (i = 0; i < sum->message_count; i++)
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, sum->messages[i]);
	if (rc != 0 && (plot_err[0] != '\0' || html_err[0] != '\0')) {
		if (plot_err[0] != '\0')
			fprintf(stderr, "%s: --plot: %s\n", TCPSIGHT_NAME, plot_err);
		if (html_err[0] != '\0')
			fprintf(stderr, "%s: --html: %s\n", TCPSIGHT_NAME, html_err);
	} else if (rc == TCPS_ERR_OUTPUT)
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME,
		    output != NULL ? output : "standard output",
		    errno != 0 ? strerror(errno) : tcps_strerror(rc));
	else if (rc != 0 && rc != TCPS_ERR_OPEN && rc != TCPS_ERR_FILTER)
		fprintf(stderr, "%s: %s\n", TCPSIGHT_NAME, tcps_strerror(rc));

	if (rc != 0)
		status = EXIT_FATAL;
	else if (selector != NULL && report_select_matched(selector) == 0) {
		fprintf(stderr, "%s: no connection matches --flow %s\n",
		    TCPSIGHT_NAME, po.flow);
		status = EXIT_NO_MATCH;
	} else
		status = sum->truncated ? EXIT_DAMAGED : EXIT_OK;
	report_sink_free(&sink);
	free(sum);
	free(filter_words);
	if (out != stdout && fclose(out) != 0 && status != EXIT_FATAL) {
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, output, strerror(errno));
		status = EXIT_FATAL;
	}
	if (html_out != NULL && fclose(html_out) != 0 && status != EXIT_FATAL) {
		fprintf(stderr, "%s: %s: %s\n", TCPSIGHT_NAME, html, strerror(errno));
		status = EXIT_FATAL;
	}
	return status;
}
