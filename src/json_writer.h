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
 *
 * Each member makes one room check for all it may take (separator,
 * indentation, key and the value's longest form: 20 digits for an
 * integer, 6 bytes per byte of a string, ...), then writes without
 * checks and stores the length once.  Digits go straight into the
 * buffer, eight at a time made in one 64-bit word (or, without word
 * tricks, counted and filled from the last).  Strings are copied and
 * checked for bytes to escape a word at a time.  The state between
 * members is small: whether the next member needs a comma (which also
 * says, at a close, whether the container had anything in it) and the
 * indentation in front of a member, kept ready.
 *
 * Out of room (realloc failed), `failed` is set and a member writes
 * nothing at all; a write never goes past what the room check allowed.
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
	/*
	 * The open container has a member: ',' before the next.  Also set
	 * after a value at the outermost level, and cleared before the next
	 * one there (jw_reset, an opening at depth 0, jw_append at depth 0).
	 */
	bool comma;
	int indent;		/* spaces per level; 0 = compact */
	int depth;		/* open containers */
	int base_depth;		/* indentation of the outermost value */
	size_t pad;		/* '\n' and indentation before a member; 0 if none */
	char close[JW_MAX_DEPTH];	/* '}' or ']' for each open container */
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
 * element of an array (or the outermost value).  They are inline below,
 * so that a literal key's length and copy are settled by the compiler.
 */
static inline void jw_object(struct json_writer *w, const char *key);	/* opens { */
static inline void jw_array(struct json_writer *w, const char *key);	/* opens [ */
static inline void jw_end(struct json_writer *w);	/* closes the last opened */
static inline void jw_null(struct json_writer *w, const char *key);
static inline void jw_bool(struct json_writer *w, const char *key, bool v);
static inline void jw_int(struct json_writer *w, const char *key, int64_t v);
static inline void jw_uint(struct json_writer *w, const char *key, uint64_t v);
static inline void jw_string(struct json_writer *w, const char *key, const char *s);

/* Nanoseconds as seconds with up to nine decimals, exactly ("1.25"). */
static inline void jw_seconds(struct json_writer *w, const char *key, uint64_t ns);

/*
 * A double rounded to `decimals` places (0..9), at least one decimal
 * written ("0.5", "12.0"); null when it is not finite.
 */
static inline void jw_fixed(struct json_writer *w, const char *key, double v,
    int decimals);

/* Raw, already valid JSON text as one value (e.g. another writer's text). */
static inline void jw_raw(struct json_writer *w, const char *key,
    const char *text, size_t len);

/* Append bytes outside any value (a newline between records). */
static inline void jw_append(struct json_writer *w, const char *text,
    size_t len);

/* ---- inline implementation ---- */

/* The writer's hot calls must be inlined for literal keys to fold. */
#if defined(__GNUC__)
#define JW_INLINE	static inline __attribute__((always_inline))
#else
#define JW_INLINE	static inline
#endif

/*
 * Room a member needs besides its key, value and indentation: ',', the
 * key's two quotes, ':' and ' ', and 8 bytes for the indentation's
 * word-sized stores to run over (jw__indent).
 */
#define JW__MEMBER_ROOM	13

#define JW__UINT_MAX	20	/* "18446744073709551615" */
#define JW__INT_MAX	20	/* "-9223372036854775808" */
#define JW__SECONDS_MAX	32	/* "18446744073.709551615", rounded up */
#define JW__FIXED_MAX	32	/* sign, 19 + 9 digits, '.'; or %.17g (24) */

/* Grow the buffer for `need` more bytes; false (and failed set) if not. */
bool jw_grow(struct json_writer *w, size_t need);

JW_INLINE bool
jw__reserve(struct json_writer *w, size_t need)
{
	return w->len + need <= w->cap || jw_grow(w, need);
}

/*
 * '\n' and pad - 1 spaces at p (pad >= 1).  The spaces are stored eight
 * at a time, so up to 7 bytes past the end are written over too: the
 * caller has room for them (JW__MEMBER_ROOM) and writes there next.
 */
