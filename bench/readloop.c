/*
 * readloop.c - the speed ceiling: a bare libpcap pcap_next_ex() loop over
 * a capture file that only counts packets and bytes.  Whatever tcpsight
 * does per packet comes on top of this.
 *
 *   readloop FILE            libpcap opens the file (glibc's 4 KB buffer)
 *   readloop -b BYTES FILE   the file opened with a BYTES stdio buffer and
 *                            handed to libpcap, as tcpsight does
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, caplen = 0, wire = 0;
	unsigned sum = 0;
	pcap_t *p;
	char *buffer = NULL;
	FILE *f;
	int rc;

	if (argc == 4 && strcmp(argv[1], "-b") == 0) {
		size_t size = strtoul(argv[2], NULL, 10);

		f = fopen(argv[3], "rb");
		buffer = malloc(size);
		if (f == NULL || buffer == NULL || setvbuf(f, buffer, _IOFBF, size) != 0) {
			fprintf(stderr, "readloop: cannot open %s with a %zu-byte buffer\n",
			    argv[3], size);
			return 1;
		}
		p = pcap_fopen_offline(f, err);
	} else if (argc == 2) {
		p = pcap_open_offline(argv[1], err);
	} else {
		fprintf(stderr, "usage: readloop [-b BYTES] FILE\n");
		return 2;
	}
	if (p == NULL) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		caplen += h->caplen;
		wire += h->len;
		sum += data[0];	/* touch the frame, as any reader must */
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "readloop: %s\n", pcap_geterr(p));
	pcap_close(p);
	free(buffer);
	printf("packets %" PRIu64 " captured_bytes %" PRIu64 " wire_bytes %" PRIu64
	    " (%u)\n", packets, caplen, wire, sum & 1);
	return rc == PCAP_ERROR ? 1 : 0;
}
