#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A scripted, hostile IMAP server on 127.0.0.1 for sagi's tests.

It speaks just enough IMAP4rev1 (with UIDPLUS, MOVE, SPECIAL-USE,
LITERAL+) over a small in-memory mailbox for `sagi scan` and `sagi junk`
to work, and then misbehaves at the point a named scenario says: a bad
greeting, garbage, truncated or endless responses, huge literals, stalls,
disconnects, NO/BAD with terminal escapes, STARTTLS refused, stripped,
faked or with injected bytes, bad certificates.  Python 3 standard library
only (ssl for TLS, with the certificates the test makes).

    hostile.py SCENARIO --port-file F --log LOG --state STATE
               [--cert PEM --key PEM] [--user U --password P]
               [--lifetime SECS] [--accept K] MESSAGE-FILE...

    hostile.py --list          # the scenarios, one per line

F gets the port once the server listens.  LOG gets every byte the client
sent, as the server saw it (after TLS decryption), with a marker line
"\\n#hostile: tls\\n" written at the moment TLS took over, so a test can
tell what was sent in plain text and what only after the handshake.
STATE is JSON, rewritten after every change: {"INBOX": [message-id...],
"Junk": [...], "expunge_all": n, "tls": [...]} -- the server's own model,
so a test can check that no message was lost.  The message files go to
INBOX, UID 1, 2, ... in order.

