/*
 * test-analysis.c - one crafted segment sequence per analysis flag.
 *
 * Segments are fed straight to analysis_update(); C is the client
 * (DIR_C2S), S the server.  Times are in milliseconds from 1 s.
 */
#include <string.h>

#include "analysis.h"
#include "harness.h"
#include "packet-builder.h"

#define CL 0x0a000001u
#define SV 0x0a000002u
#define MS 1000000ull
#define T0 1000000000ull

struct conv {
	struct conn_analysis ca;
	struct seg_verdict v;
	uint64_t frame;
};

/* Feed one segment; returns its flags. */
static uint32_t
feed(struct conv *c, int dir, uint16_t flags, uint32_t seq, uint32_t ack,
    uint32_t len, uint16_t win, uint64_t ms)
{
	struct packet p = dir == DIR_C2S ?
	    make_segment(CL, 40000, SV, 80, flags, seq, ack, len, T0 + ms * MS) :
	    make_segment(SV, 80, CL, 40000, flags, seq, ack, len, T0 + ms * MS);

	p.window = win;
	p.frame = ++c->frame;
	analysis_update(&c->ca, dir, &p, false, &c->v);
	return c->v.flags;
}

/* Same, with a TCP timestamp option. */
static uint32_t
feed_ts(struct conv *c, int dir, uint16_t flags, uint32_t seq, uint32_t ack,
    uint32_t len, uint64_t ms, uint32_t tsval, uint32_t tsecr)
{
	struct packet p = dir == DIR_C2S ?
	    make_segment(CL, 40000, SV, 80, flags, seq, ack, len, T0 + ms * MS) :
	    make_segment(SV, 80, CL, 40000, flags, seq, ack, len, T0 + ms * MS);

	p.window = 1000;
	p.frame = ++c->frame;
	p.opt.present = TCPOPT_HAS_TIMESTAMP;
	p.opt.ts_val = tsval;
	p.opt.ts_ecr = tsecr;
	analysis_update(&c->ca, dir, &p, false, &c->v);
	return c->v.flags;
}

#define ONLY(f)	SEG_BIT(f)
#define RETX	SEG_BIT(SEG_RETRANSMISSION)

/* Client ISN 100, server ISN 5000, no window scaling. */
static void
handshake(struct conv *c, uint32_t cisn, uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	analysis_init(&c->ca);
	CHECK_EQ(feed(c, DIR_C2S, TH_SYN, cisn, 0, 0, 1000, 0), 0);
	CHECK_EQ(feed(c, DIR_S2C, TH_SYN | TH_ACK, sisn, cisn + 1, 0, 1000, 10), 0);
	CHECK_EQ(feed(c, DIR_C2S, TH_ACK, cisn + 1, sisn + 1, 0, 1000, 20), 0);
}

static void
test_dup_acks_and_fast_retransmission(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	/* 5101..5200 is lost before the capture point: a gap. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 1000, 31),
	    ONLY(SEG_LOST_SEGMENT));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5101, 0, 1000, 40), 0);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5101, 0, 1000, 41),
	    ONLY(SEG_DUPLICATE_ACK));
	CHECK_EQ(c.v.dupack_num, 1);
	CHECK_EQ(c.v.dupack_frame, 6);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5101, 0, 1000, 42),
	    ONLY(SEG_DUPLICATE_ACK));
	CHECK_EQ(c.v.dupack_num, 2);
	/* The resend at the duplicated ACK, 1 ms later. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 43),
	    RETX | SEG_BIT(SEG_FAST_RETRANSMISSION));
	CHECK_EQ(c.ca.dir[DIR_S2C].retrans_bytes, 100);
	/* The ACK now covers everything: not an unseen segment. */
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5301, 0, 1000, 50), 0);
	CHECK_EQ(c.ca.dir[DIR_S2C].flag_count[SEG_RETRANSMISSION], 1);
	CHECK_EQ(c.ca.dir[DIR_C2S].flag_count[SEG_DUPLICATE_ACK], 2);
}

static void
test_retransmission_of_seen_data(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 31), 0);
	/* Resent 1 ms later: tshark would say out-of-order (within iRTT);
	 * its bytes were seen, so it is a retransmission. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 32), RETX);
	CHECK_EQ(c.v.evidence, EVIDENCE_SEEN_BEFORE);
	/* Acknowledged data sent again: spurious. */
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5201, 0, 1000, 40), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 300),
	    RETX | SEG_BIT(SEG_SPURIOUS_RETRANSMISSION));
}