JW_INLINE char *
jw__indent(char *p, size_t pad)
{
	size_t i;

	*p = '\n';
	for (i = 1; i < pad; i += 8)
		memcpy(p + i, "        ", 8);
	return p + pad;
}

/*
 * Start a member whose value takes at most `vmax` bytes: make room for
 * all of it, write the separator, indentation and key, and return where
 * the value goes (NULL, and nothing written, if there is no room).  The
 * caller writes the value and stores the length (jw__done).
 */
JW_INLINE char *
jw__begin(struct json_writer *w, const char *key, size_t vmax)
{
	size_t klen = key != NULL ? strlen(key) : 0, pad = w->pad, colon = 2;
	bool comma = w->comma;
	char *p;

	/* (The fields are read before the stores through p, which could
	 * alias them as far as the compiler knows.) */
	if (!jw__reserve(w, klen + JW__MEMBER_ROOM + pad + vmax))
		return NULL;
	p = w->buf + w->len;
	/* Branch-free: the comma is always stored, kept only if owed. */
	*p = ',';
	p += comma;
	w->comma = true;
	if (pad > 0) {
		p = jw__indent(p, pad);
		colon = 3;	/* indented: ": " (keys are only inside objects) */
	}
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		memcpy(p, "\": ", 3);
		p += colon;
	}
	return p;
}

JW_INLINE void
jw__done(struct json_writer *w, char *end)
{
	w->len = (size_t)(end - w->buf);
}

/* 10^i for i = 0..19. */
extern const uint64_t jw__pow10[20];

/* "00" to "99": decimal digits two at a time. */
extern const char jw__pairs[200];

/*
 * Word tricks (eight digits or string bytes in one 64-bit word) need a
 * little-endian machine and GCC's builtins; JW_PORTABLE turns them off
 * (the unit tests build the writer both ways).
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(JW_PORTABLE)
#define JW__SWAR	1
#endif

/* Number of decimal digits of v (1 for 0). */
JW_INLINE unsigned
jw__ndigits(uint64_t v)
{
#if defined(__GNUC__) && !defined(JW_PORTABLE)
	/*
	 * From the bit length: t = floor(bits * log10(2)) (1233 / 4096 is
	 * log10(2) close enough for 64 bits), which is the number of digits
	 * or one less.  v | 1 keeps 0 at one digit and changes nothing else:
	 * every power of ten from 10 up is even.
	 */
	uint64_t x = v | 1;
	unsigned t = ((unsigned)(64 - __builtin_clzll(x)) * 1233) >> 12;

	return t + (x >= jw__pow10[t]);
#else
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
#endif
}

/* The decimal digits of v, ending just before `end` (all of them). */
JW_INLINE void
jw__fill(char *end, uint64_t v)
{
	uint32_t u;

	/* Two digits a step; in 32 bits once it fits (fewer instructions). */
	while (v > UINT32_MAX) {
		unsigned two = (unsigned)(v % 100);

		v /= 100;
		end -= 2;
		memcpy(end, jw__pairs + 2 * two, 2);
	}
	u = (uint32_t)v;
	while (u >= 100) {
		unsigned two = u % 100;

		u /= 100;
		end -= 2;
		memcpy(end, jw__pairs + 2 * two, 2);
	}
	if (u >= 10)
		memcpy(end - 2, jw__pairs + 2 * u, 2);
	else
		end[-1] = (char)('0' + u);
}

#ifdef JW__SWAR
#define JW__ZEROS	0x3030303030303030u	/* '0' in every byte */

/*
 * The eight digits of x (< 10^8, zero-padded) as the bytes of a word,
 * the first digit the lowest byte (first in memory); digit values 0..9,
 * not yet characters.  All lanes at once: the two halves of four digits
 * (x / 10^4, x % 10^4) in 32-bit lanes, split into 16-bit lanes of two
 * digits (a / 100 is a * 10486 >> 20 for a < 10^4), then into bytes
 * (b / 10 is b * 103 >> 10 for b < 100); no lane overflows into the
 * next.  (Checked against printf for every x below 10^8.)
 */
