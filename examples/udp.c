/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* POSIX UDP transport for ECHONET Lite; see udp.h. */

/* IPv4 multicast (struct ip_mreq) and getifaddrs() are not POSIX, though
 * every BSD-sockets system has them: glibc and musl show them with
 * _DEFAULT_SOURCE (which includes POSIX.1-2008); the BSDs and macOS show
 * them unless a strict POSIX level is asked for, so none is. */
#define _DEFAULT_SOURCE 1

#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Every socket address this file handles, without pointer casts. */
union sockaddr_any {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
};

static socklen_t sockaddr_len(const union sockaddr_any *a)
{
    return a->sa.sa_family == AF_INET6 ? (socklen_t)sizeof a->in6 : (socklen_t)sizeof a->in;
}

static void set_why(char *why, size_t why_len, const char *what, const char *detail)
{
    if (why && why_len > 0)
        snprintf(why, why_len, "%s: %s", what, detail);
}

/* A numeric literal of the family (NULL: the wildcard) at port. */
static int parse_sockaddr(const char *text, int family, uint16_t port, union sockaddr_any *out)
{
    struct addrinfo hints, *res = NULL;

    memset(out, 0, sizeof *out);
    if (!text) {
        out->sa.sa_family = (sa_family_t)family;
    } else {
        memset(&hints, 0, sizeof hints);
        hints.ai_family = family;
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
        if (getaddrinfo(text, NULL, &hints, &res) != 0 || !res)
            return -1;
        if (res->ai_addrlen > sizeof *out) {
            freeaddrinfo(res);
            return -1;
        }
        memcpy(out, res->ai_addr, res->ai_addrlen);
        freeaddrinfo(res);
    }
    if (family == AF_INET6)
        out->in6.sin6_port = htons(port);
    else
        out->in.sin_port = htons(port);
    return 0;
}

static bool is_wildcard(const union sockaddr_any *a)
{
    if (a->sa.sa_family == AF_INET6)
        return memcmp(&a->in6.sin6_addr, &in6addr_any, sizeof in6addr_any) == 0;
    return a->in.sin_addr.s_addr == htonl(INADDR_ANY);
}

/* ---- Addresses as echonet_addr ------------------------------------------ */

static int addr_from_sockaddr(const union sockaddr_any *a, echonet_addr *addr, uint16_t *port)
{
    uint8_t bytes[20];
    size_t len;

    if (a->sa.sa_family == AF_INET) {
        memcpy(bytes, &a->in.sin_addr, 4);
        len = 4;
        *port = ntohs(a->in.sin_port);
    } else if (a->sa.sa_family == AF_INET6) {
        uint32_t scope = a->in6.sin6_scope_id;

        memcpy(bytes, &a->in6.sin6_addr, 16);
        len = 16;
        if (scope != 0) {
            bytes[16] = (uint8_t)(scope >> 24);
            bytes[17] = (uint8_t)(scope >> 16);
            bytes[18] = (uint8_t)(scope >> 8);
            bytes[19] = (uint8_t)scope;
            len = 20;
        }
        *port = ntohs(a->in6.sin6_port);
    } else {
        return -1;
    }
    return echonet_addr_set(addr, bytes, len) == ECHONET_OK ? 0 : -1;
}

static int addr_to_sockaddr(const echonet_addr *addr, uint16_t port, union sockaddr_any *a)
{
    memset(a, 0, sizeof *a);
    if (addr->len == 4) {
        a->in.sin_family = AF_INET;
        memcpy(&a->in.sin_addr, addr->bytes, 4);
        a->in.sin_port = htons(port);
        return 0;
    }
    if (addr->len == 16 || addr->len == 20) {
        a->in6.sin6_family = AF_INET6;
        memcpy(&a->in6.sin6_addr, addr->bytes, 16);
#if ECHONET_ADDR_MAX >= 20 /* else no address has a scope ID (-Daddr_max=16) */
        if (addr->len == 20)
            a->in6.sin6_scope_id = (uint32_t)addr->bytes[16] << 24 | (uint32_t)addr->bytes[17] << 16 |
                                   (uint32_t)addr->bytes[18] << 8 | addr->bytes[19];
#endif
        a->in6.sin6_port = htons(port);
        return 0;
    }
    return -1;
}

int udp_addr_parse(const char *text, echonet_addr *addr)
{
    union sockaddr_any a;
    uint16_t port;

    if (!text || !addr)
        return -1;
    if (parse_sockaddr(text, AF_INET, 0, &a) != 0 && parse_sockaddr(text, AF_INET6, 0, &a) != 0)
        return -1;
    return addr_from_sockaddr(&a, addr, &port);
}

