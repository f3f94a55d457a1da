/*
 * analysis.c - per-segment TCP analysis: the tcp.analysis flags, sequence
 * tracking, RTT, windows and counters.
 *
 * The checks follow tshark 4.0's order and definitions (see
 * ../shared/reference/tshark-analysis.md), with these deliberate
 * differences, each documented in tcpsight(1), ANALYSIS:
 *  - a Linux zero-window probe (no data, seq = peer's ACK - 1, peer's
 *    window zero) is a zero_window_probe, not a keep_alive;
 *  - a 1-byte segment one byte before the next expected sequence number
 *    is a keep-alive only when everything before it was acknowledged;
 *    otherwise it resends the last byte: a retransmission;
 *  - out-of-order versus retransmission: a segment whose bytes were
 *    already seen in the capture is a retransmission whatever the timing;
 *    one that fills a gap is out-of-order when TCP timestamps or the IPv4
 *    ID show it was sent before the data after the gap, a retransmission
 *    when they show it was sent later, and only without such evidence
 *    does tshark's time threshold decide;
 *  - ack_lost_segment is flagged when an ACK covers bytes never seen:
 *    beyond the highest sequence number seen, or inside a gap that no
 *    later segment filled.
 * All sequence arithmetic is on raw 32-bit numbers through seq.h.
 */
#include <string.h>

#include "analysis.h"
#include "seq.h"
#include "tunables.h"

/* tshark's thresholds: fast retransmission within 20 ms of the dup ACK;
 * out-of-order within the handshake RTT, or 3 ms when it is unknown. */
#define FAST_RETRANS_WINDOW_NS	20000000ull
#define OOO_DEFAULT_THRESHOLD_NS	3000000ull

#define NO_SFR(p)	(((p)->flags & (TH_SYN | TH_FIN | TH_RST)) == 0)

/*
 * Settle window scaling after a SYN from direction `dir` (RFC 7323 2.2:
 * scaling is in effect only if both SYNs carry the option).
 */
static void
settle_window_scale(struct conn_analysis *ca, int dir, const struct packet *p)
{
	struct dir_analysis *d = &ca->dir[dir], *peer = &ca->dir[!dir];

	if (!d->wscale_offered) {
		/* One side did not offer: nobody scales. */
		d->wscale = WSCALE_NONE;
		peer->wscale = WSCALE_NONE;
		return;
	}
	if (peer->syn_seen) {
		if (peer->wscale_offered) {
			d->wscale = (int8_t)d->wscale_offer;
			peer->wscale = (int8_t)peer->wscale_offer;
		} else {
			d->wscale = WSCALE_NONE;
			peer->wscale = WSCALE_NONE;
		}
		return;
	}
	if (p->flags & TH_ACK) {
		/*
		 * A SYN/ACK with the option answers a SYN that had it, so this
		 * side's shift is in effect; the other side's is not known.
		 */
		d->wscale = (int8_t)d->wscale_offer;
	}
}

static void
note_syn_options(struct dir_analysis *d, const struct packet *p)
{
	const struct tcp_options *o = &p->opt;

	d->syn_seen = true;
	d->isn = p->seq;
	d->base_seq = p->seq;
	d->base_known = true;
	if (o->present & TCPOPT_HAS_MSS)
		d->mss = o->mss;
	d->sack_permitted = (o->present & TCPOPT_HAS_SACK_PERM) != 0;
	d->wscale_offered = (o->present & TCPOPT_HAS_WSCALE) != 0;
	d->wscale_offer = o->wscale > MAX_WSCALE ? MAX_WSCALE : o->wscale;
}

static inline uint32_t
scaled_window(const struct dir_analysis *d, const struct packet *p)
{
	if ((p->flags & TH_SYN) || d->wscale < 0)
		return p->window;
	return (uint32_t)p->window << d->wscale;
}

