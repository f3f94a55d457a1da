/*
 * flow.h - the flow table: find or create the connection of a segment.
 *
 * Records are fixed-size, taken from slabs that are allocated only when
 * the free list is empty, and indexed by uthash over a canonical key, so
 * both directions of a connection find one record.  Each record sits on
 * the activity list of its timeout class (opening, established, closed),
 * oldest first, which makes idle expiry and eviction of the least
 * recently active connection O(1) per flow.
 *
 * A connection idle for longer than the pack interval (most of them: a
 * closed connection lingers a minute for late segments) is packed: its
 * record is encoded word by word in as few bytes as each word needs (none
 * for a zero; a time as its distance after the connection's start), into
 * a block of well under half the size, and the record goes back to the
 * free list.  Packing is exact: the next segment of the connection, or its
 * end, decodes the very same record.  Nothing outside the table ever sees
 * a packed connection.
 *
 * Lifetime: a struct flow * is valid until the end callback has returned
 * for it, or until the next call into the table (which may pack it); the
 * callbacks must copy whatever they keep.
 */
#ifndef TCPSIGHT_FLOW_H
#define TCPSIGHT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uthash.h>

#include "analysis.h"
#include "decode.h"
#include "diagnosis.h"
#include "tcp_state.h"

/* Why a connection's record was finished. */
enum flow_end_reason {
	FLOW_END_FIN = 0,	/* both sides closed with FIN */
	FLOW_END_RST,		/* reset by either side */
	FLOW_END_IDLE_TIMEOUT,	/* no segment for its class's timeout */
	FLOW_END_EVICTED,	/* table full: least recently active dropped */
	FLOW_END_END_OF_INPUT,	/* still open when the input ended */
	FLOW_END_PORT_REUSE,	/* a new SYN started another connection on its 4-tuple */
	FLOW_END_REASON_COUNT
};

/* Timeout classes: each has its own idle timeout and activity list. */
enum flow_class {
	FLOW_CLASS_OPENING = 0,	/* handshake under way */
	FLOW_CLASS_ESTABLISHED,	/* open, or state unknown */
	FLOW_CLASS_CLOSED,	/* FINs both ways or RST: lingers briefly */
	FLOW_CLASS_COUNT
};

/* Canonical connection key: the lower (address, port) endpoint is side 0. */
struct flow_key {
	uint8_t  addr[2][16];	/* IPv4 in the first 4 bytes, rest zero */
	uint16_t port[2];
	uint8_t  ip_version;	/* 4 or 6 */
	uint8_t  pad[3];	/* zeroed: uthash compares the key bytewise */
};

/*
 * What the index and the activity lists hold of a connection, packed or
 * not: the first member of both struct flow and the packed form.
 */
struct flow_link {
	UT_hash_handle hh;		/* uthash index; hh.key points at the record's key */
	struct flow_link *older;	/* activity list of its class, toward the oldest */
	struct flow_link *newer;	/* ... toward the newest; free-list link when unused */
	uint8_t  class;			/* enum flow_class */
	bool     packed;		/* the packed form, not a struct flow */
};

/* One connection.  Fixed size; nothing in it points outside the table. */
struct flow {
	struct flow_link link;		/* index and activity list; flow.c's alone */
	struct flow_key key;
	uint64_t id;			/* 0, 1, ... in order of first segment (tshark's tcp.stream) */
	uint64_t first_frame;		/* 1-based frame numbers across all inputs */
	uint64_t last_frame;
	uint64_t first_ns;		/* capture time of first and latest segment */
	uint64_t last_ns;
	struct tcp_conn_state tcp;	/* both endpoints' states and history */
	uint8_t  client_side;		/* key side (0 or 1) that is the client */
	struct conn_analysis an;	/* per-direction counters and windows */
	struct conn_diagnosis diag;	/* per-direction time split and window trend */
	struct window_series *series;	/* --series only: owned, freed when the flow ends */
};

/* Limits the table enforces. */
struct flow_limits {
	uint32_t max_flows;			/* connections tracked at once */
	uint64_t timeout_ns[FLOW_CLASS_COUNT];	/* idle timeout per class, packet time */
	uint64_t pack_idle_ns;			/* pack records idle this long; 0 = never */
};