/* The text of an address: "a.b.c.d", "v6" or "v6%if"; false for an
 * address of another length. */
static bool format_ip(const echonet_addr *addr, char *out, size_t cap, bool *v6)
{
    union sockaddr_any a;
    char ip[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];

    if (addr_to_sockaddr(addr, 0, &a) != 0)
        return false;
    *v6 = a.sa.sa_family == AF_INET6;
    if (!*v6) {
        inet_ntop(AF_INET, &a.in.sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s", ip);
    } else {
        inet_ntop(AF_INET6, &a.in6.sin6_addr, ip, sizeof ip);
        if (a.in6.sin6_scope_id == 0)
            snprintf(out, cap, "%s", ip);
        else if (if_indextoname(a.in6.sin6_scope_id, ifname))
            snprintf(out, cap, "%s%%%s", ip, ifname);
        else
            snprintf(out, cap, "%s%%%lu", ip, (unsigned long)a.in6.sin6_scope_id);
    }
    return true;
}

char *udp_format(const echonet_addr *addr, uint16_t port, char *out, size_t cap)
{
    char ip[UDP_FORMAT_MAX];
    bool v6 = false;

    if (cap == 0)
        return out;
    if (!format_ip(addr, ip, sizeof ip, &v6))
        snprintf(out, cap, "?");
    else if (v6)
        snprintf(out, cap, "[%s]:%u", ip, (unsigned)port);
    else
        snprintf(out, cap, "%s:%u", ip, (unsigned)port);
    return out;
}

char *udp_format_addr(const echonet_addr *addr, char *out, size_t cap)
{
    bool v6 = false;

    if (cap > 0 && !format_ip(addr, out, cap, &v6))
        snprintf(out, cap, "?");
    return out;
}

char *udp_format_group(const struct udp_transport *t, char *out, size_t cap)
{
    if (t->ipv6)
        snprintf(out, cap, "[%s]:%u", UDP_GROUP_IPV6, (unsigned)t->port);
    else
        snprintf(out, cap, "%s:%u", UDP_GROUP_IPV4, (unsigned)t->port);
    return out;
}

/* ---- Multicast interface -------------------------------------------------- */

/* The index of the interface holding a local IPv6 address (0: none). */
static unsigned interface_of(const union sockaddr_any *local)
{
    struct ifaddrs *list, *i;
    unsigned index = 0;

    if (getifaddrs(&list) != 0)
        return 0;
    for (i = list; i && index == 0; i = i->ifa_next) {
        union sockaddr_any a;

        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6)
            continue;
        memcpy(&a.in6, i->ifa_addr, sizeof a.in6);
        if (memcmp(&a.in6.sin6_addr, &local->in6.sin6_addr, sizeof a.in6.sin6_addr) == 0)
            index = if_nametoindex(i->ifa_name);
    }
    freeifaddrs(list);
    return index;
}

/* The first IPv4 address of the interface called name (name NULL: the
 * interface entry holding the address *addr) into *addr, and its broadcast
 * address, when it has one, into *broadcast (else INADDR_ANY). */
static int ipv4_of_interface(const char *name, struct in_addr *addr, struct in_addr *broadcast)
{
    struct ifaddrs *list, *i;
    int found = -1;

    if (getifaddrs(&list) != 0)
        return -1;
    for (i = list; i && found != 0; i = i->ifa_next) {
        union sockaddr_any a;

        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (name && strcmp(i->ifa_name, name) != 0))
            continue;
        memcpy(&a.in, i->ifa_addr, sizeof a.in);
        if (!name && a.in.sin_addr.s_addr != addr->s_addr)
            continue;
        *addr = a.in.sin_addr;
        broadcast->s_addr = htonl(INADDR_ANY);
        if ((i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr && i->ifa_broadaddr->sa_family == AF_INET) {
            memcpy(&a.in, i->ifa_broadaddr, sizeof a.in);
            *broadcast = a.in.sin_addr;
        }
        found = 0;
    }
    freeifaddrs(list);
    return found;
}

/* Chooses the multicast interface (see udp.h): its index, and for IPv4 an
 * address on it (INADDR_ANY: the kernel's choice). */
static int choose_interface(const struct udp_config *cfg, const union sockaddr_any *local, unsigned *index,
                            struct in_addr *v4, char *why, size_t why_len)
{
    struct in_addr broadcast;

