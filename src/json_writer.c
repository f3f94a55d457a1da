/*
 * json_writer.c - JSON text written straight into a reusable buffer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

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
	w->depth = 0;
	w->base_depth = base_depth;
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
	if (w->failed)
		return false;
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

void
jw_append(struct json_writer *w, const char *text, size_t len)
{
	jw__put(w, text, len);
}

static void
put_char(struct json_writer *w, char c)
{
	if (jw__reserve(w, 1))
		w->buf[w->len++] = c;
}

/* A newline and the indentation of nesting level `level`. */
static void
newline(struct json_writer *w, int level)
{
	size_t n = (size_t)(level > 0 ? level : 0) * (size_t)w->indent;

	if (!jw__reserve(w, n + 1))
		return;
	w->buf[w->len++] = '\n';
	memset(w->buf + w->len, ' ', n);
	w->len += n;
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

/* A quoted, escaped string. */
static void
put_string(struct json_writer *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, run;

	put_char(w, '"');
	while (i < n) {
		/* Copy the run of bytes that need nothing. */
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x80 &&
		    s[run] != '"' && s[run] != '\\'; run++)
			;
		if (run > i) {
			jw_append(w, str + i, run - i);
			i = run;
			continue;
		}
		if (s[i] >= 0x80) {
			size_t len = utf8_length(s + i, n - i);

			if (len > 0)
				jw_append(w, str + i, len);
			else
				jw_append(w, "\\ufffd", 6);
			i += len > 0 ? len : 1;
			continue;
		}
		switch (s[i]) {
		case '"':	jw_append(w, "\\\"", 2); break;
		case '\\':	jw_append(w, "\\\\", 2); break;
		case '\n':	jw_append(w, "\\n", 2); break;
		case '\r':	jw_append(w, "\\r", 2); break;
		case '\t':	jw_append(w, "\\t", 2); break;
		case '\b':	jw_append(w, "\\b", 2); break;
		case '\f':	jw_append(w, "\\f", 2); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 15] };

			jw_append(w, esc, sizeof(esc));
		}
		}
		i++;
	}
	put_char(w, '"');
}

void
jw__open(struct json_writer *w, const char *key, char open, char close)
{
	jw__member(w, key);
	if (w->depth == JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	put_char(w, open);
	w->close[w->depth] = close;
	w->empty[w->depth] = true;
	w->depth++;
}

void
jw__close(struct json_writer *w)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	if (w->indent > 0 && !w->empty[w->depth])
		newline(w, w->base_depth + w->depth);
	put_char(w, w->close[w->depth]);
}

void
jw_string(struct json_writer *w, const char *key, const char *s)
{
	jw__member(w, key);
	put_string(w, s);
}

void
jw_fixed(struct json_writer *w, const char *key, double v, int decimals)
{
	static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9 };
	uint64_t pow10 = 1, units;
	double scaled;
	bool negative;
	int i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	scaled = fabs(v) * scale[decimals];
	if (!isfinite(v)) {
		jw_null(w, key);
		return;
	}
	/* Past 2^63 units, fixed point cannot hold it: let printf round it. */
	if (scaled >= 9.2e18) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%.17g", v);

		jw__member(w, key);
		jw_append(w, buf, (size_t)n);
		return;
	}
	for (i = 0; i < decimals; i++)
		pow10 *= 10;
	units = (uint64_t)llround(scaled);
	if (scaled < 4503599627370496.0) {	/* 2^52: below it a double can be a half */
		/*
		 * The product was rounded: a value just below a half (1.115 is
		 * 1.11499999...) can come out as exactly x.5 and round up.  Near
		 * a half, decide on the exact product instead: fma() computes
		 * |v| * 10^d - (k + 0.5) with one rounding, so its sign is exact.
		 */
		double k = floor(scaled), off = scaled - k - 0.5;

		if (fabs(off) <= scaled * 0x1p-50 + 0x1p-60)
			units = (uint64_t)k +
			    (fma(fabs(v), scale[decimals], -(k + 0.5)) >= 0 ? 1 : 0);
	}
	negative = v < 0 && units != 0;
	jw__member(w, key);
	jw__decimal(w, negative, units / pow10, units % pow10, decimals);
}

void
jw_raw(struct json_writer *w, const char *key, const char *text, size_t len)
{
	jw__member(w, key);
	jw_append(w, text, len);
}