uint32_t
analysis_scaled_window(const struct dir_analysis *d, const struct packet *p)
{
	return scaled_window(d, p);
}

static void
track_window(struct dir_analysis *d, const struct packet *p, uint32_t w)
{
	if (p->flags & TH_RST)
		return;	/* a RST's window means nothing */
	if (!d->window_seen) {
		d->window_seen = true;
		d->window_min = d->window_max = w;
	} else {
		if (w < d->window_min)
			d->window_min = w;
		if (w > d->window_max)
			d->window_max = w;
	}
	d->window_last = w;
	d->window_raw = p->window;
}

static void
track_handshake(struct conn_analysis *ca, int dir, const struct packet *p)
{
	uint16_t f = p->flags;

	if (dir == DIR_C2S && (f & TH_SYN) && !(f & TH_ACK) &&
	    ca->synack_ns == 0)
		ca->syn_ns = p->ts_ns;	/* Karn: time from the latest SYN */
	else if (dir == DIR_S2C && (f & TH_SYN) && (f & TH_ACK) &&
	    ca->syn_ns != 0 && ca->synack_ns == 0)
		ca->synack_ns = p->ts_ns;
	else if (dir == DIR_C2S && !(f & TH_SYN) && (f & TH_ACK) &&
	    ca->synack_ns != 0 && ca->ack_ns == 0)
		ca->ack_ns = p->ts_ns;
}

static void
rtt_add(struct rtt_stats *r, uint64_t ns)
{
	if (r->count == 0 || ns < r->min_ns)
		r->min_ns = ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	r->sum_ns += ns;
	r->last_ns = ns;
	r->count++;
}

/* ---- holes: sequence ranges sent but never seen ---- */

static void
hole_remove_at(struct dir_analysis *d, int i)
{
	memmove(&d->holes[i], &d->holes[i + 1],
	    (size_t)(d->hole_count - i - 1) * sizeof(d->holes[0]));
	d->hole_count--;
}

static void
hole_add(struct dir_analysis *d, uint32_t left, uint32_t right)
{
	if (d->hole_count == ANALYSIS_MAX_HOLES) {
		/* Forget the oldest: its bytes will count as seen. */
		hole_remove_at(d, 0);
		d->holes_dropped++;
	}
	d->holes[d->hole_count].left = left;
	d->holes[d->hole_count].right = right;
	d->hole_count++;
}

/* Whether [left, right) overlaps a hole. */
static bool
hole_overlaps(const struct dir_analysis *d, uint32_t left, uint32_t right)
{
	int i;

	for (i = 0; i < d->hole_count; i++)
		if (seq_lt(left, d->holes[i].right) && seq_gt(right, d->holes[i].left))
			return true;
	return false;
}

/* Remove [left, right) from the holes (it has now been seen). */
static void
hole_fill(struct dir_analysis *d, uint32_t left, uint32_t right)
{
	struct seq_hole h;
	int i;

	for (i = 0; i < d->hole_count; i++) {
		h = d->holes[i];
		if (!(seq_lt(left, h.right) && seq_gt(right, h.left)))
			continue;
		if (seq_leq(left, h.left) && seq_geq(right, h.right)) {
			hole_remove_at(d, i--);
		} else if (seq_leq(left, h.left)) {
			d->holes[i].left = right;
		} else if (seq_geq(right, h.right)) {
			d->holes[i].right = left;
		} else {
			/* Split: keep the lower part here, add the upper part. */
			d->holes[i].right = left;
			hole_add(d, right, h.right);
		}
	}
}

/* Forget the holes below `ack`; true if one was still open (unseen data acked). */
static bool
holes_acked(struct dir_analysis *d, uint32_t ack)
{
	bool unseen = false;
	int i;

	for (i = 0; i < d->hole_count; i++) {
		if (seq_geq(d->holes[i].left, ack))
			continue;
		unseen = true;
		if (seq_leq(d->holes[i].right, ack))
			hole_remove_at(d, i--);
		else
			d->holes[i].left = ack;
	}
	return unseen;
}

