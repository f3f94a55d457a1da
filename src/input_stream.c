/*
 * input_stream.c - capture bytes from a file or standard input, gzip and
 * zstd decompressed on the fly.
 *
 * The kind of a stream is told by its first bytes (1f 8b for gzip,
 * 28 b5 2f fd for zstd), never by its name.  A compressed stream becomes
 * a stdio FILE * through fopencookie(3), so libpcap reads it as it reads
 * any capture; standard input is wrapped the same way so the bytes read
 * to look at the magic are handed back.  Memory is fixed per stream.
 */
#define _GNU_SOURCE	/* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "input_stream.h"
#include "tcpsight.h"
#include "tunables.h"

#define IN_CHUNK	65536

enum stream_kind { KIND_RAW, KIND_GZIP, KIND_ZSTD };

/* One open stream. */
struct input_cookie {
	FILE *raw;			/* the file or standard input */
	bool close_raw;			/* we opened it (not stdin) */
	enum stream_kind kind;
	unsigned char head[4];		/* bytes read to find the kind */
	size_t head_len;
	size_t head_pos;		/* how many of them were handed on */
	bool raw_eof;			/* the underlying stream is exhausted */
	bool failed;			/* corrupt compressed data */
	z_stream z;			/* gzip state */
	ZSTD_DStream *zs;		/* zstd state */
	ZSTD_inBuffer zin;
	unsigned char in[IN_CHUNK];	/* compressed bytes not yet used */
	struct input_stream *owner;	/* to count bytes read */
};

/* Read compressed bytes into buf: first the head, then the stream. */
static size_t
read_raw(struct input_cookie *c, unsigned char *buf, size_t len)
{
	size_t n = 0, got;

	if (c->head_pos < c->head_len) {
		n = c->head_len - c->head_pos;
		if (n > len)
			n = len;
		memcpy(buf, c->head + c->head_pos, n);
		c->head_pos += n;
	}
	if (n < len && !c->raw_eof) {
		got = fread(buf + n, 1, len - n, c->raw);
		if (got < len - n)
			c->raw_eof = true;
		n += got;
	}
	c->owner->compressed_bytes += n;
	return n;
}

static ssize_t
read_gzip(struct input_cookie *c, char *buf, size_t len)
{
	int rc;

	c->z.next_out = (unsigned char *)buf;
	c->z.avail_out = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	while (c->z.avail_out > 0) {
		if (c->z.avail_in == 0) {
			c->z.next_in = c->in;
			c->z.avail_in = (uInt)read_raw(c, c->in, sizeof(c->in));
			if (c->z.avail_in == 0)
				break;	/* end of input (a cut file ends here) */
		}
		rc = inflate(&c->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* Concatenated members (gzip -c a b > x.gz) go on. */
			if (inflateReset(&c->z) != Z_OK)
				break;
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			c->failed = true;
			break;
		}
	}
	return (ssize_t)(len - c->z.avail_out);
}

static ssize_t
read_zstd(struct input_cookie *c, char *buf, size_t len)
{
	ZSTD_outBuffer out = { buf, len, 0 };
	size_t rc;

	while (out.pos < out.size) {
		if (c->zin.pos == c->zin.size) {
			c->zin.src = c->in;
			c->zin.size = read_raw(c, c->in, sizeof(c->in));
			c->zin.pos = 0;
			if (c->zin.size == 0)
				break;
		}
		rc = ZSTD_decompressStream(c->zs, &out, &c->zin);
		if (ZSTD_isError(rc)) {
			c->failed = true;
			break;
		}
	}
	return (ssize_t)out.pos;
}

static ssize_t
cookie_read(void *cookie, char *buf, size_t len)
{
	struct input_cookie *c = cookie;

	if (c->failed)
		return -1;
	switch (c->kind) {
	case KIND_GZIP:
		return read_gzip(c, buf, len);
	case KIND_ZSTD:
		return read_zstd(c, buf, len);
	default:
		return (ssize_t)read_raw(c, (unsigned char *)buf, len);
	}
}

