/*
 * tcp_state.c - the RFC 9293 connection state machine, seen from outside.
 *
 * Every segment is applied twice: to its sender, as a segment sent, and
 * to its receiver, as a segment received (the observer assumes delivery).
 *
 *                      +---------+ ---------\      active OPEN
 *                      |  CLOSED |            \    -----------
 *                      +---------+<---------\   \   create TCB
 *                        |     ^              \   \  snd SYN
 *           passive OPEN |     |   CLOSE        \   \
 *           ------------ |     | ----------       \   \
 *            create TCB  |     | delete TCB         \   \
 *                        V     |                      \   \
 *      rcv RST (note 1)  +---------+            CLOSE    |    \
 *   -------------------->|  LISTEN |          ---------- |     |
 *  /                     +---------+          delete TCB |     |
 * /           rcv SYN      |     |     SEND              |     |
 * |          -----------   |     |    -------            |     V
 * +---------+ snd SYN,ACK  /       \   snd SYN          +---------+
 * |         |<-----------------           ------------------>|         |
 * |   SYN   |                    rcv SYN                     |   SYN   |
 * |   RCVD  |<-----------------------------------------------|   SENT  |
 * |         |                  snd SYN,ACK                   |         |
 * |         |------------------           -------------------|         |
 * +---------+   rcv ACK of SYN  \       /  rcv SYN,ACK       +---------+
 *   |         --------------   |     |   -----------
 *   |                x         |     |     snd ACK
 *   |                          V     V
 *   |  CLOSE                 +---------+
 *   | -------                |  ESTAB  |
 *   | snd FIN                +---------+
 *   |                 CLOSE    |     |    rcv FIN
 *   V                -------   |     |    -------
 * +---------+         snd FIN  /       \   snd ACK         +---------+
 * |  FIN    |<----------------          ------------------>|  CLOSE  |
 * | WAIT-1  |------------------                            |   WAIT  |
 * +---------+          rcv FIN  \                          +---------+
 *   | rcv ACK of FIN   -------   |                          CLOSE  |
 *   | --------------   snd ACK   |                         ------- |
 *   V        x                   V                         snd FIN V
 * +---------+               +---------+                    +---------+
 * |FINWAIT-2|               | CLOSING |                    | LAST-ACK|
 * +---------+               +---------+                    +---------+
 *   |              rcv ACK of FIN |                 rcv ACK of FIN |
 *   |  rcv FIN     -------------- |    Timeout=2MSL -------------- |
 *   |  -------            x       V    ------------        x       V
 *    \ snd ACK              +---------+delete TCB          +---------+
 *      -------------------->|TIME-WAIT|------------------->| CLOSED  |
 *                           +---------+                    +---------+
 *
 * (RFC 9293 figure 5.)  TIME_WAIT is where a passive observer leaves the
 * active closer: the 2 MSL timer is not visible on the wire.
 */
#include <string.h>

#include "seq.h"
#include "tcp_state.h"

static const char history_upper[HIST_LETTER_COUNT] = {
	'S', 'H', 'A', 'D', 'F', 'R', 'W', 'Q', 'T', 'G'
};

/* Whether segment p acknowledges endpoint `ep`'s FIN. */
static bool
acks_fin_of(const struct tcp_conn_state *cs, int ep, const struct packet *p)
{
	return cs->fin_sent[ep] && (p->flags & TH_ACK) &&
	    seq_geq(p->ack, cs->fin_end[ep]);
}