/* ---- the checks, in tshark's order ---- */

/*
 * Was segment p, which fills a gap, sent before the segment that last
 * advanced F.nextseq (-1: out of order), after it (+1: retransmission),
 * or can't we tell (0)?  TCP timestamps first, then the IPv4 ID if this
 * sender's IDs have been counting up.
 */
static int
reorder_evidence(const struct dir_analysis *f, const struct packet *p, uint8_t *ev)
{
	int32_t dts;
	int16_t did;

	if ((p->opt.present & TCPOPT_HAS_TIMESTAMP) && f->nextseq_has_ts) {
		dts = seq_diff(p->opt.ts_val, f->nextseq_tsval);
		if (dts != 0) {
			*ev = EVIDENCE_TIMESTAMP;
			return dts < 0 ? -1 : 1;
		}
	}
	if (p->ip_version == 4 && p->ip_id != 0 && f->nextseq_ipid != 0) {
		did = (int16_t)(uint16_t)(p->ip_id - f->nextseq_ipid);
		if (did != 0 && did > -256 && did < 256) {
			*ev = EVIDENCE_IP_ID;
			return did < 0 ? -1 : 1;
		}
	}
	return 0;
}

static bool
is_zero_window_probe(const struct dir_analysis *f, const struct dir_analysis *r,
    const struct packet *p)
{
	if (!NO_SFR(p) || !r->window_seen || r->window_raw != 0)
		return false;
	/* The classic probe: one new byte at the next sequence number. */
	if (p->payload_len == 1 && f->nextseq_known && p->seq == f->nextseq)
		return true;
	/* Linux's probe: no data, one below the peer's ACK (tcp_xmit_probe_skb). */
	return p->payload_len == 0 && r->lastack_known && p->seq == r->lastack - 1;
}

static bool
is_keep_alive(const struct dir_analysis *f, const struct dir_analysis *r,
    const struct packet *p)
{
	if (!NO_SFR(p) || p->payload_len > 1 || !f->nextseq_known ||
	    p->seq != f->nextseq - 1)
		return false;
	/* A 1-byte keep-alive comes only when all data was acknowledged. */
	return p->payload_len == 0 ||
	    (r->lastack_known && r->lastack == f->nextseq);
}

/* Same ACK, same sequence number, no data: the base of the ACK rules. */
static bool
repeats_last_ack(const struct dir_analysis *f, const struct packet *p)
{
	return p->payload_len == 0 && NO_SFR(p) && (p->flags & TH_ACK) &&
	    f->nextseq_known && p->seq == f->nextseq &&
	    f->lastack_known && p->ack == f->lastack && f->window_seen;
}

static bool
is_window_full(const struct dir_analysis *r, const struct packet *p)
{
	int k;

	if (p->payload_len == 0 || !NO_SFR(p) || r->wscale == WSCALE_UNKNOWN ||
	    !r->window_seen || !r->lastack_known)
		return false;
	/* Until R sends a non-SYN segment its window is the unscaled SYN's. */
	k = r->wscale >= 0 && r->sent_non_syn ? r->wscale : 0;
	return p->seq + p->payload_len == r->lastack + ((uint32_t)r->window_raw << k);
}

static uint64_t
ooo_threshold(const struct conn_analysis *ca)
{
	if (ca->syn_ns != 0 && ca->ack_ns > ca->syn_ns)
		return ca->ack_ns - ca->syn_ns;
	return OOO_DEFAULT_THRESHOLD_NS;
}

/*
 * Retransmission, fast or spurious retransmission, or out-of-order; the
 * reason goes to *ev.
 */
