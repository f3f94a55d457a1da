/*
 * test-json-writer.c - the streaming JSON writer against jansson.
 *
 * The writer must make text jansson parses back to the values written,
 * with the same layout as jansson's own dumps (compact and indented),
 * escape every string, replace invalid UTF-8, and print numbers exactly.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../src/json_writer.h"
#include "harness.h"

#define COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* The writer's text as a C string (static buffer, for comparisons). */
static const char *
text_of(struct json_writer *w)
{
	static char buf[4096];
	size_t n = w->len < sizeof(buf) - 1 ? w->len : sizeof(buf) - 1;

	memcpy(buf, w->buf, n);
	buf[n] = '\0';
	return buf;
}

#define CHECK_TEXT(w, want) do {					\
	const char *got_ = text_of(w);					\
	CHECK(strcmp(got_, (want)) == 0);				\
	if (strcmp(got_, (want)) != 0)					\
		fprintf(stderr, "  got  %s\n  want %s\n", got_, (want));	\
} while (0)

/* One value alone: reset, write, compare. */
static void
check_seconds(uint64_t ns, const char *want)
{
	struct json_writer w;

	jw_init(&w, 0);
	jw_seconds(&w, NULL, ns);
	CHECK_TEXT(&w, want);
	jw_free(&w);
}

static void
check_fixed(double v, int decimals, const char *want)
{
	struct json_writer w;

	jw_init(&w, 0);
	jw_fixed(&w, NULL, v, decimals);
	CHECK_TEXT(&w, want);
	jw_free(&w);
}

static void
check_string(const char *in, const char *want)
{
	struct json_writer w;

	jw_init(&w, 0);
	jw_string(&w, NULL, in);
	CHECK_TEXT(&w, want);
	jw_free(&w);
}

/* The same nested value written by the writer and built with jansson. */
static void
write_sample(struct json_writer *w)
{
	jw_object(w, NULL);
	jw_uint(w, "id", 7);
	jw_int(w, "neg", -42);
	jw_string(w, "name", "fl\"ow\\1");
	jw_bool(w, "open", true);
	jw_bool(w, "partial", false);
	jw_null(w, "isn");
	jw_object(w, "empty_object");
	jw_end(w);
	jw_array(w, "empty_array");
	jw_end(w);
	jw_array(w, "list");
	jw_uint(w, NULL, 1);
	jw_object(w, NULL);
	jw_string(w, "k", "v");
	jw_array(w, "deep");
	jw_null(w, NULL);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_object(w, "nested");
	jw_uint(w, "max", UINT32_MAX);
	jw_end(w);
	jw_end(w);
}

static json_t *
sample_tree(void)
{
	return json_pack("{s:i, s:i, s:s, s:b, s:b, s:n, s:{}, s:[], s:[i, {s:s, s:[n]}], s:{s:I}}",
	    "id", 7, "neg", -42, "name", "fl\"ow\\1", "open", 1, "partial", 0,
	    "isn", "empty_object", "empty_array", "list", 1, "k", "v", "deep",
	    "nested", "max", (json_int_t)UINT32_MAX);
}

