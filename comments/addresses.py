"""IP addresses as the site compares them: one spelling per address, and the network a sender is counted by.

Block-list entries, stored comments and the reader's address all go through `normalised_ip`, so an IPv6
address typed another way (upper case, zeros written out, IPv4-mapped) still matches.
"""

import ipaddress

from django.db.models import Q

# How many leading bits make "the same sender" when counting a flood: a subscriber usually gets a whole IPv6
# /64 and can use any address in it, while IPv4 addresses are counted one by one.
FLOOD_PREFIX = {4: 32, 6: 64}
# Where a trusted commenter may post from without review: a network seen on their approved comments. An
# IPv4 /24 and an IPv6 /48 cover an ISP's dynamic addresses and a home's or office's prefix.
TRUST_PREFIX = {4: 24, 6: 48}
# Readers' reports are counted and limited per network, so one person with many addresses counts once.
REPORT_PREFIX = {4: 24, 6: 64}


def normalised_ip(text: str) -> str:
    """The one spelling of an address (IPv4-mapped IPv6 becomes IPv4); ValueError when it is none."""
    address = ipaddress.ip_address(text.strip())
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def host_of(hop: str) -> str:
    """A forwarded-for entry without its port: '203.0.113.7:51234', '[2001:db8::1]:443' give the address."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        return hop.partition(":")[0]
    return hop


def network_of(ip: str, prefixes: dict[int, int]) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network around `ip`, with the prefix length `prefixes` gives for its IP version."""
    address = ipaddress.ip_address(ip)
    return ipaddress.ip_network(f"{address}/{prefixes[address.version]}", strict=False)


def in_network(network: ipaddress.IPv4Network | ipaddress.IPv6Network, field: str = "ip_address") -> Q:
    """Rows whose address lies in `network` (a range on the address index)."""
    if network.num_addresses == 1:
        return Q(**{field: str(network.network_address)})
    return Q(
        **{f"{field}__gte": str(network.network_address), f"{field}__lte": str(network.broadcast_address)}
    )