static uint32_t
classify_resend(const struct conn_analysis *ca, const struct dir_analysis *f,
    const struct dir_analysis *r, const struct packet *p, uint32_t seglen,
    uint8_t *ev)
{
	const uint32_t retrans = SEG_BIT(SEG_RETRANSMISSION);
	const uint32_t fast = SEG_BIT(SEG_FAST_RETRANSMISSION) | retrans;
	uint32_t s = p->seq, l = p->payload_len;
	bool notadv, after_dup_acks;
	int order;

	notadv = f->nextseq_known && seq_lt(s, f->nextseq);
	/* Data after a 1-byte probe starts one below nextseq (Wireshark #15427). */
	if (l > 1 && f->nextseq_known && s == f->nextseq - 1)
		notadv = false;
	if (l > 0 && r->lastack_known && seq_leq(s + l, r->lastack)) {
		*ev = EVIDENCE_ALREADY_ACKED;
		return SEG_BIT(SEG_SPURIOUS_RETRANSMISSION) | retrans;
	}
	if (!notadv)
		return 0;
	after_dup_acks = r->dupacks >= 2 && r->lastack_known && r->lastack == s &&
	    p->ts_ns >= r->lastack_ns &&
	    p->ts_ns - r->lastack_ns < FAST_RETRANS_WINDOW_NS;
	if (!hole_overlaps(f, s, s + seglen)) {
		/* Its bytes were seen before: a resend, however soon. */
		*ev = EVIDENCE_SEEN_BEFORE;
		return after_dup_acks ? fast : retrans;
	}
	order = reorder_evidence(f, p, ev);
	if (order < 0)
		return SEG_BIT(SEG_OUT_OF_ORDER);
	if (after_dup_acks) {
		if (order == 0)
			*ev = EVIDENCE_DUP_ACKS;
		return fast;
	}
	if (order > 0)
		return retrans;
	*ev = EVIDENCE_TIME;
	if (p->ts_ns >= f->nextseq_ns &&
	    p->ts_ns - f->nextseq_ns < ooo_threshold(ca) &&
	    f->nextseq != s + seglen)
		return SEG_BIT(SEG_OUT_OF_ORDER);
	return retrans;
}

/*
 * The ACK side of a segment from F: a new ACK restarts the dup-ACK count,
 * and an ACK of bytes R sent but the capture never showed is flagged.
 */
static inline uint32_t
check_ack(struct dir_analysis *f, struct dir_analysis *r, const struct packet *p)
{
	uint32_t flags = 0;

	if ((p->flags & TH_ACK) && (!f->lastack_known || p->ack != f->lastack)) {
		f->dupack_of_frame = p->frame;
		f->dupacks = 0;
	}
	if ((p->flags & TH_ACK) && r->nextseq_known) {
		if (seq_gt(p->ack, r->nextseq)) {
			if (!r->ack_unseen_marked || r->ack_unseen_mark != r->nextseq)
				flags |= SEG_BIT(SEG_ACK_LOST_SEGMENT);
			r->ack_unseen_marked = true;
			r->ack_unseen_mark = r->nextseq;
		}
		if (r->hole_count > 0 && holes_acked(r, p->ack))
			flags |= SEG_BIT(SEG_ACK_LOST_SEGMENT);
	}
	return flags;
}

/* The forward checks (tshark's steps 1-9) and the dup-ACK counter. */
static uint32_t
check_segment(struct conn_analysis *ca, struct dir_analysis *f,
    struct dir_analysis *r, const struct packet *p, struct seg_verdict *v)
{
	uint32_t flags = 0, seglen;