static void
test_layout_matches_jansson(void)
{
	json_t *tree = sample_tree();
	struct json_writer w;
	char *want;

	CHECK(tree != NULL);
	jw_init(&w, 0);
	write_sample(&w);
	want = json_dumps(tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_TEXT(&w, want);
	free(want);

	jw_free(&w);
	jw_init(&w, 2);
	write_sample(&w);
	want = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	CHECK_TEXT(&w, want);
	free(want);

	/* Reused: a reset starts a fresh text in the same buffer. */
	jw_reset(&w, 0);
	jw_uint(&w, NULL, 5);
	CHECK_TEXT(&w, "5");
	CHECK(!w.failed);
	jw_free(&w);
	json_decref(tree);
}

/* A value written at depth 2 nests correctly inside an indented parent. */
static void
test_base_depth(void)
{
	struct json_writer inner, outer;
	json_t *tree, *parsed;
	json_error_t err;
	char *want;

	jw_init(&inner, 2);
	jw_reset(&inner, 2);
	jw_object(&inner, NULL);
	jw_uint(&inner, "a", 1);
	jw_end(&inner);

	jw_init(&outer, 2);
	jw_object(&outer, NULL);
	jw_array(&outer, "flows");
	jw_raw(&outer, NULL, inner.buf, inner.len);
	jw_raw(&outer, NULL, inner.buf, inner.len);
	jw_end(&outer);
	jw_end(&outer);
	tree = json_pack("{s:[{s:i}, {s:i}]}", "flows", "a", 1, "a", 1);
	want = json_dumps(tree, JSON_INDENT(2));
	CHECK_TEXT(&outer, want);
	parsed = json_loadb(outer.buf, outer.len, 0, &err);
	CHECK(parsed != NULL && json_equal(parsed, tree));
	json_decref(parsed);
	json_decref(tree);
	free(want);
	jw_free(&inner);
	jw_free(&outer);
}

static void
test_numbers(void)
{
	struct json_writer w;

	jw_init(&w, 0);
	jw_array(&w, NULL);
	jw_uint(&w, NULL, 0);
	jw_uint(&w, NULL, UINT64_MAX);
	jw_int(&w, NULL, INT64_MIN);
	jw_int(&w, NULL, INT64_MAX);
	jw_int(&w, NULL, -1);
	jw_end(&w);
	CHECK_TEXT(&w, "[0,18446744073709551615,-9223372036854775808,"
	    "9223372036854775807,-1]");
	jw_free(&w);

	check_seconds(0, "0.0");
	check_seconds(1, "0.000000001");
	check_seconds(17000, "0.000017");
	check_seconds(1500000000, "1.5");
	check_seconds(1796010605444611000ull, "1796010605.444611");
	check_seconds(1796010605444611123ull, "1796010605.444611123");
	check_seconds(UINT64_MAX, "18446744073.709551615");

	check_fixed(0.25, 1, "0.3");		/* half away from zero */
	check_fixed(0.969, 3, "0.969");
	/* Just below a half in binary, exactly a half once multiplied. */
	check_fixed(1.115, 2, "1.11");		/* 1.11499999999999999112 */
	check_fixed(-1.115, 2, "-1.11");
	check_fixed(2.675, 2, "2.67");		/* 2.67499999999999982236 */
	check_fixed(1.125, 2, "1.13");		/* an exact half: away from zero */
	check_fixed(0.0005, 3, "0.001");	/* 0.00050000000000000001 */
	check_fixed(1.0, 3, "1.0");
	check_fixed(0.0, 3, "0.0");
	check_fixed(-0.0, 0, "0.0");		/* never "-0.0" */
	check_fixed(-0.0001, 3, "0.0");
	check_fixed(-1.25, 2, "-1.25");
	check_fixed(1496.2, 0, "1496.0");
	check_fixed(1.247119, 9, "1.247119");
	check_fixed(0.5, 12, "0.5");		/* decimals capped at 9 */
	check_fixed(1e30, 0, "1e+30");
	check_fixed(0.0 / 0.0, 3, "null");
	check_fixed(1.0 / 0.0, 3, "null");
}

static void
test_strings(void)
{
	struct json_writer w;
	json_error_t err;
	json_t *v;

	check_string("plain", "\"plain\"");
	check_string("", "\"\"");
	check_string("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_string("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	check_string("\x01\x1f", "\"\\u0001\\u001f\"");
	check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Invalid UTF-8: a stray continuation byte, a cut sequence, an
	 * overlong encoding, a surrogate, a byte never used. */
	check_string("a\x80z", "\"a\\ufffdz\"");
	check_string("a\xc3", "\"a\\ufffd\"");
	check_string("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	check_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check_string("\xff", "\"\\ufffd\"");

	/* Whatever the bytes, jansson parses the result back. */
	jw_init(&w, 0);
	jw_object(&w, NULL);
	jw_string(&w, "k", "\"\xc3\x28\x7f\x01\\");
	jw_end(&w);
	v = json_loadb(w.buf, w.len, 0, &err);
	CHECK(v != NULL);
	CHECK(v != NULL && strcmp(json_string_value(json_object_get(v, "k")),
	    "\"\xef\xbf\xbd(\x7f\x01\\") == 0);
	json_decref(v);
	jw_free(&w);
}

static void
test_misuse(void)
{
	struct json_writer w;
	int i;

	jw_init(&w, 0);
	jw_end(&w);			/* nothing open */
	CHECK(w.failed);
	jw_reset(&w, 0);
	CHECK(!w.failed);
	for (i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_array(&w, NULL);
	CHECK(w.failed);
	jw_free(&w);
}

/* The writer's whole text equals want (any length). */
static bool
text_is(const struct json_writer *w, const char *want)
{
	size_t n = strlen(want);

	return !w->failed && w->len == n && memcmp(w->buf, want, n) == 0;
}

/* A small deterministic generator for the sweeps below. */
static uint64_t
next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state ^ (*state >> 29);
}

/* Integers at every digit-count boundary, and random ones, against printf. */
static void
test_integer_digits(void)
{
	struct json_writer w;
	char want[32];
	uint64_t v, state = 1;
	int k, i, bad = 0;

	jw_init(&w, 0);
	for (k = 0; k < 20; k++) {
		uint64_t p10 = 1;

		for (i = 0; i < k; i++)
			p10 *= 10;
		/* 10^k - 1, 10^k, 10^k + 1 (0, 1, 2 for k = 0) */
		for (i = -1; i <= 1; i++) {
			v = p10 + (uint64_t)(int64_t)i;
			jw_reset(&w, 0);
			jw_uint(&w, NULL, v);
			snprintf(want, sizeof(want), "%" PRIu64, v);
			bad += !text_is(&w, want);
			if (!text_is(&w, want))
				fprintf(stderr, "  uint %s\n", want);
			jw_reset(&w, 0);
			jw_int(&w, NULL, -(int64_t)(v & INT64_MAX));
			snprintf(want, sizeof(want), "%" PRId64,
			    -(int64_t)(v & INT64_MAX));
			bad += !text_is(&w, want);
		}
	}
	for (k = 0; k < 64; k++) {
		for (i = -1; i <= 1; i++) {
			v = ((uint64_t)1 << k) + (uint64_t)(int64_t)i;
			jw_reset(&w, 0);
			jw_uint(&w, NULL, v);
			snprintf(want, sizeof(want), "%" PRIu64, v);
			bad += !text_is(&w, want);
		}
	}
	for (i = 0; i < 200000; i++) {
		/* Every magnitude: a random number shifted right 0..63 bits. */
		v = next_random(&state);
		v >>= v % 64;
		jw_reset(&w, 0);
		jw_uint(&w, NULL, v);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		bad += !text_is(&w, want);
		jw_reset(&w, 0);
		jw_int(&w, NULL, (int64_t)v);
		snprintf(want, sizeof(want), "%" PRId64, (int64_t)v);
		bad += !text_is(&w, want);
	}
	CHECK_EQ(bad, 0);

	/* In members, with the separators around them. */
	jw_reset(&w, 0);
	jw_object(&w, NULL);
	jw_uint(&w, "a", 0);
	jw_uint(&w, "b", 9);
	jw_uint(&w, "c", 10);
	jw_uint(&w, "d", 99);
	jw_uint(&w, "e", 100);
	jw_uint(&w, "f", 999999999);
	jw_uint(&w, "g", 1000000000);
	jw_uint(&w, "h", UINT64_MAX);
	jw_int(&w, "i", INT64_MIN);
	jw_int(&w, "j", -10);
	jw_end(&w);
	CHECK(text_is(&w, "{\"a\":0,\"b\":9,\"c\":10,\"d\":99,\"e\":100,"
	    "\"f\":999999999,\"g\":1000000000,\"h\":18446744073709551615,"
	    "\"i\":-9223372036854775808,\"j\":-10}"));
	jw_free(&w);
}

/* Seconds the old way: whole, '.', nine digits less trailing zeros. */
static void
seconds_reference(uint64_t ns, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%" PRIu64 ".%09u",
	    ns / 1000000000u, (unsigned)(ns % 1000000000u));

	while (buf[n - 1] == '0' && buf[n - 2] != '.')
		n--;
	buf[n] = '\0';
}

static void
test_seconds_digits(void)
{
	static const uint64_t cases[] = { 0, 1, 9, 10, 100, 999999999,
	    1000000000, 1000000001, 1000000010, 1100000000, 9999999999u,
	    10000000000u, 1718000000003491000u, 1718000000100000000u,
	    UINT64_MAX - 1, UINT64_MAX };
	struct json_writer w;
	char want[48];
	uint64_t state = 7;
	size_t i;
	int bad = 0;

	check_seconds(999999999, "0.999999999");
	check_seconds(1000000000, "1.0");
	check_seconds(1000000001, "1.000000001");
	check_seconds(1100000000, "1.1");
	check_seconds(100000000, "0.1");
	check_seconds(10000000, "0.01");
	check_seconds(10, "0.00000001");

	jw_init(&w, 0);
	for (i = 0; i < COUNT(cases) + 200000; i++) {
		uint64_t ns;

		if (i < COUNT(cases)) {
			ns = cases[i];
		} else {
			/* Random, and rounded to every power of ten. */
			ns = next_random(&state);
			ns >>= ns % 64;
			ns -= ns % jw__pow10[i % 20];
		}
		jw_reset(&w, 0);
		jw_seconds(&w, NULL, ns);
		seconds_reference(ns, want, sizeof(want));
		if (!text_is(&w, want)) {
			bad++;
			fprintf(stderr, "  seconds %" PRIu64 ": want %s\n", ns, want);
		}
	}
	CHECK_EQ(bad, 0);
	jw_free(&w);
}

/* jw_fixed the old way: llround(), floor() and the near-half fma(). */
static void
fixed_reference(double v, int decimals, char *buf, size_t size)
{
	static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9 };
	double scaled = fabs(v) * scale[decimals];
	uint64_t pow10 = (uint64_t)scale[decimals];
	uint64_t units = (uint64_t)llround(scaled);
	size_t n;

	if (scaled < 4503599627370496.0) {
		double k = floor(scaled), off = scaled - k - 0.5;

		if (fabs(off) <= scaled * 0x1p-50 + 0x1p-60)
			units = (uint64_t)k +
			    (fma(fabs(v), scale[decimals], -(k + 0.5)) >= 0 ? 1 : 0);
	}
	if (decimals == 0) {
		snprintf(buf, size, "%s%" PRIu64 ".0", v < 0 && units != 0 ? "-" : "",
		    units);
		return;
	}
	n = (size_t)snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64,
	    v < 0 && units != 0 ? "-" : "", units / pow10, decimals, units % pow10);
	while (buf[n - 1] == '0' && buf[n - 2] != '.')
		n--;
	buf[n] = '\0';
}

