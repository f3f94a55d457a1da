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
 * element of an array (or the outermost value).
 */
void jw_object(struct json_writer *w, const char *key);	/* opens { */
void jw_array(struct json_writer *w, const char *key);	/* opens [ */
void jw_end(struct json_writer *w);			/* closes the last opened */
void jw_null(struct json_writer *w, const char *key);
void jw_bool(struct json_writer *w, const char *key, bool v);
void jw_int(struct json_writer *w, const char *key, int64_t v);
void jw_uint(struct json_writer *w, const char *key, uint64_t v);
void jw_string(struct json_writer *w, const char *key, const char *s);

/* Nanoseconds as seconds with up to nine decimals, exactly ("1.25"). */
void jw_seconds(struct json_writer *w, const char *key, uint64_t ns);

/*
 * A double rounded to `decimals` places (0..9), at least one decimal
 * written ("0.5", "12.0"); null when it is not finite.
 */
void jw_fixed(struct json_writer *w, const char *key, double v, int decimals);

/* Raw, already valid JSON text as one value (e.g. another writer's text). */
void jw_raw(struct json_writer *w, const char *key, const char *text, size_t len);

/* Append bytes outside any value (a newline between records). */
void jw_append(struct json_writer *w, const char *text, size_t len);

#endif
