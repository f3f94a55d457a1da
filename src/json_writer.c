/*
 * json_writer.c - JSON text written straight into a reusable buffer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

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

/* Make room for `need` more bytes; false (and failed set) if impossible. */
static bool
reserve(struct json_writer *w, size_t need)
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
	if (!reserve(w, len))
		return;
	memcpy(w->buf + w->len, text, len);
	w->len += len;
}

static void
put_char(struct json_writer *w, char c)
{
	if (reserve(w, 1))
		w->buf[w->len++] = c;
}

/* A newline and the indentation of nesting level `level`. */
static void
newline(struct json_writer *w, int level)
{
	size_t n = (size_t)(level > 0 ? level : 0) * (size_t)w->indent;

	if (!reserve(w, n + 1))
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

/*
 * What goes before a value: separator, indentation, key.  Keys are the
 * program's own names and are written as they are (json_writer.h).
 */
static void
member(struct json_writer *w, const char *key)
{
	size_t klen = key != NULL ? strlen(key) : 0, level = 0, need;
	char *p;

	if (w->depth > 0 && w->indent > 0)
		level = (size_t)(w->base_depth + w->depth) * (size_t)w->indent;
	need = 2 + level + (key != NULL ? klen + 4 : 0);
	if (!reserve(w, need))
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

static void
open_container(struct json_writer *w, const char *key, char open, char close)
{
	member(w, key);
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
jw_object(struct json_writer *w, const char *key)
{
	open_container(w, key, '{', '}');
}

void
jw_array(struct json_writer *w, const char *key)
{
	open_container(w, key, '[', ']');
}

void
jw_end(struct json_writer *w)
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
jw_null(struct json_writer *w, const char *key)
{
	member(w, key);
	jw_append(w, "null", 4);
}

void
jw_bool(struct json_writer *w, const char *key, bool v)
{
	member(w, key);
	if (v)
		jw_append(w, "true", 4);
	else
		jw_append(w, "false", 5);
}

/* Decimal digits of v, right-aligned into the end of buf; returns the start. */
static char *
u64_digits(uint64_t v, char *end)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

void
jw_uint(struct json_writer *w, const char *key, uint64_t v)
{
	char buf[24], *p = u64_digits(v, buf + sizeof(buf));

	member(w, key);
	jw_append(w, p, (size_t)(buf + sizeof(buf) - p));
}

void
jw_int(struct json_writer *w, const char *key, int64_t v)
{
	char buf[24], *p;

	if (v >= 0) {
		jw_uint(w, key, (uint64_t)v);
		return;
	}
	p = u64_digits(-(uint64_t)v, buf + sizeof(buf));
	*--p = '-';
	member(w, key);
	jw_append(w, p, (size_t)(buf + sizeof(buf) - p));
}

void
jw_string(struct json_writer *w, const char *key, const char *s)
{
	member(w, key);
	put_string(w, s);
}

/*
 * A decimal number: `whole`, then `frac` as `decimals` digits with the
 * trailing zeros dropped, at least one digit kept.
 */
static void
put_decimal(struct json_writer *w, bool negative, uint64_t whole,
    uint64_t frac, int decimals)
{
	char buf[48], *end = buf + sizeof(buf), *p;
	char fbuf[12];
	int i, keep;

	for (i = decimals - 1; i >= 0; i--) {
		fbuf[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	keep = decimals;
	while (keep > 1 && fbuf[keep - 1] == '0')
		keep--;
	if (decimals == 0) {
		fbuf[0] = '0';
		keep = 1;
	}
	p = end - keep;
	memcpy(p, fbuf, (size_t)keep);
	*--p = '.';
	p = u64_digits(whole, p);
	if (negative)
		*--p = '-';
	jw_append(w, p, (size_t)(end - p));
}

void
jw_seconds(struct json_writer *w, const char *key, uint64_t ns)
{
	member(w, key);
	put_decimal(w, false, ns / 1000000000u, ns % 1000000000u, 9);
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

		member(w, key);
		jw_append(w, buf, (size_t)n);
		return;
	}
	for (i = 0; i < decimals; i++)
		pow10 *= 10;
	units = (uint64_t)llround(scaled);
	negative = v < 0 && units != 0;
	member(w, key);
	put_decimal(w, negative, units / pow10, units % pow10, decimals);
}

void
jw_raw(struct json_writer *w, const char *key, const char *text, size_t len)
{
	member(w, key);
	jw_append(w, text, len);
}
