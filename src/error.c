/*
 * error.c - names of the error codes.
 */
#include "tcpsight.h"

const char *
tcps_strerror(int err)
{
	switch (err) {
	case TCPS_OK:
		return "success";
	case TCPS_ERR_NOMEM:
		return "out of memory";
	case TCPS_ERR_OPEN:
		return "cannot open input";
	case TCPS_ERR_FILTER:
		return "bad filter expression";
	case TCPS_ERR_OUTPUT:
		return "cannot write the report";
	case TCPS_ERR_READ:
		return "input damaged";
	case TCPS_ERR_USAGE:
		return "bad arguments";
	default:
		return "unknown error";
	}
}