Ends when the client closes (after K connections) or after --lifetime
seconds (default 60), whichever comes first; a stalled connection is held
open until then.  Exit status 0, or 2 on bad usage.
"""

import argparse
import json
import os
import re
import socket
import ssl
import sys
import threading
import time

HOST = "127.0.0.1"
CAPS = ["IMAP4rev1", "LITERAL+", "UIDPLUS", "MOVE", "SPECIAL-USE",
        "LIST-EXTENDED", "ID", "ENABLE"]
ESCAPES = ("\x1b]0;pwned\x07\x1b]8;;http://evil.example/\x1b\\link"
           "\x1b]8;;\x1b\\ \x1b[2J\x1b[31mred \u202edesrever\u202c "
           "\u200b\x9b31m \xc2\x9b c1 \x07bell")


class Closed(Exception):
    """The scenario ends the connection (or the client went away)."""


class Stall(Exception):
    """The scenario stops answering but keeps the connection open."""


# ---- scenarios ----------------------------------------------------------
#
# Each is a dict:
#   tls       "starttls" (plain port, STARTTLS offered), "imaps", "plain"
#   cert      which certificate to present (the test passes --cert/--key)
#   greeting  raw bytes instead of the normal greeting
#   caps      capability list (default CAPS); STARTTLS is added on a
#             plain connection unless no_starttls, and left out of
#             CAPABILITY (not the greeting) with strip_starttls
#   on        {"COMMAND": action} or {"COMMAND#n": action} for the n-th
#             time that command is seen (1-based).  COMMAND is the command
#             name with "UID " kept: "LOGIN", "UID FETCH", "UID MOVE".
#   garbage   untagged junk before every tagged response
#   moves     True when the test runs `sagi junk` (the mailbox model matters)
#
# Actions: "close" (no answer, FIN), "stall", "no", "bad",
# "do-close" (carry the command out, then close without the tagged reply),
# "partial" (half a response, then close), or a function(conn, tag, args).


def act_raw_then(data, then="close"):
    def act(conn, tag, args):
        conn.send(data)
        if then == "stall":
            raise Stall()
        while then == "trickle":
            conn.send(b"x")
            time.sleep(0.25)
        raise Closed()
    return act


def act_fetch_literal(announce, send=b"", then="close", slow=None):
    """The listing FETCH answers with a literal of `announce` bytes."""
    def act(conn, tag, args):
        conn.send(b"* 1 FETCH (UID 1 RFC822.SIZE 100 "
                  b"BODY[HEADER.FIELDS (FROM)] {%d}\r\n" % announce)
        if slow is not None:
            chunk, pause, total = slow
            sent = 0
            while sent < total:
                conn.send(b"x" * chunk)
                sent += chunk
                time.sleep(pause)
        elif send:
            step = 1 << 20
            for i in range(0, len(send), step):
                conn.send(send[i:i + step])
        if then == "stall":
            raise Stall()
        if then == "continue":
            conn.send(b")\r\n%s OK done\r\n" % tag)
            return
        raise Closed()
    return act


def act_huge_literal_full(conn, tag, args):
    size = 200 << 20
    conn.send(b"* 1 FETCH (UID 1 RFC822.SIZE 100 "
              b"BODY[HEADER.FIELDS (FROM)] {%d}\r\n" % size)
    block = b"From: x@example.jp\r\n" * 52428    # 1 MiB, give or take
    block = block[:1 << 20]
    for _ in range(size >> 20):
        conn.send(block)
    conn.send(b")\r\n%s OK done\r\n" % tag)


def act_endless_line(conn, tag, args):
    # Endless bytes with no CRLF, as fast as the client reads them, until
    # the client gives up (or the lifetime runs out).
    conn.send(b"* OK ")
    block = b"A" * (1 << 20)
    while True:
        conn.send(block)


def act_alert(kind="BAD"):
    """A tagged NO/BAD whose [ALERT] text is made of terminal escapes."""
    def act(conn, tag, args):
        conn.send(tag + (" %s [ALERT] %s\r\n" % (kind, ESCAPES))
                  .encode("utf-8"))
    return act


def act_bad_raw_bytes(conn, tag, args):
    # Raw 8-bit C1 (0x9b is CSI on some terminals) and invalid UTF-8.
    conn.send(tag + b" NO [ALERT] raw \x9b2J \x1b[2J \xff\xfe invalid\r\n")


def act_echo_login(conn, tag, args):
    """A NO that quotes the LOGIN arguments back: the password with them."""
    conn.send(tag + b" NO [AUTHENTICATIONFAILED] bad credentials: " +
              (args if isinstance(args, bytes) else args.encode()) + b"\r\n")


def act_no_deleted(conn, tag, args):
    """NO to the STORE that marks the copied originals \\Deleted."""
    if "\\Deleted" in args:
        conn.send(tag + b" NO [OVERQUOTA] cannot mark\r\n")
    else:
        conn.handle_normal(tag, "UID STORE", args)


def act_fetch_nil_uid(conn, tag, args):
    conn.send(b"* 1 FETCH (UID NIL FLAGS NIL RFC822.SIZE NIL)\r\n")
    conn.send(tag + b" OK done\r\n")


def act_fetch_strings(conn, tag, args):
    conn.send(b'* 1 FETCH (UID "1" RFC822.SIZE "big" FLAGS "x")\r\n')
    conn.send(tag + b" OK done\r\n")


def act_fetch_ghosts(conn, tag, args):
    # FETCH data for messages and UIDs that do not exist, then the truth.
    conn.send(b"* 4000000000 FETCH (UID 4294967295 FLAGS (\\Seen) "
              b"RFC822.SIZE 10 BODY[HEADER.FIELDS (FROM)] {0}\r\n)\r\n"
              b"* 99 FETCH (UID 424242 RFC822.SIZE 4294967295 "
              b"BODY[HEADER.FIELDS (FROM)] NIL)\r\n"
              b"* 0 FETCH (UID 0)\r\n")
    conn.handle_normal(tag, "UID FETCH", args)
    raise Handled()


def act_search_ghosts(conn, tag, args):
    conn.send(b"* SEARCH 0 4294967295 77777 1 2\r\n* 500 EXISTS\r\n")
    conn.send(tag + b" OK done\r\n")


def act_select_uidvalidity0(conn, tag, args):
    conn.handle_normal(tag, "SELECT", args, uidvalidity=0)
    raise Handled()


def act_select_exists_lies(conn, tag, args):
    conn.handle_normal(tag, "SELECT", args, exists=4000000000)
    raise Handled()


def act_garbage_untagged(conn, tag, args):
    conn.send(b"* XYZZY (((( {3}\r\nabc\r\n* 12345678901234567890 EXISTS\r\n"
              b"* \x00\x01\x02 nul\r\n* FETCH FETCH FETCH\r\n"
              b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {5}\r\nab")
    raise Closed()


def act_inject_after_starttls(conn, tag, args):
    # CVE-2020-15953: extra responses in the same packet as the OK; a
    # client that keeps them would take them as coming over TLS.
    conn.send(tag + b" OK Begin TLS negotiation now\r\n"
              b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"
              b"A9999 OK [ALERT] injected tagged answer\r\n")
    conn.start_tls()
    raise Handled()


def act_starttls_plaintext(conn, tag, args):
    # OK, but no TLS: the client's handshake meets plain IMAP.
    conn.send(tag + b" OK Begin TLS negotiation now\r\n")
    time.sleep(0.2)
    conn.send(b"* OK still plain text, tell me your password\r\n")
    raise Handled()


class Handled(Exception):
    """The action already answered; go on reading commands."""


# QRESYNC (RFC 7162): only a warm open sends UID FETCH ... VANISHED; the
# other FETCHes of both connections are answered as usual.
QRESYNC_CAPS = CAPS + ["CONDSTORE", "QRESYNC"]
def many_ranges():
    """200,000 single-UID ranges: built when a scenario sends them, not at
    every start of this script (it starts about a hundred times a run)."""
    return b"* VANISHED (EARLIER) " + ",".join(
        "%d:%d" % (i, i) for i in range(1, 400001, 2)).encode() + b"\r\n"


def act_qresync(payload, then="ok"):
    """payload: bytes, or a function giving them."""
    def act(conn, tag, args):
        if "VANISHED" not in args.upper():
            conn.handle_normal(tag, "UID FETCH", args)
            raise Handled()
        conn.send(payload() if callable(payload) else payload)
        if then == "stall":
            raise Stall()
        if then == "no":
            conn.send(tag + b" NO [SERVERBUG] no changes for you\r\n")
        elif then == "bad":
            conn.send(tag + b" BAD what VANISHED\r\n")
        else:
            conn.send(tag + b" OK done\r\n")
        raise Handled()
    return act


def act_enabled_garbage(conn, tag, args):
    conn.send(b"* ENABLED (((( QRESYNC\r\n")
    conn.send(tag + b" OK enabled, or not\r\n")


SCENARIOS = {
    # A control run: everything works (the tests' positive baseline).
    "good": {},
    "good-imaps": {"tls": "imaps"},
    # Greeting
    "greeting-malformed": {"greeting": b"HELLO what is IMAP\r\n"},
    "greeting-binary": {"greeting": b"\x00\x1b[2J\xff\xfe\x9b\r\n"},
    "greeting-bye": {"greeting": b"* BYE [ALERT] " +
                     ESCAPES.encode() + b"\r\n"},
    "greeting-endless": {"greeting": "endless"},
    # libetpan 1.9.4 crashes on these two (core/imap-guard.c)
    "greeting-flags": {"greeting": b"* OK [PERMANENTFLAGS (\\Seen)] "
                       b"ready\r\n"},
    "select-flags-star": {"on": {"SELECT": act_raw_then(
        b"* OK [PERMANENTFLAGS (*)] flags\r\n")}},
    # Garbage and truncation
    "garbage-untagged": {"garbage": True},
    "garbage-before-fetch": {"on": {"UID FETCH#1": act_garbage_untagged}},
    "truncated-fetch": {"on": {"UID FETCH#1": act_raw_then(
        b"* 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE 1")}},
    "truncated-select": {"on": {"SELECT": act_raw_then(
        b"* FLAGS (\\Seen \\Del")}},
    # Literals
    "literal-4g": {"on": {"UID FETCH#1": act_fetch_literal(
        4294967295, b"From: a@b\r\n" * 100)}},
    "literal-overflow": {"on": {"UID FETCH#1": act_fetch_literal(
        99999999999, b"From: a@b\r\n" * 100)}},
    "literal-neg": {"on": {"UID FETCH#1": act_raw_then(
        b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {-5}\r\nabc)\r\n")}},
    "literal-200m-full": {"on": {"UID FETCH#1": act_huge_literal_full}},
    "literal-200m-slow": {"on": {"UID FETCH#1": act_fetch_literal(
        200 << 20, slow=(1, 0.5, 200))}},
    "literal-200m-stall": {"on": {"UID FETCH#1": act_fetch_literal(
        200 << 20, b"From: a@b\r\n", then="stall")}},
    "trickle-literal": {"on": {"UID FETCH#1": act_fetch_literal(
        50000, slow=(1, 0.25, 50000))}},
    "trickle-line": {"on": {"UID FETCH#1": act_raw_then(
        b"* 1 FETCH (UID 1 ", then="trickle")}},
    "line-endless": {"on": {"UID FETCH#1": act_endless_line}},
    "line-endless-login": {"on": {"LOGIN": act_endless_line}},
    # Stalls (no bytes, connection kept open)
    "stall-greeting": {"greeting": b""},      # accept, say nothing
    "stall-after-greeting": {"on": {"CAPABILITY": "stall"}},
    "stall-login": {"on": {"LOGIN": "stall"}},
    "stall-fetch": {"on": {"UID FETCH#1": act_raw_then(
        b"* 1 FETCH (UID 1 FLAGS (\\Seen) ", then="stall")}},
    "stall-move": {"on": {"UID MOVE": "stall"}, "moves": True},
    # Disconnects
    "close-capability": {"on": {"CAPABILITY": "close"}},
    "close-login": {"on": {"LOGIN": "close"}},
    "close-select": {"on": {"SELECT": "close"}},
    "close-search": {"on": {"UID SEARCH": "close"}},
    "close-fetch": {"on": {"UID FETCH#1": "close"}},
    "close-fetch-body": {"on": {"UID FETCH#2": "close"}},
    "close-fetch-partial": {"on": {"UID FETCH#2": "partial"}},
    "close-list": {"on": {"LIST": "close"}, "moves": True},
    "close-move": {"on": {"UID MOVE": "close"}, "moves": True},
    "close-after-move": {"on": {"UID MOVE": "do-close"}, "moves": True},
    "close-copy": {"on": {"UID COPY": "close"}, "moves": True,
                   "caps": [c for c in CAPS if c != "MOVE"]},
    "close-after-copy": {"on": {"UID COPY": "do-close"}, "moves": True,
                         "caps": [c for c in CAPS if c != "MOVE"]},
    "close-after-store": {"on": {"UID STORE#1": "do-close"}, "moves": True,
                          "caps": [c for c in CAPS if c != "MOVE"]},
    "close-after-expunge": {"on": {"UID EXPUNGE": "do-close"},
                            "moves": True,
                            "caps": [c for c in CAPS if c != "MOVE"]},
    # NO / BAD
    "no-capability": {"on": {"CAPABILITY": "no"}},
    "bad-capability": {"on": {"CAPABILITY": "bad"}},
    "no-login": {"on": {"LOGIN": "no"}},
    "bad-login": {"on": {"LOGIN": "bad"}},
    "no-select": {"on": {"SELECT": "no"}},
    "bad-select": {"on": {"SELECT": "bad"}},
    "no-search": {"on": {"UID SEARCH": "no"}},
    "no-fetch": {"on": {"UID FETCH#1": "no"}},
    "no-fetch-body": {"on": {"UID FETCH#2": "no"}},
    "no-list": {"on": {"LIST": "no"}, "moves": True},
    "no-move": {"on": {"UID MOVE": "no"}, "moves": True},
    "bad-move": {"on": {"UID MOVE": "bad"}, "moves": True},
    "no-copy": {"on": {"UID COPY": "no"}, "moves": True,
                "caps": [c for c in CAPS if c != "MOVE"]},
    "no-store": {"on": {"UID STORE": act_no_deleted}, "moves": True,
                 "caps": [c for c in CAPS if c != "MOVE"]},
    "no-store-keywords": {"on": {"UID STORE#1": "no"}, "moves": True,
                          "caps": [c for c in CAPS if c != "MOVE"]},
    "no-expunge": {"on": {"UID EXPUNGE": "no"}, "moves": True,
                   "caps": [c for c in CAPS if c != "MOVE"]},
    # Terminal escapes in what the server says
    "alert-login": {"on": {"LOGIN": act_alert()}},
    "echo-login": {"on": {"LOGIN": act_echo_login}},
    "alert-select": {"on": {"SELECT": act_alert("NO")}},
    "alert-move": {"on": {"UID MOVE": act_alert("NO")},
                   "moves": True},
    "alert-raw-bytes": {"on": {"LOGIN": act_bad_raw_bytes}},
    "alert-bye": {"on": {"UID FETCH#1": act_raw_then(
        b"* BYE [ALERT] " + ESCAPES.encode() + b"\r\n")}},
    "escape-junk-name": {"junk_name": "Junk\x1b[2J\u202e", "moves": True},
    # STARTTLS
    "starttls-refused": {"on": {"STARTTLS": "no"}},
    "starttls-bad": {"on": {"STARTTLS": "bad"}},
    "starttls-not-advertised": {"no_starttls": True},
    "starttls-stripped": {"strip_starttls": True},
    "starttls-plaintext": {"on": {"STARTTLS": act_starttls_plaintext}},
    "starttls-inject": {"on": {"STARTTLS": act_inject_after_starttls}},
    "starttls-close": {"on": {"STARTTLS": "close"}},
    "starttls-preauth": {"greeting": b"* PREAUTH [CAPABILITY IMAP4rev1 "
                         b"STARTTLS] logged in already\r\n"},
    # Certificates (the test passes the certificate to present)
    "cert-self": {},
    "cert-expired": {},
    "cert-wronghost": {},
    "cert-self-imaps": {"tls": "imaps"},
    "cert-expired-imaps": {"tls": "imaps"},
    "cert-wronghost-imaps": {"tls": "imaps"},
    # Lies about the mailbox
    "fetch-ghosts": {"on": {"UID FETCH#1": act_fetch_ghosts}},
    "search-ghosts": {"on": {"UID SEARCH": act_search_ghosts}},
    "uidvalidity-0": {"on": {"SELECT": act_select_uidvalidity0}},
    "exists-lies": {"on": {"SELECT": act_select_exists_lies}},
    "fetch-nil": {"on": {"UID FETCH#1": act_fetch_nil_uid}},
    "fetch-strings": {"on": {"UID FETCH#1": act_fetch_strings}},
    # A warm open with QRESYNC (the test scans twice: cold, then warm).
    "qresync-good": {"caps": QRESYNC_CAPS},
    "qresync-vanish-all": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"* VANISHED (EARLIER) 1:*\r\n")}},
    "qresync-vanish-lies": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"* VANISHED (EARLIER) 5:3,4294967295,2:2,7\r\n"
        b"* VANISHED 9\r\n"
        b"* 1 FETCH (UID 4294967295 FLAGS (\\Seen) MODSEQ (999))\r\n"
        b"* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (999))\r\n"
        b"* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (999))\r\n")}},
    "qresync-vanish-many": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        many_ranges)}},
    "qresync-vanish-garbage": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"* VANISHED (EARLIER) ((( {5}\r\nabcde\r\n")}},
    "qresync-fetch-no": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"", then="no")}},
    "qresync-fetch-bad": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"* VANISHED (EARLIER) 1:3\r\n", then="bad")}},
    "qresync-fetch-stall": {"caps": QRESYNC_CAPS, "on": {"UID FETCH": act_qresync(
        b"", then="stall")}},
    "qresync-enabled-garbage": {"caps": QRESYNC_CAPS,
                                "on": {"ENABLE": act_enabled_garbage}},
}


# ---- the mailbox model --------------------------------------------------

class Message:
    def __init__(self, uid, data, flags=()):
        self.uid = uid
        self.data = data
        self.flags = set(flags)
        m = re.search(rb"(?im)^message-id:\s*(<[^>\r\n]*>)", data)
        self.mid = m.group(1).decode("ascii", "replace") if m else \
            "<none:%d>" % uid
        h, _, b = data.partition(b"\r\n\r\n")
        self.header = h + b"\r\n\r\n"
        self.body = b


class Mailbox:
    def __init__(self, state_path, junk_name):
        self.lock = threading.Lock()
        self.state_path = state_path
        self.junk = junk_name
        self.folders = {"INBOX": [], junk_name: []}
        self.uidnext = {"INBOX": 1, junk_name: 1}
        self.uidvalidity = {"INBOX": 1001, junk_name: 1002}
        self.expunge_all = 0
        self.events = []

    def add(self, folder, data, flags=()):
        m = Message(self.uidnext[folder], data, flags)
        self.uidnext[folder] += 1
        self.folders[folder].append(m)
        return m

    def save(self):
        st = {f: sorted(m.mid for m in ms) for f, ms in self.folders.items()}
        st["expunge_all"] = self.expunge_all
        st["events"] = self.events
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(st, f, ensure_ascii=True)
        os.replace(tmp, self.state_path)


def parse_set(s, maxuid):
    out = set()
    for part in s.split(","):
        if ":" in part:
            a, b = part.split(":", 1)
            a = maxuid if a == "*" else int(a)
            b = maxuid if b == "*" else int(b)
            if a > b:
                a, b = b, a
            out.update(range(a, min(b, max(maxuid, a)) + 1))
        else:
            out.add(maxuid if part == "*" else int(part))
    return out


def fmt_set(nums):
    return ",".join(str(n) for n in nums)


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def utf7_decode(name):
    # modified UTF-7 (RFC 3501 5.1.3), enough for folder names
    out, i = "", 0
    while i < len(name):
        if name[i] == "&":
            j = name.index("-", i)
            if j == i + 1:
                out += "&"
            else:
                import base64
                b = name[i + 1:j].replace(",", "/")
                b += "=" * (-len(b) % 4)
                out += base64.b64decode(b).decode("utf-16-be")
            i = j + 1
        else:
            out += name[i]
            i += 1
    return out


def utf7_encode(name):
    import base64
    out, i = "", 0
    while i < len(name):
        c = name[i]
        if 0x20 <= ord(c) <= 0x7e:
            out += "&-" if c == "&" else c
            i += 1
            continue
        j = i
        while j < len(name) and not 0x20 <= ord(name[j]) <= 0x7e:
            j += 1
        b = base64.b64encode(name[i:j].encode("utf-16-be")).decode()
        out += "&" + b.rstrip("=").replace("/", ",") + "-"
        i = j
    return out


# ---- one connection -----------------------------------------------------

class Conn:
    def __init__(self, sock, srv):
        self.sock = sock
        self.srv = srv
        self.sc = srv.scenario
        self.buf = b""
        self.tls = False
        self.selected = None
        self.seen = {}
        srv.connections += 1
        # Each connection sees a newer HIGHESTMODSEQ, so a warm open has
        # something to ask about (every message keeps MODSEQ 100).
        self.modseq = 100 + srv.connections

    def log(self, data):
        with self.srv.log_lock:
            self.srv.logf.write(data)
            self.srv.logf.flush()

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (OSError, ValueError):
            raise Closed()

    def recv(self):
        try:
            data = self.sock.recv(65536)
        except (OSError, ValueError):
            data = b""
        if not data:
            raise Closed()
        self.log(data)
        return data

    def readline(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > (1 << 20):
                raise Closed()
            self.buf += self.recv()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read_command(self):
        """A whole command line, literals resolved into the text."""
        line = self.readline()
        while True:
            m = re.search(rb"\{(\d+)(\+?)\}$", line)
            if not m:
                return line
            n = int(m.group(1))
            if not m.group(2):
                self.send(b"+ go ahead\r\n")
            while len(self.buf) < n:
                self.buf += self.recv()
            lit, self.buf = self.buf[:n], self.buf[n:]
            line = line[:m.start()] + quote(lit.decode(
                "utf-8", "replace")).encode() + self.readline()

    def start_tls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.srv.args.cert, self.srv.args.key)
        self.sock.settimeout(10)
        try:
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            self.srv.note("tls handshake failed: %s" % e)
            raise Closed()
        self.sock.settimeout(None)
        self.tls = True
        self.buf = b""
        self.log(b"\n#hostile: tls\n")
        self.srv.note("tls")

    def caps(self, greeting=False):
        caps = list(self.sc.get("caps", CAPS))
        offer = self.sc.get("tls", "starttls") == "starttls" and \
            not self.tls and not self.sc.get("no_starttls")
        # "stripped": a man in the middle removed it from CAPABILITY but
        # not from the greeting's capability code.
        if offer and (greeting or not self.sc.get("strip_starttls")):
            caps.append("STARTTLS")
        return " ".join(caps)

    def run(self):
        try:
            if self.sc.get("tls") == "imaps":
                self.start_tls()
            g = self.sc.get("greeting")
            if g == "endless":
                act_endless_line(self, b"*", "")
            elif g is not None:
                self.send(g)
                if g == b"":
                    raise Stall()
                if not g.startswith(b"* OK") and not \
                        g.startswith(b"* PREAUTH"):
                    time.sleep(0.5)     # let the client read it first
                    raise Closed()
            else:
                self.send(("* OK [CAPABILITY %s] hostile ready\r\n" %
                           self.caps(True)).encode())
            while True:
                self.one()
        except Closed:
            pass
        except Stall:
            self.stall()
        finally:
            try:
                self.sock.close()
            except OSError:
                pass

    def stall(self):
        # Keep the socket open, read and drop, until the client leaves.
        self.srv.note("stall")
        self.sock.settimeout(0.5)
        while not self.srv.done.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ValueError):
                return
            if not data:
                return
            self.log(data)

    def one(self):
        line = self.read_command()
        parts = line.split(b" ", 2)
        tag = parts[0]
        if len(parts) < 2:
            self.send(tag + b" BAD no command\r\n")
            return
        cmd = parts[1].decode("ascii", "replace").upper()
        rest = parts[2].decode("utf-8", "replace") if len(parts) > 2 else ""
        if cmd == "UID":
            sub, _, rest = rest.partition(" ")
            cmd = "UID " + sub.upper()
        self.seen[cmd] = self.seen.get(cmd, 0) + 1
        action = self.sc.get("on", {}).get("%s#%d" % (cmd, self.seen[cmd]))
        if action is None:
            action = self.sc.get("on", {}).get(cmd)
        self.srv.note("%s%s" % (cmd, "" if action is None else
                                " -> %s" % getattr(action, "__name__",
                                                   action)))
        if self.sc.get("garbage"):
            self.send(b"* XYZZY garbage (((\r\n* 7 FOOBAR\r\n"
                      b"* OK [UNKNOWN-CODE x y z] hmm\r\n"
                      b"* CAPABILITY\r\n* 3 RECENT\r\n")
        if action is None:
            self.handle_normal(tag, cmd, rest)
            return
        if callable(action):
            try:
                action(self, tag, rest)
            except Handled:
                pass
            return
        if action == "close":
            raise Closed()
        if action == "stall":
            raise Stall()
        if action == "no":
            self.send(tag + b" NO [UNAVAILABLE] hostile says no\r\n")
            return
        if action == "bad":
            self.send(tag + b" BAD hostile says bad\r\n")
            return
        if action == "do-close":
            self.handle_normal(tag, cmd, rest, tagged=False)
            raise Closed()
        if action == "partial":
            self.handle_normal(tag, cmd, rest, tagged=False, cut=True)
            raise Closed()
        raise ValueError(action)

    def ok(self, tag, text="done", tagged=True):
        if tagged:
            self.send(tag + b" OK " + text.encode() + b"\r\n")

    def handle_normal(self, tag, cmd, rest, tagged=True, cut=False, **kw):
        mb = self.srv.mailbox
        with mb.lock:
            self._handle(tag, cmd, rest, tagged, cut, mb, **kw)
            mb.save()

    def _handle(self, tag, cmd, rest, tagged, cut, mb, uidvalidity=None,
                exists=None):
        if cmd == "CAPABILITY":
            self.send(("* CAPABILITY %s\r\n" % self.caps()).encode())
            self.ok(tag, tagged=tagged)
        elif cmd == "STARTTLS":
            if self.tls or self.sc.get("tls") == "plain":
                self.send(tag + b" BAD no\r\n")
                return
            self.send(tag + b" OK Begin TLS negotiation now\r\n")
            self.start_tls()
        elif cmd == "LOGIN":
            args = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', rest)
            vals = [a or b for a, b in args]
            vals = [re.sub(r"\\(.)", r"\1", v) for v in vals]
            if vals[:2] == [self.srv.args.user, self.srv.args.password]:
                self.send(tag + (" OK [CAPABILITY %s] logged in\r\n" %
                                 self.caps()).encode())
            else:
                self.send(tag + b" NO [AUTHENTICATIONFAILED] no\r\n")
        elif cmd == "AUTHENTICATE":
            self.send(tag + b" NO not here\r\n")
        elif cmd in ("NOOP", "CHECK"):
            self.ok(tag, tagged=tagged)
        elif cmd == "ID":
            self.send(b'* ID ("name" "hostile")\r\n')
            self.ok(tag, tagged=tagged)
        elif cmd == "ENABLE":
            on = [c for c in ("CONDSTORE", "QRESYNC")
                  if c in rest.upper().split() and c in self.caps().split()]
            self.send(("* ENABLED %s\r\n" % " ".join(on)).encode())
            self.ok(tag, tagged=tagged)
        elif cmd == "NAMESPACE":
            self.send(b'* NAMESPACE (("" ".")) NIL NIL\r\n')
            self.ok(tag, tagged=tagged)
        elif cmd == "LOGOUT":
            self.send(b"* BYE bye\r\n")
            self.ok(tag, tagged=tagged)
            raise Closed()
        elif cmd in ("LIST", "XLIST", "LSUB"):
            special = "RETURN" in rest.upper() or cmd == "XLIST"
            for f in mb.folders:
                attrs = ["\\HasNoChildren"]
                if f == mb.junk and (special or cmd == "LIST"):
                    attrs.append("\\Junk" if cmd != "XLIST" else "\\Spam")
                self.send(('* %s (%s) "." %s\r\n' % (
                    cmd, " ".join(attrs), quote(utf7_encode(f))))
                    .encode("utf-8"))
            self.ok(tag, tagged=tagged)
        elif cmd in ("SELECT", "EXAMINE"):
            name = utf7_decode(rest.split(" ")[0].strip('"'))
            if name.upper() == "INBOX":
                name = "INBOX"
            if name not in mb.folders:
                self.send(tag + b" NO [NONEXISTENT] no such folder\r\n")
                return
            self.selected = name
            ms = mb.folders[name]
            self.send(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                      b"\\Draft $Junk $NotJunk $Phishing)\r\n"
                      b"* OK [PERMANENTFLAGS (\\Answered \\Flagged "
                      b"\\Deleted \\Seen \\Draft $Junk $NotJunk $Phishing "
                      b"\\*)] ok\r\n")
            if cut:
                return
            self.send(b"* %d EXISTS\r\n* 0 RECENT\r\n" % (
                len(ms) if exists is None else exists))
            self.send(b"* OK [UIDVALIDITY %d] v\r\n* OK [UIDNEXT %d] n\r\n" % (
                mb.uidvalidity[name] if uidvalidity is None else uidvalidity,
                mb.uidnext[name]))
            if "CONDSTORE" in self.caps().split():
                self.send(b"* OK [HIGHESTMODSEQ %d] m\r\n" % self.modseq)
            self.ok(tag, "[READ-WRITE] selected", tagged=tagged)
        elif cmd == "CREATE":
            name = utf7_decode(rest.strip().strip('"'))
            if name in mb.folders:
                self.send(tag + b" NO [ALREADYEXISTS] exists\r\n")
                return
            mb.folders[name] = []
            mb.uidnext[name] = 1
            mb.uidvalidity[name] = 2000 + len(mb.folders)
            self.ok(tag, tagged=tagged)
        elif cmd == "STATUS":
            self.send(tag + b" NO not here\r\n")
        elif self.selected is None:
            self.send(tag + b" BAD nothing selected\r\n")
        elif cmd == "UID SEARCH":
            ms = mb.folders[self.selected]
            self.send(("* SEARCH %s\r\n" % " ".join(
                str(m.uid) for m in ms)).encode())
            self.ok(tag, tagged=tagged)
        elif cmd == "UID FETCH":
            self.fetch(tag, rest, mb, tagged, cut)
        elif cmd == "UID STORE":
            self.store(tag, rest, mb, tagged)
        elif cmd in ("UID COPY", "UID MOVE"):
            self.copy(tag, rest, mb, tagged, cmd == "UID MOVE")
        elif cmd == "UID EXPUNGE":
            uids = parse_set(rest.strip(), mb.uidnext[self.selected] - 1)
            self.expunge(mb, lambda m: m.uid in uids)
            self.ok(tag, tagged=tagged)
        elif cmd == "EXPUNGE":
            mb.expunge_all += 1
            self.expunge(mb, lambda m: True)
            self.ok(tag, tagged=tagged)
        elif cmd == "CLOSE":
            self.expunge(mb, lambda m: True, quiet=True)
            self.selected = None
            self.ok(tag, tagged=tagged)
        else:
            self.send(tag + b" BAD unknown command\r\n")

    def msgs(self, mb, setstr):
        ms = mb.folders[self.selected]
        top = mb.uidnext[self.selected] - 1
        uids = parse_set(setstr, top if top > 0 else 1)
        return [(i + 1, m) for i, m in enumerate(ms) if m.uid in uids]

    def fetch(self, tag, rest, mb, tagged, cut):
        setstr, _, items = rest.partition(" ")
        items = items.strip()
        since = re.search(r"\(CHANGEDSINCE (\d+)", items, re.I)
        if since:
            items = items[:since.start()].strip()
        if items.startswith("(") and items.endswith(")"):
            items = items[1:-1]
        for seq, m in self.msgs(mb, setstr):
            if since and int(since.group(1)) >= 100:
                continue        # every message has MODSEQ 100
            out = [b"UID %d" % m.uid]
            if "MODSEQ" in items:
                out.append(b"MODSEQ (100)")
            if re.search(r"\bFLAGS\b", items):
                out.append(("FLAGS (%s)" % " ".join(sorted(m.flags)))
                           .encode())
            if "RFC822.SIZE" in items:
                out.append(b"RFC822.SIZE %d" % len(m.data))
            if "INTERNALDATE" in items:
                out.append(b'INTERNALDATE "06-Mar-2023 10:00:00 +0900"')
            if "BODYSTRUCTURE" in items:
                out.append(b'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" '
                           b'"UTF-8") NIL NIL "8BIT" %d %d NIL NIL NIL NIL)'
                           % (len(m.body), m.body.count(b"\n")))
            for sm in re.finditer(r"BODY(?:\.PEEK)?\[([^\]]*)\](<(\d+)\.(\d+)>)?",
                                  items):
                sect = sm.group(1)
                up = sect.upper()
                if up == "":
                    data = m.data
                elif up == "HEADER":
                    data = m.header
                elif up in ("TEXT", "1"):
                    data = m.body
                elif up.startswith("HEADER.FIELDS"):
                    names = re.findall(r"[^\s()]+", sect[len(
                        "HEADER.FIELDS"):])
                    names = {n.lower() for n in names}
                    data = b""
                    keep = False
                    for hl in m.header.split(b"\r\n"):
                        if hl[:1] in (b" ", b"\t"):
                            if keep:
                                data += hl + b"\r\n"
                            continue
                        keep = hl.split(b":", 1)[0].strip().lower() \
                            .decode("ascii", "replace") in names
                        if keep:
                            data += hl + b"\r\n"
                    data += b"\r\n"
                else:
                    data = b""
                origin = b""
                if sm.group(2):
                    o, n = int(sm.group(3)), int(sm.group(4))
                    data = data[o:o + n]
                    origin = b"<%d>" % o
                out.append(b"BODY[" + sect.encode() + b"]" + origin +
                           b" {%d}\r\n" % len(data) + data)
            resp = b"* %d FETCH (" % seq + b" ".join(out) + b")\r\n"
            if cut:
                self.send(resp[:len(resp) // 2])
                return
            self.send(resp)
        self.ok(tag, tagged=tagged)

    def store(self, tag, rest, mb, tagged):
        setstr, op, flags = rest.split(" ", 2)
        flags = set(re.findall(r"[^\s()]+", flags))
        for seq, m in self.msgs(mb, setstr):
            if op.upper().startswith("+"):
                m.flags |= flags
            elif op.upper().startswith("-"):
                m.flags -= flags
            else:
                m.flags = set(flags)
            if "SILENT" not in op.upper():
                self.send(("* %d FETCH (UID %d FLAGS (%s))\r\n" % (
                    seq, m.uid, " ".join(sorted(m.flags)))).encode())
        self.ok(tag, tagged=tagged)

    def copy(self, tag, rest, mb, tagged, move):
        setstr, _, dst = rest.partition(" ")
        dst = utf7_decode(dst.strip().strip('"'))
        if dst.upper() == "INBOX":
            dst = "INBOX"
        if dst not in mb.folders:
            self.send(tag + b" NO [TRYCREATE] no such folder\r\n")
            return
        src, dsts = [], []
        chosen = self.msgs(mb, setstr)
        for seq, m in chosen:
            n = mb.add(dst, m.data, m.flags - {"\\Deleted", "\\Recent"})
            src.append(m.uid)
            dsts.append(n.uid)
        code = "[COPYUID %d %s %s]" % (mb.uidvalidity[dst], fmt_set(src),
                                       fmt_set(dsts))
        mb.events.append("%s %s" % ("move" if move else "copy",
                                    fmt_set(src)))
        if move:
            self.send(("* OK %s moved\r\n" % code).encode())
            chosen_uids = set(src)
            self.expunge(mb, lambda m: m.uid in chosen_uids, flag=False)
            self.ok(tag, "done", tagged=tagged)
        else:
            self.ok(tag, code + " copied", tagged=tagged)

    def expunge(self, mb, which, flag=True, quiet=False):
        ms = mb.folders[self.selected]
        for i in range(len(ms) - 1, -1, -1):
            m = ms[i]
            if which(m) and (not flag or "\\Deleted" in m.flags):
                del ms[i]
                if not quiet:
                    self.send(b"* %d EXPUNGE\r\n" % (i + 1))


class Server:
    def __init__(self, args):
        self.args = args
        self.scenario = SCENARIOS[args.scenario]
        self.done = threading.Event()
        self.log_lock = threading.Lock()
        self.logf = open(args.log, "ab")
        self.mailbox = Mailbox(args.state,
                               self.scenario.get("junk_name", "Junk"))
        self.connections = 0
        for path in args.messages:
            with open(path, "rb") as f:
                data = f.read()
            data = re.sub(rb"\r?\n", b"\r\n", data)
            self.mailbox.add("INBOX", data)
        self.mailbox.save()

    def note(self, what):
        self.mailbox.events.append(what)
        try:
            self.mailbox.save()
        except OSError:
            pass


def main(argv=None):
    ap = argparse.ArgumentParser(prog="hostile.py")
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("messages", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--state")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", default="sagi")
    ap.add_argument("--password", default="hostile-secret")
    ap.add_argument("--lifetime", type=float, default=60.0)
    ap.add_argument("--accept", type=int, default=1)
    args = ap.parse_intermixed_args(argv)
    if args.list:
        print("\n".join(SCENARIOS))
        return 0
    if args.scenario not in SCENARIOS or not args.port_file or \
            not args.log or not args.state:
        ap.error("need a known SCENARIO, --port-file, --log and --state")
    srv = Server(args)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((HOST, 0))
    lsock.listen(4)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.replace(tmp, args.port_file)

    end = time.monotonic() + args.lifetime
    threads = []
    for _ in range(args.accept):
        left = end - time.monotonic()
        if left <= 0:
            break
        lsock.settimeout(left)
        try:
            c, _ = lsock.accept()
        except socket.timeout:
            break
        t = threading.Thread(target=Conn(c, srv).run, daemon=True)
        t.start()
        threads.append(t)
    lsock.close()
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    srv.done.set()
    srv.mailbox.save()
    srv.logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
