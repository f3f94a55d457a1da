/*
 * json_writer.c - JSON text written straight into a reusable buffer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

const uint64_t jw__pow10[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
	100000000u, 1000000000u, 10000000000u, 100000000000u,
	1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u,
	1000000000000000000u, 10000000000000000000u,
};

const char jw__pairs[200] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void
jw_init(struct json_writer *w, int indent)
{
	memset(w, 0, sizeof(*w));
	w->indent = indent;
}

void
jw_reset(struct json_writer *w, int base_depth)
{
	w->len = 0;
	w->failed = false;
	w->comma = false;
	w->depth = 0;
	w->base_depth = base_depth;
	jw__set_pad(w);
}

void
jw_free(struct json_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

bool
jw_grow(struct json_writer *w, size_t need)
{
	size_t cap;
	char *grown;

	if (w->len + need <= w->cap)
		return true;
	/* Past a quarter of the address space (a string's worst case said
	 * so, jw__string_max): no doubling would get there. */
	if (w->failed || need >= SIZE_MAX / 4 - w->len) {
		w->failed = true;
		return false;
	}
	cap = w->cap ? w->cap : 1024;
	while (cap < w->len + need)
		cap *= 2;
	grown = realloc(w->buf, cap);
	if (grown == NULL) {
		w->failed = true;
		return false;
	}
	w->buf = grown;
	w->cap = cap;
	return true;
}

#ifdef JW__SWAR
char *
jw__big_at(char *p, uint64_t v)
{
	uint64_t d;

	/* Up to 20 digits: at most 4 on top of two groups of eight. */
	if (v >= 10000000000000000u) {
		p = jw__small_at(p, (uint32_t)(v / 10000000000000000u));
		v %= 10000000000000000u;
		d = jw__digits8((uint32_t)(v / 100000000u)) + JW__ZEROS;
		memcpy(p, &d, 8);
		p += 8;
	} else {
		p = jw__small_at(p, (uint32_t)(v / 100000000u));
	}
	d = jw__digits8((uint32_t)(v % 100000000u)) + JW__ZEROS;
	memcpy(p, &d, 8);
	return p + 8;
}
#endif

void
jw__close(struct json_writer *w)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	/* Indented, a container with members ends on a line of its own. */
	if (w->indent > 0 && w->comma) {
		int level = w->base_depth + w->depth;
		size_t n = (size_t)(level > 0 ? level : 0) * (size_t)w->indent + 1;

		if (jw__reserve(w, n + 8))
			jw__done(w, jw__indent(w->buf + w->len, n));
	}
	if (jw__reserve(w, 1))
		w->buf[w->len++] = w->close[w->depth];
	w->comma = w->depth > 0;	/* the parent now has this member */
	jw__set_pad(w);
}

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_length(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * One byte that needs escaping (or any byte, slowly) at s[*i]: written at
 * p, *i moved past it; returns the end.
 */
static char *
escape_byte(char *p, const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];

	if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
		*p++ = (char)c;
		(*i)++;
		return p;
	}
	if (c >= 0x80) {
		size_t len = utf8_length(s + *i, n - *i), k;

		if (len > 0) {
			for (k = 0; k < len; k++)
				*p++ = (char)s[*i + k];
			*i += len;
		} else {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			(*i)++;
		}
		return p;
	}
	*p++ = '\\';
	switch (c) {
	case '"':	*p++ = '"'; break;
	case '\\':	*p++ = '\\'; break;
	case '\n':	*p++ = 'n'; break;
	case '\r':	*p++ = 'r'; break;
	case '\t':	*p++ = 't'; break;
	case '\b':	*p++ = 'b'; break;
	case '\f':	*p++ = 'f'; break;
	default:
		memcpy(p, "u00", 3);
		p[3] = hex[c >> 4];
		p[4] = hex[c & 15];
		p += 5;
	}
	(*i)++;
	return p;
}

#ifdef JW__SWAR
/*
 * The bytes that need escaping in a word of string bytes (the first the
 * lowest): control characters, non-ASCII, '"' and '\\'.  Each has its
 * high bit set in the result.  (y - 0x01..) & ~y marks the zero bytes
 * of y, and (x - 0x20..) & ~x the bytes of x below 0x20; a borrow can
 * mark a byte above a marked one wrongly, never one below it, so the
 * lowest mark is exact.
 */
