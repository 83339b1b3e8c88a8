/* Creates new UDP flows at a steady rate for the conntrack benchmark: one datagram to each destination
 * port in turn, so every datagram is a new conntrack entry (and a NEW event).
 * usage: ce-flowgen DST_IPV4 FIRST_PORT COUNT RATE_PER_SECOND(0 = as fast as possible)
 * Prints the achieved rate. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return fprintf(stderr, "usage: %s DST FIRST_PORT COUNT RATE\n", argv[0]), 2;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return fprintf(stderr, "bad address %s\n", argv[1]), 2;
	int first = atoi(argv[2]), count = atoi(argv[3]);
	double rate = atof(argv[4]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return perror("socket"), 1;
	double start = now();
	for (int i = 0; i < count; i++) {
		dst.sin_port = htons((uint16_t)(first + i % (65535 - first)));
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			perror("sendto");
		if (rate > 0) {
			double due = start + (i + 1) / rate;
			while (now() < due) {
				struct timespec pause = { 0, 20000 };
				nanosleep(&pause, NULL);
			}
		}
	}
	double took = now() - start;
	printf("%d flows in %.3f s: %.0f flows/s\n", count, took, count / took);
	return 0;
}
