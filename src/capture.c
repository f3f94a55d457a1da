/*
 * capture.c - libpcap sources: offline files, standard input, and live
 * interfaces.
 *
 * Every input format and the BPF filter are libpcap's: we ask for
 * nanosecond timestamps so pcap and pcapng files of either precision come
 * out in one unit.  Live captures run in immediate mode with a short read
 * timeout, so frames are not held back and the caller's loop regains
 * control to look at signals and timers.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "input_stream.h"
#include "tcpsight.h"

struct capture {
	pcap_t *pcap;
	int linktype;
	bool live;			/* an interface, not a file */
	uint32_t subsec_to_ns;		/* 1 if tv_usec holds ns, 1000 if us */
	int fd;				/* live: descriptor to poll() */
	int timeout_ms;			/* live: poll() timeout */
	pcap_dumper_t *dumper;		/* -w: copy of every frame read, or NULL */
	struct pcap_pkthdr *last_hdr;	/* frame last returned (libpcap's) */
	struct input_stream in;		/* files: the byte stream under libpcap */
	const u_char *last_data;
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
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(errbuf, errlen, "%s", strerror(ENOMEM));
		return TCPS_ERR_NOMEM;
	}
	/* gzip and zstd by their magic bytes; "-" is standard input. */
	rc = input_stream_open(&c->in, path, errbuf, errlen);
	if (rc != 0) {
		free(c);
		return rc;
	}
	p = pcap_fopen_offline_with_tstamp_precision(c->in.fp,
	    PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (p == NULL) {
		fclose(c->in.fp);	/* libpcap did not take it */
		input_stream_release(&c->in);
	}
	if (p == NULL) {
		/* libpcap names the file itself; the caller does that. */
		size_t plen = strlen(path);
		const char *msg = pcap_err;

		if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
			msg += plen + 2;
		snprintf(errbuf, errlen, "%s%s", msg, c->in.compressed ?
		    " (after decompression)" : "");
		free(c);
		return TCPS_ERR_OPEN;
	}
	if (filter != NULL && (rc = apply_filter(p, filter, errbuf, errlen)) != 0) {
		pcap_close(p);
		input_stream_release(&c->in);
		free(c);
		return rc;
	}
	c->pcap = p;
	c->linktype = pcap_datalink(p);
	c->subsec_to_ns = 1;	/* opened with nanosecond precision */
	*out = c;
	return 0;
}

bool
capture_progress(struct capture *c, uint64_t *done, uint64_t *total)
{
	FILE *f;
	long pos;

	if (c->live || c->in.total_bytes == 0)
		return false;
	*total = c->in.total_bytes;
	if (c->in.compressed) {
		*done = c->in.compressed_bytes;
		return true;
	}
	f = pcap_file(c->pcap);
	if (f == NULL || (pos = ftell(f)) < 0)
		return false;
	*done = (uint64_t)pos;
	return true;
}

bool
capture_is_disk_file(const struct capture *c)
{
	return !c->live && c->in.total_bytes != 0;
}

/* Say what a pcap_activate() failure means for the user. */
static void
explain_activate_error(pcap_t *p, int rc, const char *device, char *errbuf,
    size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(errbuf, errlen, "no such interface (%s)", pcap_geterr(p));
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(errbuf, errlen, "no permission to capture on %s: run as "
		    "root or grant CAP_NET_RAW (setcap cap_net_raw+ep tcpsight) "
		    "(%s)", device, pcap_geterr(p));
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(errbuf, errlen, "interface %s is down", device);
		break;
	default:
		snprintf(errbuf, errlen, "%s", pcap_statustostr(rc));
		if (rc == PCAP_ERROR || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
			snprintf(errbuf, errlen, "%s", pcap_geterr(p));
		break;
	}
}