/* The sender's side of the segment. */
static void
on_send(struct tcp_conn_state *cs, int ep, const struct packet *p)
{
	uint8_t *st = &cs->state[ep];
	uint16_t f = p->flags;

	if (f & TH_RST) {
		*st = TCP_CLOSED;
		return;
	}
	if ((f & TH_SYN) && !(f & TH_ACK)) {
		if (*st == TCP_CLOSED || *st == TCP_LISTEN)
			*st = TCP_SYN_SENT;
	} else if ((f & TH_SYN) && (f & TH_ACK)) {
		if (*st == TCP_CLOSED || *st == TCP_LISTEN ||
		    *st == TCP_SYN_SENT)
			*st = TCP_SYN_RCVD;
	}
	if (f & TH_FIN) {
		switch (*st) {
		case TCP_SYN_RCVD:
		case TCP_ESTABLISHED:
			*st = TCP_FIN_WAIT_1;
			break;
		case TCP_CLOSE_WAIT:
			/*
			 * A FIN that does not acknowledge the peer's FIN was
			 * sent before that FIN arrived: the FINs crossed
			 * (simultaneous close), FIN_WAIT_1 then CLOSING.
			 */
			*st = acks_fin_of(cs, !ep, p) ? TCP_LAST_ACK : TCP_CLOSING;
			break;
		default:
			break;	/* a retransmitted FIN changes nothing */
		}
	}
}

/* The receiver's side of the segment. */
static void
on_receive(struct tcp_conn_state *cs, int ep, const struct packet *p)
{
	uint8_t *st = &cs->state[ep];
	uint16_t f = p->flags;
	bool fin_acked = acks_fin_of(cs, ep, p);

	if (f & TH_RST) {
		*st = TCP_CLOSED;
		return;
	}
	switch (*st) {
	case TCP_CLOSED:
		if ((f & TH_SYN) && !(f & TH_ACK))
			*st = TCP_LISTEN;	/* someone is trying to reach it */
		break;
	case TCP_SYN_SENT:
		if ((f & TH_SYN) && (f & TH_ACK))
			*st = TCP_ESTABLISHED;
		else if (f & TH_SYN)
			*st = TCP_SYN_RCVD;	/* simultaneous open */
		break;
	case TCP_SYN_RCVD:
		if ((f & TH_ACK) && !(f & TH_SYN))
			*st = TCP_ESTABLISHED;
		else if ((f & TH_SYN) && (f & TH_ACK))
			*st = TCP_ESTABLISHED;	/* simultaneous open completes */
		break;
	default:
		break;
	}
	if (f & TH_FIN) {
		switch (*st) {
		case TCP_SYN_RCVD:
		case TCP_ESTABLISHED:
			*st = TCP_CLOSE_WAIT;
			break;
		case TCP_FIN_WAIT_1:
			*st = fin_acked ? TCP_TIME_WAIT : TCP_CLOSING;
			return;
		case TCP_FIN_WAIT_2:
			*st = TCP_TIME_WAIT;
			return;
		default:
			break;
		}
	}
	if (fin_acked) {
		switch (*st) {
		case TCP_FIN_WAIT_1:
			*st = TCP_FIN_WAIT_2;
			break;
		case TCP_CLOSING:
			*st = TCP_TIME_WAIT;
			break;
		case TCP_LAST_ACK:
			*st = TCP_CLOSED;
			break;
		default:
			break;
		}
	}
}

/* Zeek's endpoint bookkeeping, as in its TCP analyzer. */
static void
zeek_update(struct tcp_conn_state *cs, int ep, const struct packet *p)
{
	uint8_t *z = &cs->zeek[ep];
	uint8_t *peer = &cs->zeek[!ep];
	uint16_t f = p->flags;

	if (f & TH_RST) {
		*z = ZEEK_RESET;
		return;
	}
	if (f & TH_FIN) {
		*z = ZEEK_CLOSED;
		return;
	}
	if (*z == ZEEK_CLOSED || *z == ZEEK_RESET)
		return;
	if ((f & TH_SYN) && !(f & TH_ACK)) {
		if (*z == ZEEK_INACTIVE)
			*z = ZEEK_SYN_SENT;
	} else if (f & TH_SYN) {
		if (*z == ZEEK_INACTIVE || *z == ZEEK_SYN_SENT)
			*z = ZEEK_SYN_ACK_SENT;
	} else if (*z == ZEEK_INACTIVE) {
		*z = ZEEK_PARTIAL;
	} else if ((*z == ZEEK_SYN_SENT || *z == ZEEK_SYN_ACK_SENT) &&
	    (f & TH_ACK) && *peer == ZEEK_SYN_ACK_SENT) {
		*z = ZEEK_ESTABLISHED;
		*peer = ZEEK_ESTABLISHED;
	}
}

