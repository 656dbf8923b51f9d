"""Reads interface counters and qdisc queue state of one network namespace over rtnetlink.

The harness samples every host many times a second while a scenario runs. Spawning `ip -s link`
or `tc -s qdisc` for each sample would cost a process per host per sample on a 2-core machine
that is also running the transfer, so each namespace gets one NETLINK_ROUTE socket instead,
opened inside that namespace (a netlink socket stays bound to the namespace it was created in).

The counters are the kernel's rtnl_link_stats64, the same numbers that
/sys/class/net/IFACE/statistics/{rx,tx}_bytes show. A veth counts each packet it is handed,
and with segmentation offload that is a super-packet of up to 64 KiB with one set of headers.
"""

import contextlib
import ctypes
import os
import socket
import struct

_CLONE_NEWNET = 0x40000000
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_RTM_NEWLINK, _RTM_GETLINK = 16, 18
_RTM_NEWQDISC, _RTM_GETQDISC = 36, 38
_IFLA_IFNAME, _IFLA_STATS64 = 3, 23
_TCA_KIND, _TCA_STATS2 = 1, 7
_TCA_STATS_BASIC, _TCA_STATS_QUEUE = 1, 3

_NLMSGHDR = struct.Struct("=IHHII")  # length, type, flags, sequence, port id
_RTATTR = struct.Struct("=HH")  # length, type
_IFINFOMSG = struct.Struct("=BxHiII")  # family, type, index, flags, change
_TCMSG = struct.Struct("=BxxxiIII")  # family, ifindex, handle, parent, info
_LINK_STATS64 = struct.Struct("=QQQQQQQQ")  # rx/tx packets, rx/tx bytes, rx/tx errors, drops
_QUEUE_STATS = struct.Struct("=IIIII")  # qlen, backlog bytes, drops, requeues, overlimits

_libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def inside_namespace(netns_name):
    """Moves the calling thread into /run/netns/NAME for the body, then back."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns_name}", os.O_RDONLY)
    try:
        if _libc.setns(target, _CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into network namespace {netns_name}: {os.strerror(err)}")
        try:
            yield
        finally:
            if _libc.setns(home, _CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"setns back to the harness namespace: {os.strerror(err)}")
    finally:
        os.close(target)
        os.close(home)


def _attributes(buffer, offset, end):
    """Yields (type, payload) for each rtattr in buffer[offset:end]."""
    while offset + _RTATTR.size <= end:
        length, attr_type = _RTATTR.unpack_from(buffer, offset)
        if length < _RTATTR.size or offset + length > end:
            return
        yield attr_type & 0x3FFF, buffer[offset + _RTATTR.size:offset + length]
        offset += (length + 3) & ~3


class NamespaceStats:
    """One rtnetlink socket living in one namespace; dumps links and qdiscs on demand."""

    def __init__(self, netns_name):
        self.netns_name = netns_name
        with inside_namespace(netns_name):
            self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self._sock.bind((0, 0))
        self._sequence = 0

    def close(self):
        self._sock.close()

    def _dump(self, request_type, body, reply_type):
        self._sequence += 1
        header = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), request_type,
                                _NLM_F_REQUEST | _NLM_F_DUMP, self._sequence, 0)
        self._sock.send(header + body)
        messages = []
        while True:
            data = self._sock.recv(1 << 16)
            offset = 0
            while offset + _NLMSGHDR.size <= len(data):
                length, msg_type, _, sequence, _ = _NLMSGHDR.unpack_from(data, offset)
                if length < _NLMSGHDR.size:
                    raise OSError(f"malformed netlink reply in namespace {self.netns_name}")
                payload = data[offset + _NLMSGHDR.size:offset + length]
                offset += (length + 3) & ~3
                if sequence != self._sequence:
                    continue
                if msg_type == _NLMSG_DONE:
                    return messages
                if msg_type == _NLMSG_ERROR:
                    (code,) = struct.unpack_from("=i", payload)
                    if code != 0:
                        raise OSError(-code, f"netlink dump in {self.netns_name}: "
                                             f"{os.strerror(-code)}")
                    return messages
                if msg_type == reply_type:
                    messages.append(payload)

    def link_bytes(self):
        """{interface name: (rx_bytes, tx_bytes)} for every interface of the namespace."""
        result = {}
        body = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
        for payload in self._dump(_RTM_GETLINK, body, _RTM_NEWLINK):
            name, counters = None, None
            for attr_type, value in _attributes(payload, _IFINFOMSG.size, len(payload)):
                if attr_type == _IFLA_IFNAME:
                    name = value.split(b"\0", 1)[0].decode()
                elif attr_type == _IFLA_STATS64 and len(value) >= _LINK_STATS64.size:
                    counters = _LINK_STATS64.unpack_from(value)
            if name and counters:
                result[name] = (counters[2], counters[3])
        return result

    def root_qdiscs(self):
        """{ifindex: {"kind", "backlog", "drops", "sent_bytes"}} for the root qdisc of each link."""
        result = {}
        body = _TCMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
        for payload in self._dump(_RTM_GETQDISC, body, _RTM_NEWQDISC):
            _, ifindex, _, parent, _ = _TCMSG.unpack_from(payload)
            if parent != 0xFFFFFFFF:  # only the root qdisc of each device
                continue
            entry = {"kind": "", "backlog": 0, "drops": 0, "sent_bytes": 0}
            for attr_type, value in _attributes(payload, _TCMSG.size, len(payload)):
                if attr_type == _TCA_KIND:
                    entry["kind"] = value.split(b"\0", 1)[0].decode()
                elif attr_type == _TCA_STATS2:
                    for stat_type, stat in _attributes(value, 0, len(value)):
                        if stat_type == _TCA_STATS_QUEUE and len(stat) >= _QUEUE_STATS.size:
                            _, backlog, drops, _, _ = _QUEUE_STATS.unpack_from(stat)
                            entry["backlog"], entry["drops"] = backlog, drops
                        elif stat_type == _TCA_STATS_BASIC and len(stat) >= 8:
                            (entry["sent_bytes"],) = struct.unpack_from("=Q", stat)
            result[ifindex] = entry
        return result

    def ifindex(self, interface_name):
        body = _IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0)
        for payload in self._dump(_RTM_GETLINK, body, _RTM_NEWLINK):
            _, _, index, _, _ = _IFINFOMSG.unpack_from(payload)
            for attr_type, value in _attributes(payload, _IFINFOMSG.size, len(payload)):
                name = value.split(b"\0", 1)[0].decode() if attr_type == _IFLA_IFNAME else None
                if name == interface_name:
                    return index
        raise OSError(f"no interface {interface_name} in namespace {self.netns_name}")
