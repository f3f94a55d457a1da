/*
 * test-flow.c - the flow table: key symmetry, ids, eviction, expiry.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "harness.h"
#include "packet-builder.h"

#define A 0x0a000001u
#define B 0x0a000002u
#define S 1000000000ull

struct ended {
	uint64_t ids[64];
	int reasons[64];
	int count;
};

static void
record_end(void *arg, struct flow *f, enum flow_end_reason reason)
{
	struct ended *e = arg;

	if (e->count < 64) {
		e->ids[e->count] = f->id;
		e->reasons[e->count] = reason;
	}
	e->count++;
}

static struct flow_limits
limits(uint32_t max)
{
	struct flow_limits l = { .max_flows = max };

	l.timeout_ns[FLOW_CLASS_OPENING] = 10 * S;
	l.timeout_ns[FLOW_CLASS_ESTABLISHED] = 100 * S;
	l.timeout_ns[FLOW_CLASS_CLOSED] = 5 * S;
	return l;
}

static void
test_key_symmetry(void)
{
	struct packet ab = make_segment(A, 1234, B, 80, TH_ACK, 1, 1, 0, S);
	struct packet ba = make_segment(B, 80, A, 1234, TH_ACK, 1, 1, 0, S);
	struct packet same_addr = make_segment(A, 80, A, 1234, TH_ACK, 1, 1, 0, S);
	struct packet same_addr_r = make_segment(A, 1234, A, 80, TH_ACK, 1, 1, 0, S);
	struct flow_key k1, k2;
	int s1, s2;

	flow_key_make(&ab, &k1, &s1);
	flow_key_make(&ba, &k2, &s2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
	CHECK(s1 != s2);
	flow_key_make(&same_addr, &k1, &s1);
	flow_key_make(&same_addr_r, &k2, &s2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) == 0);
	CHECK(s1 != s2);
	/* Padding is zero, so bytewise hashing is sound. */
	CHECK_EQ(k1.pad[0] | k1.pad[1] | k1.pad[2], 0);
}

/*
 * The key hash: equal for both directions, different for different
 * connections, spread over the low bits uthash takes the bucket from;
 * and IPv6 keys that differ only past the first 8 address bytes.
 */
static void
test_key_hash(void)
{
	struct packet ab = make_segment(A, 1234, B, 80, TH_ACK, 1, 1, 0, S);
	struct packet ba = make_segment(B, 80, A, 1234, TH_ACK, 1, 1, 0, S);
	struct flow_key k1, k2;
	unsigned buckets[64] = { 0 }, most = 0;
	int s1, s2, i;

	flow_key_make(&ab, &k1, &s1);
	flow_key_make(&ba, &k2, &s2);
	CHECK_EQ(flow_key_hash(&k1), flow_key_hash(&k2));
	for (i = 0; i < 6400; i++) {
		struct packet p = make_segment(A, (uint16_t)(1024 + i), B, 80,
		    TH_ACK, 1, 1, 0, S);

		flow_key_make(&p, &k1, &s1);
		buckets[flow_key_hash(&k1) & 63]++;
	}
	for (i = 0; i < 64; i++)
		if (buckets[i] > most)
			most = buckets[i];
	CHECK(most < 200);	/* 100 each on average */

	ab.ip_version = ba.ip_version = 6;
	ab.src[15] = 1;
	ba.src[15] = 2;
	flow_key_make(&ab, &k1, &s1);
	flow_key_make(&ba, &k2, &s2);
	CHECK(memcmp(&k1, &k2, sizeof(k1)) != 0);
	CHECK(flow_key_hash(&k1) != flow_key_hash(&k2));
}

/* IPv6 endpoints that differ only in the last byte are ordered as memcmp would. */
static void
test_key_order_ipv6(void)
{
	struct packet p = make_segment(A, 80, A, 80, TH_ACK, 1, 1, 0, S);
	struct flow_key k;
	int side;

	p.ip_version = 6;
	p.src[15] = 9;
	p.dst[15] = 3;
	flow_key_make(&p, &k, &side);
	CHECK_EQ(side, 1);
	CHECK_EQ(k.addr[0][15], 3);
	p.src[15] = 2;
	flow_key_make(&p, &k, &side);
	CHECK_EQ(side, 0);
	CHECK_EQ(k.addr[0][15], 2);
}

