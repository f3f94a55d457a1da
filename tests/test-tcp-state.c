/*
 * test-tcp-state.c - the observer's state machine and Zeek's view.
 */
#include <string.h>

#include "harness.h"
#include "packet-builder.h"
#include "tcp_state.h"

#define C 0x0a000001u
#define SV 0x0a000002u

/* Apply a segment from the client (c2s) or the server. */
static void
seg(struct tcp_conn_state *cs, int from, uint16_t flags, uint32_t seq,
    uint32_t ack, uint32_t len)
{
	struct packet p = from == EP_CLIENT ?
	    make_segment(C, 40000, SV, 80, flags, seq, ack, len, 1) :
	    make_segment(SV, 80, C, 40000, flags, seq, ack, len, 1);

	tcp_state_update(cs, from, &p);
}

#define STATES(cs, c, s) do {						\
	CHECK_EQ((cs)->state[EP_CLIENT], c);				\
	CHECK_EQ((cs)->state[EP_SERVER], s);				\
} while (0)

static void
test_normal_open_and_close(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	STATES(&cs, TCP_SYN_SENT, TCP_LISTEN);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_S0);
	CHECK(tcp_state_is_opening(&cs));
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	STATES(&cs, TCP_ESTABLISHED, TCP_SYN_RCVD);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	STATES(&cs, TCP_ESTABLISHED, TCP_ESTABLISHED);
	CHECK(!tcp_state_is_opening(&cs));
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_S1);
	seg(&cs, EP_CLIENT, TH_ACK | TH_PSH, 101, 501, 10);
	seg(&cs, EP_SERVER, TH_ACK, 501, 111, 20);
	/* Client closes first. */
	seg(&cs, EP_CLIENT, TH_FIN | TH_ACK, 111, 521, 0);
	STATES(&cs, TCP_FIN_WAIT_1, TCP_CLOSE_WAIT);
	seg(&cs, EP_SERVER, TH_ACK, 521, 112, 0);
	STATES(&cs, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT);
	seg(&cs, EP_SERVER, TH_FIN | TH_ACK, 521, 112, 0);
	STATES(&cs, TCP_TIME_WAIT, TCP_LAST_ACK);
	CHECK(tcp_state_is_closed(&cs));
	seg(&cs, EP_CLIENT, TH_ACK, 112, 522, 0);
	STATES(&cs, TCP_TIME_WAIT, TCP_CLOSED);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_SF);
	CHECK(!cs.partial);
	CHECK(strcmp(cs.history, "ShADdFaf") == 0);
}

static void
test_fin_ack_together(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	seg(&cs, EP_CLIENT, TH_FIN | TH_ACK, 101, 501, 0);
	/* The server's FIN also acknowledges the client's: no FIN_WAIT_2. */
	seg(&cs, EP_SERVER, TH_FIN | TH_ACK, 501, 102, 0);
	STATES(&cs, TCP_TIME_WAIT, TCP_LAST_ACK);
}

static void
test_simultaneous_close(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	/* The FINs cross: neither acknowledges the other's. */
	seg(&cs, EP_CLIENT, TH_FIN | TH_ACK, 101, 501, 0);
	seg(&cs, EP_SERVER, TH_FIN | TH_ACK, 501, 101, 0);
	STATES(&cs, TCP_CLOSING, TCP_CLOSING);
	seg(&cs, EP_CLIENT, TH_ACK, 102, 502, 0);
	STATES(&cs, TCP_CLOSING, TCP_TIME_WAIT);
	seg(&cs, EP_SERVER, TH_ACK, 502, 102, 0);
	STATES(&cs, TCP_TIME_WAIT, TCP_TIME_WAIT);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_SF);
}

static void
test_simultaneous_open(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_SYN, 500, 0, 0);
	STATES(&cs, TCP_SYN_RCVD, TCP_SYN_SENT);
	seg(&cs, EP_CLIENT, TH_SYN | TH_ACK, 100, 501, 0);
	STATES(&cs, TCP_SYN_RCVD, TCP_ESTABLISHED);
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	STATES(&cs, TCP_ESTABLISHED, TCP_ESTABLISHED);
}

static void
test_refused(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_RST | TH_ACK, 0, 101, 0);
	STATES(&cs, TCP_CLOSED, TCP_CLOSED);
	CHECK(tcp_state_is_closed(&cs));
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_REJ);
	CHECK(strcmp(cs.history, "Sr") == 0);
}

static void
test_abort_by_client(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 5);
	seg(&cs, EP_CLIENT, TH_RST | TH_ACK, 106, 501, 0);
	STATES(&cs, TCP_CLOSED, TCP_CLOSED);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_RSTO);
}

static void
test_syn_then_rst_from_client(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_CLIENT, TH_RST, 101, 0, 0);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_RSTOS0);
}

static void
test_partial(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_ACK, 100, 500, 50);
	CHECK(cs.partial);
	STATES(&cs, TCP_ESTABLISHED, TCP_ESTABLISHED);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_OTH);
	seg(&cs, EP_SERVER, TH_FIN | TH_ACK, 500, 150, 0);
	STATES(&cs, TCP_CLOSE_WAIT, TCP_FIN_WAIT_1);
}

static void
test_synack_first(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	CHECK(cs.partial);
	STATES(&cs, TCP_ESTABLISHED, TCP_SYN_RCVD);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	STATES(&cs, TCP_ESTABLISHED, TCP_ESTABLISHED);
}

static void
test_reopen_after_rst(void)
{
	struct tcp_conn_state cs = { 0 };

	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);
	seg(&cs, EP_SERVER, TH_ACK, 7, 9, 0);	/* stale-connection challenge */
	seg(&cs, EP_CLIENT, TH_RST, 9, 0, 0);
	CHECK(tcp_state_is_closed(&cs));
	seg(&cs, EP_CLIENT, TH_SYN, 100, 0, 0);	/* same ISN: a retry */
	CHECK(!tcp_state_is_closed(&cs));
	STATES(&cs, TCP_SYN_SENT, TCP_LISTEN);
	seg(&cs, EP_SERVER, TH_SYN | TH_ACK, 500, 101, 0);
	seg(&cs, EP_CLIENT, TH_ACK, 101, 501, 0);
	STATES(&cs, TCP_ESTABLISHED, TCP_ESTABLISHED);
	CHECK_EQ(tcp_state_conn_state(&cs), CONN_S1);
}

static void
test_names(void)
{
	CHECK(strcmp(tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT") == 0);
	CHECK(strcmp(tcp_state_name(TCP_LAST_ACK), "LAST_ACK") == 0);
	CHECK(strcmp(tcp_state_name((enum tcp_state)99), "UNKNOWN") == 0);
	CHECK(strcmp(conn_state_name(CONN_RSTOS0), "RSTOS0") == 0);
}

int
main(void)
{
	test_normal_open_and_close();
	test_fin_ack_together();
	test_simultaneous_close();
	test_simultaneous_open();
	test_refused();
	test_abort_by_client();
	test_syn_then_rst_from_client();
	test_partial();
	test_synack_first();
	test_reopen_after_rst();
	test_names();
	return harness_result();
}
