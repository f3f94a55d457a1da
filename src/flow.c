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
#include <stddef.h>
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

/*
 * The packed form of an idle connection.  The record from `id` to its end
 * is taken as 64-bit words, and each word is stored in as few bytes as
 * its value needs (none for zero), or, when fewer, as many as its
 * distance after base_ns needs: most times in a record are within
 * seconds of the connection's first segment.  A 4-bit tag per word says
 * which (enum pack_tag); tags first, then the bytes, least significant
 * first.
 */
struct flow_packed {
	struct flow_link link;		/* in the index and on the list instead of the record */
	struct flow_key key;		/* hh.key points here */
	uint64_t id;			/* the record's id, last_ns and first_ns, */
	uint64_t last_ns;		/* ... readable without decoding */
	uint64_t base_ns;
	uint64_t rank;			/* the table's rank function's, when packed */
	uint32_t size;			/* bytes used in data */
	uint8_t  data[];
};

#define PACK_OFFSET	offsetof(struct flow, id)
#define PACK_WORDS	((sizeof(struct flow) - PACK_OFFSET) / 8)
#define PACK_TAG_BYTES	((PACK_WORDS + 1) / 2)
#define PACK_MAX_BYTES	(PACK_TAG_BYTES + 8 * PACK_WORDS)
/* Zero bytes after the data: a word is read 8 bytes at a time, then masked. */
#define PACK_SLACK	8

_Static_assert(PACK_OFFSET % 8 == 0 && (sizeof(struct flow) - PACK_OFFSET) % 8 == 0,
    "the packed part of a record must be whole 64-bit words");
_Static_assert(offsetof(struct flow, link) == 0 && offsetof(struct flow_packed, link) == 0,
    "a list or index entry must convert to its record");

/* Tags 0..8: the value in that many bytes; 9..15: value - base_ns in tag - 9 bytes. */
enum pack_tag {
	PACK_VALUE = 0,
	PACK_AFTER_BASE = 9,
	PACK_AFTER_BASE_MAX_BYTES = 6
};

/* Activity list of one class: oldest at head. */
struct flow_list {
	struct flow_link *oldest;
	struct flow_link *newest;
	/*
	 * The oldest record the pack sweep has not looked at: all older ones
	 * are packed, except the few a failed allocation left whole.  NULL
	 * when the sweep has passed the newest.
	 */
	struct flow_link *pack_next;
};

struct flow_table {
	struct flow_link *index;	/* uthash head */
	struct flow *free_list;		/* unused records, linked by link.newer */
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
	flow_rank_fn rank;		/* see flow_table_set_rank(); NULL: all 0 */
	struct flow scratch;		/* a packed connection decoded to be ended */
	uint8_t pack_buf[PACK_MAX_BYTES];	/* a record being packed */
};

/* The record or the packed form of an entry (link is the first member of both). */
static inline struct flow *
flow_of(struct flow_link *l)
{
	return (struct flow *)(void *)l;
}

static inline struct flow_packed *
packed_of(struct flow_link *l)
{
	return (struct flow_packed *)(void *)l;
}

static inline uint64_t
entry_last_ns(struct flow_link *l)
{
	return l->packed ? packed_of(l)->last_ns : flow_of(l)->last_ns;
}

static inline uint64_t
entry_id(struct flow_link *l)
{
	return l->packed ? packed_of(l)->id : flow_of(l)->id;
}

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
list_unlink(struct flow_list *l, struct flow_link *e)
{
	if (l->pack_next == e)
		l->pack_next = e->newer;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		l->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		l->newest = e->older;
	e->older = e->newer = NULL;
}

static void
list_append(struct flow_list *l, struct flow_link *e)
{
	e->newer = NULL;
	e->older = l->newest;
	if (l->newest != NULL)
		l->newest->newer = e;
	else
		l->oldest = e;
	l->newest = e;
	if (l->pack_next == NULL && !e->packed)
		l->pack_next = e;
}

/* Put entry `to` where `from` is, in the index and on its list. */
static void
entry_replace(struct flow_table *t, struct flow_link *from, struct flow_link *to,
    const struct flow_key *key)
{
	struct flow_list *l = &t->lists[from->class];
	unsigned hashv = from->hh.hashv;

	to->class = from->class;
	to->older = from->older;
	to->newer = from->newer;
	if (to->older != NULL)
		to->older->newer = to;
	else
		l->oldest = to;
	if (to->newer != NULL)
		to->newer->older = to;
	else
		l->newest = to;
	if (l->pack_next == from)
		l->pack_next = to;
	/* Add first: deleting the only entry would free uthash's table. */
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->index, key, sizeof(*key), hashv, to);
	HASH_DEL(t->index, from);
}

