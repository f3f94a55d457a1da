/*
 * gencap.c - write large, realistic TCP captures for the benchmark.
 *
 *   gencap --flows N --packets N --loss P --seed S [--syn-flood]
 *          [--snaplen 128] [--duration S] [--rate R] -o FILE
 *
 * The capture is Ethernet (IPv4 and IPv6), microsecond pcap, written
 * with libpcap's pcap_dump.  Nothing but libpcap and libm.  The same
 * arguments always give the same file, byte for byte.
 *
 * HOW THE TRAFFIC IS MADE
 *
 * Each connection is a small TCP model seen from one vantage point: a
 * tap on the clients' access link, like a capture on a campus or office
 * uplink.  So data the server sends (a download) is lost *before* the
 * capture point: the capture shows a gap, the client's duplicate ACKs
 * with SACK blocks, then the retransmission filling the gap.  Data the
 * client sends (an upload, a request) is lost *after* it: the capture
 * shows the segment, the server's duplicate ACKs, then a resend of bytes
 * already seen.  Both of tcpsight's paths (gap filled vs. seen before)
 * are exercised.
 *
 * A transfer goes in rounds: the sender sends min(cwnd, the receiver's
 * usable window, what is left) segments back to back at the flow's
 * bottleneck rate; the receiver ACKs every second segment, at once on
 * anything out of order; cwnd starts at 10 (IW10), doubles per round in
 * slow start and grows by one after.  At most one segment per round is
 * lost (drawn with the flow's loss probability per segment); with three
 * duplicate ACKs it is fast-retransmitted one reaction time later and
 * cwnd is halved; with fewer (a tail loss), or when the retransmission
 * is itself lost (10%), the retransmission comes after an RTO of
 * RTT + 200 ms and cwnd restarts at 2.  Reordering swaps two adjacent
 * segments on the path.  A slow reader stops reading: its advertised
 * window shrinks with every ACK (rounded down to the window scale,
 * zero below one MSS), the sender fills it exactly (window full), then
 * sends zero-window probes (Linux's "seq = una - 1" probe, or one new
 * byte for the other stacks) with exponential backoff from
 * max(200 ms, RTT), each answered by a zero-window ACK, until the
 * reader's pause is over and it sends a window update.  Sequence
 * numbers, ACKs, windows, SACK blocks, TCP timestamps (TSval per host
 * clock at 1 kHz, TSecr echoing the peer) and IPv4 IDs (per-socket
 * counters) are kept consistent per connection.  Connections are
 * started by a Poisson process over the capture's duration and
 * interleaved in time by a heap of pending packets; those started in a
 * warm-up before the capture begins appear mid-stream (partial).
 *
 * THE MIX, AND WHY
 *
 * It follows what enterprise and campus edge traces show (e.g. the
 * LBNL/ICSI enterprise traces, Pang et al. IMC 2005; CAIDA and MAWI
 * backbone summaries): most connections are short request/response
 * exchanges (web and API calls over keep-alive connections), most bytes
 * and packets are in a few large transfers whose sizes are heavy
 * tailed, and a few percent of connection attempts fail.
 *
 *   connections                   share   what they do
 *   request/response              58 %    1 + geometric(mean 2) exchanges;
 *                                          request 150-1400 B (15 %: an
 *                                          upload, lognormal median 8 KB);
 *                                          response lognormal median 4 KB,
 *                                          sigma 1.6 (mean ~14 KB); server
 *                                          time lognormal median 2 ms;
 *                                          think time exp. mean 300 ms, 5 %
 *                                          idle 5-30 s
 *   bulk download                 30 %    sizes Pareto alpha 1.16 (the
 *   bulk upload                    8 %      "80/20" tail), capped at 1000x
 *                                          the minimum, scaled so that all
 *                                          connections together give about
 *                                          --packets packets
 *   refused (SYN, RST/ACK)         2 %
 *   unanswered (SYN + 2 retries)   2 %
 *
 *   endings: FIN 83 % (client first 60 %), RST 12 % (client 70 %; a
 *   third of the downloads' client RSTs abort mid-transfer), 5 % go quiet;
 *   connections still running when the capture ends stay open.
 *   IPv6: 30 %.  Stacks: 85 % Linux-like SYN options (MSS, SACK-permitted,
 *   timestamps, window scale 7), 15 % Windows-like (MSS, window scale 8,
 *   SACK-permitted, no timestamps).  MSS 1460 (IPv6 1440), 10 % 1380 or
 *   1360 (tunnels).  RTT lognormal median 25 ms, sigma 0.9, 10 % LAN
 *   (0.1-1 ms).  Bottleneck 1 Gb/s to 5 Mb/s.
 *   Loss: per flow 0, 1x or 3x --loss (40/40/20 %: loss is concentrated
 *   on some paths), so the mean per-segment loss is --loss.  Reordering:
 *   15 % of flows, 1 % of their segments.  Zero-window episodes: 6 % of
 *   downloads and 2 % of request/response connections have a slow
 *   reader, 1-3 pauses each, lognormal median 0.5 s.
 *
 * The default duration gives 300 new connections per second, so a 100 k
 * connection capture spans ~333 s of packet time.
 *
 * SYN-FLOOD MODE
 *
 * --syn-flood writes --packets SYNs (default rate 100 k/s) to one server,
 * each from a distinct spoofed source (address and port), half with no
 * option (hping3 style), half with an MSS, 10 % over IPv6.  Nobody
 * answers: every SYN is a half-open connection.  --flows is ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#define NS_PER_US	1000LL
#define NS_PER_MS	1000000LL
#define NS_PER_S	1000000000LL
#define NEVER		INT64_MAX

/* Capture start: 2024-06-10 06:13:20 UTC. */
#define EPOCH_BASE_S	1718000000LL

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

#define CLIENT	0
#define SERVER	1

#define MAX_CWND	256	/* segments; also bounds one round */
#define MAX_TX		(MAX_CWND + 8)
#define INIT_CWND	10
#define MIN_RTO_NS	(200 * NS_PER_MS)
#define MAX_FRAME	2048
/* Planned packets per packet asked for: the model's estimate runs a bit low. */
#define GENCAP_TARGET_FACTOR	1.03