/* Counters the table keeps for the report. */
struct flow_table_stats {
	uint64_t created;	/* records ever created (= next flow id) */
	uint64_t active;	/* records in use now */
	uint64_t peak_active;	/* most in use at once */
	uint64_t evicted;	/* finished because the table was full */
	uint64_t timed_out;	/* finished by idle timeout */
	uint64_t allocated;	/* records allocated (in use or free) */
	uint64_t ext_allocated;	/* out-of-line diagnosis blocks malloc'd (struct diag_ext) */
	uint64_t ext_peak;	/* most of them held by flows at once */
	uint64_t ext_failed;	/* blocks that could not be had (out of memory) */
	uint64_t packs;		/* records packed (a connection can be packed again) */
	uint64_t unpacks;	/* packed connections that had another segment */
	uint64_t packed;	/* connections packed now (counted in active too) */
	uint64_t packed_peak;	/* most packed at once */
	uint64_t packed_bytes;	/* bytes of the packed blocks now */
	uint64_t packed_bytes_peak;	/* most bytes held in packed blocks at once */
	uint64_t unpacked_peak;	/* most connections in full records at once */
};

/*
 * Called once for every record before it is freed, with the reason.
 * It may not call back into the table.
 */
typedef void (*flow_end_fn)(void *arg, struct flow *f, enum flow_end_reason reason);

struct flow_table;

/* Create an empty table; NULL when out of memory. */
struct flow_table *flow_table_create(const struct flow_limits *limits,
    flow_end_fn on_end, void *arg);

/* Free the table and every record without calling the end callback; NULL-safe. */
void flow_table_free(struct flow_table **t);

/*
 * Find the connection of segment p.  On success *dir is DIR_C2S when p
 * was sent by the client, DIR_S2C otherwise.  NULL when unknown; NULL
 * with *dir < 0 when p's connection is packed and no record could be had
 * to unpack it (out of memory).
 */
struct flow *flow_table_find(struct flow_table *t, const struct packet *p, int *dir);

/*
 * Create the connection of segment p, evicting the least recently active
 * one if the table is full.  The sender of p is the client unless
 * `sender_is_client` is false.  The new record has analysis_init() done,
 * the next id, and is on the established list until touched.  NULL only
 * when out of memory.
 */
struct flow *flow_table_add(struct flow_table *t, const struct packet *p,
    bool sender_is_client, int *dir);

/* Mark f active at packet time now_ns, in class c. */
void flow_table_touch(struct flow_table *t, struct flow *f, uint64_t now_ns,
    enum flow_class c);

/* Finish f now: call the end callback, then free the record. */
void flow_table_end(struct flow_table *t, struct flow *f, enum flow_end_reason reason);

/* Finish every connection idle for longer than its class's timeout. */
void flow_table_expire(struct flow_table *t, uint64_t now_ns);

/*
 * Finish every connection, in id order, with `reason`.  Returns 0, or
 * TCPS_ERR_NOMEM if the sort buffer could not be had (then the flows are
 * finished anyway, in activity order).
 */
int flow_table_end_all(struct flow_table *t, enum flow_end_reason reason);

/*
 * How a view ranks connections, higher first.  A packed connection keeps
 * the rank it had when it was packed (it has had no segment since), so a
 * view of a table of idle connections decodes only the ones it shows.
 */
typedef uint64_t (*flow_rank_fn)(const struct flow *f);

/* Rank connections with fn from now on (NULL: all rank 0). */
void flow_table_set_rank(struct flow_table *t, flow_rank_fn fn);

/*
 * Copy the (at most) n connections of highest rank into out[], highest
 * first (among equals, the least recently active first); their count.
 */
size_t flow_table_top(struct flow_table *t, struct flow *out, size_t n);

/* The table's counters. */
const struct flow_table_stats *flow_table_stats(struct flow_table *t);

/*
 * The pool of out-of-line diagnosis blocks for diagnosis_update(); the
 * table gives a flow's blocks back when the flow ends, after the end
 * callback.
 */
struct diag_pool *flow_table_diag_pool(struct flow_table *t);

/* Bytes of one flow record, for the memory figures in the report. */
size_t flow_record_size(void);

/* Stable snake_case name of an end reason ("fin", "idle_timeout", ...). */
const char *flow_end_reason_name(enum flow_end_reason reason);

/* Fill *key canonically for p; *sender_side gets the key side of p's sender. */
void flow_key_make(const struct packet *p, struct flow_key *key, int *sender_side);

/* The table's hash of a canonical key (the same for both directions). */
uint32_t flow_key_hash(const struct flow_key *key);

#endif
