/*
 * test-flow.c - the flow table: key symmetry, ids, eviction, expiry,
 * packing of idle connections.
 */
#include <stddef.h>
#include <stdint.h>
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

/* ---- Packing: an idle connection's record must come back byte for byte ---- */

#define E (1700000000ull * S)	/* a realistic capture epoch */
#define NPACK 30

/* The records as they were made, and what the end callback saw. */
struct pack_check {
	struct flow want[NPACK];
	uint64_t ids[NPACK];
	int reasons[NPACK];
	int count;
	int mismatches;		/* records that did not come back as they were */
	struct flow top[NPACK];	/* flow_table_top()'s copies */
};

/* Bytes of a record the table gives back unchanged: all but the link. */
static int
same_record(const struct flow *a, const struct flow *b)
{
	size_t off = offsetof(struct flow, key);

	return memcmp((const char *)a + off, (const char *)b + off,
	    sizeof(*a) - off) == 0;
}

static void
pack_end(void *arg, struct flow *f, enum flow_end_reason reason)
{
	struct pack_check *c = arg;

	if (f->id >= NPACK || !same_record(f, &c->want[f->id]))
		c->mismatches++;
	if (c->count < NPACK) {
		c->ids[c->count] = f->id;
		c->reasons[c->count] = reason;
	}
	c->count++;
}

/* Rank for flow_table_top(): the newest connection first. */
static uint64_t
rank_by_id(const struct flow *f)
{
	return f->id;
}

static uint64_t
rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Fill the state of f after last_ns with words of every packed form and
 * their edges: zero, below 2^32, 2^32 itself, the first segment's time,
 * times after it by up to 2^32, 2^48 - 1 and 2^48 ns, times before it,
 * and any value.
 */
static void
fill_record(struct flow *f, uint64_t seed)
{
	uint8_t *b = (uint8_t *)&f->tcp;
	size_t n = (sizeof(*f) - offsetof(struct flow, tcp)) / 8, i;
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1, w, r;

	for (i = 0; i < n; i++) {
		r = rng_next(&x);
		switch (r % 12) {
		case 0: case 1: w = 0; break;
		case 2: w = r >> 40; break;
		case 3: w = UINT32_MAX; break;
		case 4: w = (uint64_t)UINT32_MAX + 1; break;
		case 5: w = f->first_ns + (r >> 32); break;
		case 6: w = f->first_ns + UINT32_MAX + 1 + (r >> 60); break;
		case 7: w = f->first_ns - 1 - (r >> 50); break;
		case 8: w = f->first_ns + ((1ull << 48) - 1 - (r >> 60)); break;
		case 9: w = f->first_ns + (1ull << 48) + (r >> 60); break;
		case 10: w = f->first_ns; break;
		default: w = r; break;
		}
		memcpy(b + 8 * i, &w, 8);
	}
	/* Pointers the table follows must stay valid. */
	f->diag.dir[0].ext = f->diag.dir[1].ext = NULL;
	f->series = NULL;
}

static struct flow *
add_filled(struct flow_table *t, struct pack_check *c, int i, uint64_t ts,
    enum flow_class class)
{
	struct packet p = make_segment(A, (uint16_t)(6000 + i), B, 80, TH_ACK, 1, 1, 0, ts);
	struct flow *f;
	int dir;

	f = flow_table_add(t, &p, true, &dir);
	fill_record(f, (uint64_t)i + 1);
	flow_table_touch(t, f, ts, class);
	c->want[f->id] = *f;
	return f;
}

/*
 * Idle connections are packed at the expiry sweep, the others not; a
 * segment unpacks one, exactly; flow_table_top() and the end show packed ones
 * exactly; and the records go back to the free list.
 */
