/*
 * json_writer.h - JSON text written straight into a reusable buffer.
 *
 * jansson builds a tree and then dumps it: a flow record cost ~700,000
 * instructions that way, 63% of the whole run (bench/RESULTS.md).  The
 * records written once per flow and per flagged segment go through this
 * writer instead: members are appended in order, numbers are printed
 * from integers (times as exact nanosecond decimals), nothing is
 * allocated once the buffer has grown.  Everything else (summaries,
 * reading JSON) stays with jansson, and the tests parse every line the
 * writer makes with jansson.
 *
 * The layout matches jansson's dumps: compact ("a":1,"b":2) or, with an
 * indent, one member per line (JSON_INDENT(n)).  Keys are the program's
 * own names (ASCII, no quote, backslash or control character) and are
 * copied as they are: checking every key byte cost more than writing it.
 * String values are escaped; invalid UTF-8 in them is written as U+FFFD,
 * so any text a capture brings in still makes valid JSON.
 */
#ifndef TCPSIGHT_JSON_WRITER_H
#define TCPSIGHT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JW_MAX_DEPTH	16	/* nesting the writer tracks */

struct json_writer {
	char *buf;		/* the text so far (not NUL-terminated) */
	size_t len;
	size_t cap;
	bool failed;		/* out of memory or nesting too deep: text unusable */
	int indent;		/* spaces per level; 0 = compact */
	int depth;		/* open containers */
	int base_depth;		/* indentation of the outermost value */
	char close[JW_MAX_DEPTH];	/* '}' or ']' for each open container */
	bool empty[JW_MAX_DEPTH];	/* ... nothing written in it yet */
};

/* An empty writer; `indent` spaces per level (0: compact). */
void jw_init(struct json_writer *w, int indent);

/*
 * Start a new text in the same buffer.  `base_depth` is the nesting level
 * the text will sit at inside a larger indented document.
 */
void jw_reset(struct json_writer *w, int base_depth);

void jw_free(struct json_writer *w);

/*
 * Members.  `key` is the member name inside an object and NULL for an
 * element of an array (or the outermost value).  The ones written most
 * (numbers, containers) are inline below, so that a literal key's length
 * and copy are settled by the compiler.
 */
static inline void jw_object(struct json_writer *w, const char *key);	/* opens { */
static inline void jw_array(struct json_writer *w, const char *key);	/* opens [ */
static inline void jw_end(struct json_writer *w);	/* closes the last opened */
static inline void jw_null(struct json_writer *w, const char *key);
static inline void jw_bool(struct json_writer *w, const char *key, bool v);
static inline void jw_int(struct json_writer *w, const char *key, int64_t v);
static inline void jw_uint(struct json_writer *w, const char *key, uint64_t v);
void jw_string(struct json_writer *w, const char *key, const char *s);

/* Nanoseconds as seconds with up to nine decimals, exactly ("1.25"). */
static inline void jw_seconds(struct json_writer *w, const char *key, uint64_t ns);

/*
 * A double rounded to `decimals` places (0..9), at least one decimal
 * written ("0.5", "12.0"); null when it is not finite.
 */
void jw_fixed(struct json_writer *w, const char *key, double v, int decimals);

/* Raw, already valid JSON text as one value (e.g. another writer's text). */
void jw_raw(struct json_writer *w, const char *key, const char *text, size_t len);

/* Append bytes outside any value (a newline between records). */
void jw_append(struct json_writer *w, const char *text, size_t len);

/* ---- inline implementation ---- */

/* The writer's hot calls must be inlined for literal keys to fold. */
#if defined(__GNUC__)
#define JW_INLINE	static inline __attribute__((always_inline))
#else
#define JW_INLINE	static inline
#endif

/* Grow the buffer for `need` more bytes; false (and failed set) if not. */
bool jw_grow(struct json_writer *w, size_t need);

JW_INLINE bool
jw__reserve(struct json_writer *w, size_t need)
{
	return w->len + need <= w->cap || jw_grow(w, need);
}