JW_INLINE uint64_t
jw__digits8(uint32_t x)
{
	uint64_t v = x / 10000 | (uint64_t)(x % 10000) << 32, q;

	q = (v * 10486 >> 20) & 0x0000007f0000007fu;
	v = q | (v - q * 100) << 16;
	q = (v * 103 >> 10) & 0x000f000f000f000fu;
	return q | (v - q * 10) << 8;
}

/*
 * The digits of x (1 <= x < 10^8) at p, without leading zeros: the
 * zero bytes at the bottom of the word are shifted out.  Stores eight
 * bytes whatever the length (the values' room, JW__UINT_MAX and the
 * like, covers them).
 */
JW_INLINE char *
jw__small_at(char *p, uint32_t x)
{
	uint64_t d = jw__digits8(x);
	unsigned lead = (unsigned)__builtin_ctzll(d) >> 3;

	d = (d >> 8 * lead) + JW__ZEROS;
	memcpy(p, &d, 8);
	return p + 8 - lead;
}

/* From 10^8 up (out of line: rarer, and longer). */
char *jw__big_at(char *p, uint64_t v);
#endif

/* The decimal digits of v at p; returns the end. */
JW_INLINE char *
jw__uint_at(char *p, uint64_t v)
{
	if (v < 10) {		/* most numbers in a record: counts of 0 */
		*p = (char)('0' + v);
		return p + 1;
	}
#ifdef JW__SWAR
	if (v < 100000000u)
		return jw__small_at(p, (uint32_t)v);
	return jw__big_at(p, v);
#else
	p += jw__ndigits(v);
	jw__fill(p, v);
	return p;
#endif
}

/* What goes before a member of the innermost open container. */
JW_INLINE void
jw__set_pad(struct json_writer *w)
{
	w->pad = w->indent > 0 && w->depth > 0 ?
	    (size_t)(w->base_depth + w->depth) * (size_t)w->indent + 1 : 0;
}

/* Closing when indented or with nothing open (out of line). */
void jw__close(struct json_writer *w);

