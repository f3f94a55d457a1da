/*
 * tunables.h - every limit and timeout in one place, with its reason.
 */
#ifndef TCPSIGHT_TUNABLES_H
#define TCPSIGHT_TUNABLES_H

/* ---- Things a user may reasonably want to change (command-line options) ---- */

/*
 * Most connections tracked at once (--max-flows).  When a new connection
 * arrives with the table full, the least recently active one is finished
 * with end reason "evicted".  Records are allocated in slabs as needed, so
 * a small capture does not pay for the cap.
 */
#define DEFAULT_MAX_FLOWS		1000000u

/*
 * Idle timeouts in packet time (--timeout-*).  A connection still opening
 * (SYN seen, handshake not complete) is given up after 120 s, longer than
 * Linux's default SYN retry span (~127 s with tcp_syn_retries=6) would
 * make sense.  An established connection idle for an hour is finished
 * (tshark never times out; a long timeout keeps our flow ids equal to its
 * tcp.stream on real captures).  A closed connection (both FINs or a RST)
 * lingers 60 s, as long as Linux keeps a socket in TIME_WAIT, so that
 * retransmitted FINs, late ACKs and a retried SYN with the same ISN join
 * it (tshark keeps them in the same tcp.stream too); then it is written.
 */
#define DEFAULT_TIMEOUT_OPENING_S	120u
#define DEFAULT_TIMEOUT_ESTABLISHED_S	3600u
#define DEFAULT_TIMEOUT_CLOSED_S	60u

/*
 * A connection with no segment for this long (packet time, --pack-idle)
 * has its record packed: encoded exactly, in well under half the bytes
 * (flow.h; 710 with the header, on average, on the benchmark capture).
 * Most records in a busy table are idle: closed connections lingering
 * for late segments (~96% at the benchmark's peak), and open ones between
 * requests.  Packing and unpacking take a few thousand instructions each,
 * so a connection that talks every few seconds is not worth packing;
 * below 5 s the benchmark saved little more (bench/RESULTS.md, session 5).
 */
#define DEFAULT_PACK_IDLE_S		5u

/*
 * stdio buffer of a capture file (bytes).  libpcap reads every record
 * with two fread()s; with glibc's default 4 KB buffer that is a read(2)
 * every ~30 packets.
 */
#define INPUT_READ_BUFFER		(1u << 20)

/*
 * --threads 2: frames a file is read and decoded ahead of the analysis
 * (a power of two; 144 bytes each, 9 MiB in all, touched only as far as
 * a capture fills it), how often each thread tells the other how far it
 * is, and the naps of a thread waiting for the other (the first ~150 us
 * in fact on the benchmark VM; a full ring doubles them up to the
 * maximum).  The ring must cover the analysis's bursts: an
 * expiry sweep writing a few hundred flow records takes milliseconds,
 * while the reader goes on; with 4,096 frames the reader waited, and the
 * whole run took 20% longer (bench/RESULTS.md).
 */
#define READ_AHEAD_FRAMES		65536u
#define READ_AHEAD_PUBLISH		32u
#define READ_AHEAD_NAP_NS		50000L
#define READ_AHEAD_NAP_MAX_NS		1000000L	/* < time to use half the ring */

/*
 * The text table shows a sender_limited verdict only for a direction that
 * carried at least this much payload (bytes): below it, an application
 * that had nothing more to send is the normal request/response case and
 * the line was noise (500 such lines on an echo-server capture).
 */
#define TEXT_SENDER_LIMITED_MIN_BYTES	1000000u

/*
 * Events kept per flow in the JSON document (--max-events): the document
 * is built in memory, so a flow with millions of retransmissions must not
 * hold millions of event objects.  NDJSON output has no such cap.
 */
#define DEFAULT_MAX_EVENTS_PER_FLOW	10000u

/*
 * Diagnosis (tcpsight(1), DIAGNOSIS).  A gap with less than one MSS in
 * flight that lasts longer than IDLE_GAP_NS is idle time, reported apart
 * from the sender-limited time: a user pausing is not a slow sender.
 * The verdict needs a state to hold at least this share of the non-idle
 * transfer time; two causes within a factor 1.5 of each other are "mixed".
 */
#define IDLE_GAP_NS			1000000000ull
#define RECEIVER_LIMITED_MIN		0.25
#define LOSS_LIMITED_MIN		0.10
#define SENDER_LIMITED_MIN		0.40
/* Fewer segments than this in a direction get no verdict beyond "healthy". */
#define DIAG_MIN_SEGMENTS		10
/*
 * Evidence percentages are of the time that was not idle; from this idle
 * share of the transfer on, the sentence says how much it left out.
 */
#define DIAG_IDLE_NOTE			0.05

/*
 * Live capture (-i).  The default snapshot length keeps every header we
 * decode with room to spare: Ethernet 14 + two VLAN tags 8 + IPv6 40 +
 * extension headers + TCP with options 60 stays well under 256 bytes, and
 * payload is never needed (its length comes from the IP header).
 * Statistics every 10 s; the analysis runs as "nobody" when started as
 * root.  The read timeout bounds how long a signal or a timer waits.
 */
#define DEFAULT_LIVE_SNAPLEN		256
#define DEFAULT_STATS_INTERVAL_S	10u
#define DEFAULT_LIVE_USER		"nobody"
#define LIVE_READ_TIMEOUT_MS		100
/* Timers (stop, stats, expiry, view) are looked at this often while
 * packets keep coming. */
#define LIVE_TICK_NS			50000000ull
/* How often the live terminal view is redrawn (--format text on a tty). */
#define LIVE_VIEW_INTERVAL_NS		1000000000ull

/* The progress line on a terminal is redrawn this often (wall clock). */
#define PROGRESS_INTERVAL_NS		250000000ull

/* ---- Really obscure stuff ---- */

/* How often (packet time) idle connections are looked for. */
#define EXPIRY_INTERVAL_NS		1000000000ull

/* Flow records allocated together when the pool runs dry: the first
 * slab is small, each next one twice the last, up to the maximum. */
#define FLOW_FIRST_SLAB_RECORDS		64u
#define FLOW_SLAB_RECORDS		4096u

/* Most connections flow_table_top() returns (the live view shows 20). */
#define FLOW_TOP_MAX			64u

/* Stacked 802.1Q/802.1ad tags decoded before giving up on a frame. */
#define MAX_VLAN_TAGS			8

/* IPv6 extension headers followed before giving up on a packet. */
#define MAX_IPV6_EXT_HEADERS		16

/* Largest window-scale shift honoured (RFC 7323 section 2.3). */
#define MAX_WSCALE			14

/* Longest Zeek-style history string kept per connection. */
#define HISTORY_MAX			15

#endif
