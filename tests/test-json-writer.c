/*
 * test-json-writer.c - the streaming JSON writer against jansson.
 *
 * The writer must make text jansson parses back to the values written,
 * with the same layout as jansson's own dumps (compact and indented),
 * escape every string, replace invalid UTF-8, and print numbers exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../src/json_writer.h"
#include "harness.h"

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

int
main(void)
{
	test_layout_matches_jansson();
	test_base_depth();
	test_numbers();
	test_strings();
	test_misuse();
	return harness_result();
}
