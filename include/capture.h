/*
 * capture.h - packet sources: capture files, stdin, (later) interfaces.
 *
 * A thin owner of one pcap_t.  capture_next() hands out a borrowed view
 * of the next frame: the bytes belong to libpcap and are valid only until
 * the next call on the same capture.
 */
#ifndef TCPSIGHT_CAPTURE_H
#define TCPSIGHT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
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
	CAPTURE_DAMAGED = -1,	/* input damaged; capture_error() says how */
	CAPTURE_TIMEOUT = 2	/* live: no frame within the read timeout */
};

/* How to open an interface (tcpdump's options where they exist). */
struct live_options {
	const char *device;	/* interface name; "any" for all */
	int snaplen;		/* bytes kept per frame */
	int promisc;		/* 1: promiscuous mode (tcpdump's default) */
	int buffer_kib;		/* kernel buffer, KiB; 0 = libpcap's default */
	int timeout_ms;		/* read timeout, so the loop can look at signals */
};

/* Counters of a live capture, from pcap_stats(). */
struct capture_stats {
	uint64_t received;	/* frames the filter accepted */
	uint64_t dropped;	/* dropped by the kernel: no buffer space */
	uint64_t if_dropped;	/* dropped by the interface or driver */
};

/*
 * Open a capture file (pcap or pcapng, any byte order, micro- or
 * nanosecond, plain or compressed with gzip or zstd: told by its magic
 * bytes), or standard input when path is "-".  With a non-NULL
 * filter, only frames matching the BPF expression are returned.  On
 * failure returns a negative enum tcps_err and writes a message (without
 * the file name) into errbuf of errlen bytes.
 */
int capture_open_offline(struct capture **out, const char *path,
    const char *filter, char *errbuf, size_t errlen);

/*
 * Open a network interface for live capture in immediate mode, with the
 * filter if not NULL.  Errors as for capture_open_offline(); no such
 * device and no permission get their own words.
 */
int capture_open_live(struct capture **out, const struct live_options *lo,
    const char *filter, char *errbuf, size_t errlen);

/* Kernel counters of a live capture; false if the source has none. */
bool capture_get_stats(struct capture *c, struct capture_stats *st);

/*
 * Also write every frame read from now on to a pcap file at `path`.
 * Returns 0 or TCPS_ERR_OUTPUT with a message in errbuf.
 */
int capture_dump_open(struct capture *c, const char *path, char *errbuf,
    size_t errlen);

/* Write the frame last returned by capture_next() to the dump file. */
void capture_dump_last(struct capture *c);

/* Flush the dump file; 0 or TCPS_ERR_OUTPUT. */
int capture_dump_flush(struct capture *c);

/*
 * How far a file has been read: bytes of the file on disk (compressed
 * bytes for a compressed capture) out of its size.  False for live
 * captures and pipes, where the size is not known.
 */
bool capture_progress(struct capture *c, uint64_t *done, uint64_t *total);

/*
 * Whether the capture is a file of known size on disk (plain or
 * compressed), whose reads never wait for a writer: not an interface,
 * standard input or a pipe.
 */
bool capture_is_disk_file(const struct capture *c);

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
