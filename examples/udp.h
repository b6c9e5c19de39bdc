/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * udp: a small POSIX UDP transport for ECHONET Lite (reference section 1),
 * shared by the example programs (aircon-emulator, HEMS controller).
 *
 * One endpoint listens on one port for unicast and for the ECHONET Lite
 * multicast group (224.0.23.0, or ff02::1 with IPv6) and sends from the same
 * port, unicast to a peer's address or to the group. Every socket has
 * SO_REUSEADDR so that several programs in one host or network namespace
 * can share a port (each bound to its own address, e.g. 127.0.0.2 and
 * 127.0.0.3, while all of them hear the group), and multicast loopback is
 * on so that two programs on one host hear each other's multicasts (and a
 * program hears its own).
 *
 * Sockets: bound to the wildcard address, one socket does everything. Bound
 * to a specific address (--bind), a socket does not receive multicast on
 * most systems, so a second socket bound to group:port receives it; both
 * are listed in fds[] for poll(). Nor does it receive IPv4 broadcast, which
 * a node should hear (reference 1): when the caller asks (broadcast), two
 * more sockets are bound to the broadcast address of the interface holding
 * the bind address (the subnet's, e.g. 192.168.1.255) and to
 * 255.255.255.255. Sockets bound to those exact addresses hear nothing
 * else, so no unicast meant for another program sharing the port is taken
 * (a wildcard socket could take it). They are not fatal: a system that
 * refuses them still answers unicast and multicast.
 *
 * Multicast interface: the interface named by the caller; else, for a
 * specific bind address, the interface that holds it (for 127.0.0.x, the
 * loopback); else the kernel's choice. Joining the group is not fatal: a
 * host without a multicast route still answers unicast; group_errno tells
 * why the join failed, and udp_send() reports failed sends.
 *
 * Peers as echonet_addr: the library only copies and compares addresses, and
 * a controller matches answers by the peer's address (devices answer from
 * ephemeral ports, reference 1), so the address holds the IP address alone,
 * never the port:
 *
 *   4 bytes   IPv4 address, network order
 *   16 bytes  IPv6 address (scope ID 0)
 *   20 bytes  IPv6 address, then its scope ID (interface index), big-endian,
 *             for link-local peers
 *
 * The length tells the family; IPv6 sockets are IPv6-only (no mapped IPv4).
 * Datagrams go to the configured port of the peer (reference 1: answers go
 * to port 3610 whatever the request's source port); received datagrams give
 * the source port beside the address, for logging.
 */
#ifndef EXAMPLES_UDP_H
#define EXAMPLES_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <echonet/echonet.h>

/* The ECHONET Lite multicast groups (reference 1). */
#define UDP_GROUP_IPV4 "224.0.23.0"
#define UDP_GROUP_IPV6 "ff02::1"

/* Longest text of udp_format(): "[" IPv6 "%" interface "]:" port. */
#define UDP_FORMAT_MAX 80

/* What to open. */
struct udp_config {
    bool ipv6;             /* IPv6 and ff02::1 instead of IPv4 and 224.0.23.0 */
    const char *bind_addr; /* local address literal to bind and send from; NULL: wildcard */
    const char *ifname;    /* multicast interface; NULL: see the header comment */
    uint16_t port;         /* listening port, and destination port of every send */
    bool broadcast;        /* IPv4 with bind_addr: also hear broadcasts (see above) */
};

/* An open endpoint. The fields may be read; udp_open() sets them. */
struct udp_transport {
    int fds[4];         /* sockets to poll for input; fds[0] sends */
    int n_fds;          /* 1 or 2; up to 4 with udp_config.broadcast */
    bool ipv6;
    uint16_t port;
    unsigned ifindex;   /* multicast interface (0: kernel's choice) */
    int group_errno;    /* 0 when the group was joined, else why not */
};

/* A datagram's source. */
struct udp_peer {
    echonet_addr addr; /* as in the header comment */
    uint16_t port;     /* its source port */
};

/* Opens the endpoint. Returns 0, or -1 with a message in why (and nothing
 * left open): a bad address or interface name, or a socket call that failed
 * (the port is taken, the address is not local...). */
int udp_open(struct udp_transport *t, const struct udp_config *cfg, char *why, size_t why_len);

/* Closes every socket. */
void udp_close(struct udp_transport *t);

/* Receives one datagram from fd (one of t->fds; non-blocking). Returns its
 * length, or -1 with errno (EAGAIN/EWOULDBLOCK: nothing waiting). A source
 * that does not fit an echonet_addr gives -1 with errno EAFNOSUPPORT (the
 * datagram is consumed). */
ssize_t udp_recv(const struct udp_transport *t, int fd, uint8_t *buf, size_t cap, struct udp_peer *from);

/* Sends a datagram to the group (multicast) or to the peer at addr, at the
 * configured port. Returns 0, or -1 with errno. */
int udp_send(const struct udp_transport *t, const echonet_addr *addr, bool multicast, const uint8_t *buf,
             size_t len);

/* Writes "a.b.c.d:port", "[v6]:port" or "[v6%if]:port" (at most
 * UDP_FORMAT_MAX bytes with the NUL) and returns out; "?" for an address of
 * another length. */
char *udp_format(const echonet_addr *addr, uint16_t port, char *out, size_t cap);

/* Writes the address alone, "a.b.c.d", "v6" or "v6%if" (at most
 * UDP_FORMAT_MAX bytes with the NUL) and returns out; "?" for an address of
 * another length. The inverse of udp_addr_parse(). */
char *udp_format_addr(const echonet_addr *addr, char *out, size_t cap);

/* The group of the endpoint as text, "224.0.23.0:3610" or "[ff02::1]:3610". */
char *udp_format_group(const struct udp_transport *t, char *out, size_t cap);

/* Parses a numeric IPv4 or IPv6 literal (IPv6 with an optional %interface)
 * into an address as in the header comment. Returns 0, or -1. */
int udp_addr_parse(const char *text, echonet_addr *addr);

/* The endpoint options of a program's command line, into cfg:
 *
 *   --ipv6        a flag: name is the whole argument, value NULL
 *   --bind ADDR   cfg->bind_addr (checked by udp_config_check())
 *   --ifname IF   cfg->ifname (checked by udp_config_check())
 *   --port N      cfg->port, 1 to 65535 (decimal)
 *
 * Returns 1 when name is one of them and was taken, 0 when it is not one
 * (cfg untouched), -1 for a bad value. */
int udp_parse_option(struct udp_config *cfg, const char *name, const char *value);

/* Whether name is an endpoint option that takes a value: --bind, --ifname,
 * --port. */
bool udp_option_has_value(const char *name);

/* Whether cfg->bind_addr (when set) is an address of cfg's family and
 * cfg->ifname (when set) an existing interface. Returns NULL, or what is
 * wrong ("--bind: not an IPv4 address:", "--bind: not an IPv6 address:",
 * "--ifname: no such interface:") with the value at fault in *value. */
const char *udp_config_check(const struct udp_config *cfg, const char **value);

#endif /* EXAMPLES_UDP_H */
