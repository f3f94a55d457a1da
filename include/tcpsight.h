/*
 * tcpsight.h - what every stage shares: error codes and their names.
 *
 * Functions that can fail return 0 or a negative enum tcps_err; only
 * main.c prints errors and chooses the exit status.  Malformed packets
 * are not errors: they are counted by the decoder's skip reasons.
 */
#ifndef TCPSIGHT_H
#define TCPSIGHT_H

#define TCPSIGHT_NAME	"tcpsight"

enum tcps_err {
	TCPS_OK = 0,
	TCPS_ERR_NOMEM = -1,	/* an allocation failed */
	TCPS_ERR_OPEN = -2,	/* input cannot be opened or is not a capture */
	TCPS_ERR_FILTER = -3,	/* BPF expression does not compile */
	TCPS_ERR_OUTPUT = -4,	/* writing the report failed (disk full, closed pipe) */
	TCPS_ERR_READ = -5,	/* input damaged mid-way (truncated or corrupt) */
	TCPS_ERR_USAGE = -6	/* bad command-line arguments */
};

/* Exit statuses, documented in tcpsight(1). */
#define EXIT_OK		0	/* success */
#define EXIT_FATAL	1	/* usage or fatal error; no report */
#define EXIT_DAMAGED	2	/* input damaged, but a report was written */
#define EXIT_NO_MATCH	3	/* --flow matched no connection; the report has none */

/* A short English description of an enum tcps_err value. */
const char *tcps_strerror(int err);

#endif
