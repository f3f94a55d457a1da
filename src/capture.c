/*
 * capture.c - libpcap sources: offline files and standard input.
 *
 * Every input format and the BPF filter are libpcap's: we ask for
 * nanosecond timestamps so pcap and pcapng files of either precision come
 * out in one unit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "tcpsight.h"

struct capture {
	pcap_t *pcap;
	int linktype;
};

static int
apply_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, errlen, "bad filter '%s': %s", filter,
		    pcap_geterr(p));
		return TCPS_ERR_FILTER;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(errbuf, errlen, "cannot set filter '%s': %s", filter,
		    pcap_geterr(p));
		pcap_freecode(&prog);
		return TCPS_ERR_FILTER;
	}
	pcap_freecode(&prog);
	return 0;
}

int
capture_open_offline(struct capture **out, const char *path, const char *filter,
    char *errbuf, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	pcap_t *p;
	int rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		p = pcap_fopen_offline_with_tstamp_precision(stdin,
		    PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	else
		p = pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (p == NULL) {
		/* libpcap names the file itself; the caller does that. */
		size_t plen = strlen(path);
		const char *msg = pcap_err;

		if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
			msg += plen + 2;
		snprintf(errbuf, errlen, "%s", msg);
		return TCPS_ERR_OPEN;
	}
	if (filter != NULL && (rc = apply_filter(p, filter, errbuf, errlen)) != 0) {
		pcap_close(p);
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		pcap_close(p);
		snprintf(errbuf, errlen, "%s", strerror(ENOMEM));
		return TCPS_ERR_NOMEM;
	}
	c->pcap = p;
	c->linktype = pcap_datalink(p);
	*out = c;
	return 0;
}

enum capture_status
capture_next(struct capture *c, struct capture_view *view)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	rc = pcap_next_ex(c->pcap, &hdr, &data);
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (rc != 1)
		return CAPTURE_DAMAGED;
	view->ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000u +
	    (uint64_t)hdr->ts.tv_usec;
	view->caplen = hdr->caplen;
	view->wire_len = hdr->len;
	view->linktype = c->linktype;
	view->bytes = data;
	return CAPTURE_PACKET;
}

int
capture_linktype(const struct capture *c)
{
	return c->linktype;
}

const char *
capture_linktype_name(int linktype)
{
	const char *name = pcap_datalink_val_to_name(linktype);

	return name != NULL ? name : "unknown";
}

const char *
capture_error(struct capture *c)
{
	return pcap_geterr(c->pcap);
}

void
capture_close(struct capture **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	pcap_close((*cp)->pcap);
	free(*cp);
	*cp = NULL;
}
