/*
 * test-diagnosis.c - the out-of-line diagnosis blocks: the pool, the
 * zero-window episodes kept in them, and the window histogram that
 * widens into them when a 16-bit bucket would overflow.
 *
 * Segments go through analysis_update() then diagnosis_update(), as in
 * the pipeline; C is the client (DIR_C2S), S the server.
 */
#include <string.h>

#include "analysis.h"
#include "diagnosis.h"
#include "harness.h"
#include "packet-builder.h"

#define CL 0x0a000001u
#define SV 0x0a000002u
#define MS 1000000ull
#define T0 1000000000ull

struct conv {
	struct conn_analysis ca;
	struct conn_diagnosis cd;
	struct seg_verdict v;
	uint64_t frame;
};

static void
feed(struct conv *c, struct diag_pool *pool, int dir, uint16_t flags,
    uint32_t seq, uint32_t ack, uint32_t len, uint16_t win, uint64_t ms)
{
	struct packet p = dir == DIR_C2S ?
	    make_segment(CL, 40000, SV, 80, flags, seq, ack, len, T0 + ms * MS) :
	    make_segment(SV, 80, CL, 40000, flags, seq, ack, len, T0 + ms * MS);

	p.window = win;
	p.frame = ++c->frame;
	analysis_update(&c->ca, dir, &p, false, &c->v);
	diagnosis_update(&c->cd, &c->ca, dir, &p, &c->v, NULL, pool);
}

static void
start(struct conv *c, struct diag_pool *pool)
{
	memset(c, 0, sizeof(*c));
	analysis_init(&c->ca);
	feed(c, pool, DIR_C2S, TH_SYN, 100, 0, 0, 1000, 0);
	feed(c, pool, DIR_S2C, TH_SYN | TH_ACK, 5000, 101, 0, 1000, 10);
	feed(c, pool, DIR_C2S, TH_ACK, 101, 5001, 0, 1000, 20);
}

static void
test_pool(void)
{
	struct diag_pool pool;
	struct diag_ext *a, *b, *c;

	memset(&pool, 0, sizeof(pool));
	a = diag_pool_get(&pool);
	b = diag_pool_get(&pool);
	CHECK(a != NULL && b != NULL && a != b);
	CHECK_EQ(pool.allocated, 2);
	CHECK_EQ(pool.in_use, 2);
	a->longest_count = 3;
	diag_pool_put(&pool, a);
	diag_pool_put(&pool, NULL);	/* NULL-safe */
	CHECK_EQ(pool.in_use, 1);
	c = diag_pool_get(&pool);	/* reused, and zeroed */
	CHECK(c == a);
	CHECK_EQ(c->longest_count, 0);
	CHECK_EQ(pool.allocated, 2);
	CHECK_EQ(pool.peak_in_use, 2);
	diag_pool_put(&pool, b);
	diag_pool_put(&pool, c);
	CHECK_EQ(pool.in_use, 0);
	diag_pool_clear(&pool);
	CHECK_EQ(pool.allocated, 0);
	CHECK(pool.free_list == NULL);
}

static void
test_no_block_without_zero_window(void)
{
	struct diag_pool pool;
	struct conv c;
	unsigned n;
	int i;

	memset(&pool, 0, sizeof(pool));
	start(&c, &pool);
	for (i = 0; i < 20; i++) {
		feed(&c, &pool, DIR_S2C, TH_ACK, 5001 + 100 * i, 101, 100, 1000, 30 + i);
		feed(&c, &pool, DIR_C2S, TH_ACK, 101, 5101 + 100 * i, 0, 1000, 31 + i);
	}
	CHECK(c.cd.dir[DIR_S2C].active);
	CHECK(c.cd.dir[DIR_S2C].ext == NULL);
	CHECK(diag_longest_episodes(&c.cd.dir[DIR_S2C], &n) == NULL);
	CHECK_EQ(n, 0);
	CHECK_EQ(pool.allocated, 0);
	diagnosis_release(&c.cd, &pool);
	diag_pool_clear(&pool);
}