    *index = 0;
    v4->s_addr = htonl(INADDR_ANY);
    if (cfg->ifname) {
        *index = if_nametoindex(cfg->ifname);
        if (*index == 0) {
            set_why(why, why_len, cfg->ifname, "no such interface");
            return -1;
        }
        if (!cfg->ipv6 && ipv4_of_interface(cfg->ifname, v4, &broadcast) != 0) {
            set_why(why, why_len, cfg->ifname, "interface has no IPv4 address");
            return -1;
        }
    } else if (!is_wildcard(local)) {
        if (cfg->ipv6)
            *index = local->in6.sin6_scope_id != 0 ? local->in6.sin6_scope_id : interface_of(local);
        else
            *v4 = local->in.sin_addr;
    }
    return 0;
}

/* ---- Sockets -------------------------------------------------------------- */

/* A non-blocking datagram socket with SO_REUSEADDR (IPv6-only for IPv6),
 * bound to a; -1 on failure with errno. */
static int open_bound(const union sockaddr_any *a)
{
    int one = 1, fd, flags, saved;

    fd = socket(a->sa.sa_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (a->sa.sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(fd, &a->sa, sockaddr_len(a)) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Multicast sends from fd: through the chosen interface, looped back. */
static int set_multicast_out(int fd, bool ipv6, unsigned index, struct in_addr v4)
{
    if (ipv6) {
        unsigned loop = 1;

        if (index != 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0)
            return -1;
        return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop);
    } else {
        unsigned char loop = 1;

        if (v4.s_addr != htonl(INADDR_ANY) && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &v4, sizeof v4) != 0)
            return -1;
        return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
    }
}

/* Joins the group on fd; returns 0 or an errno value. */
static int join_group(int fd, bool ipv6, unsigned index, struct in_addr v4)
{
    if (ipv6) {
        struct ipv6_mreq m;

        memset(&m, 0, sizeof m);
        if (inet_pton(AF_INET6, UDP_GROUP_IPV6, &m.ipv6mr_multiaddr) != 1)
            return EINVAL;
        m.ipv6mr_interface = index;
        return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m) == 0 ? 0 : errno;
    } else {
        struct ip_mreq m;

        memset(&m, 0, sizeof m);
        if (inet_pton(AF_INET, UDP_GROUP_IPV4, &m.imr_multiaddr) != 1)
            return EINVAL;
        m.imr_interface = v4;
        return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0 ? 0 : errno;
    }
}

/* The group at the endpoint's port, scoped to its interface. */
static void group_sockaddr(const struct udp_transport *t, union sockaddr_any *a)
{
    (void)parse_sockaddr(t->ipv6 ? UDP_GROUP_IPV6 : UDP_GROUP_IPV4, t->ipv6 ? AF_INET6 : AF_INET, t->port, a);
    if (t->ipv6)
        a->in6.sin6_scope_id = t->ifindex;
}

/* A second socket for multicast input, next to one bound to a specific
 * address: bound to the group itself, or to the wildcard where that fails. */
static int open_group_socket(const struct udp_transport *t)
{
    union sockaddr_any a;
    int fd;

    group_sockaddr(t, &a);
    fd = open_bound(&a);
    if (fd >= 0)
        return fd;
    (void)parse_sockaddr(NULL, t->ipv6 ? AF_INET6 : AF_INET, t->port, &a);
    return open_bound(&a);
}

/* Sockets bound to the broadcast addresses that a socket bound to local
 * does not hear: its subnet's, and 255.255.255.255 (see udp.h). */
static void open_broadcast_sockets(struct udp_transport *t, const struct in_addr *local)
{
    struct in_addr addr = *local, subnet;
    union sockaddr_any a;
    int fd;

    (void)parse_sockaddr(NULL, AF_INET, t->port, &a);
    if (ipv4_of_interface(NULL, &addr, &subnet) == 0 && subnet.s_addr != htonl(INADDR_ANY) &&
        subnet.s_addr != htonl(INADDR_BROADCAST)) {
        a.in.sin_addr = subnet;
        fd = open_bound(&a);
        if (fd >= 0)
            t->fds[t->n_fds++] = fd;
    }
    a.in.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    fd = open_bound(&a);
    if (fd >= 0)
        t->fds[t->n_fds++] = fd;
}

