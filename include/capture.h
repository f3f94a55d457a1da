/*
 * capture.h - packet sources: capture files, stdin, (later) interfaces.
 *
 * A thin owner of one pcap_t.  capture_next() hands out a borrowed view
 * of the next frame: the bytes belong to libpcap and are valid only until
 * the next call on the same capture.
 */
#ifndef TCPSIGHT_CAPTURE_H
#define TCPSIGHT_CAPTURE_H

#include <stdint.h>

/* One frame as libpcap returned it.  Borrowed; see above. */
struct capture_view {
	uint64_t ts_ns;		/* capture time, ns since the epoch */
	uint32_t caplen;	/* bytes captured */
	uint32_t wire_len;	/* bytes on the wire */
	int      linktype;	/* LINKTYPE_* of this frame's interface */
	const uint8_t *bytes;
};

struct capture;

/* Result of capture_next(). */
enum capture_status {
	CAPTURE_PACKET = 1,	/* *view holds a frame */
	CAPTURE_END = 0,	/* no more frames */
	CAPTURE_DAMAGED = -1	/* input damaged; capture_error() says how */
};

/*
 * Open a capture file (pcap or pcapng, any byte order, micro- or
 * nanosecond), or standard input when path is "-".  With a non-NULL
 * filter, only frames matching the BPF expression are returned.  On
 * failure returns a negative enum tcps_err and writes a message (without
 * the file name) into errbuf of errlen bytes.
 */
int capture_open_offline(struct capture **out, const char *path,
    const char *filter, char *errbuf, size_t errlen);

/* Read the next frame into *view. */
enum capture_status capture_next(struct capture *c, struct capture_view *view);

/* Link type of the capture's first interface. */
int capture_linktype(const struct capture *c);

/* libpcap's short name of a link type ("EN10MB", "LINUX_SLL2", ...). */
const char *capture_linktype_name(int linktype);

/* libpcap's description of the last error. */
const char *capture_error(struct capture *c);

/* Close and free; NULL-safe, clears the caller's pointer. */
void capture_close(struct capture **c);

#endif