	seglen = p->payload_len + ((p->flags & TH_SYN) ? 1u : 0u) +
	    ((p->flags & TH_FIN) ? 1u : 0u);
	/* A probe skips the other forward checks, as in tshark. */
	if (is_zero_window_probe(f, r, p)) {
		flags = SEG_BIT(SEG_ZERO_WINDOW_PROBE);
		goto ack_checks;
	}
	if (p->window == 0 && NO_SFR(p))
		flags |= SEG_BIT(SEG_ZERO_WINDOW);
	if (f->nextseq_known && seq_gt(p->seq, f->nextseq) && !(p->flags & TH_RST)) {
		flags |= SEG_BIT(SEG_LOST_SEGMENT);
		/*
		 * Remember the gap only behind data: a pure ACK whose sequence
		 * number jumps is far more often a keep-alive oddity than a
		 * sign of unseen data.
		 */
		if (p->payload_len > 0) {
			/* What R already acknowledged arrived; it is no gap to fill. */
			uint32_t left = r->lastack_known &&
			    seq_gt(r->lastack, f->nextseq) ? r->lastack : f->nextseq;

			if (seq_lt(left, p->seq))
				hole_add(f, left, p->seq);
		}
	}
	if (is_keep_alive(f, r, p))
		flags |= SEG_BIT(SEG_KEEP_ALIVE);
	if (repeats_last_ack(f, p) && p->window != 0 && p->window != f->window_raw)
		flags |= SEG_BIT(SEG_WINDOW_UPDATE);
	if (is_window_full(r, p))
		flags |= SEG_BIT(SEG_WINDOW_FULL);

	if (repeats_last_ack(f, p) && !(flags & SEG_BIT(SEG_KEEP_ALIVE))) {
		if (p->window != 0 && p->window == f->window_raw &&
		    (r->last_flags & SEG_BIT(SEG_KEEP_ALIVE))) {
			flags |= SEG_BIT(SEG_KEEP_ALIVE_ACK);
		} else if (p->window == 0 && f->window_raw == 0 &&
		    (r->last_flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE))) {
			flags |= SEG_BIT(SEG_ZERO_WINDOW_PROBE_ACK);
		} else if (p->window != 0 && p->window == f->window_raw) {
			flags |= SEG_BIT(SEG_DUPLICATE_ACK);
			f->dupacks++;
			v->dupack_num = f->dupacks;
			v->dupack_frame = f->dupack_of_frame;
		}
	}
ack_checks:
	flags |= check_ack(f, r, p);
	if ((p->payload_len > 0 || (p->flags & (TH_SYN | TH_FIN))) &&
	    !(flags & (SEG_BIT(SEG_KEEP_ALIVE) | SEG_BIT(SEG_ZERO_WINDOW_PROBE))))
		flags |= classify_resend(ca, f, r, p, seglen, &v->evidence);
	return flags;
}

/* F sent up to `end` with segment p: the newest data so far. */
static inline void
set_nextseq(struct dir_analysis *f, const struct packet *p, uint32_t end)
{
	f->nextseq = end;
	f->nextseq_known = true;
	f->nextseq_ns = p->ts_ns;
	f->nextseq_has_ts = (p->opt.present & TCPOPT_HAS_TIMESTAMP) != 0;
	f->nextseq_tsval = p->opt.ts_val;
	f->nextseq_ipid = p->ip_id;
}

/* Time new data ending at `end` for an RTT sample, if none is being timed. */
static inline void
start_timing(struct dir_analysis *f, const struct packet *p, uint32_t end)
{
	if (f->timing)
		return;
	f->timing = true;
	f->timed_end = end;
	f->timed_ns = p->ts_ns;
}

