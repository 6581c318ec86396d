#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Records a seed for the imap fuzz target: what a real server says to the
target's own client, byte for byte.

    fuzz/record-imap.py --target-port P --out FILE -- fuzz/replay-imap /dev/null

Listens on 127.0.0.1, runs the command with FUZZ_IMAP_RECORD_PORT set to
that port (fuzz-imap.c then sends its client there instead of serving an
input), relays the one connection to 127.0.0.1:P in plain text and writes
everything the server sent to FILE.  FUZZ_IMAP_USER and
FUZZ_IMAP_PASSWORD_FILE pass through to the command.  Loopback only;
Python 3 standard library only.  Exit status: the command's, or 2.
"""

import argparse
import os
import select
import socket
import subprocess
import sys
import threading


def relay(lsock, port, out):
    client, _ = lsock.accept()
    server = socket.create_connection(("127.0.0.1", port))
    said = bytearray()
    socks = [client, server]
    while socks == [client, server]:
        ready, _, _ = select.select(socks, [], [], 30)
        if not ready:
            break
        for s in ready:
            data = s.recv(65536)
            if not data:
                socks = []
                break
            if s is server:
                said += data
                client.sendall(data)
            else:
                server.sendall(data)
    client.close()
    server.close()
    with open(out, "wb") as f:
        f.write(said)


def main():
    ap = argparse.ArgumentParser(prog="record-imap.py")
    ap.add_argument("--target-port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("command", nargs="+")
    a = ap.parse_args()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(30)
    t = threading.Thread(target=relay, args=(lsock, a.target_port, a.out))
    t.start()
    env = dict(os.environ, FUZZ_IMAP_RECORD_PORT=str(lsock.getsockname()[1]))
    rc = subprocess.call(a.command, env=env)
    t.join(60)
    return rc


if __name__ == "__main__":
    sys.exit(main())
