#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Fault injection for sagi's IMAP tests: a TCP relay on 127.0.0.1 that
breaks the session after exactly N bytes in one direction.

It relays bytes and knows nothing of IMAP or TLS, so it cuts a TLS session
(imaps or after STARTTLS) just as well.  Python 3 standard library only.

    cutproxy.py --target-port P --port-file F
                [--cut-after N --direction s2c|c2s [--mode close|stall|reset]]
                [--count-only] [--accept K]

Listens on a free port on 127.0.0.1 and writes it to F once listening.
Takes the first connection, relays it to 127.0.0.1:P, and after exactly N
bytes have passed in the given direction:
  close  closes both sockets (FIN); the default;
  reset  aborts both with an RST (bytes still in flight may be lost);
  stall  stops relaying but keeps both sockets open, for timeout tests; it
         ends when the client closes, or after --stall-max (120) seconds.
--count-only relays everything and cuts nothing.  Either way F.count gets,
when the proxy exits, the bytes that passed in each direction and whether
the cut happened:
  c2s=123
  s2c=4567
  cut=yes
so a test can learn how long a session is and then cut at points inside it.

--accept K (default 1) takes K connections, each in turn or at once; only
the first is cut, the others are relayed whole (for a client that
reconnects after the cut), and each adds c2s_I/s2c_I lines (I = 2..K).

Never hangs: it exits 1 if no client connects within --accept-timeout (60)
seconds, and after the first connection it waits at most that long for each
further one.  Exit status: 0 after relaying, 1 no client or the target
refused, 2 bad usage.
"""

import argparse
import os
import select
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


def log(msg):
    sys.stderr.write("cutproxy: %s\n" % msg)
    sys.stderr.flush()


def write_atomic(path, text):
    # Readers poll for the file; they must never see it half written.
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


class Relay:
    """One client connection and its upstream socket."""

    def __init__(self, client, args, cut):
        self.client = client
        self.args = args
        self.cut = cut
        self.count = {"c2s": 0, "s2c": 0}
        self.did_cut = False
        self.error = None

    def _abort(self, socks, how):
        for s in socks:
            try:
                if how == "reset":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
                else:
                    s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _stall(self, client, server):
        # Keep reading (and dropping) so a client that gives up is noticed
        # at once; the server's data goes nowhere.
        end = time.monotonic() + self.args.stall_max
        live = [client, server]
        while client in live:
            left = end - time.monotonic()
            if left <= 0:
                log("stall: giving up after %g s" % self.args.stall_max)
                break
            r, _, _ = select.select(live, [], [], left)
            for s in r:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    live.remove(s)
        self._abort([client, server], "close")

    def run(self):
        client = self.client
        try:
            server = socket.create_connection(
                (self.args.target_host, self.args.target_port), timeout=10)
        except OSError as e:
            self.error = "cannot connect to %s:%d: %s" % (
                self.args.target_host, self.args.target_port, e)
            log(self.error)
            client.close()
            return
        server.settimeout(None)
        client.settimeout(None)
        peer = {client: server, server: client}
        name = {client: "c2s", server: "s2c"}
        reading = [client, server]
        cut = self.cut

        def do_cut():
            self.did_cut = True
            log("cut %s after %d bytes (%s); c2s=%d s2c=%d" % (
                cut[0], cut[1], cut[2], self.count["c2s"],
                self.count["s2c"]))
            if cut[2] == "stall":
                self._stall(client, server)
            else:
                self._abort([client, server], cut[2])

        if cut and cut[1] == 0:
            do_cut()
            return
        while reading:
            r, _, _ = select.select(reading, [], [])
            for s in r:
                d = name[s]
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    # Half-close: pass the FIN on, keep the other way open.
                    reading.remove(s)
                    try:
                        peer[s].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                at_cut = False
                if cut and d == cut[0]:
                    room = cut[1] - self.count[d]
                    if len(data) >= room:
                        data = data[:room]
                        at_cut = True
                try:
                    peer[s].sendall(data)
                except OSError:
                    reading = []
                    break
                self.count[d] += len(data)
                if at_cut:
                    do_cut()
                    return
        client.close()
        server.close()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="cutproxy.py",
                                 description="TCP relay that cuts sessions")
    ap.add_argument("--target-port", type=int, required=True)
    ap.add_argument("--target-host", default=HOST)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--listen-port", type=int, default=0)
    ap.add_argument("--cut-after", type=int, metavar="N")
    ap.add_argument("--direction", choices=("s2c", "c2s"))
    ap.add_argument("--mode", choices=("close", "stall", "reset"),
                    default="close")
    ap.add_argument("--count-only", action="store_true")
    ap.add_argument("--accept", type=int, default=1, metavar="K")
    ap.add_argument("--accept-timeout", type=float, default=60.0)
    ap.add_argument("--stall-max", type=float, default=120.0)
    args = ap.parse_args(argv)
    if args.count_only:
        cut = None
    elif args.cut_after is None or args.direction is None or \
            args.cut_after < 0:
        ap.error("need --cut-after N (N >= 0) and --direction, "
                 "or --count-only")
    else:
        cut = (args.direction, args.cut_after, args.mode)
    if args.accept < 1:
        ap.error("--accept must be at least 1")

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((HOST, args.listen_port))
    lsock.listen(8)
    write_atomic(args.port_file, "%d\n" % lsock.getsockname()[1])

    relays = []
    threads = []
    for i in range(args.accept):
        lsock.settimeout(args.accept_timeout)
        try:
            c, _ = lsock.accept()
        except socket.timeout:
            if i == 0:
                log("no client within %g s" % args.accept_timeout)
            break
        if i + 1 == args.accept:
            # Later connections are refused, not left hanging in backlog.
            lsock.close()
        r = Relay(c, args, cut if i == 0 else None)
        t = threading.Thread(target=r.run, daemon=True)
        t.start()
        relays.append(r)
        threads.append(t)
    lsock.close()
    for t in threads:
        t.join()

    lines = [] if relays else ["c2s=0\ns2c=0\ncut=no\n"]
    for i, r in enumerate(relays):
        sfx = "" if i == 0 else "_%d" % (i + 1)
        lines.append("c2s%s=%d\ns2c%s=%d\n" % (sfx, r.count["c2s"], sfx,
                                               r.count["s2c"]))
        if i == 0:
            lines.append("cut=%s\n" % ("yes" if r.did_cut else "no"))
    write_atomic(args.port_file + ".count", "".join(lines))
    if not relays or relays[0].error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