void
tcp_state_note_history(struct tcp_conn_state *cs, int from, enum history_letter letter)
{
	uint16_t bit = (uint16_t)(1u << letter);

	if (cs->history_seen[from] & bit)
		return;
	cs->history_seen[from] |= bit;
	if (cs->history_len >= HISTORY_MAX)
		return;	/* at most 20 letters exist; the cap is never hit in practice */
	cs->history[cs->history_len++] = from == EP_CLIENT ?
	    history_upper[letter] : (char)(history_upper[letter] + ('a' - 'A'));
	cs->history[cs->history_len] = '\0';
}

static void
note_segment_history(struct tcp_conn_state *cs, int from, const struct packet *p)
{
	uint16_t f = p->flags;

	if ((f & TH_SYN) && (f & TH_FIN))
		tcp_state_note_history(cs, from, HIST_MULTI_FLAG);
	if ((f & TH_SYN) && !(f & TH_ACK))
		tcp_state_note_history(cs, from, HIST_SYN);
	if ((f & TH_SYN) && (f & TH_ACK))
		tcp_state_note_history(cs, from, HIST_SYNACK);
	if ((f & TH_ACK) && !(f & (TH_SYN | TH_FIN | TH_RST)) &&
	    p->payload_len == 0)
		tcp_state_note_history(cs, from, HIST_ACK);
	if (p->payload_len > 0)
		tcp_state_note_history(cs, from, HIST_DATA);
	if (f & TH_FIN)
		tcp_state_note_history(cs, from, HIST_FIN);
	if (f & TH_RST)
		tcp_state_note_history(cs, from, HIST_RST);
	if (p->window == 0 && !(f & (TH_SYN | TH_FIN | TH_RST)))
		tcp_state_note_history(cs, from, HIST_ZERO_WINDOW);
}

/*
 * The first segment of a connection.  A client SYN opens it normally;
 * anything else means we joined late, so infer where both ends must be.
 */
static void
start_connection(struct tcp_conn_state *cs, int from, const struct packet *p)
{
	uint16_t f = p->flags;

	cs->started = true;
	if ((f & TH_SYN) && !(f & TH_ACK) && from == EP_CLIENT)
		return;	/* both CLOSED; the SYN moves them below */
	cs->partial = true;
	if ((f & TH_SYN) && (f & TH_ACK)) {
		/* The server answers a SYN we did not see. */
		cs->state[from] = TCP_LISTEN;
		cs->state[!from] = TCP_SYN_SENT;
		cs->zeek[!from] = ZEEK_INACTIVE;
		return;
	}
	if (f & TH_RST)
		return;
	cs->state[EP_CLIENT] = TCP_ESTABLISHED;
	cs->state[EP_SERVER] = TCP_ESTABLISHED;
}

/*
 * A SYN without ACK on a connection that was reset or closed, with the
 * same ISN (otherwise the pipeline starts a new connection): the client
 * retries after a RST, as after a stale-connection challenge.  Both
 * endpoints start over; the history keeps what happened before.
 */
static void
reopen_connection(struct tcp_conn_state *cs)
{
	int ep;

	for (ep = 0; ep < 2; ep++) {
		cs->state[ep] = TCP_CLOSED;
		cs->zeek[ep] = ZEEK_INACTIVE;
		cs->fin_sent[ep] = false;
		cs->rst_sent[ep] = false;
	}
}

