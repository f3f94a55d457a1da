/*
 * flow.c - connection records: slab pool, uthash index, activity lists.
 *
 * Nothing here knows TCP beyond the key: the pipeline decides when a
 * segment starts a new connection and which timeout class a connection is
 * in.  Per segment this does one hash lookup and a constant number of
 * list moves; memory is allocated only when a new connection finds the
 * free list empty, a slab of FLOW_SLAB_RECORDS at a time, and never
 * beyond the max_flows cap.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tcpsight.h"
#include "tunables.h"

/*
 * uthash with a hash and a compare made for the 40-byte canonical key
 * (instead of Jenkins' byte loop and memcmp): five 64-bit words.  The key
 * is canonical, so the hash is the same for both directions.
 */
static inline uint64_t
key_word(const struct flow_key *k, int i)
{
	uint64_t w;

	memcpy(&w, (const uint8_t *)k + 8 * i, sizeof(w));
	return w;
}

/* Multiply-xorshift over the words; the last steps fold the high bits
 * down, since uthash picks the bucket from the low bits. */
uint32_t
flow_key_hash(const struct flow_key *k)
{
	const uint64_t m = 0x9e3779b97f4a7c15ull;
	uint64_t h = key_word(k, 0) * m;
	int i;

	for (i = 1; i < 5; i++)
		h = (h ^ key_word(k, i)) * m;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static inline int
flow_key_cmp(const struct flow_key *a, const struct flow_key *b)
{
	return ((key_word(a, 0) ^ key_word(b, 0)) | (key_word(a, 1) ^ key_word(b, 1)) |
	    (key_word(a, 2) ^ key_word(b, 2)) | (key_word(a, 3) ^ key_word(b, 3)) |
	    (key_word(a, 4) ^ key_word(b, 4))) != 0;
}

#undef HASH_FUNCTION
#define HASH_FUNCTION(keyptr, keylen, hashv) \
	((hashv) = flow_key_hash((const struct flow_key *)(const void *)(keyptr)))
#undef HASH_KEYCMP
#define HASH_KEYCMP(a, b, n) \
	flow_key_cmp((const struct flow_key *)(const void *)(a), \
	    (const struct flow_key *)(const void *)(b))

/* Records allocated together; the table frees them all at the end. */
struct flow_slab {
	struct flow_slab *next;
	struct flow records[];
};

/* Activity list of one class: oldest at head. */
struct flow_list {
	struct flow *oldest;
	struct flow *newest;
};

struct flow_table {
	struct flow *index;		/* uthash head */
	struct flow *free_list;		/* unused records, linked by ->newer */
	struct flow_slab *slabs;	/* newest first */
	uint32_t slab_size;		/* records in the newest slab */
	uint32_t slab_used;		/* ... of which ever handed out */
	struct flow_list lists[FLOW_CLASS_COUNT];
	struct flow_limits limits;
	flow_end_fn on_end;
	void *on_end_arg;
	uint64_t next_id;
	struct flow_table_stats stats;
	struct diag_pool ext_pool;	/* out-of-line diagnosis blocks of the flows */
};

/* The 8 bytes at b as a big-endian number (portable; compiles to a load and a bswap). */
static inline uint64_t
be64_value(const uint8_t *b)
{
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 |
	    (uint64_t)b[3] << 32 | (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | b[7];
}

/*
 * Order two addresses as memcmp would (-1, 0, 1), 8 bytes at a time;
 * IPv4 looks at the first word only (its bytes 4-15 are zero).
 */
static inline int
addr_order(const uint8_t *a, const uint8_t *b, int words)
{
	uint64_t x, y;
	int i;

	for (i = 0; i < words; i++) {
		memcpy(&x, a + 8 * i, 8);
		memcpy(&y, b + 8 * i, 8);
		if (x != y) {
			/* memcmp order: compare the words as big-endian numbers. */
			x = be64_value(a + 8 * i);
			y = be64_value(b + 8 * i);
			return x < y ? -1 : 1;
		}
	}
	return 0;
}

void
flow_key_make(const struct packet *p, struct flow_key *key, int *sender_side)
{
	int c = addr_order(p->src, p->dst, p->ip_version == 4 ? 1 : 2);
	const uint8_t *lo, *hi;

	if (c == 0)
		c = (p->sport > p->dport) - (p->sport < p->dport);
	/* Whole-word copies: no memset, the padding is written as zero. */
	if (c <= 0) {
		lo = p->src;
		hi = p->dst;
		key->port[0] = p->sport;
		key->port[1] = p->dport;
		*sender_side = 0;
	} else {
		lo = p->dst;
		hi = p->src;
		key->port[0] = p->dport;
		key->port[1] = p->sport;
		*sender_side = 1;
	}
	memcpy(key->addr[0], lo, 16);
	memcpy(key->addr[1], hi, 16);
	key->ip_version = p->ip_version;
	key->pad[0] = key->pad[1] = key->pad[2] = 0;
}

static void
list_unlink(struct flow_list *l, struct flow *f)
{
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		l->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		l->newest = f->older;
	f->older = f->newer = NULL;
}

static void
list_append(struct flow_list *l, struct flow *f)
{
	f->newer = NULL;
	f->older = l->newest;
	if (l->newest != NULL)
		l->newest->newer = f;
	else
		l->oldest = f;
	l->newest = f;
}

struct flow_table *
flow_table_create(const struct flow_limits *limits, flow_end_fn on_end, void *arg)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->limits = *limits;
	if (t->limits.max_flows == 0)
		t->limits.max_flows = 1;
	t->on_end = on_end;
	t->on_end_arg = arg;
	return t;
}

void
flow_table_free(struct flow_table **tp)
{
	struct flow_table *t;
	struct flow_slab *s, *next;
	struct flow *f;
	int c;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	for (c = 0; c < FLOW_CLASS_COUNT; c++)
		for (f = t->lists[c].oldest; f != NULL; f = f->newer)
			diagnosis_release(&f->diag, &t->ext_pool);
	diag_pool_clear(&t->ext_pool);
	HASH_CLEAR(hh, t->index);
	for (s = t->slabs; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
	free(t);
	*tp = NULL;
}

struct flow *
flow_table_find(struct flow_table *t, const struct packet *p, int *dir)
{
	struct flow_key key;
	struct flow *f;
	int sender_side;

	flow_key_make(p, &key, &sender_side);
	HASH_FIND(hh, t->index, &key, sizeof(key), f);
	if (f != NULL)
		*dir = sender_side == f->client_side ? DIR_C2S : DIR_S2C;
	return f;
}

/*
 * Take a record: a freed one if any, else the next never-used record of
 * the newest slab, else a new slab.  Slabs start small and double up to
 * FLOW_SLAB_RECORDS, and records are carved out only when needed, so the
 * first connection does not touch megabytes of memory (a live capture
 * would drop packets meanwhile).
 */
static struct flow *
record_get(struct flow_table *t)
{
	struct flow *f;
	struct flow_slab *s;
	uint64_t n;

	if (t->free_list != NULL) {
		f = t->free_list;
		t->free_list = f->newer;
		return f;
	}
	if (t->slab_used == t->slab_size) {
		n = t->slab_size == 0 ? FLOW_FIRST_SLAB_RECORDS : t->slab_size * 2;
		if (n > FLOW_SLAB_RECORDS)
			n = FLOW_SLAB_RECORDS;
		if (t->limits.max_flows - t->stats.allocated < n)
			n = t->limits.max_flows - t->stats.allocated;
		if (n == 0)
			return NULL;	/* cannot happen: caller evicted first */
		s = malloc(sizeof(*s) + (size_t)n * sizeof(struct flow));
		if (s == NULL)
			return NULL;
		s->next = t->slabs;
		t->slabs = s;
		t->slab_size = (uint32_t)n;
		t->slab_used = 0;
		t->stats.allocated += n;
	}
	return &t->slabs->records[t->slab_used++];
}

/* The least recently active connection over all classes. */
static struct flow *
oldest_flow(struct flow_table *t)
{
	struct flow *best = NULL, *f;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		f = t->lists[c].oldest;
		if (f != NULL && (best == NULL || f->last_ns < best->last_ns))
			best = f;
	}
	return best;
}

struct flow *
flow_table_add(struct flow_table *t, const struct packet *p, bool sender_is_client,
    int *dir)
{
	struct flow *f, *victim;
	int sender_side;

	if (t->stats.active >= t->limits.max_flows) {
		victim = oldest_flow(t);
		if (victim != NULL) {
			t->stats.evicted++;
			flow_table_end(t, victim, FLOW_END_EVICTED);
		}
	}
	f = record_get(t);
	if (f == NULL)
		return NULL;
	memset(f, 0, sizeof(*f));
	flow_key_make(p, &f->key, &sender_side);
	f->client_side = (uint8_t)(sender_is_client ? sender_side : !sender_side);
	f->id = t->next_id++;
	f->first_frame = f->last_frame = p->frame;
	f->first_ns = f->last_ns = p->ts_ns;
	f->class = FLOW_CLASS_ESTABLISHED;
	analysis_init(&f->an);
	HASH_ADD(hh, t->index, key, sizeof(f->key), f);
	list_append(&t->lists[f->class], f);
	t->stats.created++;
	t->stats.active++;
	if (t->stats.active > t->stats.peak_active)
		t->stats.peak_active = t->stats.active;
	*dir = sender_is_client ? DIR_C2S : DIR_S2C;
	return f;
}

void
flow_table_touch(struct flow_table *t, struct flow *f, uint64_t now_ns,
    enum flow_class c)
{
	/* Time going backwards in a capture must not reorder the lists. */
	if (now_ns > f->last_ns)
		f->last_ns = now_ns;
	/* Already the newest of its class (a burst of one connection). */
	if (c == f->class && f->newer == NULL)
		return;
	list_unlink(&t->lists[f->class], f);
	f->class = (uint8_t)c;
	list_append(&t->lists[c], f);
}

void
flow_table_end(struct flow_table *t, struct flow *f, enum flow_end_reason reason)
{
	if (t->on_end != NULL)
		t->on_end(t->on_end_arg, f, reason);
	diagnosis_release(&f->diag, &t->ext_pool);
	list_unlink(&t->lists[f->class], f);
	HASH_DEL(t->index, f);
	f->newer = t->free_list;
	t->free_list = f;
	t->stats.active--;
}

void
flow_table_expire(struct flow_table *t, uint64_t now_ns)
{
	struct flow *f;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		while ((f = t->lists[c].oldest) != NULL &&
		    now_ns > f->last_ns &&
		    now_ns - f->last_ns > t->limits.timeout_ns[c]) {
			t->stats.timed_out++;
			flow_table_end(t, f, FLOW_END_IDLE_TIMEOUT);
		}
	}
}