int udp_open(struct udp_transport *t, const struct udp_config *cfg, char *why, size_t why_len)
{
    union sockaddr_any local;
    struct in_addr v4;
    int family = cfg->ipv6 ? AF_INET6 : AF_INET;
    int listen_fd;

    memset(t, 0, sizeof *t);
    t->fds[0] = t->fds[1] = t->fds[2] = t->fds[3] = -1;
    t->ipv6 = cfg->ipv6;
    t->port = cfg->port;
    if (parse_sockaddr(cfg->bind_addr, family, cfg->port, &local) != 0) {
        set_why(why, why_len, cfg->bind_addr, cfg->ipv6 ? "not an IPv6 address" : "not an IPv4 address");
        return -1;
    }
    if (choose_interface(cfg, &local, &t->ifindex, &v4, why, why_len) != 0)
        return -1;
    t->fds[0] = open_bound(&local);
    if (t->fds[0] < 0) {
        set_why(why, why_len, cfg->bind_addr ? cfg->bind_addr : "bind", strerror(errno));
        return -1;
    }
    t->n_fds = 1;
    if (set_multicast_out(t->fds[0], t->ipv6, t->ifindex, v4) != 0) {
        set_why(why, why_len, "multicast interface", strerror(errno));
        udp_close(t);
        return -1;
    }
    listen_fd = t->fds[0];
    if (!is_wildcard(&local)) {
        listen_fd = open_group_socket(t);
        if (listen_fd < 0) {
            set_why(why, why_len, "multicast socket", strerror(errno));
            udp_close(t);
            return -1;
        }
        t->fds[t->n_fds++] = listen_fd;
    }
    t->group_errno = join_group(listen_fd, t->ipv6, t->ifindex, v4);
    if (cfg->broadcast && !t->ipv6 && !is_wildcard(&local))
        open_broadcast_sockets(t, &local.in.sin_addr);
    return 0;
}

void udp_close(struct udp_transport *t)
{
    int i;

    for (i = 0; i < t->n_fds; i++)
        if (t->fds[i] >= 0)
            close(t->fds[i]);
    t->fds[0] = t->fds[1] = t->fds[2] = t->fds[3] = -1;
    t->n_fds = 0;
}

ssize_t udp_recv(const struct udp_transport *t, int fd, uint8_t *buf, size_t cap, struct udp_peer *from)
{
    union sockaddr_any a;
    socklen_t alen = sizeof a;
    ssize_t n;

    (void)t;
    memset(&a, 0, sizeof a);
    n = recvfrom(fd, buf, cap, 0, &a.sa, &alen);
    if (n < 0)
        return -1;
    if (addr_from_sockaddr(&a, &from->addr, &from->port) != 0) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    return n;
}

int udp_send(const struct udp_transport *t, const echonet_addr *addr, bool multicast, const uint8_t *buf,
             size_t len)
{
    union sockaddr_any a;
    ssize_t n;

    if (multicast) {
        group_sockaddr(t, &a);
    } else if (addr_to_sockaddr(addr, t->port, &a) != 0 || (a.sa.sa_family == AF_INET6) != t->ipv6) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    n = sendto(t->fds[0], buf, len, 0, &a.sa, sockaddr_len(&a));
    if (n < 0)
        return -1;
    if ((size_t)n != len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

int udp_parse_option(struct udp_config *cfg, const char *name, const char *value)
{
    char *end;
    long v;

    if (!value) {
        if (strcmp(name, "--ipv6") != 0)
            return 0;
        cfg->ipv6 = true;
    } else if (strcmp(name, "--bind") == 0) {
        cfg->bind_addr = value;
    } else if (strcmp(name, "--ifname") == 0) {
        cfg->ifname = value;
    } else if (strcmp(name, "--port") == 0) {
        if (*value == '\0' || *value == '+')
            return -1;
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
            return -1;
        cfg->port = (uint16_t)v;
    } else {
        return 0;
    }
    return 1;
}

bool udp_option_has_value(const char *name)
{
    return strcmp(name, "--bind") == 0 || strcmp(name, "--ifname") == 0 || strcmp(name, "--port") == 0;
}

const char *udp_config_check(const struct udp_config *cfg, const char **value)
{
    echonet_addr a;

    if (cfg->bind_addr && (udp_addr_parse(cfg->bind_addr, &a) != 0 || (a.len == 4) == cfg->ipv6)) {
        *value = cfg->bind_addr;
        return cfg->ipv6 ? "--bind: not an IPv6 address:" : "--bind: not an IPv4 address:";
    }
    if (cfg->ifname && if_nametoindex(cfg->ifname) == 0) {
        *value = cfg->ifname;
        return "--ifname: no such interface:";
    }
    return NULL;
}