static void
test_fixed_sweep(void)
{
	struct json_writer w;
	char want[64];
	uint64_t state = 3;
	int i, bad = 0;

	jw_init(&w, 0);
	for (i = 0; i < 200000; i++) {
		int decimals = i % 10;
		uint64_t r = next_random(&state);
		double v;

		switch (i % 4) {
		case 0:		/* a share or a confidence */
			v = (double)(r % 1000001) / 1e6;
			break;
		case 1:		/* exactly on a half of the last place, or near */
			v = ((double)(r % 100000) + 0.5) / (double)jw__pow10[decimals];
			break;
		case 2:		/* large, up to the fixed-point limit */
			v = ldexp((double)(r >> 11), (int)(r % 50) - 30);
			break;
		default:	/* negative */
			v = -(double)(r % 100000000) / 1e5;
		}
		if (fabs(v) * (double)jw__pow10[decimals] >= 9.2e18)
			continue;
		jw_reset(&w, 0);
		jw_fixed(&w, NULL, v, decimals);
		fixed_reference(v, decimals, want, sizeof(want));
		if (!text_is(&w, want)) {
			bad++;
			fprintf(stderr, "  fixed %.17g (%d): want %s\n", v, decimals, want);
		}
	}
	CHECK_EQ(bad, 0);
	jw_free(&w);
}