static int
cmp_flow_id(const void *a, const void *b)
{
	const struct flow *fa = *(const struct flow *const *)a;
	const struct flow *fb = *(const struct flow *const *)b;

	return (fa->id > fb->id) - (fa->id < fb->id);
}

int
flow_table_end_all(struct flow_table *t, enum flow_end_reason reason)
{
	struct flow **all, *f, *tmp;
	size_t n = 0, i;
	int c;

	if (t->stats.active == 0)
		return 0;
	all = malloc(t->stats.active * sizeof(*all));
	if (all == NULL) {
		for (c = 0; c < FLOW_CLASS_COUNT; c++)
			while ((f = t->lists[c].oldest) != NULL)
				flow_table_end(t, f, reason);
		return TCPS_ERR_NOMEM;
	}
	HASH_ITER(hh, t->index, f, tmp)
		all[n++] = f;
	qsort(all, n, sizeof(*all), cmp_flow_id);
	for (i = 0; i < n; i++)
		flow_table_end(t, all[i], reason);
	free(all);
	return 0;
}

void
flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f),
    void *arg)
{
	struct flow *f;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++)
		for (f = t->lists[c].oldest; f != NULL; f = f->newer)
			fn(arg, f);
}

const struct flow_table_stats *
flow_table_stats(struct flow_table *t)
{
	struct flow_table_stats *st = &t->stats;

	/* The pool keeps its own counters; copy them in when asked. */
	st->ext_allocated = t->ext_pool.allocated;
	st->ext_peak = t->ext_pool.peak_in_use;
	st->ext_failed = t->ext_pool.failed;
	return &t->stats;
}

struct diag_pool *
flow_table_diag_pool(struct flow_table *t)
{
	return &t->ext_pool;
}

size_t
flow_record_size(void)
{
	return sizeof(struct flow);
}

const char *
flow_end_reason_name(enum flow_end_reason reason)
{
	static const char *const names[FLOW_END_REASON_COUNT] = {
		[FLOW_END_FIN] = "fin",
		[FLOW_END_RST] = "rst",
		[FLOW_END_IDLE_TIMEOUT] = "idle_timeout",
		[FLOW_END_EVICTED] = "evicted",
		[FLOW_END_END_OF_INPUT] = "end_of_input",
		[FLOW_END_PORT_REUSE] = "port_reuse",
	};

	if ((unsigned)reason >= FLOW_END_REASON_COUNT)
		return "unknown";
	return names[reason];
}
