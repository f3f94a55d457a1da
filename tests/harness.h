/*
 * harness.h - the tiny unit-test harness shared by tests/test-*.c.
 *
 * CHECK() records a failure and goes on; the test's main returns
 * harness_result(), so one run reports every failed check.  Exit status
 * 77 means skipped, as meson expects.
 */
#ifndef TCPSIGHT_HARNESS_H
#define TCPSIGHT_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int harness_failures;
static int harness_checks;

#define CHECK(cond) do {						\
	harness_checks++;						\
	if (!(cond)) {							\
		harness_failures++;					\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long check_a_ = (long long)(a), check_b_ = (long long)(b);	\
	harness_checks++;						\
	if (check_a_ != check_b_) {					\
		harness_failures++;					\
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, "	\
		    "%s == %lld\n", __FILE__, __LINE__, #a, check_a_,	\
		    #b, check_b_);					\
	}								\
} while (0)

#define SKIP(why) do {							\
	printf("SKIP: %s\n", why);					\
	exit(77);							\
} while (0)

static inline int
harness_result(void)
{
	printf("%d checks, %d failed\n", harness_checks, harness_failures);
	return harness_failures ? 1 : 0;
}

#endif