/* One piece of a generated string: its bytes, and how they are written. */
struct piece {
	const char *in, *out;
};

/* Add a piece's input to in[*ni] and its escaped form to want[*no]. */
static void
append_piece(const struct piece *pc, char *in, size_t *ni, char *want, size_t *no)
{
	memcpy(in + *ni, pc->in, strlen(pc->in));
	*ni += strlen(pc->in);
	memcpy(want + *no, pc->out, strlen(pc->out));
	*no += strlen(pc->out);
}

static const struct piece plain_pieces[] = {
	{ "a", "a" }, { "Z", "Z" }, { " ", " " }, { "~", "~" }, { "\x7f", "\x7f" },
	{ "0", "0" }, { "/", "/" },
};

static const struct piece special_pieces[] = {
	{ "\"", "\\\"" }, { "\\", "\\\\" }, { "\n", "\\n" }, { "\t", "\\t" },
	{ "\x01", "\\u0001" }, { "\x1f", "\\u001f" },
	{ "\x80", "\\ufffd" }, { "\xff", "\\ufffd" },	/* never valid alone */
	{ "\xc3\xa9", "\xc3\xa9" }, { "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
};

/* Write the string in and compare with want (both built by the caller). */
static bool
string_written(struct json_writer *w, const char *in, const char *want)
{
	jw_reset(w, 0);
	jw_string(w, NULL, in);
	if (!text_is(w, want)) {
		fprintf(stderr, "  string of %zu bytes: want %s\n", strlen(in), want);
		return false;
	}
	return true;
}

/*
 * Every length around the word sizes, with a byte to escape at every
 * place (the word-at-a-time copy must stop exactly there), then random
 * mixes.
 */
static void
test_string_words(void)
{
	struct json_writer w;
	char in[256], want[1024];
	uint64_t state = 11;
	size_t len, at, s, i;
	int bad = 0;

	jw_init(&w, 0);
	for (len = 0; len <= 40; len++) {
		for (at = 0; at <= len; at++) {	/* at == len: none */
			for (s = 0; s < COUNT(special_pieces); s++) {
				size_t ni = 0, no = 0;

				want[no++] = '"';
				for (i = 0; i < len; i++) {
					const struct piece *pc = i == at ? &special_pieces[s] :
					    &plain_pieces[i % 7];

					append_piece(pc, in, &ni, want, &no);
				}
				in[ni] = '\0';
				want[no++] = '"';
				want[no] = '\0';
				bad += !string_written(&w, in, want);
				if (at == len)
					break;	/* the same string for every s */
			}
		}
	}
	for (i = 0; i < 20000; i++) {
		size_t pieces = next_random(&state) % 40, ni = 0, no = 0, j;

		want[no++] = '"';
		for (j = 0; j < pieces; j++) {
			uint64_t r = next_random(&state);
			const struct piece *pc = r % 8 == 0 ?
			    &special_pieces[(r >> 8) % COUNT(special_pieces)] :
			    &plain_pieces[(r >> 8) % 7];

			append_piece(pc, in, &ni, want, &no);
		}
		in[ni] = '\0';
		want[no++] = '"';
		want[no] = '\0';
		bad += !string_written(&w, in, want);
	}
	CHECK_EQ(bad, 0);
	jw_free(&w);
}

/* Nested containers, empty and not, in both layouts, against jansson. */
static void
write_nested(struct json_writer *w)
{
	int i;

	jw_object(w, NULL);
	jw_object(w, "a");
	jw_end(w);
	jw_array(w, "b");
	jw_end(w);
	jw_array(w, "c");
	jw_array(w, NULL);
	jw_end(w);
	jw_object(w, NULL);
	jw_end(w);
	jw_array(w, NULL);
	jw_object(w, NULL);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_object(w, "d");
	jw_array(w, "e");
	jw_uint(w, NULL, 1);
	jw_object(w, NULL);
	jw_array(w, "f");
	jw_end(w);
	jw_seconds(w, "g", 1500000000);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	/* Deep enough for indentations longer than one word of spaces. */
	for (i = 0; i < 12; i++)
		jw_array(w, i == 0 ? "deep" : NULL);
	jw_bool(w, NULL, true);
	jw_null(w, NULL);
	for (i = 0; i < 12; i++)
		jw_end(w);
	jw_end(w);
}

static json_t *
nested_tree(void)
{
	json_t *deep = json_pack("[b, n]", 1), *t;
	int i;

	for (i = 1; i < 12; i++)
		deep = json_pack("[o]", deep);
	t = json_pack("{s:{}, s:[], s:[[], {}, [{}]], s:{s:[i, {s:[], s:f}]}, "
	    "s:o}",
	    "a", "b", "c", "d", "e", 1, "f", "g", 1.5, "deep", deep);
	return t;
}

static void
test_nesting_layout(void)
{
	static const int indents[] = { 0, 1, 2, 4 };
	json_t *tree = nested_tree();
	struct json_writer w;
	size_t i;

	CHECK(tree != NULL);
	for (i = 0; i < COUNT(indents); i++) {
		size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) |
		    (indents[i] ? JSON_INDENT(indents[i]) : JSON_COMPACT);
		char *want = json_dumps(tree, flags);

		jw_init(&w, indents[i]);
		write_nested(&w);
		CHECK(want != NULL && text_is(&w, want));
		if (want != NULL && !text_is(&w, want))
			fprintf(stderr, "  indent %d: got %.*s\n  want %s\n",
			    indents[i], (int)w.len, w.buf, want);
		free(want);
		jw_free(&w);
	}
	json_decref(tree);

	/* An empty outermost container, indented: no line break inside. */
	jw_init(&w, 2);
	jw_reset(&w, 3);
	jw_array(&w, NULL);
	jw_end(&w);
	CHECK(text_is(&w, "[]"));
	/* Not empty, at base depth 3: members at 4 levels, the close at 3. */
	jw_reset(&w, 3);
	jw_object(&w, NULL);
	jw_uint(&w, "a", 1);
	jw_object(&w, "b");
	jw_end(&w);
	jw_end(&w);
	CHECK(text_is(&w, "{\n        \"a\": 1,\n        \"b\": {}\n      }"));
	jw_free(&w);
}