/* What goes before a value: separator, indentation, key. */
JW_INLINE void
jw__member(struct json_writer *w, const char *key)
{
	size_t klen = key != NULL ? strlen(key) : 0, level = 0;
	char *p;

	if (w->depth > 0 && w->indent > 0)
		level = (size_t)(w->base_depth + w->depth) * (size_t)w->indent;
	if (!jw__reserve(w, 2 + level + (key != NULL ? klen + 4 : 0)))
		return;
	p = w->buf + w->len;
	if (w->depth > 0) {
		if (!w->empty[w->depth - 1])
			*p++ = ',';
		w->empty[w->depth - 1] = false;
		if (w->indent > 0) {
			*p++ = '\n';
			memset(p, ' ', level);
			p += level;
		}
	}
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
		if (w->indent > 0)
			*p++ = ' ';
	}
	w->len = (size_t)(p - w->buf);
}

/* Append bytes (nothing, and failed set, if there is no room). */
JW_INLINE void
jw__put(struct json_writer *w, const char *text, size_t len)
{
	if (jw__reserve(w, len)) {
		memcpy(w->buf + w->len, text, len);
		w->len += len;
	}
}

void jw__open(struct json_writer *w, const char *key, char open, char close);

JW_INLINE void
jw_object(struct json_writer *w, const char *key)
{
	jw__open(w, key, '{', '}');
}

JW_INLINE void
jw_array(struct json_writer *w, const char *key)
{
	jw__open(w, key, '[', ']');
}

void jw__close(struct json_writer *w);

JW_INLINE void
jw_end(struct json_writer *w)
{
	jw__close(w);
}

JW_INLINE void
jw_null(struct json_writer *w, const char *key)
{
	jw__member(w, key);
	jw__put(w, "null", 4);
}

JW_INLINE void
jw_bool(struct json_writer *w, const char *key, bool v)
{
	jw__member(w, key);
	if (v)
		jw__put(w, "true", 4);
	else
		jw__put(w, "false", 5);
}

/* "00" to "99": decimal digits two at a time. */
extern const char jw__pairs[200];

/* Decimal digits of v, right-aligned into the end of buf; returns the start. */
JW_INLINE char *
jw__digits(uint64_t v, char *end)
{
	char *p = end;

	while (v >= 100) {
		unsigned two = (unsigned)(v % 100);

		v /= 100;
		p -= 2;
		memcpy(p, jw__pairs + 2 * two, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, jw__pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

JW_INLINE void
jw_uint(struct json_writer *w, const char *key, uint64_t v)
{
	char buf[24], *p = jw__digits(v, buf + sizeof(buf));

	jw__member(w, key);
	jw__put(w, p, (size_t)(buf + sizeof(buf) - p));
}

JW_INLINE void
jw_int(struct json_writer *w, const char *key, int64_t v)
{
	char buf[24], *p;

	if (v >= 0) {
		jw_uint(w, key, (uint64_t)v);
		return;
	}
	p = jw__digits(-(uint64_t)v, buf + sizeof(buf));
	*--p = '-';
	jw__member(w, key);
	jw__put(w, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * A decimal number: `whole`, then `frac` as `decimals` digits (1..9) with
 * the trailing zeros dropped, at least one digit kept; decimals 0 writes
 * "whole.0".
 */
JW_INLINE void
jw__decimal(struct json_writer *w, bool negative, uint64_t whole,
    uint64_t frac, int decimals)
{
	char buf[48], *end = buf + sizeof(buf), *p = end;
	int keep = decimals;

	if (decimals == 0) {
		*--p = '0';
	} else {
		/* Drop trailing zeros, then write the digits that remain. */
		while (keep > 1 && frac % 10 == 0) {
			frac /= 10;
			keep--;
		}
		while (keep-- > 0) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
	}
	*--p = '.';
	p = jw__digits(whole, p);
	if (negative)
		*--p = '-';
	jw__put(w, p, (size_t)(end - p));
}

JW_INLINE void
jw_seconds(struct json_writer *w, const char *key, uint64_t ns)
{
	jw__member(w, key);
	jw__decimal(w, false, ns / 1000000000u, ns % 1000000000u, 9);
}

#endif