JW_INLINE void
jw__open(struct json_writer *w, const char *key, char open, char close)
{
	char *p;

	if (w->depth == JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	/*
	 * At the outermost level no comma, even if a line taken back after a
	 * failure (report_json.c's nd_line_done) left one owed.
	 */
	if (w->depth == 0)
		w->comma = false;
	p = jw__begin(w, key, 1);
	if (p != NULL) {
		*p++ = open;
		jw__done(w, p);
	}
	/* Kept even when out of room, so that the closes still match. */
	w->close[w->depth++] = close;
	w->comma = false;
	if (w->indent > 0)
		jw__set_pad(w);
}

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

JW_INLINE void
jw_end(struct json_writer *w)
{
	/* Compact and well nested, inline; indented or misused, not. */
	if (w->indent > 0 || w->depth == 0) {
		jw__close(w);
		return;
	}
	w->depth--;
	w->comma = w->depth > 0;	/* the parent now has this member */
	if (jw__reserve(w, 1))
		w->buf[w->len++] = w->close[w->depth];
}

JW_INLINE void
jw_null(struct json_writer *w, const char *key)
{
	char *p = jw__begin(w, key, 4);

	if (p != NULL) {
		memcpy(p, "null", 4);
		jw__done(w, p + 4);
	}
}

JW_INLINE void
jw_bool(struct json_writer *w, const char *key, bool v)
{
	char *p = jw__begin(w, key, 5);

	if (p == NULL)
		return;
	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	jw__done(w, p);
}

JW_INLINE void
jw_uint(struct json_writer *w, const char *key, uint64_t v)
{
	char *p = jw__begin(w, key, JW__UINT_MAX);

	if (p != NULL)
		jw__done(w, jw__uint_at(p, v));
}

JW_INLINE void
jw_int(struct json_writer *w, const char *key, int64_t v)
{
	char *p = jw__begin(w, key, JW__INT_MAX);

	if (p == NULL)
		return;
	if (v < 0) {
		*p++ = '-';
		p = jw__uint_at(p, -(uint64_t)v);
	} else {
		p = jw__uint_at(p, (uint64_t)v);
	}
	jw__done(w, p);
}

/*
 * The nine digits of frac (< 10^9) after a '.' at p, trailing zeros
 * dropped, at least one digit kept ("0.0", "0.5"); returns the end.
 */
JW_INLINE char *
jw__nanos_at(char *p, uint32_t frac)
{
	*p = '.';
	if (frac == 0) {
		p[1] = '0';
		return p + 2;
	}
#ifdef JW__SWAR
	{
		/*
		 * The first digit, then the other eight as a word, whose zero
		 * bytes at the top are the trailing zeros (all eight zero: only
		 * the first digit is kept).
		 */
		uint64_t d = jw__digits8(frac % 100000000u);
		uint64_t text = d + JW__ZEROS;

		p[1] = (char)('0' + frac / 100000000u);
		memcpy(p + 2, &text, 8);
		return d == 0 ? p + 2 : p + 10 - (__builtin_clzll(d) >> 3);
	}
#else
	{
		char *end = p + 10;

		memcpy(p + 1, "000000000", 9);
		jw__fill(end, frac);
		while (end[-1] == '0')
			end--;
		return end;
	}
#endif
}

JW_INLINE void
jw_seconds(struct json_writer *w, const char *key, uint64_t ns)
{
	char *p = jw__begin(w, key, JW__SECONDS_MAX);
	uint64_t whole = ns / 1000000000u;

	if (p == NULL)
		return;
	p = jw__uint_at(p, whole);
	jw__done(w, jw__nanos_at(p, (uint32_t)(ns - whole * 1000000000u)));
}

/* jw_fixed's value at p (room for JW__FIXED_MAX bytes); returns the end. */
char *jw__fixed_at(char *p, double v, int decimals);

JW_INLINE void
jw_fixed(struct json_writer *w, const char *key, double v, int decimals)
{
	char *p = jw__begin(w, key, JW__FIXED_MAX);

	if (p != NULL)
		jw__done(w, jw__fixed_at(p, v, decimals));
}

/*
 * The longest escaped form of an n-byte string: 6 bytes a byte
 * ("\u001f", "\ufffd"), the quotes, and 8 for the word-sized stores of
 * jw__string_at.  More than any buffer can be: made to fail jw_grow.
 */
JW_INLINE size_t
jw__string_max(size_t n)
{
	return n < SIZE_MAX / 16 ? 6 * n + 10 : SIZE_MAX / 4;
}

/* The n bytes at s quoted and escaped at p; returns the end. */
char *jw__string_at(char *p, const char *s, size_t n);

JW_INLINE void
jw_string(struct json_writer *w, const char *key, const char *s)
{
	size_t n = strlen(s);
	char *p = jw__begin(w, key, jw__string_max(n));

	if (p != NULL)
		jw__done(w, jw__string_at(p, s, n));
}

JW_INLINE void
jw_raw(struct json_writer *w, const char *key, const char *text, size_t len)
{
	char *p = jw__begin(w, key, len < SIZE_MAX / 4 ? len : SIZE_MAX / 4);

	if (p != NULL) {
		memcpy(p, text, len);
		jw__done(w, p + len);
	}
}

JW_INLINE void
jw_append(struct json_writer *w, const char *text, size_t len)
{
	if (w->depth == 0)	/* between records: the next owes no comma */
		w->comma = false;
	if (jw__reserve(w, len < SIZE_MAX / 4 ? len : SIZE_MAX / 4)) {
		memcpy(w->buf + w->len, text, len);
		w->len += len;
	}
}

#endif