static void
test_pack_exact(void)
{
	struct flow_limits l = limits(100);
	static struct pack_check c;
	struct flow_table *t;
	const struct flow_table_stats *st;
	struct packet p;
	struct flow *f;
	int dir, i;

	memset(&c, 0, sizeof(c));
	l.pack_idle_ns = 2 * S;
	for (i = 0; i < FLOW_CLASS_COUNT; i++)
		l.timeout_ns[i] = 1000 * S;	/* packing only */
	t = flow_table_create(&l, pack_end, &c);
	flow_table_set_rank(t, rank_by_id);
	for (i = 0; i < NPACK; i++)
		(void)add_filled(t, &c, i, i < 20 ? E + 1 * S : E + 9 * S,
		    (enum flow_class)(i % 3 == 0 ? FLOW_CLASS_CLOSED : FLOW_CLASS_ESTABLISHED));
	st = flow_table_stats(t);
	CHECK_EQ(st->allocated, 64);

	flow_table_expire(t, E + 10 * S);	/* 0..19 idle 9 s, 20..29 idle 1 s */
	st = flow_table_stats(t);
	CHECK_EQ(st->packs, 20);
	CHECK_EQ(st->packed, 20);
	CHECK_EQ(st->packed_peak, 20);
	CHECK_EQ(st->active, NPACK);
	CHECK_EQ(st->unpacked_peak, NPACK);
	CHECK(st->packed_bytes > 0 && st->packed_bytes == st->packed_bytes_peak);
	CHECK_EQ(st->timed_out, 0);
	CHECK_EQ(c.count, 0);

	/* The top 5 are whole; all 30 come back exactly, packed or not. */
	CHECK_EQ(flow_table_top(t, c.top, 5), 5);
	for (i = 0; i < 5; i++)
		CHECK_EQ(c.top[i].id, NPACK - 1 - i);
	CHECK_EQ(flow_table_top(t, c.top, NPACK), NPACK);
	for (i = 0; i < NPACK; i++) {
		CHECK_EQ(c.top[i].id, NPACK - 1 - i);
		CHECK(same_record(&c.top[i], &c.want[NPACK - 1 - i]));
		CHECK_EQ(c.top[i].link.packed, 0);
	}
	CHECK_EQ(flow_table_stats(t)->packed, 20);	/* copies: nothing unpacked */

	/* A segment of packed connection 3, from the server: unpacked as it was. */
	p = make_segment(B, 80, A, 6003, TH_ACK, 1, 1, 0, E + 11 * S);
	f = flow_table_find(t, &p, &dir);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK_EQ(f->id, 3);
		CHECK_EQ(dir, DIR_S2C);
		CHECK(same_record(f, &c.want[3]));
		CHECK_EQ(f->link.packed, 0);
		flow_table_touch(t, f, E + 11 * S, FLOW_CLASS_ESTABLISHED);
		c.want[3].last_ns = E + 11 * S;
	}
	st = flow_table_stats(t);
	CHECK_EQ(st->unpacks, 1);
	CHECK_EQ(st->packed, 19);
	/* Packing again later, and nothing repacked that was packed. */
	flow_table_expire(t, E + 20 * S);
	st = flow_table_stats(t);
	CHECK_EQ(st->packed, NPACK);
	CHECK_EQ(st->packs, 20 + 1 + 10);
	CHECK_EQ(st->allocated, 64);	/* no record taken beyond the first slab */

	CHECK_EQ(flow_table_end_all(t, FLOW_END_END_OF_INPUT), 0);
	CHECK_EQ(c.count, NPACK);
	for (i = 0; i < NPACK; i++)
		CHECK_EQ(c.ids[i], i);
	CHECK_EQ(c.mismatches, 0);
	st = flow_table_stats(t);
	CHECK_EQ(st->packed, 0);
	CHECK_EQ(st->packed_bytes, 0);
	CHECK_EQ(st->active, 0);
	flow_table_free(&t);
}

/* Packed connections end by their timeout and by eviction, exactly. */
static void
test_pack_expire_evict(void)
{
	struct flow_limits l = limits(3);
	static struct pack_check c;
	struct flow_table *t;
	int i;

	memset(&c, 0, sizeof(c));
	l.pack_idle_ns = 1 * S;
	t = flow_table_create(&l, pack_end, &c);
	(void)add_filled(t, &c, 0, E + 1 * S, FLOW_CLASS_CLOSED);
	(void)add_filled(t, &c, 1, E + 2 * S, FLOW_CLASS_ESTABLISHED);
	(void)add_filled(t, &c, 2, E + 3 * S, FLOW_CLASS_ESTABLISHED);
	flow_table_expire(t, E + 5 * S);	/* all idle > 1 s: packed */
	CHECK_EQ(flow_table_stats(t)->packed, 3);
	/* A fourth connection: the table is full, the oldest (packed) goes. */
	(void)add_filled(t, &c, 3, E + 6 * S, FLOW_CLASS_ESTABLISHED);
	CHECK_EQ(c.count, 1);
	CHECK_EQ(c.ids[0], 0);
	CHECK_EQ(c.reasons[0], FLOW_END_EVICTED);
	CHECK_EQ(flow_table_stats(t)->allocated, 3);
	/* Established ones time out after 100 s, packed or not. */
	flow_table_expire(t, E + 104 * S);
	CHECK_EQ(c.count, 3);
	for (i = 1; i < 3; i++) {
		CHECK_EQ(c.ids[i], i);
		CHECK_EQ(c.reasons[i], FLOW_END_IDLE_TIMEOUT);
	}
	CHECK_EQ(c.mismatches, 0);
	CHECK_EQ(flow_table_stats(t)->packed, 1);	/* id 3, idle 98 s */
	flow_table_free(&t);	/* a packed one left: freed (ASan checks) */
}

/* With pack_idle_ns 0 nothing is ever packed. */
static void
test_pack_off(void)
{
	struct flow_limits l = limits(100);
	static struct pack_check c;
	struct flow_table *t;

	memset(&c, 0, sizeof(c));
	t = flow_table_create(&l, pack_end, &c);
	(void)add_filled(t, &c, 0, E + 1 * S, FLOW_CLASS_ESTABLISHED);
	flow_table_expire(t, E + 50 * S);
	CHECK_EQ(flow_table_stats(t)->packs, 0);
	CHECK_EQ(flow_table_end_all(t, FLOW_END_END_OF_INPUT), 0);
	CHECK_EQ(c.mismatches, 0);
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
	test_pack_exact();
	test_pack_expire_evict();
	test_pack_off();
	return harness_result();
}