/* A flow's out-of-line diagnosis blocks go back to the pool when it ends. */
static void
test_ext_released(void)
{
	struct flow_limits l = limits(1);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet p = make_segment(A, 1234, B, 80, TH_SYN, 1, 0, 0, S);
	struct packet q = make_segment(A, 1235, B, 80, TH_SYN, 1, 0, 0, S);
	struct diag_pool *pool = flow_table_diag_pool(t);
	struct flow *f;
	int dir;

	f = flow_table_add(t, &p, true, &dir);
	CHECK(f != NULL);
	f->diag.dir[DIR_S2C].ext = diag_pool_get(pool);
	CHECK_EQ(pool->in_use, 1);
	/* Evicted by the next connection (cap 1): the block is back. */
	f = flow_table_add(t, &q, true, &dir);
	CHECK(f != NULL);
	CHECK_EQ(pool->in_use, 0);
	CHECK_EQ(flow_table_stats(t)->ext_allocated, 1);
	CHECK_EQ(flow_table_stats(t)->ext_peak, 1);
	/* Freeing the table frees blocks still held, without the callback. */
	f->diag.dir[DIR_C2S].ext = diag_pool_get(pool);
	f->diag.dir[DIR_S2C].ext = diag_pool_get(pool);
	CHECK_EQ(pool->allocated, 2);
	flow_table_free(&t);
	CHECK(t == NULL);
}

static void
test_find_and_direction(void)
{
	struct flow_limits l = limits(10);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet syn = make_segment(A, 1234, B, 80, TH_SYN, 1, 0, 0, S);
	struct packet synack = make_segment(B, 80, A, 1234, TH_SYN | TH_ACK, 9, 2, 0, S);
	struct flow *f, *g;
	int dir = -1;

	CHECK(flow_table_find(t, &syn, &dir) == NULL);
	f = flow_table_add(t, &syn, true, &dir);
	CHECK(f != NULL);
	CHECK_EQ(dir, DIR_C2S);
	CHECK_EQ(f->id, 0);
	g = flow_table_find(t, &synack, &dir);
	CHECK(g == f);
	CHECK_EQ(dir, DIR_S2C);
	g = flow_table_find(t, &syn, &dir);
	CHECK(g == f);
	CHECK_EQ(dir, DIR_C2S);
	flow_table_free(&t);
	CHECK(t == NULL);
	CHECK_EQ(e.count, 0);	/* freeing does not report */
}

static void
test_eviction_lru(void)
{
	struct flow_limits l = limits(3);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet p;
	struct flow *f[5];
	int dir, i;

	for (i = 0; i < 3; i++) {
		p = make_segment(A, (uint16_t)(1000 + i), B, 80, TH_SYN, 1, 0, 0,
		    (uint64_t)(i + 1) * S);
		f[i] = flow_table_add(t, &p, true, &dir);
		flow_table_touch(t, f[i], p.ts_ns, FLOW_CLASS_OPENING);
	}
	/* Flow 0 becomes the most recently active. */
	flow_table_touch(t, f[0], 4 * S, FLOW_CLASS_ESTABLISHED);
	p = make_segment(A, 2000, B, 80, TH_SYN, 1, 0, 0, 5 * S);
	f[3] = flow_table_add(t, &p, true, &dir);
	CHECK(f[3] != NULL);
	CHECK_EQ(e.count, 1);
	CHECK_EQ(e.ids[0], 1);	/* least recently active */
	CHECK_EQ(e.reasons[0], FLOW_END_EVICTED);
	CHECK_EQ(flow_table_stats(t)->evicted, 1);
	CHECK_EQ(flow_table_stats(t)->active, 3);
	CHECK_EQ(flow_table_stats(t)->allocated, 3);	/* never beyond the cap */
	CHECK_EQ(f[3]->id, 3);
	flow_table_free(&t);
}

