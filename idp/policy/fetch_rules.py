"""Which addresses the server may fetch from (client ``jwks_uri``, back-channel
logout, the debugger's calls to the issuer). Pure: names and addresses in, yes/no out.

Loopback is always allowed; so are the issuer's own host and the entries of
``security.allowed_fetch_hosts``: host names (allowed whatever they resolve
to, e.g. ``portal`` in a compose network) or IP networks (``10.0.0.0/8``,
``172.18.0.5``). The decision is made on the address a name resolved to,
the one the connection then goes to.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

# RFC 1123 host names: dot-separated labels of letters, digits and hyphens.
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def normal_host(host: str) -> str:
    """A host name as compared: lower case, no trailing dot, no IPv6 brackets."""
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def parse_entry(entry: str) -> str | IPNetwork:
    """One ``allowed_fetch_hosts`` entry as a host name or an IP network; ValueError if neither."""
    text = normal_host(entry)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        pass
    if _HOST_NAME.match(text):
        return text
    raise ValueError(f"{entry!r} is neither a host name nor an IP address or network")


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(normal_host(value).split("%", 1)[0])
    except ValueError:
        return None
    # ::ffff:127.0.0.1 is 127.0.0.1 on the wire.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class FetchRule:
    """Loopback, plus named hosts and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> FetchRule:
        """The rule for ``entries`` (host names, addresses, networks); ValueError on a bad one."""
        hosts, networks = set(), []
        for entry in entries:
            parsed = parse_entry(entry)
            if isinstance(parsed, str):
                hosts.add(parsed)
            else:
                networks.append(parsed)
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, address: str) -> bool:
        """Whether a URL naming ``host`` may be fetched from ``address`` (what it resolved to)."""
        if normal_host(host) in self.hosts:
            return True
        ip = _address(address)
        if ip is None:
            return False
        return ip.is_loopback or any(
            ip.version == network.version and ip in network for network in self.networks
        )

    def describe(self) -> str:
        """The rule in words, for error messages."""
        extra = sorted(self.hosts) + [str(n) for n in self.networks]
        return "loopback" + (f" or {', '.join(extra)}" if extra else "")