static void
test_out_of_order_by_timestamp(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 30, 1000, 1), 0);
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 31, 1001, 1),
	    ONLY(SEG_LOST_SEGMENT));
	/* Fills the gap with an older TSval: sent before, reordered. */
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 200, 1000, 1),
	    ONLY(SEG_OUT_OF_ORDER));
	CHECK_EQ(c.v.evidence, EVIDENCE_TIMESTAMP);

	handshake(&c, 100, 5000);
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 30, 1000, 1), 0);
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 31, 1001, 1),
	    ONLY(SEG_LOST_SEGMENT));
	/* Fills the gap 1 ms later with a newer TSval: a retransmission. */
	CHECK_EQ(feed_ts(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 32, 1002, 1), RETX);
	CHECK_EQ(c.v.evidence, EVIDENCE_TIMESTAMP);
}

static void
test_out_of_order_by_time(void)
{
	struct conv c;

	handshake(&c, 100, 5000);	/* iRTT 20 ms */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 1000, 31),
	    ONLY(SEG_LOST_SEGMENT));
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 35),
	    ONLY(SEG_OUT_OF_ORDER));
	CHECK_EQ(c.v.evidence, EVIDENCE_TIME);
	CHECK_EQ(c.ca.dir[DIR_S2C].unique_bytes, 300);
}

static void
test_zero_window_and_linux_probe(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 1000, 1000, 30),
	    ONLY(SEG_WINDOW_FULL));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 6001, 0, 0, 40),
	    ONLY(SEG_ZERO_WINDOW));
	/* Linux probes with seq = snd_una - 1 and no data. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 6000, 101, 0, 1000, 240),
	    ONLY(SEG_ZERO_WINDOW_PROBE));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 6001, 0, 0, 241),
	    SEG_BIT(SEG_ZERO_WINDOW) | SEG_BIT(SEG_ZERO_WINDOW_PROBE_ACK));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 6001, 0, 500, 400),
	    ONLY(SEG_WINDOW_UPDATE));
	CHECK_EQ(c.ca.dir[DIR_C2S].zero_window_episodes, 1);
	CHECK_EQ(c.ca.dir[DIR_C2S].zero_window_ns, 360 * MS);
	/* The classic probe: one new byte while the window is zero. */
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 6001, 0, 0, 500),
	    ONLY(SEG_ZERO_WINDOW));
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 6001, 101, 1, 1000, 700),
	    ONLY(SEG_ZERO_WINDOW_PROBE));
	CHECK_EQ(c.ca.dir[DIR_C2S].zero_window_episodes, 2);
}

static void
test_keep_alive(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 10, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5011, 0, 1000, 40), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5010, 101, 0, 1000, 60000),
	    ONLY(SEG_KEEP_ALIVE));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5011, 0, 1000, 60001),
	    ONLY(SEG_KEEP_ALIVE_ACK));
	/* A 1-byte keep-alive (BSD style) after everything was acknowledged. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5010, 101, 1, 1000, 120000),
	    ONLY(SEG_KEEP_ALIVE));
}

static void
test_one_byte_resend_is_retransmission(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK | TH_PSH, 101, 5001, 1, 1000, 30), 0);
	/* Not acknowledged, resent after an RTO: not a keep-alive. */
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK | TH_PSH, 101, 5001, 1, 1000, 230), RETX);
}

static void
test_ack_lost_segment(void)
{
	struct conv c;

	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5201, 0, 1000, 40),
	    ONLY(SEG_ACK_LOST_SEGMENT));
	/* Once per unseen stretch. */
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5301, 0, 1000, 41), 0);

	/* A gap the receiver acknowledges past: its bytes were never seen. */
	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 1000, 31),
	    ONLY(SEG_LOST_SEGMENT));
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5301, 0, 1000, 60),
	    ONLY(SEG_ACK_LOST_SEGMENT));
	/* The same gap filled before the ACK: nothing unseen. */
	handshake(&c, 100, 5000);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5201, 101, 100, 1000, 31),
	    ONLY(SEG_LOST_SEGMENT));
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 250), RETX);
	CHECK_EQ(feed(&c, DIR_C2S, TH_ACK, 101, 5301, 0, 1000, 260), 0);
}