static inline uint64_t
load64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* Bytes needed for v: 0 for 0, else 1..8. */
static inline unsigned
byte_length(uint64_t v)
{
	return v == 0 ? 0 : (71u - (unsigned)__builtin_clzll(v)) / 8;
}

/* v as stored in memory, least significant byte first, whatever the host. */
static inline uint64_t
little_endian(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/* Encode the words of f into t->pack_buf; the bytes used. */
static size_t
pack_encode(struct flow_table *t, const struct flow *f)
{
	const uint8_t *words = (const uint8_t *)f + PACK_OFFSET;
	uint8_t *tags = t->pack_buf, *out = t->pack_buf + PACK_TAG_BYTES;
	uint64_t w, after;
	unsigned tag, n, nafter;
	size_t i;

	memset(tags, 0, PACK_TAG_BYTES);
	for (i = 0; i < PACK_WORDS; i++) {
		w = load64(words + 8 * i);
		if (w == 0)
			continue;	/* tag 0, no bytes: most words */
		n = byte_length(w);
		after = w - f->first_ns;	/* exact modulo 2^64 */
		nafter = byte_length(after);
		if (nafter < n && nafter <= PACK_AFTER_BASE_MAX_BYTES) {
			tag = PACK_AFTER_BASE + nafter;
			n = nafter;
			w = after;
		} else {
			tag = PACK_VALUE + n;
		}
		/* All 8 bytes, least significant first; the next word overwrites the rest. */
		w = little_endian(w);
		memcpy(out, &w, 8);
		out += n;
		tags[i / 2] |= (uint8_t)(tag << (4 * (i % 2)));
	}
	return (size_t)(out - t->pack_buf);
}

/* Decode packed connection p into the record f (the link is left alone). */
static void
pack_decode(const struct flow_packed *p, struct flow *f)
{
	static const uint64_t low_bytes[9] = {
		0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffffull,
		0xffffffffffffull, 0xffffffffffffffull, UINT64_MAX
	};
	uint8_t *words = (uint8_t *)f + PACK_OFFSET;
	const uint8_t *tags = p->data, *in = p->data + PACK_TAG_BYTES;
	uint64_t w;
	unsigned tag, n;
	size_t i;

	f->key = p->key;
	for (i = 0; i < PACK_WORDS; i++) {
		if (i % 2 == 0 && tags[i / 2] == 0 && i + 1 < PACK_WORDS) {
			memset(words + 8 * i, 0, 16);	/* two zero words */
			i++;
			continue;
		}
		tag = (tags[i / 2] >> (4 * (i % 2))) & 15;
		n = tag < PACK_AFTER_BASE ? tag - PACK_VALUE : tag - PACK_AFTER_BASE;
		w = little_endian(load64(in)) & low_bytes[n];	/* PACK_SLACK covers the last */
		in += n;
		if (tag >= PACK_AFTER_BASE)
			w += p->base_ns;
		memcpy(words + 8 * i, &w, 8);
	}
}

/* Bytes of the packed block of a record encoded in n bytes. */
static inline size_t
packed_block_bytes(size_t n)
{
	return sizeof(struct flow_packed) + n + PACK_SLACK;
}

/* Give a record back to the free list. */
static void
record_put(struct flow_table *t, struct flow *f)
{
	f->link.newer = t->free_list != NULL ? &t->free_list->link : NULL;
	t->free_list = f;
}

/*
 * Pack f in place: the packed form takes its place in the index and on
 * its list, and the record goes back to the free list.  False (and f is
 * left as it was) when the block cannot be had.
 */
static bool
pack(struct flow_table *t, struct flow *f)
{
	size_t n = pack_encode(t, f);
	struct flow_packed *p = malloc(packed_block_bytes(n));

	if (p == NULL)
		return false;
	p->link.packed = true;
	p->key = f->key;
	p->id = f->id;
	p->last_ns = f->last_ns;
	p->base_ns = f->first_ns;
	p->rank = t->rank != NULL ? t->rank(f) : 0;
	p->size = (uint32_t)n;
	memcpy(p->data, t->pack_buf, n);
	memset(p->data + n, 0, PACK_SLACK);
	entry_replace(t, &f->link, &p->link, &p->key);
	record_put(t, f);
	t->stats.packs++;
	t->stats.packed++;
	t->stats.packed_bytes += packed_block_bytes(n);
	if (t->stats.packed > t->stats.packed_peak)
		t->stats.packed_peak = t->stats.packed;
	if (t->stats.packed_bytes > t->stats.packed_bytes_peak)
		t->stats.packed_bytes_peak = t->stats.packed_bytes;
	return true;
}

/* Forget packed connection p (its record, decoded, has been dealt with). */
static void
packed_free(struct flow_table *t, struct flow_packed *p)
{
	t->stats.packed--;
	t->stats.packed_bytes -= packed_block_bytes(p->size);
	free(p);
}

static struct flow *record_get(struct flow_table *t);

/* Count a record coming into use, whole. */
static void
count_unpacked(struct flow_table *t)
{
	uint64_t whole = t->stats.active - t->stats.packed;

	if (whole > t->stats.unpacked_peak)
		t->stats.unpacked_peak = whole;
}

/*
 * Unpack p into a record, which takes its place in the index and becomes
 * the newest of its class (a segment is about to touch it).  NULL when
 * out of memory (p stays).
 */
static struct flow *
unpack(struct flow_table *t, struct flow_packed *p)
{
	struct flow *f = record_get(t);

	if (f == NULL)
		return NULL;
	pack_decode(p, f);
	f->link.packed = false;
	entry_replace(t, &p->link, &f->link, &f->key);
	list_unlink(&t->lists[f->link.class], &f->link);
	list_append(&t->lists[f->link.class], &f->link);
	packed_free(t, p);
	t->stats.unpacks++;
	count_unpacked(t);
	return f;
}

/* A copy of entry e's connection in *out, on no list and in no index. */
static void
entry_copy(struct flow_link *e, struct flow *out)
{
	if (e->packed)
		pack_decode(packed_of(e), out);
	else
		*out = *flow_of(e);
	memset(&out->link, 0, sizeof(out->link));
	out->link.class = e->class;
}

/* The record of entry e: its own, or a packed one decoded into the scratch. */
static struct flow *
entry_record(struct flow_table *t, struct flow_link *e)
{
	if (!e->packed)
		return flow_of(e);
	entry_copy(e, &t->scratch);
	return &t->scratch;
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
	struct flow_link *e, *newer;
	int c;

	if (tp == NULL || *tp == NULL)
		return;
	t = *tp;
	HASH_CLEAR(hh, t->index);
	for (c = 0; c < FLOW_CLASS_COUNT; c++)
		for (e = t->lists[c].oldest; e != NULL; e = newer) {
			newer = e->newer;
			diagnosis_release(&entry_record(t, e)->diag, &t->ext_pool);
			if (e->packed)
				free(e);
		}
	diag_pool_clear(&t->ext_pool);
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
	struct flow_link *e;
	struct flow *f;
	int sender_side;

	*dir = DIR_C2S;
	flow_key_make(p, &key, &sender_side);
	HASH_FIND(hh, t->index, &key, sizeof(key), e);
	if (e == NULL)
		return NULL;
	if (!e->packed)
		f = flow_of(e);
	else if ((f = unpack(t, packed_of(e))) == NULL) {
		*dir = -1;
		return NULL;
	}
	*dir = sender_side == f->client_side ? DIR_C2S : DIR_S2C;
	return f;
}

/*
 * Take a record: a freed one if any, else the next never-used record of
 * the newest slab, else a new slab.  Slabs start small and double up to
 * FLOW_SLAB_RECORDS, and records are carved out only when needed, so the
 * first connection does not touch megabytes of memory (a live capture
 * would drop packets meanwhile).  Records in use and packed connections
 * together never pass the cap, so neither do the records allocated.
 */
static struct flow *
record_get(struct flow_table *t)
{
	struct flow *f;
	struct flow_slab *s;
	uint64_t n;

	if (t->free_list != NULL) {
		f = t->free_list;
		t->free_list = f->link.newer != NULL ? flow_of(f->link.newer) : NULL;
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
static struct flow_link *
oldest_entry(struct flow_table *t)
{
	struct flow_link *best = NULL, *e;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		e = t->lists[c].oldest;
		if (e != NULL && (best == NULL || entry_last_ns(e) < entry_last_ns(best)))
			best = e;
	}
	return best;
}

/* Finish the connection of entry e: end callback, then free it. */
static void
entry_end(struct flow_table *t, struct flow_link *e, enum flow_end_reason reason)
{
	struct flow *f = entry_record(t, e);

	if (t->on_end != NULL)
		t->on_end(t->on_end_arg, f, reason);
	diagnosis_release(&f->diag, &t->ext_pool);
	list_unlink(&t->lists[e->class], e);
	HASH_DEL(t->index, e);
	if (e->packed)
		packed_free(t, packed_of(e));
	else
		record_put(t, f);
	t->stats.active--;
}

struct flow *
flow_table_add(struct flow_table *t, const struct packet *p, bool sender_is_client,
    int *dir)
{
	struct flow_link *victim;
	struct flow *f;
	int sender_side;

	if (t->stats.active >= t->limits.max_flows) {
		victim = oldest_entry(t);
		if (victim != NULL) {
			t->stats.evicted++;
			entry_end(t, victim, FLOW_END_EVICTED);
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
	f->link.class = FLOW_CLASS_ESTABLISHED;
	analysis_init(&f->an);
	HASH_ADD_KEYPTR(hh, t->index, &f->key, sizeof(f->key), &f->link);
	list_append(&t->lists[f->link.class], &f->link);
	t->stats.created++;
	t->stats.active++;
	if (t->stats.active > t->stats.peak_active)
		t->stats.peak_active = t->stats.active;
	count_unpacked(t);
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
	if (c == f->link.class && f->link.newer == NULL)
		return;
	list_unlink(&t->lists[f->link.class], &f->link);
	f->link.class = (uint8_t)c;
	list_append(&t->lists[c], &f->link);
}

void
flow_table_end(struct flow_table *t, struct flow *f, enum flow_end_reason reason)
{
	entry_end(t, &f->link, reason);
}

/* Pack every connection idle for longer than the pack interval. */
static void
pack_idle(struct flow_table *t, uint64_t now_ns)
{
	struct flow_link *e;
	struct flow *f;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++)
		while ((e = t->lists[c].pack_next) != NULL) {
			f = flow_of(e);
			if (now_ns <= f->last_ns || now_ns - f->last_ns <= t->limits.pack_idle_ns)
				break;
			t->lists[c].pack_next = e->newer;
			(void)pack(t, f);	/* out of memory: it stays whole */
		}
}

void
flow_table_expire(struct flow_table *t, uint64_t now_ns)
{
	struct flow_link *e;
	uint64_t last;
	int c;

	for (c = 0; c < FLOW_CLASS_COUNT; c++) {
		while ((e = t->lists[c].oldest) != NULL &&
		    now_ns > (last = entry_last_ns(e)) &&
		    now_ns - last > t->limits.timeout_ns[c]) {
			t->stats.timed_out++;
			entry_end(t, e, FLOW_END_IDLE_TIMEOUT);
		}
	}
	if (t->limits.pack_idle_ns != 0)
		pack_idle(t, now_ns);
}

static int
cmp_entry_id(const void *a, const void *b)
{
	uint64_t ia = entry_id(*(struct flow_link *const *)a);
	uint64_t ib = entry_id(*(struct flow_link *const *)b);

	return (ia > ib) - (ia < ib);
}

int
flow_table_end_all(struct flow_table *t, enum flow_end_reason reason)
{
	struct flow_link **all, *e, *tmp;
	size_t n = 0, i;
	int c;

	if (t->stats.active == 0)
		return 0;
	all = malloc(t->stats.active * sizeof(*all));
	if (all == NULL) {
		for (c = 0; c < FLOW_CLASS_COUNT; c++)
			while ((e = t->lists[c].oldest) != NULL)
				entry_end(t, e, reason);
		return TCPS_ERR_NOMEM;
	}
	HASH_ITER(hh, t->index, e, tmp)
		all[n++] = e;
	qsort(all, n, sizeof(*all), cmp_entry_id);
	for (i = 0; i < n; i++)
		entry_end(t, all[i], reason);
	free(all);
	return 0;
}

void
flow_table_set_rank(struct flow_table *t, flow_rank_fn fn)
{
	t->rank = fn;
}

/* Entries of flow_table_top(), best first. */
struct top_entry {
	uint64_t rank;
	struct flow_link *e;
};

size_t
flow_table_top(struct flow_table *t, struct flow *out, size_t n)
{
	struct top_entry top[FLOW_TOP_MAX];
	struct flow_link *e;
	uint64_t rank;
	size_t count = 0, i;
	int c;

	if (n > FLOW_TOP_MAX)
		n = FLOW_TOP_MAX;
	if (n == 0)
		return 0;
	for (c = 0; c < FLOW_CLASS_COUNT; c++)
		for (e = t->lists[c].oldest; e != NULL; e = e->newer) {
			if (e->packed)
				rank = packed_of(e)->rank;
			else
				rank = t->rank != NULL ? t->rank(flow_of(e)) : 0;
			for (i = count; i > 0 && top[i - 1].rank < rank; i--)
				;
			if (i == n)
				continue;
			if (count < n)
				count++;
			memmove(&top[i + 1], &top[i], (count - 1 - i) * sizeof(top[0]));
			top[i].rank = rank;
			top[i].e = e;
		}
	for (i = 0; i < count; i++)
		entry_copy(top[i].e, &out[i]);
	return count;
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