/* Several records in one writer, as the NDJSON output makes them. */
static void
test_records(void)
{
	struct json_writer w;
	size_t mark;

	jw_init(&w, 0);
	jw_object(&w, NULL);
	jw_uint(&w, "a", 1);
	jw_end(&w);
	jw_append(&w, "\n", 1);
	jw_object(&w, NULL);
	jw_end(&w);
	jw_append(&w, "\n", 1);
	jw_uint(&w, NULL, 5);		/* outermost scalars too */
	jw_append(&w, "\n", 1);
	jw_string(&w, NULL, "x");
	jw_append(&w, "\n", 1);
	CHECK(text_is(&w, "{\"a\":1}\n{}\n5\n\"x\"\n"));

	/* A line taken back half-written (report_json.c's nd_line_done). */
	mark = w.len;
	jw_object(&w, NULL);
	jw_uint(&w, "a", 1);
	jw_object(&w, "b");
	jw_uint(&w, "c", 2);
	w.len = mark;
	w.failed = false;
	w.depth = 0;
	jw_object(&w, NULL);
	jw_uint(&w, "d", 3);
	jw_end(&w);
	CHECK(text_is(&w, "{\"a\":1}\n{}\n5\n\"x\"\n{\"d\":3}"));
	jw_free(&w);
}