static void
test_rtt_and_karn(void)
{
	struct conv c;
	const struct dir_analysis *s;

	handshake(&c, 100, 5000);
	s = &c.ca.dir[DIR_S2C];
	feed(&c, DIR_S2C, TH_ACK, 5001, 101, 100, 1000, 30);
	feed(&c, DIR_C2S, TH_ACK, 101, 5101, 0, 1000, 55);
	CHECK_EQ(s->rtt.count, 1);
	CHECK_EQ(s->rtt.last_ns, 25 * MS);
	/* Timed segment resent: its ACK gives no sample (Karn). */
	feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 60);
	feed(&c, DIR_S2C, TH_ACK, 5101, 101, 100, 1000, 260);
	feed(&c, DIR_C2S, TH_ACK, 101, 5201, 0, 1000, 280);
	CHECK_EQ(s->rtt.count, 1);
	CHECK_EQ(s->max_in_flight, 100);
	CHECK_EQ(c.ca.syn_ns, T0);
	CHECK_EQ(c.ca.ack_ns, T0 + 20 * MS);
}

static void
test_sequence_wrap(void)
{
	struct conv c;
	uint32_t isn = 0xffffff00u;

	handshake(&c, 100, isn);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, isn + 1, 101, 200, 1000, 30), 0);
	/* Crosses 2^32: still in order. */
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, isn + 201, 101, 200, 1000, 31), 0);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, isn + 401, 101, 200, 1000, 32), 0);
	CHECK_EQ(c.v.rel_seq, 401);
	CHECK_EQ(feed(&c, DIR_S2C, TH_ACK, isn + 201, 101, 200, 1000, 300), RETX);
	CHECK_EQ(c.ca.dir[DIR_S2C].unique_bytes, 600);
}

static void
test_window_scale(void)
{
	struct conv c;
	struct packet p;

	memset(&c, 0, sizeof(c));
	analysis_init(&c.ca);
	p = make_segment(CL, 1, SV, 2, TH_SYN, 1, 0, 0, T0);
	p.opt.present = TCPOPT_HAS_WSCALE;
	p.opt.wscale = 7;
	p.window = 64240;
	analysis_update(&c.ca, DIR_C2S, &p, false, &c.v);
	CHECK_EQ(c.v.window, 64240);	/* a SYN's window is never scaled */
	CHECK_EQ(c.ca.dir[DIR_C2S].wscale, WSCALE_UNKNOWN);
	p = make_segment(SV, 2, CL, 1, TH_SYN | TH_ACK, 9, 2, 0, T0 + MS);
	p.opt.present = TCPOPT_HAS_WSCALE;
	p.opt.wscale = 15;	/* clamped to 14 */
	analysis_update(&c.ca, DIR_S2C, &p, false, &c.v);
	CHECK_EQ(c.ca.dir[DIR_C2S].wscale, 7);
	CHECK_EQ(c.ca.dir[DIR_S2C].wscale, 14);
	p = make_segment(CL, 1, SV, 2, TH_ACK, 2, 10, 0, T0 + 2 * MS);
	p.window = 502;
	analysis_update(&c.ca, DIR_C2S, &p, false, &c.v);
	CHECK_EQ(c.v.window, 502 << 7);

	/* A SYN/ACK without the option: no scaling either way. */
	memset(&c, 0, sizeof(c));
	analysis_init(&c.ca);
	p = make_segment(CL, 1, SV, 2, TH_SYN, 1, 0, 0, T0);
	p.opt.present = TCPOPT_HAS_WSCALE;
	p.opt.wscale = 7;
	analysis_update(&c.ca, DIR_C2S, &p, false, &c.v);
	p = make_segment(SV, 2, CL, 1, TH_SYN | TH_ACK, 9, 2, 0, T0 + MS);
	analysis_update(&c.ca, DIR_S2C, &p, false, &c.v);
	CHECK_EQ(c.ca.dir[DIR_C2S].wscale, WSCALE_NONE);
	CHECK_EQ(c.ca.dir[DIR_S2C].wscale, WSCALE_NONE);
}

static void
test_names(void)
{
	CHECK(strcmp(analysis_flag_name(SEG_ZERO_WINDOW_PROBE_ACK),
	    "zero_window_probe_ack") == 0);
	CHECK(strcmp(analysis_flag_name(SEG_REUSED_PORTS), "reused_ports") == 0);
	CHECK(strcmp(analysis_evidence_name(EVIDENCE_IP_ID), "ip_id") == 0);
}

int
main(void)
{
	test_dup_acks_and_fast_retransmission();
	test_retransmission_of_seen_data();
	test_out_of_order_by_timestamp();
	test_out_of_order_by_time();
	test_zero_window_and_linux_probe();
	test_keep_alive();
	test_one_byte_resend_is_retransmission();
	test_ack_lost_segment();
	test_rtt_and_karn();
	test_sequence_wrap();
	test_window_scale();
	test_names();
	return harness_result();
}
