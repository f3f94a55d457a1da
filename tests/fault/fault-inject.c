/*
 * fault-inject.c - an LD_PRELOAD library that makes allocations fail on
 * demand, to drive tcpsight's out-of-memory paths in tests.
 *
 *   FAULT_REALLOC_SIZE=N     the first realloc() asking for exactly N
 *                            bytes fails (the JSON writer grows its
 *                            buffers by doubling from 1024, so N picks
 *                            one step)
 *   FAULT_REALLOC_SKIP=K     ... the K+1st such call instead, only it
 *   FAULT_OPEN_MEMSTREAM=1   open_memstream() fails
 *
 * Used by tests/check-oom.py; not installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void *
realloc(void *ptr, size_t size)
{
	static void *(*real)(void *, size_t);
	static unsigned long long seen;	/* matching calls so far (a test tool) */
	const char *fail = getenv("FAULT_REALLOC_SIZE");
	const char *skip = getenv("FAULT_REALLOC_SKIP");

	if (fail != NULL && size == (size_t)strtoull(fail, NULL, 10) &&
	    seen++ == (skip != NULL ? strtoull(skip, NULL, 10) : 0)) {
		errno = ENOMEM;
		return NULL;
	}
	if (real == NULL)
		real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	return real(ptr, size);
}

FILE *
open_memstream(char **buf, size_t *len)
{
	static FILE *(*real)(char **, size_t *);

	if (getenv("FAULT_OPEN_MEMSTREAM") != NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (real == NULL)
		real = (FILE *(*)(char **, size_t *))dlsym(RTLD_NEXT, "open_memstream");
	return real(buf, len);
}