int
capture_open_live(struct capture **out, const struct live_options *lo,
    const char *filter, char *errbuf, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	pcap_t *p;
	int rc;

	*out = NULL;
	p = pcap_create(lo->device, pcap_err);
	if (p == NULL) {
		snprintf(errbuf, errlen, "%s", pcap_err);
		return TCPS_ERR_OPEN;
	}
	pcap_set_snaplen(p, lo->snaplen);
	pcap_set_promisc(p, lo->promisc);
	pcap_set_timeout(p, lo->timeout_ms);
	pcap_set_immediate_mode(p, 1);
	if (lo->buffer_kib > 0)
		pcap_set_buffer_size(p, lo->buffer_kib * 1024);
	/* Nanoseconds where the device offers them; else libpcap keeps micro. */
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0) {
		explain_activate_error(p, rc, lo->device, errbuf, errlen);
		pcap_close(p);
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
	c->live = true;
	c->subsec_to_ns = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ?
	    1 : 1000;
	c->timeout_ms = lo->timeout_ms;
	/*
	 * Non-blocking reads and our own poll(): libpcap's read timeout does
	 * not always hand control back on Linux (TPACKET_V3 polls again), and
	 * the loop must see signals, -c, --duration and stats timers.
	 */
	c->fd = pcap_get_selectable_fd(p);
	if (c->fd < 0 || pcap_setnonblock(p, 1, pcap_err) != 0) {
		snprintf(errbuf, errlen, "cannot poll the capture: %s", pcap_err);
		capture_close(&c);
		return TCPS_ERR_OPEN;
	}
	*out = c;
	return 0;
}

bool
capture_get_stats(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (!c->live || pcap_stats(c->pcap, &ps) != 0)
		return false;
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->if_dropped = ps.ps_ifdrop;
	return true;
}

int
capture_dump_open(struct capture *c, const char *path, char *errbuf, size_t errlen)
{
	c->dumper = pcap_dump_open(c->pcap, path);
	if (c->dumper == NULL) {
		snprintf(errbuf, errlen, "%s", pcap_geterr(c->pcap));
		return TCPS_ERR_OUTPUT;
	}
	return 0;
}

void
capture_dump_last(struct capture *c)
{
	if (c->dumper != NULL && c->last_hdr != NULL)
		pcap_dump((u_char *)c->dumper, c->last_hdr, c->last_data);
}

int
capture_dump_flush(struct capture *c)
{
	if (c->dumper == NULL)
		return 0;
	return pcap_dump_flush(c->dumper) == 0 ? 0 : TCPS_ERR_OUTPUT;
}

enum capture_status
capture_next(struct capture *c, struct capture_view *view)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t sec;
	int rc;

	rc = pcap_next_ex(c->pcap, &hdr, &data);
	if (rc == 0 && c->live) {
		/* Nothing buffered: wait for the descriptor, at most the timeout. */
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (poll(&pfd, 1, c->timeout_ms) <= 0)
			return CAPTURE_TIMEOUT;	/* timeout, or a signal */
		rc = pcap_next_ex(c->pcap, &hdr, &data);
	}
	if (rc == 0)
		return CAPTURE_TIMEOUT;
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (rc != 1)
		return CAPTURE_DAMAGED;
	c->last_hdr = hdr;
	c->last_data = data;
	/*
	 * pcap stores seconds as an unsigned 32-bit field, but libpcap hands
	 * them over in a signed time_t read from 32 bits: from 2038 on they
	 * come out negative.  No capture predates 1970; take them unsigned.
	 */
	sec = hdr->ts.tv_sec < 0 ? (uint64_t)(uint32_t)hdr->ts.tv_sec :
	    (uint64_t)hdr->ts.tv_sec;
	view->ts_ns = sec * 1000000000u + (uint64_t)hdr->ts.tv_usec * c->subsec_to_ns;
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
	if ((*cp)->dumper != NULL)
		pcap_dump_close((*cp)->dumper);
	pcap_close((*cp)->pcap);
	input_stream_release(&(*cp)->in);	/* after the FILE it buffered */
	free(*cp);
	*cp = NULL;
}