static void
test_episodes_out_of_line(void)
{
	struct diag_pool pool;
	const struct zw_episode *e;
	struct conv c;
	unsigned n;

	memset(&pool, 0, sizeof(pool));
	start(&c, &pool);
	feed(&c, &pool, DIR_S2C, TH_ACK, 5001, 101, 1000, 1000, 30);
	/* The client's window closes for 100 ms, then for 300 ms. */
	feed(&c, &pool, DIR_C2S, TH_ACK, 101, 6001, 0, 0, 40);
	CHECK(c.cd.dir[DIR_S2C].ext != NULL);
	CHECK_EQ(pool.in_use, 1);
	feed(&c, &pool, DIR_S2C, TH_ACK, 6000, 101, 0, 1000, 90);	/* Linux probe */
	feed(&c, &pool, DIR_C2S, TH_ACK, 101, 6001, 0, 1000, 140);
	feed(&c, &pool, DIR_S2C, TH_ACK, 6001, 101, 1000, 1000, 150);
	feed(&c, &pool, DIR_C2S, TH_ACK, 101, 7001, 0, 0, 160);
	feed(&c, &pool, DIR_C2S, TH_ACK, 101, 7001, 0, 1000, 460);
	diagnosis_finish(&c.cd, T0 + 500 * MS);
	CHECK_EQ(c.cd.dir[DIR_S2C].episodes, 2);
	e = diag_longest_episodes(&c.cd.dir[DIR_S2C], &n);
	CHECK_EQ(n, 2);
	CHECK(e != NULL);
	if (e != NULL && n == 2) {
		CHECK_EQ(e[0].end_ns - e[0].start_ns, 300 * MS);	/* longest first */
		CHECK_EQ(e[1].end_ns - e[1].start_ns, 100 * MS);
		CHECK_EQ(e[1].probes, 1);
		CHECK_EQ(e[0].reopen_mss_ns, 0);
	}
	CHECK_EQ(pool.in_use, 1);	/* one block for the transfer, reused */
	diagnosis_release(&c.cd, &pool);
	CHECK(c.cd.dir[DIR_S2C].ext == NULL);
	CHECK_EQ(pool.in_use, 0);
	diag_pool_clear(&pool);
	CHECK_EQ(pool.allocated, 0);
}

/* More than 65535 samples in one bucket: the histogram widens, exactly. */
static void
test_histogram_widens(void)
{
	struct diag_pool pool;
	struct diag_summary s;
	struct conv c;
	uint32_t i, seq = 5001;

	memset(&pool, 0, sizeof(pool));
	start(&c, &pool);
	feed(&c, &pool, DIR_S2C, TH_ACK, seq, 101, 10, 1000, 30);
	seq += 10;
	/*
	 * 66000 ACKs advertising 1000, then 70000 advertising 60000: the
	 * median is in 60000's bucket, [32767, 65535), shown as 32767.
	 * Buckets saturating at 65535 would put it in 1000's.
	 */
	for (i = 0; i < 66000; i++)
		feed(&c, &pool, DIR_C2S, TH_ACK, 101, seq, 0, 1000, 31);
	/* A run of one bucket is added when the bucket changes. */
	CHECK(c.cd.dir[DIR_S2C].ext == NULL);
	for (i = 0; i < 70000; i++)
		feed(&c, &pool, DIR_C2S, TH_ACK, 101, seq, 0, 60000, 32);
	CHECK(c.cd.dir[DIR_S2C].ext != NULL && c.cd.dir[DIR_S2C].ext->hist_wide);
	feed(&c, &pool, DIR_C2S, TH_ACK, 101, seq, 0, 1000, 33);	/* flushes 70000 */
	CHECK(diagnosis_summarize(&c.cd, &c.ca, DIR_S2C, &s));
	CHECK_EQ(s.window_median, 32767);
	CHECK_EQ(c.cd.dir[DIR_S2C].window_shrinks, 1);
	CHECK_EQ(pool.failed, 0);
	diagnosis_release(&c.cd, &pool);
	diag_pool_clear(&pool);
}

int
main(void)
{
	test_pool();
	test_no_block_without_zero_window();
	test_episodes_out_of_line();
	test_histogram_widens();
	return harness_result();
}