static void
test_expiry_per_class(void)
{
	struct flow_limits l = limits(10);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet p;
	struct flow *est, *closed, *opening;
	int dir;

	p = make_segment(A, 1, B, 80, TH_ACK, 1, 1, 0, 1 * S);
	est = flow_table_add(t, &p, true, &dir);
	flow_table_touch(t, est, 1 * S, FLOW_CLASS_ESTABLISHED);
	p = make_segment(A, 2, B, 80, TH_ACK, 1, 1, 0, 2 * S);
	closed = flow_table_add(t, &p, true, &dir);
	flow_table_touch(t, closed, 2 * S, FLOW_CLASS_CLOSED);
	p = make_segment(A, 3, B, 80, TH_SYN, 1, 0, 0, 3 * S);
	opening = flow_table_add(t, &p, true, &dir);
	flow_table_touch(t, opening, 3 * S, FLOW_CLASS_OPENING);
	(void)est;
	(void)opening;
	(void)closed;

	flow_table_expire(t, 7 * S);	/* closed: idle 5 s, not more */
	CHECK_EQ(e.count, 0);
	flow_table_expire(t, 8 * S);	/* closed flow (id 1) idle 6 s > 5 s */
	CHECK_EQ(e.count, 1);
	CHECK_EQ(e.ids[0], 1);
	CHECK_EQ(e.reasons[0], FLOW_END_IDLE_TIMEOUT);
	flow_table_expire(t, 14 * S);	/* opening flow (id 2) idle 11 s > 10 s */
	CHECK_EQ(e.count, 2);
	CHECK_EQ(e.ids[1], 2);
	flow_table_expire(t, 100 * S);	/* established: idle 99 s, kept */
	CHECK_EQ(e.count, 2);
	flow_table_expire(t, 102 * S);
	CHECK_EQ(e.count, 3);
	CHECK_EQ(flow_table_stats(t)->timed_out, 3);
	CHECK_EQ(flow_table_stats(t)->active, 0);
	flow_table_free(&t);
}

static void
test_end_all_in_id_order(void)
{
	struct flow_limits l = limits(100);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet p;
	struct flow *f;
	int dir, i;

	for (i = 0; i < 20; i++) {
		p = make_segment(A, (uint16_t)(5000 + i), B, 80, TH_ACK, 1, 1, 0, S);
		f = flow_table_add(t, &p, true, &dir);
		/* Mix the classes and activity order. */
		flow_table_touch(t, f, (uint64_t)(20 - i) * S, (enum flow_class)(i % 3));
	}
	CHECK_EQ(flow_table_end_all(t, FLOW_END_END_OF_INPUT), 0);
	CHECK_EQ(e.count, 20);
	for (i = 0; i < 20; i++)
		CHECK_EQ(e.ids[i], i);
	flow_table_free(&t);
}

/* A SYN flood far beyond the cap keeps the table at the cap. */
static void
test_syn_flood_bounded(void)
{
	struct flow_limits l = limits(1000);
	struct ended e = { 0 };
	struct flow_table *t = flow_table_create(&l, record_end, &e);
	struct packet p;
	struct flow *f;
	uint32_t i;
	int dir;

	for (i = 0; i < 200000; i++) {
		p = make_segment(0x0b000000u + i, (uint16_t)i, B, 80, TH_SYN, i, 0,
		    0, S + i);
		f = flow_table_add(t, &p, true, &dir);
		flow_table_touch(t, f, p.ts_ns, FLOW_CLASS_OPENING);
	}
	CHECK_EQ(flow_table_stats(t)->active, 1000);
	CHECK_EQ(flow_table_stats(t)->allocated, 1000);
	CHECK_EQ(flow_table_stats(t)->evicted, 199000);
	CHECK_EQ(flow_table_stats(t)->peak_active, 1000);
	flow_table_free(&t);
}

int
main(void)
{
	test_key_symmetry();
	test_key_hash();
	test_key_order_ipv6();
	test_ext_released();
	test_find_and_direction();
	test_eviction_lru();
	test_expiry_per_class();
	test_end_all_in_id_order();
	test_syn_flood_bounded();
	return harness_result();
}
