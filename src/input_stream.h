/*
 * input_stream.h - capture bytes from a file or standard input, with gzip
 * and zstd decompressed on the fly (detected by magic bytes).  Internal
 * to the reader (capture.c).
 */
#ifndef TCPSIGHT_INPUT_STREAM_H
#define TCPSIGHT_INPUT_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* An opened input. */
struct input_stream {
	FILE *fp;		/* stream to hand to libpcap (it closes it) */
	bool compressed;	/* gzip or zstd */
	uint64_t total_bytes;	/* size of the file on disk; 0 if unknown (a pipe) */
	uint64_t compressed_bytes;	/* bytes of it read so far (streams only) */
	char *read_buffer;	/* the file's stdio buffer; free after the FILE is closed */
};

/*
 * Open `path` ("-" for standard input).  On success in->fp is a stream of
 * capture bytes to hand to libpcap (which then owns and closes it): the
 * file itself, with a large stdio buffer, or a decompressing stream.  On failure a
 * negative enum tcps_err and a message in errbuf.  `in` must stay valid
 * while the stream is read (its byte counter is updated).
 */
int input_stream_open(struct input_stream *in, const char *path, char *errbuf,
    size_t errlen);

/* Free what the stream kept, once libpcap has closed in->fp. */
void input_stream_release(struct input_stream *in);

#endif