static inline uint64_t
special64(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | x | ((quote - ones) & ~quote) |
	    ((bslash - ones) & ~bslash)) & (ones * 0x80);
}

/*
 * The same for four bytes: their marks in a word are the same, since a
 * borrow only runs upward, into the four zero bytes above them.
 */
static inline uint32_t
special32(uint32_t x)
{
	return (uint32_t)special64(x);
}
#endif

/*
 * A quoted, escaped string.  The caller made room for the worst case
 * (jw__string_max), which also covers the word stores below: they may
 * write up to 7 bytes past what they keep.
 */
char *
jw__string_at(char *p, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	*p++ = '"';
#ifdef JW__SWAR
	if (n >= 8) {
		uint64_t x, special;
		unsigned done;

		while (n - i >= 8) {
			/* Stored whole; only the bytes before an escape count. */
			memcpy(&x, s + i, 8);
			memcpy(p, &x, 8);
			special = special64(x);
			if (special == 0) {
				p += 8;
				i += 8;
				continue;
			}
			done = (unsigned)__builtin_ctzll(special) >> 3;
			p += done;
			i += done;
			p = escape_byte(p, s, n, &i);
		}
		/*
		 * The last 1..7 bytes: the string's last word, shifted past
		 * the bytes already written (escaped or not).
		 */
		if (i < n) {
			done = (unsigned)(8 - (n - i));
			memcpy(&x, s + n - 8, 8);
			if ((special64(x) >> 8 * done) == 0) {
				x >>= 8 * done;
				memcpy(p, &x, 8);
				p += n - i;
				i = n;
			}
		}
	} else if (n >= 4) {
		/* 4 to 7 bytes: the first four and the last four. */
		uint32_t head, tail;

		memcpy(&head, s, 4);
		memcpy(&tail, s + n - 4, 4);
		if ((special32(head) | special32(tail)) == 0) {
			memcpy(p, &head, 4);
			memcpy(p + n - 4, &tail, 4);
			p += n;
			i = n;
		}
	}
#endif
	while (i < n)
		p = escape_byte(p, s, n, &i);
	*p++ = '"';
	return p;
}

char *
jw__fixed_at(char *p, double v, int decimals)
{
	static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9 };
	uint64_t units, whole, frac;
	double scaled, k;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	if (!isfinite(v)) {
		memcpy(p, "null", 4);
		return p + 4;
	}
	scaled = fabs(v) * scale[decimals];
	/* Past 2^63 units, fixed point cannot hold it: let printf round it. */
	if (scaled >= 9.2e18) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%.17g", v);

		memcpy(p, buf, (size_t)n);
		return p + n;
	}
	/*
	 * llround() without the call: k = floor(scaled) (0 <= scaled < 2^63
	 * converts exactly, as a signed number: one instruction), and
	 * scaled - k, the fraction, is exact too.
	 */
	k = (double)(int64_t)scaled;
	units = (uint64_t)(int64_t)k + (scaled - k >= 0.5);
	if (scaled < 4503599627370496.0) {	/* 2^52: below it a double can be a half */
		/*
		 * The product was rounded: a value just below a half (1.115 is
		 * 1.11499999...) can come out as exactly x.5 and round up.  Near
		 * a half, decide on the exact product instead: fma() computes
		 * |v| * 10^d - (k + 0.5) with one rounding, so its sign is exact.
		 */
		double off = scaled - k - 0.5;

		if (fabs(off) <= scaled * 0x1p-50 + 0x1p-60)
			units = (uint64_t)(int64_t)k +
			    (fma(fabs(v), scale[decimals], -(k + 0.5)) >= 0 ? 1 : 0);
	}
	if (v < 0 && units != 0)	/* never "-0.0" */
		*p++ = '-';
	whole = units / jw__pow10[decimals];
	frac = units % jw__pow10[decimals];
	p = jw__uint_at(p, whole);
	/*
	 * `decimals` digits, zero-padded, trailing zeros dropped: the same
	 * digits as frac * 10^(9 - decimals) written as nanoseconds.
	 */
	return jw__nanos_at(p, (uint32_t)(frac * jw__pow10[9 - decimals]));
}