/* Advance F's sequence state past segment p and time new data. */
static void
advance_sequence(struct dir_analysis *f, const struct packet *p, uint32_t flags)
{
	uint32_t seglen, end, pay_end, from;

	seglen = p->payload_len + ((p->flags & TH_SYN) ? 1u : 0u) +
	    ((p->flags & TH_FIN) ? 1u : 0u);
	end = p->seq + seglen;
	pay_end = p->seq + ((p->flags & TH_SYN) ? 1u : 0u) + p->payload_len;
	if (flags & SEG_BIT(SEG_OUT_OF_ORDER))
		f->unique_bytes += p->payload_len;
	if (f->nextseq_known && p->payload_len > 0 && seq_lt(p->seq, f->nextseq))
		hole_fill(f, p->seq, end);
	if (f->timing && (flags & SEG_BIT(SEG_RETRANSMISSION)) &&
	    seq_lt(p->seq, f->timed_end))
		f->timing = false;	/* Karn: the ACK could be for either copy */
	if (f->nextseq_known && !seq_gt(end, f->nextseq))
		return;
	if (p->payload_len > 0) {
		from = f->nextseq_known && seq_gt(f->nextseq, p->seq) ? f->nextseq : p->seq;
		if (seq_gt(pay_end, from))
			f->unique_bytes += (uint32_t)(pay_end - from);
		if (!(flags & SEG_BIT(SEG_RETRANSMISSION)))
			start_timing(f, p, end);
	}
	set_nextseq(f, p, end);
}

/* RTT samples that segment p (from F) completes for R's data. */
static void
take_rtt_samples(struct dir_analysis *f, struct dir_analysis *r, const struct packet *p)
{
	int i;

	if ((p->flags & TH_ACK) && r->timing && seq_geq(p->ack, r->timed_end)) {
		if (p->ts_ns >= r->timed_ns)
			rtt_add(&r->rtt, p->ts_ns - r->timed_ns);
		r->timing = false;
	}
	if (!(p->opt.present & TCPOPT_HAS_TIMESTAMP))
		return;
	if ((p->flags & TH_ACK) && p->opt.ts_ecr != 0) {
		for (i = 0; i < ANALYSIS_TS_RING; i++) {
			if (r->ts_ns[i] != 0 && r->ts_val[i] == p->opt.ts_ecr) {
				if (p->ts_ns >= r->ts_ns[i])
					rtt_add(&r->rtt_ts, p->ts_ns - r->ts_ns[i]);
				r->ts_ns[i] = 0;	/* one sample per TSval */
				break;
			}
		}
	}
	i = (f->ts_next + ANALYSIS_TS_RING - 1) % ANALYSIS_TS_RING;
	if (f->ts_ns[i] == 0 || f->ts_val[i] != p->opt.ts_val) {
		f->ts_val[f->ts_next] = p->opt.ts_val;
		f->ts_ns[f->ts_next] = p->ts_ns;
		f->ts_next = (uint8_t)((f->ts_next + 1) % ANALYSIS_TS_RING);
	}
}

static void
track_zero_window(struct dir_analysis *f, const struct packet *p)
{
	if (p->flags & (TH_RST | TH_SYN))
		return;
	if (p->window == 0 && !f->zero_window_open) {
		f->zero_window_open = true;
		f->zero_window_since_ns = p->ts_ns;
		f->zero_window_episodes++;
	} else if (p->window != 0 && f->zero_window_open) {
		f->zero_window_open = false;
		if (p->ts_ns > f->zero_window_since_ns)
			f->zero_window_ns += p->ts_ns - f->zero_window_since_ns;
	}
}

static void
track_sack(struct dir_analysis *f, const struct packet *p)
{
	const struct tcp_options *o = &p->opt;

	if (!(o->present & TCPOPT_HAS_SACK) || o->sack_count == 0)
		return;
	f->sack_blocks += o->sack_count;
	/* RFC 2883: a first block below the ACK, or inside the second block. */
	if (((p->flags & TH_ACK) && seq_leq(o->sack[0].right, p->ack)) ||
	    (o->sack_count >= 2 && seq_geq(o->sack[0].left, o->sack[1].left) &&
	    seq_leq(o->sack[0].right, o->sack[1].right)))
		f->dsacks++;
}

/*
 * F's SYN with a new ISN starts its sequence space anew: forget what F
 * sent before (a RST of a refused attempt, say) and what R acknowledged
 * of it.  A retransmitted SYN (same ISN) keeps the state.
 */
