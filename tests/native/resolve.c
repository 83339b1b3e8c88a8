/* Resolves a name the way the agent finds its broker (getaddrinfo), for the musl question: linked
 * statically against glibc, does it resolve through DNS in a root that holds no glibc at all?
 * (tools/arm64/static-dns.sh). usage: ce-resolve NAME; prints "NAME -> ADDRESS". */
#include <netdb.h>
#include <stdio.h>
#include <arpa/inet.h>

int main(int argc, char **argv)
{
	struct addrinfo *r, hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	char text[INET_ADDRSTRLEN];
	if (argc != 2)
		return fprintf(stderr, "usage: %s NAME\n", argv[0]), 2;
	int e = getaddrinfo(argv[1], "8883", &hints, &r);
	if (e != 0)
		return printf("%s: %s\n", argv[1], gai_strerror(e)), 1;
	inet_ntop(AF_INET, &((struct sockaddr_in *)r->ai_addr)->sin_addr, text, sizeof(text));
	printf("%s -> %s\n", argv[1], text);
	freeaddrinfo(r);
	return 0;
}
