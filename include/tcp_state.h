/*
 * tcp_state.h - both endpoints' RFC 9293 states, as an observer infers them.
 *
 * The observer sees a segment once, somewhere between the endpoints, and
 * assumes it is delivered: the sender's state moves as if it sent the
 * segment and the receiver's as if it received it.  Alongside, the Zeek
 * conn.log view is kept: a per-endpoint Zeek state for conn_state and the
 * history string.
 */
#ifndef TCPSIGHT_TCP_STATE_H
#define TCPSIGHT_TCP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "tunables.h"

/* Endpoint indexes: the client (originator) and the server (responder). */
#define EP_CLIENT	0
#define EP_SERVER	1

/* RFC 9293 section 3.3.2 states. */
enum tcp_state {
	TCP_CLOSED = 0,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSING,
	TCP_TIME_WAIT,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK
};

/* Zeek's per-endpoint view, from which conn_state is derived. */
enum zeek_ep_state {
	ZEEK_INACTIVE = 0,	/* sent nothing */
	ZEEK_SYN_SENT,		/* sent a SYN without ACK */
	ZEEK_SYN_ACK_SENT,	/* sent a SYN/ACK */
	ZEEK_PARTIAL,		/* active, but its SYN was not seen */
	ZEEK_ESTABLISHED,	/* handshake completed */
	ZEEK_CLOSED,		/* sent a FIN */
	ZEEK_RESET		/* sent a RST */
};

/* State of one connection, both endpoints. */
struct tcp_conn_state {
	uint8_t  state[2];	/* enum tcp_state per endpoint (EP_*) */
	uint8_t  zeek[2];	/* enum zeek_ep_state per endpoint */
	bool     started;	/* at least one segment was seen */
	bool     partial;	/* the client's SYN was not seen: start inferred */
	bool     fin_sent[2];	/* endpoint sent a FIN */
	bool     rst_sent[2];	/* endpoint sent a RST */
	bool     data_sent[2];	/* endpoint sent payload */
	uint32_t fin_end[2];	/* sequence number just past the endpoint's FIN */
	uint16_t history_seen[2]; /* per endpoint, bit i = history letter i recorded */
	uint8_t  history_len;
	char     history[HISTORY_MAX + 1]; /* Zeek letters, NUL-terminated */
};

/* Zeek history letters we record, in bit order of history_seen. */
enum history_letter {
	HIST_SYN = 0,		/* S: SYN without ACK */
	HIST_SYNACK,		/* H: SYN with ACK */
	HIST_ACK,		/* A: pure ACK (no payload, no SYN/FIN/RST) */
	HIST_DATA,		/* D: payload */
	HIST_FIN,		/* F: FIN */
	HIST_RST,		/* R: RST */
	HIST_ZERO_WINDOW,	/* W: zero window advertised */
	HIST_MULTI_FLAG,	/* Q: SYN and FIN together */
	HIST_RETRANSMIT,	/* T: retransmitted payload (set by analysis) */
	HIST_GAP,		/* G: content gap (set by analysis) */
	HIST_LETTER_COUNT
};

/*
 * Advance both endpoints for one segment sent by endpoint `from`
 * (EP_CLIENT or EP_SERVER).  The first call on a zeroed state starts the
 * connection; if that segment is not the client's SYN, partial is set.
 */
void tcp_state_update(struct tcp_conn_state *cs, int from, const struct packet *p);

/* Record a history letter for endpoint `from` (first occurrence only). */
void tcp_state_note_history(struct tcp_conn_state *cs, int from, enum history_letter letter);

/* True once the connection is over: a RST, or both FINs seen. */
bool tcp_state_is_closed(const struct tcp_conn_state *cs);

/* True while the handshake is under way and no data has flowed. */
bool tcp_state_is_opening(const struct tcp_conn_state *cs);

/* Upper-case RFC name of a state ("ESTABLISHED", "TIME_WAIT", ...). */
const char *tcp_state_name(enum tcp_state s);

/* Zeek conn.log conn_state codes. */
enum conn_state {
	CONN_S0 = 0,	/* SYN seen, no reply */
	CONN_S1,	/* established, not terminated */
	CONN_SF,	/* normal establishment and termination */
	CONN_REJ,	/* connection attempt rejected */
	CONN_S2,	/* established, client close attempt, no server reply */
	CONN_S3,	/* established, server close attempt, no client reply */
	CONN_RSTO,	/* established, client aborted */
	CONN_RSTR,	/* server sent a RST */
	CONN_RSTOS0,	/* client sent SYN then RST; no SYN/ACK seen */
	CONN_RSTRH,	/* server sent SYN/ACK then RST; client's SYN not seen */
	CONN_SH,	/* client sent SYN then FIN; no SYN/ACK seen */
	CONN_SHR,	/* server sent SYN/ACK then FIN; client's SYN not seen */
	CONN_OTH,	/* no SYN seen, midstream traffic */
	CONN_STATE_COUNT
};

/* Zeek conn_state of the connection, as Zeek's conn_state() decides it. */
enum conn_state tcp_state_conn_state(const struct tcp_conn_state *cs);

/* The code's name: "S0", "SF", "REJ", ... */
const char *conn_state_name(enum conn_state s);

#endif