/* ---- random numbers: xoshiro256**, seeded per stream by splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One independent stream per (seed, stream): flows do not disturb each other. */
static void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0xd1b54a32d192ed03ULL ^ (stream + 1) * 0x9e3779b97f4a7c15ULL;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n). */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double
rng_uniform(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

static double
rng_exp(struct rng *r, double mean)
{
	return -mean * log(1.0 - rng_unit(r));
}

static double
rng_normal(struct rng *r)
{
	double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double
rng_lognormal(struct rng *r, double median, double sigma)
{
	return median * exp(sigma * rng_normal(r));
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- sequence arithmetic ---- */

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* ---- the model ---- */

enum kind { K_REFUSED, K_NOANSWER, K_RR, K_DOWNLOAD, K_UPLOAD, K_COUNT };
enum ending { E_FIN_CLIENT, E_FIN_SERVER, E_RST_CLIENT, E_RST_SERVER, E_ABORT,
	E_QUIET, E_COUNT };
enum phase { PH_CONNECT, PH_REQUEST, PH_RESPONSE, PH_XFER, PH_CLOSE, PH_DONE };
enum zw_mode { ZW_NONE, ZW_FILL, ZW_PERSIST, ZW_REOPEN };
enum synopt { SO_NONE, SO_SYN, SO_SYNACK };

static const char *const kind_names[K_COUNT] = {
	"refused", "unanswered", "request/response", "download", "upload" };
static const char *const ending_names[E_COUNT] = {
	"fin (client)", "fin (server)", "rst (client)", "rst (server)",
	"abort mid-transfer", "quiet" };

/* One scheduled packet of a connection. */
struct pkt {
	int64_t  t;		/* capture time, ns from the capture's start */
	uint32_t seq;
	uint32_t ack;
	uint32_t sack_l;	/* one SACK block [sack_l, sack_r) if they differ */
	uint32_t sack_r;
	uint16_t len;		/* payload bytes */
	uint16_t win;		/* raw window field */
	uint8_t  flags;		/* TH_* */
	uint8_t  from;		/* CLIENT or SERVER */
	uint8_t  synopt;	/* enum synopt */
	uint8_t  pad;
};

/* A connection in progress. */
struct flow {
	uint32_t idx;			/* number in arrival order */
	struct rng rng;			/* behaviour */
	struct rng size_rng;		/* request/response sizes (as in the plan) */
	uint8_t  kind, ending, phase, v6;
	uint8_t  linux_stack;		/* SYN options and probe style */
	uint8_t  ts_ok, sack_ok;	/* negotiated */
	uint8_t  ws[2];			/* window scale shift of each side */
	uint8_t  ttl[2];
	uint8_t  xdir;			/* sender of the current transfer */
	uint8_t  piggyback;		/* the response will carry the request's ACK */
	uint8_t  zw_mode, zw_left;
	uint8_t  emitted;		/* wrote at least one packet */
	uint8_t  caddr[16], saddr[16];
	uint8_t  cmac[6];
	uint16_t cport, sport;
	uint16_t mss;			/* payload of a full segment */
	uint16_t ipid[2];
	uint32_t flowlabel[2];
	uint32_t nxt[2];		/* next sequence number each side sends */
	uint32_t edge[2];		/* right edge of the peer's window, as the sender knows it */
	uint32_t tsoff[2];
	uint32_t last_tsval[2];
	uint32_t rwnd[2];		/* receive buffer each side advertises, bytes */
	uint32_t cwnd[2], ssthresh[2];
	uint32_t exchanges_left;
	uint32_t zw_base;		/* receiver's rcv_nxt when its reader paused */
	uint64_t bytes_left;		/* of the current transfer */
	uint64_t xfer_total;
	uint64_t zw_at;			/* bytes_left at which the next pause starts */
	uint64_t abort_at;		/* E_ABORT: bytes_left at which the client resets */
	uint64_t bulk_bytes;		/* K_DOWNLOAD / K_UPLOAD */
	int64_t  rtt, gap, delta;	/* ns: round trip, per full segment, host turnaround */
	int64_t  last_send[2];
	int64_t  zw_end, probe_gap;
	double   loss, reorder;
	int64_t  next_step;		/* NEVER: nothing more to decide */
	struct pkt *q;			/* pending packets, sorted from qhead */
	uint32_t qhead, qlen, qcap;
};

/* What was planned for every connection before the run. */
struct plan {
	uint32_t flows;
	uint8_t  *kind;
	uint64_t *bytes;		/* bulk transfer size */
	double   rr_scale;		/* request/response response-size factor */
};

struct stats {
	uint64_t packets, bytes, flows_seen;
	uint64_t by_kind[K_COUNT], by_ending[E_COUNT];
	uint64_t lost, fast_rtx, rto_rtx, reordered, zw_episodes, probes, v6;
};

struct config {
	uint64_t flows;
	uint64_t packets;
	double   loss;
	uint64_t seed;
	bool     syn_flood;
	int      snaplen;
	double   duration_s;	/* 0: flows / 300 */
	double   rate;		/* SYN flood: SYNs per second */
	const char *out;
};

/* ---- output ---- */

struct writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	FILE *file;
	int snaplen;
	uint64_t limit;		/* stop after this many packets */
	struct stats *st;
	uint8_t frame[MAX_FRAME];
};

static const uint8_t gw_mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x01 };

static inline void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
ipv4_checksum(const uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Ethernet, IPv4 or IPv6, TCP header with `optlen` option bytes already
 * written at frame + l4 + 20.  Returns the frame length on the wire.
 */
static uint32_t
finish_headers(uint8_t *fr, bool v6, const uint8_t *src_mac, const uint8_t *dst_mac,
    const uint8_t *src, const uint8_t *dst, uint8_t ttl, uint16_t ipid,
    uint32_t flowlabel, uint32_t tcp_len, uint32_t *l4)
{
	uint32_t wire;

	memcpy(fr, dst_mac, 6);
	memcpy(fr + 6, src_mac, 6);
	if (v6) {
		put16(fr + 12, 0x86dd);
		put32(fr + 14, 0x60000000u | (flowlabel & 0xfffff));
		put16(fr + 18, tcp_len);
		fr[20] = 6;
		fr[21] = ttl;
		memcpy(fr + 22, src, 16);
		memcpy(fr + 38, dst, 16);
		*l4 = 54;
	} else {
		fr[14] = 0x45;
		fr[15] = 0;
		put16(fr + 16, 20 + tcp_len);
		put16(fr + 18, ipid);
		put16(fr + 20, 0x4000);	/* DF */
		fr[22] = ttl;
		fr[23] = 6;
		fr[24] = fr[25] = 0;
		memcpy(fr + 26, src, 4);
		memcpy(fr + 30, dst, 4);
		put16(fr + 12, 0x0800);
		put16(fr + 24, ipv4_checksum(fr + 14));
		*l4 = 34;
	}
	wire = *l4 + tcp_len;
	return wire < 60 ? 60 : wire;	/* Ethernet pads short frames */
}

/* Hand one finished frame to libpcap; false once the limit is reached. */
static bool
write_frame(struct writer *w, int64_t t_ns, uint32_t hdr_len, uint32_t wire)
{
	struct pcap_pkthdr h;
	uint32_t cap = wire < (uint32_t)w->snaplen ? wire : (uint32_t)w->snaplen;

	if (cap > hdr_len)
		memset(w->frame + hdr_len, 0, cap - hdr_len);	/* payload and padding */
	h.ts.tv_sec = (time_t)(EPOCH_BASE_S + t_ns / NS_PER_S);
	h.ts.tv_usec = (suseconds_t)((t_ns % NS_PER_S) / NS_PER_US);
	h.caplen = cap;
	h.len = wire;
	pcap_dump((u_char *)w->dumper, &h, w->frame);
	w->st->packets++;
	w->st->bytes += wire;
	return w->st->packets < w->limit;
}

/* TSval of side `from` for a packet captured at t. */
static uint32_t
tsval_at(const struct flow *f, int from, int64_t t)
{
	/* The capture is at the client: the server sent it half an RTT earlier. */
	int64_t sent = from == CLIENT ? t : t - f->rtt / 2;

	if (sent < -3600 * NS_PER_S)
		sent = -3600 * NS_PER_S;
	return f->tsoff[from] + (uint32_t)((sent + 3600 * NS_PER_S) / NS_PER_MS);
}

/* Build and write packet p of flow f.  False once the limit is reached. */
static bool
emit(struct writer *w, struct stats *st, struct flow *f, const struct pkt *p)
{
	uint8_t *fr = w->frame, *tcp, *o;
	int from = p->from;
	uint32_t optlen = 0, l4, wire, tsval = 0, tsecr = 0, hdr;
	bool ts = f->ts_ok;	/* offered in the SYN by Linux-like stacks, then used */

	if (ts) {
		tsval = tsval_at(f, from, p->t);
		if (from == CLIENT) {
			tsecr = p->synopt == SO_SYN ? 0 : f->last_tsval[SERVER];
		} else {
			/* What the server had received from the client when it sent. */
			uint32_t echo = tsval_at(f, CLIENT, p->t - f->rtt);

			tsecr = seq_lt(f->last_tsval[CLIENT], echo) ? f->last_tsval[CLIENT] : echo;
		}
		if (seq_lt(tsval, f->last_tsval[from]))
			tsval = f->last_tsval[from];
		f->last_tsval[from] = tsval;
	}
	f->ipid[from]++;
	if (p->t < 0)
		return true;	/* before the capture started: not written */
	if (!f->emitted) {
		f->emitted = 1;
		st->flows_seen++;
	}

	/* Options: the layouts real stacks use. */
	o = fr + (f->v6 ? 54 : 34) + 20;
	if (p->synopt == SO_SYN || p->synopt == SO_SYNACK) {
		bool sack = p->synopt == SO_SYN || f->sack_ok;

		o[0] = 2; o[1] = 4; put16(o + 2, f->mss + (f->ts_ok ? 12 : 0));
		optlen = 4;
		if (ts) {
			/* Linux: MSS, SACK_PERM, TS, NOP, WS */
			if (sack) {
				o[optlen++] = 4; o[optlen++] = 2;
			} else {
				o[optlen++] = 1; o[optlen++] = 1;
			}
			o[optlen++] = 8; o[optlen++] = 10;
			put32(o + optlen, tsval); put32(o + optlen + 4, tsecr);
			optlen += 8;
			o[optlen++] = 1;
			o[optlen++] = 3; o[optlen++] = 3; o[optlen++] = f->ws[from];
		} else {
			/* Windows: MSS, NOP, WS, NOP, NOP, SACK_PERM */
			o[optlen++] = 1;
			o[optlen++] = 3; o[optlen++] = 3; o[optlen++] = f->ws[from];
			o[optlen++] = 1; o[optlen++] = 1;
			if (sack) {
				o[optlen++] = 4; o[optlen++] = 2;
			} else {
				o[optlen++] = 1; o[optlen++] = 1;
			}
		}
	} else {
		if (ts) {
			o[0] = 1; o[1] = 1; o[2] = 8; o[3] = 10;
			put32(o + 4, tsval); put32(o + 8, tsecr);
			optlen = 12;
		}
		if (p->sack_l != p->sack_r && f->sack_ok) {
			o[optlen++] = 1; o[optlen++] = 1;
			o[optlen++] = 5; o[optlen++] = 10;
			put32(o + optlen, p->sack_l); put32(o + optlen + 4, p->sack_r);
			optlen += 8;
		}
	}

	wire = finish_headers(fr, f->v6,
	    from == CLIENT ? f->cmac : gw_mac, from == CLIENT ? gw_mac : f->cmac,
	    from == CLIENT ? f->caddr : f->saddr, from == CLIENT ? f->saddr : f->caddr,
	    f->ttl[from], f->ipid[from], f->flowlabel[from],
	    20 + optlen + p->len, &l4);
	tcp = fr + l4;
	put16(tcp, from == CLIENT ? f->cport : f->sport);
	put16(tcp + 2, from == CLIENT ? f->sport : f->cport);
	put32(tcp + 4, p->seq);
	put32(tcp + 8, p->ack);
	tcp[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	tcp[13] = p->flags;
	put16(tcp + 14, p->win);
	put16(tcp + 16, 0);	/* checksum: offloaded, as on most capture hosts */
	put16(tcp + 18, 0);
	hdr = l4 + 20 + optlen;
	return write_frame(w, p->t, hdr, wire);
}

/* ---- a connection's packet queue ---- */

static struct pkt *
q_push(struct flow *f)
{
	if (f->qlen == f->qcap) {
		if (f->qhead > 0) {
			memmove(f->q, f->q + f->qhead, (f->qlen - f->qhead) * sizeof(*f->q));
			f->qlen -= f->qhead;
			f->qhead = 0;
		}
		if (f->qlen == f->qcap) {
			uint32_t cap = f->qcap ? f->qcap * 2 : 64;
			struct pkt *nq = realloc(f->q, cap * sizeof(*nq));

			if (nq == NULL) {
				fprintf(stderr, "gencap: out of memory\n");
				exit(1);
			}
			f->q = nq;
			f->qcap = cap;
		}
	}
	return &f->q[f->qlen++];
}

/* Sort the pending packets by time (stable; they are nearly sorted). */
static void
q_sort(struct flow *f)
{
	uint32_t i, j;
	struct pkt tmp;

	for (i = f->qhead + 1; i < f->qlen; i++) {
		if (f->q[i].t >= f->q[i - 1].t)
			continue;
		tmp = f->q[i];
		for (j = i; j > f->qhead && f->q[j - 1].t > tmp.t; j--)
			f->q[j] = f->q[j - 1];
		f->q[j] = tmp;
	}
}

static void
add_pkt(struct flow *f, int from, int64_t t, uint8_t flags, uint32_t seq, uint32_t ack,
    uint16_t len, uint16_t win)
{
	struct pkt *p = q_push(f);

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->from = (uint8_t)from;
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->len = len;
	p->win = win;
}

/* Raw window field side `side` advertises now (its reader may be paused). */
static uint16_t
adv_raw(const struct flow *f, int side, uint32_t rcv_nxt)
{
	uint64_t free_b = f->rwnd[side];
	uint64_t raw;

	if (f->zw_mode == ZW_FILL || f->zw_mode == ZW_PERSIST) {
		if (side == !f->xdir) {
			uint32_t used = rcv_nxt - f->zw_base;

			free_b = used >= f->rwnd[side] ? 0 : f->rwnd[side] - used;
			if (free_b < f->mss)
				free_b = 0;	/* receiver-side silly window avoidance */
		}
	}
	raw = free_b >> f->ws[side];
	return (uint16_t)(raw > 65535 ? 65535 : raw);
}

static uint32_t
adv_bytes(const struct flow *f, int side, uint16_t raw)
{
	return (uint32_t)raw << f->ws[side];
}

/* ---- one round of a transfer ---- */

struct tx {
	int64_t  c;		/* capture time of the data segment */
	int64_t  e;		/* capture time of the ACK it causes */
	uint32_t seq;
	uint16_t len;
	uint8_t  captured, received;
};

static struct tx txs[MAX_TX];
static int order[MAX_TX];

static void
insert_by_e(int *ord, int *m, int from, int idx)
{
	int j = *m;

	while (j > from && txs[ord[j - 1]].e > txs[idx].e) {
		ord[j] = ord[j - 1];
		j--;
	}
	ord[j] = idx;
	(*m)++;
}

static void transfer_done(struct flow *f, int64_t done_t);

/*
 * Send one round of the current transfer starting at T; schedule the
 * next round, or what follows the transfer.
 */
static void
xfer_round(struct flow *f, struct stats *st, int64_t T)
{
	int s = f->xdir, r = !s;
	bool down = s == SERVER;
	int64_t ack_delay = down ? f->delta : f->rtt;
	int64_t react = down ? f->rtt : f->delta;
	uint32_t start = f->nxt[s], avail, sent = 0, rcv, oleft = 0, oright = 0;
	uint32_t n = 0, i;
	int ntx, m = 0, j, lost = -1, unacked = 0, dup = 0;
	bool ooo = false, rtx_sent = false, rto = false, final;
	int64_t last_e = T, last_c, next;
	uint16_t raw;

	/* Idle restart (RFC 5681 4.1) after more than an RTO. */
	if (T - f->last_send[s] > f->rtt + MIN_RTO_NS && f->cwnd[s] > INIT_CWND)
		f->cwnd[s] = INIT_CWND;
	/* The reader pauses: from now on its window shrinks. */
	if (down && f->zw_left > 0 && f->zw_mode == ZW_NONE && f->bytes_left <= f->zw_at &&
	    f->bytes_left > (uint64_t)f->rwnd[r] + f->mss) {
		f->zw_mode = ZW_FILL;
		f->zw_base = start;
	}

	avail = seq_lt(start, f->edge[s]) ? f->edge[s] - start : 0;
	while (n < f->cwnd[s] && n < MAX_CWND) {
		uint64_t left = f->bytes_left - sent;
		uint32_t len = f->mss;

		if (left < len)
			len = (uint32_t)left;
		if (avail - sent < len)
			len = avail - sent;
		if (len == 0)
			break;
		txs[n].c = T + (int64_t)n * f->gap;
		txs[n].seq = start + sent;
		txs[n].len = (uint16_t)len;
		sent += len;
		n++;
	}
	if (n == 0) {
		/* Window closed with nothing in flight: the persist timer's job. */
		f->zw_mode = ZW_PERSIST;
		f->zw_end = T + (int64_t)clampd(rng_lognormal(&f->rng, 0.5, 1.0),
		    0.02, 20.0) * NS_PER_S;
		f->probe_gap = f->rtt > MIN_RTO_NS ? f->rtt : MIN_RTO_NS;
		f->next_step = T + f->probe_gap;
		st->zw_episodes++;
		return;
	}
	final = sent == f->bytes_left;

	/* The path: one loss at most, and some reordering. */
	for (i = 0; i < n; i++) {
		txs[i].captured = 1;
		txs[i].received = 1;
		txs[i].e = txs[i].c + ack_delay;
		if (lost < 0 && f->loss > 0 && rng_unit(&f->rng) < f->loss) {
			lost = (int)i;
			txs[i].received = 0;
			if (down)
				txs[i].captured = 0;	/* lost before the capture point */
			st->lost++;
		} else if (f->reorder > 0 && i + 1 < n && rng_unit(&f->rng) < f->reorder) {
			/* Overtaken by the next segment on the path. */
			int64_t late = f->gap + f->gap / 2 + 1;

			if (down)
				txs[i].c += late;
			txs[i].e += late;
			st->reordered++;
		}
	}
	ntx = (int)n;
	for (i = 0; i < n; i++)
		if (txs[i].received)
			insert_by_e(order, &m, 0, (int)i);

	/* The receiver: ACK every second segment, at once when out of order. */
	rcv = start;
	for (j = 0; j < m; j++) {
		struct tx *x = &txs[order[j]];
		uint32_t s0 = x->seq, s1 = x->seq + x->len;
		bool now;

		if (s0 == rcv) {
			rcv = s1;
			if (ooo && seq_leq(oleft, rcv)) {
				if (seq_gt(oright, rcv))
					rcv = oright;
				ooo = false;
				dup = 0;
				now = true;
			} else {
				now = ++unacked >= 2 || j == m - 1;
			}
		} else if (seq_gt(s0, rcv)) {
			if (!ooo) {
				oleft = s0;
				oright = s1;
				ooo = true;
			} else {
				if (seq_lt(s0, oleft))
					oleft = s0;
				if (seq_gt(s1, oright))
					oright = s1;
			}
			dup++;
			now = true;
		} else {
			now = true;	/* a duplicate */
		}
		if (now && !(final && f->piggyback && j == m - 1 && !ooo &&
		    lost < 0 && rcv == start + sent)) {
			raw = adv_raw(f, r, rcv);
			add_pkt(f, r, x->e, TH_ACK, f->nxt[r], rcv, 0, raw);
			if (ooo) {
				f->q[f->qlen - 1].sack_l = oleft;
				f->q[f->qlen - 1].sack_r = oright;
			}
			unacked = 0;
		}
		if (now)
			last_e = x->e;
		if (dup == 3 && lost >= 0 && !rtx_sent) {
			/* Fast retransmit, one reaction time after the third dup ACK. */
			struct tx *rt = &txs[ntx];

			rtx_sent = true;
			*rt = txs[lost];
			rt->c = x->e + react;
			rt->captured = 1;
			rt->received = rng_unit(&f->rng) >= 0.1;
			if (!rt->received && down)
				rt->captured = 0;
			rt->e = rt->c + ack_delay;
			if (rt->received)
				insert_by_e(order, &m, j + 1, ntx);
			ntx++;
			st->fast_rtx++;
		}
	}
	last_c = T + (int64_t)(n - 1) * f->gap;
	if (seq_lt(rcv, start + sent)) {
		/* A hole no fast retransmit filled: the RTO fires. */
		struct tx *rt = &txs[ntx];
		int64_t base = last_c;

		for (j = 0; j < ntx; j++)
			if (txs[j].c > base)
				base = txs[j].c;
		*rt = txs[lost >= 0 ? lost : 0];
		rt->c = base + f->rtt + MIN_RTO_NS;
		if (rt->c <= last_e)
			rt->c = last_e + 1;
		rt->captured = rt->received = 1;
		rt->e = rt->c + ack_delay;
		ntx++;
		rcv = start + sent;
		raw = adv_raw(f, r, rcv);
		add_pkt(f, r, rt->e, TH_ACK, f->nxt[r], rcv, 0, raw);
		last_e = rt->e;
		rto = true;
		st->rto_rtx++;
	}
	raw = adv_raw(f, r, rcv);	/* what its last ACK (sent or piggybacked) says */

	/* The sender's segments as the capture saw them. */
	for (j = 0; j < ntx; j++) {
		struct tx *x = &txs[j];

		if (!x->captured)
			continue;
		add_pkt(f, s, x->c, (uint8_t)(TH_ACK | (j == (int)n - 1 ? TH_PSH : 0)),
		    x->seq, f->nxt[r], x->len, adv_raw(f, s, f->nxt[r]));
		if (x->c > f->last_send[s])
			f->last_send[s] = x->c;
	}

	/* Congestion control. */
	if (rto) {
		f->ssthresh[s] = f->cwnd[s] / 2 > 2 ? f->cwnd[s] / 2 : 2;
		f->cwnd[s] = 2;
	} else if (lost >= 0) {
		f->cwnd[s] = f->ssthresh[s] = f->cwnd[s] / 2 > 2 ? f->cwnd[s] / 2 : 2;
	} else if (f->cwnd[s] < f->ssthresh[s]) {
		f->cwnd[s] += n;
	} else {
		f->cwnd[s]++;
	}
	if (f->cwnd[s] > MAX_CWND)
		f->cwnd[s] = MAX_CWND;

	f->nxt[s] = start + sent;
	f->bytes_left -= sent;
	f->edge[s] = rcv + adv_bytes(f, r, raw);
	if (lost < 0 && !rto)
		next = T + f->gap + f->delta + f->rtt;
	else
		next = last_e + react;
	if (next < last_c + f->gap)
		next = last_c + f->gap;

	if (f->zw_mode == ZW_FILL && f->bytes_left == 0)
		f->zw_mode = ZW_NONE;	/* the transfer ended before the window closed */
	if (f->ending == E_ABORT && f->bytes_left <= f->abort_at && f->bytes_left > 0 &&
	    f->xfer_total == f->bulk_bytes) {
		f->phase = PH_CLOSE;
		f->next_step = last_e + (int64_t)rng_uniform(&f->rng, 0.1, 50) * NS_PER_MS;
		return;
	}
	if (f->bytes_left == 0)
		transfer_done(f, last_e);
	else
		f->next_step = next;
}

/* Zero-window persist: a probe, or the reader's window update. */
static void
persist_step(struct flow *f, struct stats *st, int64_t t)
{
	int s = f->xdir, r = !s;
	int64_t ack_delay = f->delta, react = f->rtt;	/* downloads only */

	if (t >= f->zw_end) {
		/* The reader caught up: window update, the sender resumes. */
		uint16_t raw;

		f->zw_mode = ZW_NONE;
		raw = adv_raw(f, r, f->nxt[s]);
		add_pkt(f, r, t, TH_ACK, f->nxt[r], f->nxt[s], 0, raw);
		f->edge[s] = f->nxt[s] + adv_bytes(f, r, raw);
		if (--f->zw_left > 0 && f->bytes_left > 3ull * f->rwnd[r])
			f->zw_at = f->bytes_left - (uint64_t)(rng_unit(&f->rng) *
			    (double)(f->bytes_left - 2ull * f->rwnd[r]));
		else
			f->zw_left = 0;
		f->next_step = t + react;
		return;
	}
	if (f->linux_stack) {
		/* Linux: no data, one below the peer's ACK (tcp_xmit_probe_skb). */
		add_pkt(f, s, t, TH_ACK, f->nxt[s] - 1, f->nxt[r], 0,
		    adv_raw(f, s, f->nxt[r]));
	} else {
		/* One new byte, which the closed window does not take. */
		add_pkt(f, s, t, TH_ACK | TH_PSH, f->nxt[s], f->nxt[r], 1,
		    adv_raw(f, s, f->nxt[r]));
	}
	add_pkt(f, r, t + ack_delay, TH_ACK, f->nxt[r], f->nxt[s], 0, 0);
	st->probes++;
	if (t + f->probe_gap * 2 < f->zw_end) {
		f->probe_gap *= 2;
		if (f->probe_gap > 60 * NS_PER_S)
			f->probe_gap = 60 * NS_PER_S;
		f->next_step = t + f->probe_gap;
	} else {
		f->next_step = f->zw_end > t + ack_delay ? f->zw_end : t + ack_delay + 1;
		f->probe_gap *= 2;
	}
}

/* ---- the conversation ---- */

static void
start_transfer(struct flow *f, int dir, uint64_t bytes)
{
	f->xdir = (uint8_t)dir;
	f->bytes_left = f->xfer_total = bytes < 1 ? 1 : bytes;
	f->phase = PH_XFER;
}

/* What the client asks, and the server answers, in the next exchange. */
static void
draw_exchange(struct rng *sr, double rr_scale, uint64_t *req, uint64_t *resp)
{
	if (rng_unit(sr) < 0.85)
		*req = 150 + rng_below(sr, 1250);
	else
		*req = (uint64_t)clampd(rng_lognormal(sr, 8000, 1.2), 1500, 1e6);
	*resp = (uint64_t)(clampd(rng_lognormal(sr, 4000, 1.6), 80, 4e6) * rr_scale);
	if (*resp < 80)
		*resp = 80;
}

static uint32_t
draw_exchange_count(struct rng *sr)
{
	uint32_t n = 1;

	while (n < 40 && rng_unit(sr) < 2.0 / 3.0)
		n++;
	return n;
}

static uint64_t cur_req, cur_resp;	/* sizes of the exchange in progress */

static void
transfer_done(struct flow *f, int64_t done_t)
{
	if (f->xdir == CLIENT) {
		/* The request is in: the server works, then answers. */
		int64_t proc = (int64_t)(clampd(rng_lognormal(&f->rng, 2.0, 1.2), 0.05, 2000) *
		    NS_PER_MS);

		f->phase = PH_RESPONSE;
		f->next_step = done_t + proc;
		return;
	}
	if (--f->exchanges_left > 0) {
		double think = rng_unit(&f->rng) < 0.05 ? rng_uniform(&f->rng, 5, 30) :
		    clampd(rng_exp(&f->rng, 0.3), 0.001, 5);

		f->phase = PH_REQUEST;
		f->next_step = done_t + (int64_t)(think * NS_PER_S);
	} else {
		f->phase = PH_CLOSE;
		f->next_step = done_t + (int64_t)(rng_uniform(&f->rng, 0.05, 20) * NS_PER_MS);
	}
}

static void
handshake(struct flow *f, int64_t t)
{
	uint32_t isn_c = f->nxt[CLIENT], isn_s = f->nxt[SERVER];
	uint16_t syn_win = f->v6 ? 64800 : 64240;
	uint16_t synack_win = f->v6 ? 64800 : 65160;
	int64_t syn_t = t;
	struct pkt *p;

	if (!f->linux_stack)
		syn_win = 64240;
	if (f->kind == K_NOANSWER) {
		int k;

		for (k = 0; k < 3; k++) {
			add_pkt(f, CLIENT, t + (k == 0 ? 0 : k == 1 ? 1 : 3) * NS_PER_S,
			    TH_SYN, isn_c, 0, 0, syn_win);
			f->q[f->qlen - 1].synopt = SO_SYN;
		}
		f->phase = PH_DONE;
		return;
	}
	if (f->kind != K_REFUSED && f->loss > 0 && rng_unit(&f->rng) < 2 * f->loss) {
		add_pkt(f, CLIENT, t, TH_SYN, isn_c, 0, 0, syn_win);	/* lost SYN */
		f->q[f->qlen - 1].synopt = SO_SYN;
		syn_t = t + NS_PER_S;
	}
	add_pkt(f, CLIENT, syn_t, TH_SYN, isn_c, 0, 0, syn_win);
	f->q[f->qlen - 1].synopt = SO_SYN;
	if (f->kind == K_REFUSED) {
		add_pkt(f, SERVER, syn_t + f->rtt, TH_RST | TH_ACK, 0, isn_c + 1, 0, 0);
		f->phase = PH_DONE;
		return;
	}
	add_pkt(f, SERVER, syn_t + f->rtt, TH_SYN | TH_ACK, isn_s, isn_c + 1, 0, synack_win);
	f->q[f->qlen - 1].synopt = SO_SYNACK;
	f->nxt[CLIENT] = isn_c + 1;
	f->nxt[SERVER] = isn_s + 1;
	p = q_push(f);
	memset(p, 0, sizeof(*p));
	p->t = syn_t + f->rtt + f->delta;
	p->from = CLIENT;
	p->flags = TH_ACK;
	p->seq = f->nxt[CLIENT];
	p->ack = f->nxt[SERVER];
	p->win = adv_raw(f, CLIENT, f->nxt[SERVER]);
	f->edge[CLIENT] = f->nxt[CLIENT] + f->rwnd[SERVER];
	f->edge[SERVER] = f->nxt[SERVER] + f->rwnd[CLIENT];
	f->last_send[CLIENT] = f->last_send[SERVER] = p->t;
	f->phase = PH_REQUEST;
	f->next_step = p->t + (int64_t)rng_uniform(&f->rng, 10, 2000) * NS_PER_US;
}

static void
close_flow(struct flow *f, int64_t t)
{
	uint32_t c = f->nxt[CLIENT], s = f->nxt[SERVER];
	uint16_t wc = adv_raw(f, CLIENT, s), ws = adv_raw(f, SERVER, c);
	int64_t app = (int64_t)rng_uniform(&f->rng, 0.05, 2.0) * NS_PER_MS;

	switch (f->ending) {
	case E_FIN_CLIENT:
		add_pkt(f, CLIENT, t, TH_FIN | TH_ACK, c, s, 0, wc);
		add_pkt(f, SERVER, t + f->rtt + app, TH_FIN | TH_ACK, s, c + 1, 0, ws);
		add_pkt(f, CLIENT, t + f->rtt + app + f->delta, TH_ACK, c + 1, s + 1, 0, wc);
		break;
	case E_FIN_SERVER:
		add_pkt(f, SERVER, t, TH_FIN | TH_ACK, s, c, 0, ws);
		add_pkt(f, CLIENT, t + f->delta + app, TH_FIN | TH_ACK, c, s + 1, 0, wc);
		add_pkt(f, SERVER, t + f->delta + app + f->rtt, TH_ACK, s + 1, c + 1, 0, ws);
		break;
	case E_RST_CLIENT:
	case E_ABORT:
		add_pkt(f, CLIENT, t, TH_RST | TH_ACK, c, s, 0, 0);
		break;
	case E_RST_SERVER:
		add_pkt(f, SERVER, t, TH_RST | TH_ACK, s, c, 0, 0);
		break;
	default:
		break;	/* E_QUIET: the connection just goes idle */
	}
	f->nxt[CLIENT] = c + 1;
	f->nxt[SERVER] = s + 1;
	f->phase = PH_DONE;
}

/* Decide what happens at f->next_step (time t). */
static void
step(struct flow *f, struct stats *st, const struct plan *pl, int64_t t)
{
	f->next_step = NEVER;
	switch (f->phase) {
	case PH_CONNECT:
		handshake(f, t);
		break;
	case PH_REQUEST:
		if (f->kind == K_RR) {
			draw_exchange(&f->size_rng, pl->rr_scale, &cur_req, &cur_resp);
			f->bulk_bytes = cur_resp;	/* kept for the response */
			start_transfer(f, CLIENT, cur_req);
		} else if (f->kind == K_UPLOAD) {
			start_transfer(f, CLIENT, f->bulk_bytes);
		} else {
			start_transfer(f, CLIENT, 200 + rng_below(&f->rng, 400));
		}
		/* A request answered within the delayed-ACK time carries no pure ACK. */
		f->piggyback = f->xfer_total <= f->mss;
		xfer_round(f, st, t);
		break;
	case PH_RESPONSE:
		f->piggyback = 0;
		if (f->kind == K_UPLOAD)
			start_transfer(f, SERVER, 60 + rng_below(&f->rng, 200));
		else
			start_transfer(f, SERVER, f->bulk_bytes);
		xfer_round(f, st, t);
		break;
	case PH_XFER:
		if (f->zw_mode == ZW_PERSIST)
			persist_step(f, st, t);
		else
			xfer_round(f, st, t);
		break;
	case PH_CLOSE:
		close_flow(f, t);
		break;
	default:
		break;
	}
	q_sort(f);
}

/* ---- setting a connection up ---- */

static uint32_t
scramble32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* A bijection of [0, 2^24): odd multiplications and xor-shifts, all mod 2^24. */
static uint32_t
scramble24(uint32_t x)
{
	x &= 0xffffff;
	x = (x * 0x9e3779u) & 0xffffff;	/* odd: invertible mod 2^24 */
	x ^= x >> 12;
	x = (x * 0x5bd1e9u) & 0xffffff;
	x ^= x >> 11;
	return x;
}

static void
flow_init(struct flow *f, uint32_t idx, const struct plan *pl, const struct config *cfg,
    uint32_t n_clients, uint32_t n_servers, struct stats *st)
{
	struct pkt *q = f->q;
	uint32_t qcap = f->qcap, client, server, cid;
	struct rng *r = &f->rng;
	double u, bw;
	int k;

	memset(f, 0, sizeof(*f));
	f->q = q;
	f->qcap = qcap;
	f->idx = idx;
	rng_seed(&f->rng, cfg->seed, 4ull * idx + 1);
	rng_seed(&f->size_rng, cfg->seed, 4ull * idx + 2);
	f->kind = pl->kind[idx];
	f->bulk_bytes = pl->bytes[idx];
	st->by_kind[f->kind]++;

	/* Who talks to whom: a unique client port per client. */
	client = idx % n_clients;
	server = scramble32(idx ^ 0x5bd1e995u) % n_servers;
	f->cport = (uint16_t)(32768 + (idx / n_clients + scramble32(client)) % 28232);
	f->v6 = rng_unit(r) < 0.30;
	st->v6 += f->v6;
	cid = scramble32(client) & 0xffffff;
	if (f->v6) {
		f->caddr[0] = 0xfd; f->caddr[1] = 0x00; f->caddr[7] = 1;
		put32(f->caddr + 12, cid);
		f->saddr[0] = 0x20; f->saddr[1] = 0x01; f->saddr[2] = 0x0d; f->saddr[3] = 0xb8;
		f->saddr[5] = 1;
		put32(f->saddr + 12, server + 1);
	} else {
		f->caddr[0] = 10;
		f->caddr[1] = (uint8_t)(cid >> 16);
		f->caddr[2] = (uint8_t)(cid >> 8);
		f->caddr[3] = (uint8_t)(cid | 1);
		f->saddr[0] = 198;
		f->saddr[1] = 18 + (uint8_t)(server >> 16 & 1);
		f->saddr[2] = (uint8_t)(server >> 8);
		f->saddr[3] = (uint8_t)(server | 1);
	}
	f->cmac[0] = 0x02;
	put32(f->cmac + 2, scramble32(client));
	u = rng_unit(r);
	switch (f->kind) {
	case K_RR: f->sport = u < 0.7 ? 443 : 80; break;
	case K_DOWNLOAD: f->sport = u < 0.6 ? 443 : u < 0.9 ? 80 : 8080; break;
	case K_UPLOAD: f->sport = u < 0.5 ? 22 : u < 0.8 ? 443 : 445; break;
	default: f->sport = u < 0.5 ? 443 : (uint16_t)(1 + rng_below(r, 10000)); break;
	}

	/* The hosts. */
	f->linux_stack = rng_unit(r) < 0.85;
	f->ts_ok = f->linux_stack;
	f->sack_ok = 1;
	f->ws[CLIENT] = f->linux_stack ? 7 : 8;
	f->ws[SERVER] = (uint8_t)(7 + rng_below(r, 3));
	f->ttl[CLIENT] = f->v6 ? 64 : (f->linux_stack ? 64 : 128);
	f->ttl[SERVER] = (uint8_t)(64 - 4 - rng_below(r, 20));
	f->ipid[CLIENT] = (uint16_t)rng_next(r);
	f->ipid[SERVER] = (uint16_t)rng_next(r);
	f->flowlabel[CLIENT] = (uint32_t)rng_next(r) & 0xfffff;
	f->flowlabel[SERVER] = (uint32_t)rng_next(r) & 0xfffff;
	f->nxt[CLIENT] = (uint32_t)rng_next(r);
	f->nxt[SERVER] = (uint32_t)rng_next(r);
	f->tsoff[CLIENT] = (uint32_t)rng_next(r);
	f->tsoff[SERVER] = (uint32_t)rng_next(r);
	u = rng_unit(r);
	f->mss = (uint16_t)(u < 0.05 ? 1380 : u < 0.10 ? 1360 : f->v6 ? 1440 : 1460);
	if (f->ts_ok)
		f->mss -= 12;	/* payload per segment: the option takes 12 bytes */
	f->rwnd[CLIENT] = (uint32_t)clampd(rng_lognormal(r, 1 << 20, 1.0), 65535, 6 << 20);
	f->rwnd[SERVER] = (uint32_t)clampd(rng_lognormal(r, 512 << 10, 0.8), 65535, 6 << 20);

	/* The path. */
	if (rng_unit(r) < 0.10)
		f->rtt = (int64_t)(rng_uniform(r, 0.1, 1.0) * NS_PER_MS);
	else
		f->rtt = (int64_t)(clampd(rng_lognormal(r, 25, 0.9), 0.2, 700) * NS_PER_MS);
	u = rng_unit(r);
	bw = u < 0.25 ? 1e9 : u < 0.50 ? 300e6 : u < 0.75 ? 100e6 : u < 0.88 ? 50e6 :
	    u < 0.95 ? 20e6 : 5e6;
	if (f->bulk_bytes > 20u << 20 && bw < 100e6)
		bw = 100e6;	/* the big transfers are on the fast paths */
	f->gap = (int64_t)((f->mss + 78) * 8.0 * 1e9 / bw);
	f->delta = (int64_t)rng_uniform(r, 15, 80) * NS_PER_US;
	u = rng_unit(r);
	f->loss = u < 0.4 ? 0 : u < 0.8 ? cfg->loss : 3 * cfg->loss;
	if (f->loss > 0.5)
		f->loss = 0.5;
	f->reorder = rng_unit(r) < 0.15 ? 0.01 : 0;
	for (k = 0; k < 2; k++) {
		f->cwnd[k] = INIT_CWND;
		f->ssthresh[k] = MAX_CWND;
	}

	/* How it ends. */
	u = rng_unit(r);
	f->ending = u < 0.50 ? E_FIN_CLIENT : u < 0.83 ? E_FIN_SERVER :
	    u < 0.914 ? E_RST_CLIENT : u < 0.95 ? E_RST_SERVER : E_QUIET;
	if (f->kind == K_DOWNLOAD && f->ending == E_RST_CLIENT && rng_unit(r) < 0.33) {
		f->ending = E_ABORT;
		f->abort_at = (uint64_t)(rng_unit(r) * (double)f->bulk_bytes);
	}
	if (f->kind == K_REFUSED || f->kind == K_NOANSWER)
		f->ending = E_QUIET;
	else
		st->by_ending[f->ending]++;

	/* A slow reader: its window closes now and then. */
	f->exchanges_left = f->kind == K_RR ? draw_exchange_count(&f->size_rng) : 1;
	if ((f->kind == K_DOWNLOAD && rng_unit(r) < 0.06) ||
	    (f->kind == K_RR && rng_unit(r) < 0.02)) {
		f->rwnd[CLIENT] = f->kind == K_RR ?
		    (uint32_t)rng_uniform(r, 16 << 10, 64 << 10) :
		    (uint32_t)rng_uniform(r, 64 << 10, 512 << 10);
		f->zw_left = (uint8_t)(1 + rng_below(r, 3));
		/* Downloads pause somewhere in the transfer; see xfer_round(). */
		f->zw_at = f->kind == K_DOWNLOAD && f->bulk_bytes > 3ull * f->rwnd[CLIENT] ?
		    f->bulk_bytes - (uint64_t)(rng_unit(r) * (double)(f->bulk_bytes -
		    2ull * f->rwnd[CLIENT])) : 0;
		if (f->kind == K_RR)
			f->zw_at = UINT64_MAX;	/* in any response big enough to fill it */
		if (f->zw_at == 0)
			f->zw_left = 0;
	}
	if (f->ws[CLIENT] == 0 && f->rwnd[CLIENT] > 65535)
		f->rwnd[CLIENT] = 65535;
	f->phase = PH_CONNECT;
}

/* ---- the plan: kinds and sizes for all connections ---- */

static double
est_xfer(uint64_t bytes)
{
	return ceil((double)bytes / 1400.0) * 1.5 + 0.5;
}

static void
make_plan(struct plan *pl, const struct config *cfg, uint32_t n, double packets)
{
	uint32_t i, bulk = 0;
	double fixed = 0, rr_fixed = 0, rr_var = 0, target, left, wsum = 0;
	double *w;

	pl->flows = n;
	pl->kind = malloc(n);
	pl->bytes = calloc(n, sizeof(*pl->bytes));
	w = calloc(n, sizeof(*w));
	if (pl->kind == NULL || pl->bytes == NULL || w == NULL) {
		fprintf(stderr, "gencap: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct rng kr, sr;
		double u;

		rng_seed(&kr, cfg->seed, 4ull * i + 3);
		u = rng_unit(&kr);
		pl->kind[i] = u < 0.02 ? K_REFUSED : u < 0.04 ? K_NOANSWER :
		    u < 0.62 ? K_RR : u < 0.92 ? K_DOWNLOAD : K_UPLOAD;
		switch (pl->kind[i]) {
		case K_REFUSED:
			fixed += 2;
			break;
		case K_NOANSWER:
			fixed += 3;
			break;
		case K_RR: {
			uint32_t ex, k;
			uint64_t req, resp;

			rng_seed(&sr, cfg->seed, 4ull * i + 2);
			ex = draw_exchange_count(&sr);
			rr_fixed += 6;
			for (k = 0; k < ex; k++) {
				draw_exchange(&sr, 1.0, &req, &resp);
				rr_fixed += est_xfer(req) - 0.5;
				rr_var += est_xfer(resp);
			}
			break;
		}
		default:
			/* Pareto, alpha 1.16, capped at 1000x the minimum. */
			w[i] = clampd(pow(1.0 - rng_unit(&kr), -1.0 / 1.16), 1, 1000);
			wsum += w[i];
			fixed += 8;
			bulk++;
			break;
		}
	}
	target = packets;
	pl->rr_scale = 1.0;
	if (rr_fixed + rr_var > 0.55 * target && rr_var > 0)
		pl->rr_scale = clampd((0.55 * target - rr_fixed) / rr_var, 0.01, 1.0);
	left = target - fixed - rr_fixed - rr_var * pl->rr_scale;
	for (i = 0; i < n; i++) {
		if (w[i] == 0)
			continue;
		/* Data packets (segments and ACKs, ~1.5 per segment) to bytes. */
		double pkts = left > 0 ? left * w[i] / wsum : 0;
		double bytes = pkts / 1.5 * 1400.0;

		pl->bytes[i] = (uint64_t)(bytes < 4000 ? 4000 : bytes);
	}
	(void)bulk;
	free(w);
}

/* ---- the heap of connections, by the time of their next packet or step ---- */

struct hent {
	int64_t  key;
	uint32_t slot;
};

struct heap {
	struct hent *a;
	uint32_t n, cap;
};

static void
heap_sift_down(struct heap *h, uint32_t i)
{
	struct hent x = h->a[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->a[c + 1].key < h->a[c].key)
			c++;
		if (h->a[c].key >= x.key)
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	h->a[i] = x;
}

static void
heap_push(struct heap *h, int64_t key, uint32_t slot)
{
	uint32_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->a = realloc(h->a, h->cap * sizeof(*h->a));
		if (h->a == NULL) {
			fprintf(stderr, "gencap: out of memory\n");
			exit(1);
		}
	}
	i = h->n++;
	while (i > 0 && h->a[(i - 1) / 2].key > key) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i].key = key;
	h->a[i].slot = slot;
}

static int64_t
flow_key(const struct flow *f)
{
	int64_t k = f->next_step;

	if (f->qhead < f->qlen && f->q[f->qhead].t < k)
		k = f->q[f->qhead].t;
	return k;
}

/* ---- the two modes ---- */

static int
run_traffic(struct writer *w, const struct config *cfg, struct stats *st)
{
	struct plan pl;
	struct heap h = { 0 };
	struct flow *slots = NULL;
	uint32_t nslots = 0, cap = 0, *free_slots = NULL, nfree = 0;
	uint32_t n_clients, n_servers, next = 0;
	struct rng ar;
	double dur = cfg->duration_s > 0 ? cfg->duration_s :
	    (double)cfg->flows / 300.0 < 30 ? 30 : (double)cfg->flows / 300.0;
	double warm = dur / 20 < 30 ? dur / 20 : 30;
	int64_t next_arrival;
	bool more = true;

	/*
	 * Connections started during the warm-up (before the capture) come
	 * on top of --flows; most are over before it starts, the others
	 * appear mid-stream.  The packet target covers their unwritten
	 * packets too, and overshoots a little (measured) so the file stops
	 * at --packets with the last big transfers still running.
	 */
	make_plan(&pl, cfg, (uint32_t)(cfg->flows * (1 + warm / dur)),
	    (double)cfg->packets * (1 + warm / dur) * GENCAP_TARGET_FACTOR);
	n_clients = (uint32_t)(cfg->flows / 8 < 64 ? 64 : cfg->flows / 8);
	n_servers = 500;
	rng_seed(&ar, cfg->seed, 0);
	/* Arrivals: Poisson at --flows / duration per second from -warm on. */
	next_arrival = (int64_t)(-warm * NS_PER_S);
	while (more) {
		int64_t top = h.n ? h.a[0].key : NEVER;

		if (next < pl.flows && next_arrival <= top) {
			uint32_t slot;
			struct flow *f;

			if (nfree > 0) {
				slot = free_slots[--nfree];
			} else {
				if (nslots == cap) {
					cap = cap ? cap * 2 : 1024;
					slots = realloc(slots, cap * sizeof(*slots));
					free_slots = realloc(free_slots, cap * sizeof(*free_slots));
					if (slots == NULL || free_slots == NULL) {
						fprintf(stderr, "gencap: out of memory\n");
						return 1;
					}
					memset(slots + nslots, 0, (cap - nslots) * sizeof(*slots));
				}
				slot = nslots++;
			}
			f = &slots[slot];
			flow_init(f, next, &pl, cfg, n_clients, n_servers, st);
			f->next_step = next_arrival;
			heap_push(&h, next_arrival, slot);
			next++;
			next_arrival += (int64_t)(rng_exp(&ar, dur / (double)cfg->flows) *
			    NS_PER_S) + 1;
			continue;
		}
		if (h.n == 0)
			break;
		{
			uint32_t slot = h.a[0].slot;
			struct flow *f = &slots[slot];
			int64_t qt = f->qhead < f->qlen ? f->q[f->qhead].t : NEVER;

			if (f->next_step <= qt)
				step(f, st, &pl, f->next_step);
			else
				more = emit(w, st, f, &f->q[f->qhead++]);
			if (f->qhead == f->qlen)
				f->qhead = f->qlen = 0;
			h.a[0].key = flow_key(f);
			if (h.a[0].key == NEVER) {
				free_slots[nfree++] = slot;
				h.a[0] = h.a[--h.n];
			}
			if (h.n > 0)
				heap_sift_down(&h, 0);
		}
	}
	fprintf(stderr, "gencap: %" PRIu64 " packets, %" PRIu64 " bytes on the wire, "
	    "%" PRIu64 " connections in the capture (%u planned, %u started), "
	    "%.0f s of traffic\n", st->packets, st->bytes, st->flows_seen,
	    pl.flows, next, dur);
	fprintf(stderr, "gencap: started by kind:");
	for (int k = 0; k < K_COUNT; k++)
		fprintf(stderr, " %s %" PRIu64, kind_names[k], st->by_kind[k]);
	fprintf(stderr, "\ngencap: planned endings:");
	for (int k = 0; k < E_COUNT; k++)
		fprintf(stderr, " %s %" PRIu64 ";", ending_names[k], st->by_ending[k]);
	fprintf(stderr, "\ngencap: IPv6 %" PRIu64 "; lost segments %" PRIu64
	    ", fast retransmits %" PRIu64 ", RTO retransmits %" PRIu64
	    ", reordered %" PRIu64 ", zero-window episodes %" PRIu64
	    ", probes %" PRIu64 "; request/response size factor %.3f; "
	    "max connections at once %u\n", st->v6, st->lost, st->fast_rtx,
	    st->rto_rtx, st->reordered, st->zw_episodes, st->probes, pl.rr_scale, nslots);
	for (uint32_t i = 0; i < nslots; i++)
		free(slots[i].q);
	free(slots);
	free(free_slots);
	free(h.a);
	free(pl.kind);
	free(pl.bytes);
	return 0;
}

static int
run_syn_flood(struct writer *w, const struct config *cfg, struct stats *st)
{
	static const uint8_t victim4[4] = { 198, 18, 0, 80 };
	static const uint8_t victim6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0x80 };
	uint8_t src[16], mac[6] = { 0x02, 0x66, 0, 0, 0, 0 };
	struct rng r;
	double t = 0, mean = 1.0 / cfg->rate;
	uint64_t i;

	rng_seed(&r, cfg->seed, 0xf100d);
	for (i = 0; i < cfg->packets; i++) {
		uint8_t *fr = w->frame, *tcp;
		uint32_t l4, wire, optlen = 0, id = scramble24((uint32_t)i);
		bool v6 = rng_unit(&r) < 0.10;
		uint16_t sport;

		/*
		 * Distinct sources: the address is a bijection of i mod 2^24, and
		 * the port differs between rounds of 2^24 (IPv6 also has i >> 24).
		 */
		memset(src, 0, sizeof(src));
		if (v6) {
			src[0] = 0x20; src[1] = 0x01; src[2] = 0x0d; src[3] = 0xb8;
			src[4] = 0xba; src[5] = 0xd0;
			put32(src + 8, (uint32_t)(i >> 24));
			put32(src + 12, id);
		} else {
			src[0] = 10;
			src[1] = (uint8_t)(id >> 16);
			src[2] = (uint8_t)(id >> 8);
			src[3] = (uint8_t)id;
		}
		sport = (uint16_t)(1024 + ((i >> 24) * 64 + rng_below(&r, 64)) % 64000);
		put32(mac + 2, id);
		if (rng_unit(&r) < 0.5) {
			uint8_t *o = fr + (v6 ? 54 : 34) + 20;

			o[0] = 2; o[1] = 4; put16(o + 2, 1460);
			optlen = 4;
		}
		wire = finish_headers(fr, v6, mac, gw_mac, src, v6 ? victim6 : victim4,
		    (uint8_t)(32 + rng_below(&r, 96)), (uint16_t)rng_next(&r), 0,
		    20 + optlen, &l4);
		tcp = fr + l4;
		put16(tcp, sport);
		put16(tcp + 2, 80);
		put32(tcp + 4, (uint32_t)rng_next(&r));
		put32(tcp + 8, 0);
		tcp[12] = (uint8_t)(((20 + optlen) / 4) << 4);
		tcp[13] = TH_SYN;
		put16(tcp + 14, rng_unit(&r) < 0.5 ? 512 : 64240);
		put16(tcp + 16, 0);
		put16(tcp + 18, 0);
		if (!write_frame(w, (int64_t)(t * NS_PER_S), l4 + 20 + optlen, wire))
			break;
		t += rng_exp(&r, mean);
	}
	fprintf(stderr, "gencap: %" PRIu64 " SYNs from distinct sources over %.1f s, "
	    "%" PRIu64 " bytes on the wire\n", st->packets, t, st->bytes);
	return 0;
}

/* ---- command line ---- */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gencap --flows N --packets N --loss P --seed S [--syn-flood]\n"
	    "              [--snaplen N] [--duration S] [--rate R] -o FILE\n"
	    "  --flows N      connections to start (default 100000)\n"
	    "  --packets N    packets to write (at most; default 10000000)\n"
	    "  --loss P       mean per-segment loss probability (default 0.01)\n"
	    "  --seed S       the same seed gives the same file (default 1)\n"
	    "  --snaplen N    bytes kept per frame (default 128)\n"
	    "  --duration S   seconds over which connections start (default flows/300)\n"
	    "  --syn-flood    write --packets half-open SYNs from distinct sources\n"
	    "  --rate R       SYN flood: SYNs per second (default 100000)\n"
	    "  -o FILE        output pcap (- for standard output)\n");
}