static int
cookie_close(void *cookie)
{
	struct input_cookie *c = cookie;

	if (c->kind == KIND_GZIP)
		inflateEnd(&c->z);
	if (c->zs != NULL)
		ZSTD_freeDStream(c->zs);
	if (c->close_raw)
		fclose(c->raw);
	free(c);
	return 0;
}

int
input_stream_open(struct input_stream *in, const char *path, char *errbuf,
    size_t errlen)
{
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	struct input_cookie *c;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *raw;

	memset(in, 0, sizeof(*in));
	raw = is_stdin ? stdin : fopen(path, "rb");
	if (raw == NULL) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		return TCPS_ERR_OPEN;
	}
	/*
	 * One thread reads a capture at a time (the reading thread with
	 * --threads 2): no lock around each of libpcap's fread()s, which
	 * glibc takes as soon as a second thread exists.
	 */
	__fsetlocking(raw, FSETLOCKING_BYCALLER);
	/*
	 * libpcap reads every record with two fread()s; glibc's default
	 * buffer makes that a 4 KB read(2) per ~30 packets.  (glibc ignores
	 * the size given with a NULL buffer: the buffer must be ours.)
	 */
	if (!is_stdin && (in->read_buffer = malloc(INPUT_READ_BUFFER)) != NULL &&
	    setvbuf(raw, in->read_buffer, _IOFBF, INPUT_READ_BUFFER) != 0) {
		free(in->read_buffer);
		in->read_buffer = NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		if (!is_stdin)
			fclose(raw);
		input_stream_release(in);
		snprintf(errbuf, errlen, "%s", strerror(ENOMEM));
		return TCPS_ERR_NOMEM;
	}
	c->raw = raw;
	c->close_raw = !is_stdin;
	c->owner = in;
	c->head_len = fread(c->head, 1, sizeof(c->head), raw);
	if (c->head_len >= 2 && c->head[0] == 0x1f && c->head[1] == 0x8b) {
		c->kind = KIND_GZIP;
		/* 15 + 32: a gzip header, window size from the stream. */
		if (inflateInit2(&c->z, 15 + 32) != Z_OK) {
			snprintf(errbuf, errlen, "cannot start gzip decompression");
			cookie_close(c);
			input_stream_release(in);
			return TCPS_ERR_NOMEM;
		}
	} else if (c->head_len == 4 && c->head[0] == 0x28 && c->head[1] == 0xb5 &&
	    c->head[2] == 0x2f && c->head[3] == 0xfd) {
		c->kind = KIND_ZSTD;
		c->zs = ZSTD_createDStream();
		if (c->zs == NULL || ZSTD_isError(ZSTD_initDStream(c->zs))) {
			snprintf(errbuf, errlen, "cannot start zstd decompression");
			cookie_close(c);
			input_stream_release(in);
			return TCPS_ERR_NOMEM;
		}
	} else if (!is_stdin && fseek(raw, 0, SEEK_END) == 0) {
		/*
		 * A plain file: libpcap reads the FILE itself, from the start.
		 * (A pipe or FIFO cannot go back: it takes the stream path
		 * below, which hands the magic bytes back first, as stdin.)
		 */
		long size = ftell(raw);

		if (size >= 0)
			in->total_bytes = (uint64_t)size;
		c->close_raw = false;	/* libpcap will close it */
		cookie_close(c);
		if (fseek(raw, 0, SEEK_SET) != 0) {
			snprintf(errbuf, errlen, "%s", strerror(errno));
			fclose(raw);
			input_stream_release(in);
			return TCPS_ERR_OPEN;
		}
		in->fp = raw;
		return 0;
	}
	in->compressed = c->kind != KIND_RAW;
	if (!is_stdin && fseek(raw, 0, SEEK_END) == 0) {
		long size = ftell(raw);

		in->total_bytes = size < 0 ? 0 : (uint64_t)size;
		fseek(raw, (long)c->head_len, SEEK_SET);
	}
	in->fp = fopencookie(c, "r", io);
	if (in->fp == NULL) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		cookie_close(c);
		input_stream_release(in);
		return TCPS_ERR_NOMEM;
	}
	__fsetlocking(in->fp, FSETLOCKING_BYCALLER);
	return 0;
}

void
input_stream_release(struct input_stream *in)
{
	free(in->read_buffer);
	in->read_buffer = NULL;
}