/*
 * Out of room: a writer whose buffer cannot grow (as after a failed
 * realloc) writes nothing past it (the sanitizer build would see it),
 * and a length no buffer can have fails instead of wrapping around.
 */
static void
test_no_room(void)
{
	static const char big[64] = "0123456789012345678901234567890123456789";
	volatile size_t huge = SIZE_MAX / 2;
	struct json_writer w;
	int i;

	jw_init(&w, 2);
	w.buf = malloc(24);
	w.cap = 24;
	w.failed = true;	/* jw_grow will not try again */
	CHECK(w.buf != NULL);
	jw_object(&w, NULL);
	for (i = 0; i < 20; i++) {
		jw_uint(&w, "a_long_key", UINT64_MAX);
		jw_seconds(&w, "s", UINT64_MAX);
		jw_fixed(&w, "f", -1e300, 9);
		jw_string(&w, "t", big);
		jw_raw(&w, "r", big, sizeof(big));
		jw_object(&w, "o");
		jw_end(&w);
		jw_append(&w, big, sizeof(big));
	}
	jw_end(&w);
	CHECK(w.failed);
	CHECK(w.len <= w.cap);
	CHECK_EQ(w.depth, 0);
	jw_free(&w);

	/* (volatile: the compiler is not to see the memcpy never runs) */
	jw_init(&w, 0);
	jw_append(&w, big, huge);	/* never copied: no room */
	CHECK(w.failed);
	CHECK_EQ(w.len, 0);
	jw_reset(&w, 0);
	jw_raw(&w, NULL, big, huge + SIZE_MAX / 2 - 8);
	CHECK(w.failed);
	CHECK_EQ(w.len, 0);
	jw_free(&w);
}

int
main(void)
{
	test_layout_matches_jansson();
	test_base_depth();
	test_numbers();
	test_strings();
	test_misuse();
	test_integer_digits();
	test_seconds_digits();
	test_fixed_sweep();
	test_string_words();
	test_nesting_layout();
	test_records();
	test_no_room();
	return harness_result();
}