void
tcp_state_update(struct tcp_conn_state *cs, int from, const struct packet *p)
{
	if (!cs->started)
		start_connection(cs, from, p);
	else if ((p->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    tcp_state_is_closed(cs))
		reopen_connection(cs);

	note_segment_history(cs, from, p);
	zeek_update(cs, from, p);
	if (p->flags & TH_FIN) {
		cs->fin_sent[from] = true;
		cs->fin_end[from] = p->seq + p->payload_len +
		    ((p->flags & TH_SYN) ? 1u : 0u) + 1u;
	}
	if (p->flags & TH_RST)
		cs->rst_sent[from] = true;
	if (p->payload_len > 0)
		cs->data_sent[from] = true;
	on_send(cs, from, p);
	on_receive(cs, !from, p);
}

bool
tcp_state_is_closed(const struct tcp_conn_state *cs)
{
	return cs->rst_sent[0] || cs->rst_sent[1] ||
	    (cs->fin_sent[0] && cs->fin_sent[1]);
}

bool
tcp_state_is_opening(const struct tcp_conn_state *cs)
{
	uint8_t c = cs->state[EP_CLIENT], s = cs->state[EP_SERVER];

	return !tcp_state_is_closed(cs) &&
	    (c == TCP_SYN_SENT || c == TCP_SYN_RCVD || c == TCP_LISTEN ||
	    s == TCP_SYN_SENT || s == TCP_SYN_RCVD || s == TCP_LISTEN);
}

const char *
tcp_state_name(enum tcp_state s)
{
	static const char *const names[] = {
		[TCP_CLOSED] = "CLOSED",
		[TCP_LISTEN] = "LISTEN",
		[TCP_SYN_SENT] = "SYN_SENT",
		[TCP_SYN_RCVD] = "SYN_RCVD",
		[TCP_ESTABLISHED] = "ESTABLISHED",
		[TCP_FIN_WAIT_1] = "FIN_WAIT_1",
		[TCP_FIN_WAIT_2] = "FIN_WAIT_2",
		[TCP_CLOSING] = "CLOSING",
		[TCP_TIME_WAIT] = "TIME_WAIT",
		[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_LAST_ACK] = "LAST_ACK",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[s];
}

/*
 * Zeek's RSTOS0 test: the history matches /^\^?S[^HAFGIQ]*R/, that is
 * the originator's SYN, then its RST with no handshake or data between.
 */
static bool
history_is_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h != '\0'; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h) != NULL)
			return false;
	}
	return false;
}

/* Zeek's conn_state() (base/protocols/conn/main.zeek), endpoint by endpoint. */
enum conn_state
tcp_state_conn_state(const struct tcp_conn_state *cs)
{
	uint8_t os = cs->zeek[EP_CLIENT], rs = cs->zeek[EP_SERVER];
	bool o_inactive = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL;
	bool r_inactive = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;

	if (rs == ZEEK_RESET) {
		if (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT ||
		    (os == ZEEK_RESET && !cs->data_sent[0] && !cs->data_sent[1]))
			return CONN_REJ;
		return o_inactive ? CONN_RSTRH : CONN_RSTR;
	}
	if (os == ZEEK_RESET) {
		if (r_inactive)
			return history_is_syn_then_rst(cs->history) ?
			    CONN_RSTOS0 : CONN_OTH;
		return CONN_RSTO;
	}
	if (rs == ZEEK_CLOSED && os == ZEEK_CLOSED)
		return CONN_SF;
	if (os == ZEEK_CLOSED)
		return r_inactive ? CONN_SH : CONN_S2;
	if (rs == ZEEK_CLOSED)
		return o_inactive ? CONN_SHR : CONN_S3;
	if (os == ZEEK_SYN_SENT && rs == ZEEK_INACTIVE)
		return CONN_S0;
	if (os == ZEEK_ESTABLISHED && rs == ZEEK_ESTABLISHED)
		return CONN_S1;
	return CONN_OTH;
}

const char *
conn_state_name(enum conn_state s)
{
	static const char *const names[CONN_STATE_COUNT] = {
		[CONN_S0] = "S0", [CONN_S1] = "S1", [CONN_SF] = "SF",
		[CONN_REJ] = "REJ", [CONN_S2] = "S2", [CONN_S3] = "S3",
		[CONN_RSTO] = "RSTO", [CONN_RSTR] = "RSTR",
		[CONN_RSTOS0] = "RSTOS0", [CONN_RSTRH] = "RSTRH",
		[CONN_SH] = "SH", [CONN_SHR] = "SHR", [CONN_OTH] = "OTH",
	};

	if ((unsigned)s >= CONN_STATE_COUNT)
		return "OTH";
	return names[s];
}