static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);	/* accepts 1e7 */
	if (errno != 0 || end == s || *end != '\0' || d < 0 || d > 1e15 || d != floor(d))
		return false;
	*v = (uint64_t)d;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "packets", required_argument, NULL, 'n' },
		{ "loss", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "snaplen", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "syn-flood", no_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cfg = { .flows = 100000, .packets = 10000000, .loss = 0.01,
	    .seed = 1, .snaplen = 128, .rate = 100000 };
	struct stats st;
	struct writer *w;
	uint64_t v;
	int c, rc;
	clock_t t0 = clock();

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!parse_u64(optarg, &cfg.flows) || cfg.flows == 0 ||
			    cfg.flows > 1000000000)
				goto bad;
			break;
		case 'n':
			if (!parse_u64(optarg, &cfg.packets) || cfg.packets == 0)
				goto bad;
			break;
		case 'l':
			cfg.loss = strtod(optarg, NULL);
			if (!(cfg.loss >= 0 && cfg.loss <= 0.5))
				goto bad;
			break;
		case 's':
			if (!parse_u64(optarg, &cfg.seed))
				goto bad;
			break;
		case 'S':
			if (!parse_u64(optarg, &v) || v < 96 || v > 65535)
				goto bad;
			cfg.snaplen = (int)v;
			break;
		case 'd':
			cfg.duration_s = strtod(optarg, NULL);
			if (!(cfg.duration_s > 0))
				goto bad;
			break;
		case 'r':
			cfg.rate = strtod(optarg, NULL);
			if (!(cfg.rate > 0))
				goto bad;
			break;
		case 'F':
			cfg.syn_flood = true;
			break;
		case 'o':
			cfg.out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || cfg.out == NULL) {
		usage(stderr);
		return 2;
	}

	memset(&st, 0, sizeof(st));
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return 1;
	w->snaplen = cfg.snaplen;
	w->limit = cfg.packets;
	w->st = &st;
	w->dead = pcap_open_dead(DLT_EN10MB, cfg.snaplen);
	if (w->dead == NULL) {
		fprintf(stderr, "gencap: pcap_open_dead failed\n");
		return 1;
	}
	w->file = strcmp(cfg.out, "-") == 0 ? stdout : fopen(cfg.out, "wb");
	if (w->file == NULL) {
		fprintf(stderr, "gencap: %s: %s\n", cfg.out, strerror(errno));
		return 1;
	}
	setvbuf(w->file, NULL, _IOFBF, 1 << 20);
	w->dumper = pcap_dump_fopen(w->dead, w->file);
	if (w->dumper == NULL) {
		fprintf(stderr, "gencap: %s: %s\n", cfg.out, pcap_geterr(w->dead));
		return 1;
	}
	rc = cfg.syn_flood ? run_syn_flood(w, &cfg, &st) : run_traffic(w, &cfg, &st);
	if (pcap_dump_flush(w->dumper) != 0) {
		fprintf(stderr, "gencap: %s: write failed\n", cfg.out);
		rc = 1;
	}
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	free(w);
	fprintf(stderr, "gencap: %.1f s of CPU\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
	return rc;

bad:
	fprintf(stderr, "gencap: bad value for --%s: %s\n",
	    c == 'f' ? "flows" : c == 'n' ? "packets" : c == 'l' ? "loss" :
	    c == 's' ? "seed" : c == 'S' ? "snaplen" : c == 'd' ? "duration" : "rate",
	    optarg);
	return 2;
}