static void
restart_sequence(struct dir_analysis *f, struct dir_analysis *r)
{
	f->nextseq_known = false;
	f->hole_count = 0;
	f->timing = false;
	f->ack_unseen_marked = false;
	r->lastack_known = false;
	r->dupacks = 0;
}

void
analysis_init(struct conn_analysis *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->dir[DIR_C2S].wscale = WSCALE_UNKNOWN;
	ca->dir[DIR_S2C].wscale = WSCALE_UNKNOWN;
}

/*
 * The two commonest segments: new data exactly at F.nextseq, and a pure
 * ACK that moves F's ACK forward, with an open window both ways, nothing
 * unusual in the flags and F's state fully known.  For these the checks
 * of check_segment() and advance_sequence() reduce to the ones below
 * (no gap, probe, keep-alive, zero window, duplicate ACK, window update
 * or resend is possible), which gives the same verdict and state.
 */
static inline bool
is_plain_segment(const struct dir_analysis *f, const struct dir_analysis *r,
    const struct packet *p)
{
	if ((p->flags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) != TH_ACK ||
	    !f->nextseq_known || p->seq != f->nextseq || p->window == 0 ||
	    !f->window_seen || f->zero_window_open || !f->base_known ||
	    !r->base_known || (r->window_seen && r->window_raw == 0))
		return false;
	if (p->payload_len > 0)
		/* Not already acknowledged (a spurious retransmission). */
		return !(r->lastack_known &&
		    seq_leq(p->seq + p->payload_len, r->lastack));
	return !(f->lastack_known && p->ack == f->lastack);
}

/* check_segment() and advance_sequence() for a plain segment. */
static inline uint32_t
plain_segment(struct dir_analysis *f, struct dir_analysis *r,
    const struct packet *p)
{
	uint32_t flags = check_ack(f, r, p);

	if (p->payload_len == 0)
		return flags;
	if (is_window_full(r, p))
		flags |= SEG_BIT(SEG_WINDOW_FULL);
	f->unique_bytes += p->payload_len;
	start_timing(f, p, p->seq + p->payload_len);
	set_nextseq(f, p, p->seq + p->payload_len);
	return flags;
}

void
analysis_update(struct conn_analysis *ca, int dir, const struct packet *p,
    bool reused_ports, struct seg_verdict *v)
{
	struct dir_analysis *f = &ca->dir[dir], *r = &ca->dir[!dir];
	uint32_t flags;
	int i;

	memset(v, 0, sizeof(*v));
	/* Earliest and latest: a capture's clock may run backwards. */
	if (f->packets == 0 || p->ts_ns < f->first_ns)
		f->first_ns = p->ts_ns;
	f->packets++;
	f->wire_bytes += p->wire_len;
	f->payload_bytes += p->payload_len;
	if (p->payload_len > 0)
		f->data_segments++;
	if (p->ts_ns > f->last_ns)
		f->last_ns = p->ts_ns;
	if (p->opt.present & TCPOPT_HAS_TIMESTAMP)
		f->timestamps = true;
	if (!reused_ports && is_plain_segment(f, r, p)) {
		flags = plain_segment(f, r, p);
		v->window = scaled_window(f, p);
		track_window(f, p, v->window);
		goto tail;
	}
	if (p->flags & TH_SYN) {
		f->syn++;
		if (!f->syn_seen || p->seq != f->isn)
			restart_sequence(f, r);
		note_syn_options(f, p);
		settle_window_scale(ca, dir, p);
	} else if (!f->base_known) {
		f->base_seq = p->seq - 1;
		f->base_known = true;
	}
	if (!r->base_known && (p->flags & TH_ACK) && !(p->flags & TH_SYN)) {
		r->base_seq = p->ack - 1;
		r->base_known = true;
	}
	if (p->flags & TH_FIN)
		f->fin++;
	if (p->flags & TH_RST)
		f->rst++;

	flags = check_segment(ca, f, r, p, v);
	if (reused_ports)
		flags |= SEG_BIT(SEG_REUSED_PORTS);
	if (flags & SEG_BIT(SEG_RETRANSMISSION))
		f->retrans_bytes += p->payload_len;
	if (!(flags & SEG_BIT(SEG_ZERO_WINDOW_PROBE)))
		advance_sequence(f, p, flags);

	v->window = scaled_window(f, p);
	track_window(f, p, v->window);
	track_zero_window(f, p);
tail:
	if (p->flags & TH_ACK) {
		f->lastack = p->ack;
		f->lastack_known = true;
		f->lastack_ns = p->ts_ns;
	}
	if (!(p->flags & TH_SYN))
		f->sent_non_syn = true;
	f->last_flags = flags;
	take_rtt_samples(f, r, p);
	if (p->payload_len > 0 && r->lastack_known &&
	    seq_gt(f->nextseq, r->lastack) &&
	    (uint64_t)seq_diff(f->nextseq, r->lastack) > f->max_in_flight)
		f->max_in_flight = (uint64_t)seq_diff(f->nextseq, r->lastack);
	track_sack(f, p);
	track_handshake(ca, dir, p);
	/* Most segments carry no flag. */
	for (i = 0; flags >> i != 0; i++)
		if (flags & SEG_BIT(i))
			f->flag_count[i]++;

	v->flags = flags;
	v->rel_seq = p->seq - f->base_seq;
	v->rel_ack = (p->flags & TH_ACK) ? p->ack - r->base_seq : 0;
}

void
analysis_finish(struct conn_analysis *ca, uint64_t end_ns)
{
	struct dir_analysis *d;
	int i;

	for (i = 0; i < 2; i++) {
		d = &ca->dir[i];
		if (d->zero_window_open && end_ns > d->zero_window_since_ns)
			d->zero_window_ns += end_ns - d->zero_window_since_ns;
		d->zero_window_open = false;
	}
}

const char *
analysis_evidence_name(enum resend_evidence e)
{
	static const char *const names[EVIDENCE_COUNT] = {
		[EVIDENCE_NONE] = "none",
		[EVIDENCE_ALREADY_ACKED] = "already_acked",
		[EVIDENCE_SEEN_BEFORE] = "seen_before",
		[EVIDENCE_TIMESTAMP] = "timestamp",
		[EVIDENCE_IP_ID] = "ip_id",
		[EVIDENCE_DUP_ACKS] = "dup_acks",
		[EVIDENCE_TIME] = "time",
	};

	if ((unsigned)e >= EVIDENCE_COUNT)
		return "none";
	return names[e];
}

const char *
analysis_flag_name(enum seg_flag f)
{
	static const char *const names[SEG_FLAG_COUNT] = {
		[SEG_RETRANSMISSION] = "retransmission",
		[SEG_FAST_RETRANSMISSION] = "fast_retransmission",
		[SEG_SPURIOUS_RETRANSMISSION] = "spurious_retransmission",
		[SEG_OUT_OF_ORDER] = "out_of_order",
		[SEG_LOST_SEGMENT] = "lost_segment",
		[SEG_ACK_LOST_SEGMENT] = "ack_lost_segment",
		[SEG_DUPLICATE_ACK] = "duplicate_ack",
		[SEG_ZERO_WINDOW] = "zero_window",
		[SEG_ZERO_WINDOW_PROBE] = "zero_window_probe",
		[SEG_ZERO_WINDOW_PROBE_ACK] = "zero_window_probe_ack",
		[SEG_WINDOW_FULL] = "window_full",
		[SEG_WINDOW_UPDATE] = "window_update",
		[SEG_KEEP_ALIVE] = "keep_alive",
		[SEG_KEEP_ALIVE_ACK] = "keep_alive_ack",
		[SEG_REUSED_PORTS] = "reused_ports",
	};

	if ((unsigned)f >= SEG_FLAG_COUNT)
		return "unknown";
	return names[f];
}
