# SPDX-License-Identifier: ISC
"""Byte-exact mail building blocks for the sagi fixture corpus.

The fixtures are assembled by hand instead of with email.generator so that
every byte is fixed (no random boundaries, no re-folding) and so that some
can carry what real mailers send but Python would never write: CP50220
characters in ISO-2022-JP, encoded words split inside a character, raw
8-bit Shift_JIS in a header, a lying charset label.

A fixture module registers builders with @fixture; mkcorpus.py runs them.
"""
import base64
import datetime
import quopri
from collections import namedtuple

NL = "\n"

Fixture = namedtuple("Fixture", "name build doc reasons demo crlf")
FIXTURES = []


def fixture(name, doc, reasons, demo=None, crlf=False):
    """Registers a builder returning the message bytes (LF line ends).

    name:    file name without .eml; starts with phish-, suspect- or clean-
    doc:     what the fixture exercises (one line, for README.md)
    reasons: the main reasons sagi should give (one line, for README.md)
    demo:    None, "cur" or "new": copy into the demo Maildir there
    crlf:    write the file with CRLF line ends instead of LF
    """
    def register(fn):
        FIXTURES.append(Fixture(name, fn, doc, reasons, demo, crlf))
        return fn
    return register


# --- Charsets ------------------------------------------------------------

ESC_JIS = b"\x1b$B"
ESC_ASCII = b"\x1b(B"


def _sjis_to_jis(b1, b2):
    """Shift_JIS lead/trail byte -> JIS X 0208 row/cell bytes (0x21-0x7e)."""
    j1 = (b1 - (0x81 if b1 < 0xA0 else 0xC1)) * 2 + 0x21
    if b2 >= 0x9F:
        return j1 + 1, b2 - 0x7E
    return j1, b2 - (0x1F if b2 < 0x7F else 0x20)


def _jis_pair(ch):
    """The two JIS bytes for one non-ASCII character.

    Plain JIS X 0208 first (what Python's iso2022_jp writes); else the CP932
    code converted to JIS, which is what CP50220 (Microsoft's ISO-2022-JP,
    ISO-2022-JP-MS) writes for NEC row 13 (① = 0x2D21, ㈱ = 0x2D6D) and for
    ～ U+FF5E (0x2141, the WAVE DASH position)."""
    try:
        b = ch.encode("iso2022_jp")
        if b.startswith(ESC_JIS) and len(b) == 5 + 3:
            return b[3:5]
    except UnicodeEncodeError:
        pass
    b = ch.encode("cp932")
    if len(b) != 2 or b[0] >= 0xED:
        raise ValueError("no ISO-2022-JP-MS form for %r" % ch)
    return bytes(_sjis_to_jis(b[0], b[1]))


def jis(text):
    """Encodes text as ISO-2022-JP (CP50220 superset), back in ASCII mode
    at the end of every line as RFC 1468 requires."""
    out = bytearray()
    for line in text.split(NL):
        mode = "ascii"
        for ch in line:
            if ord(ch) < 0x80:
                if mode != "ascii":
                    out += ESC_ASCII
                    mode = "ascii"
                out += ch.encode("ascii")
            else:
                if mode != "jis":
                    out += ESC_JIS
                    mode = "jis"
                out += _jis_pair(ch)
        if mode != "ascii":
            out += ESC_ASCII
        out += b"\n"
    return bytes(out[:-1])


def jis_decode(data):
    """Decodes ISO-2022-JP including the CP50220 rows (for checking)."""
    out = []
    mode = "ascii"
    i = 0
    while i < len(data):
        if data[i] == 0x1B:
            seq = data[i:i + 3]
            mode = {b"\x1b$B": "jis", b"\x1b$@": "jis", b"\x1b(B": "ascii",
                    b"\x1b(J": "ascii", b"\x1b(I": "kana"}.get(seq)
            if mode is None:
                raise ValueError("unknown escape %r" % seq)
            i += 3
            continue
        if mode == "jis" and data[i] not in b"\r\n":
            j1, j2 = data[i], data[i + 1]
            s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
            s2 = j2 + (0x1F if j2 < 0x60 else 0x20) if j1 % 2 else j2 + 0x7E
            out.append(bytes([s1, s2]).decode("cp932"))
            i += 2
        elif mode == "kana":
            out.append(bytes([data[i] + 0x80]).decode("cp932"))
            i += 1
        elif data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
        else:
            raise ValueError("8-bit byte 0x%02x in ISO-2022-JP" % data[i])
    return "".join(out)


CODECS = {"iso-2022-jp": jis, "shift_jis": "cp932", "euc-jp": "euc_jp",
          "utf-8": "utf-8", "gb2312": "gb2312", "us-ascii": "ascii"}


def encode(text, charset):
    """Text -> bytes in charset (labels as written in the mail)."""
    c = CODECS[charset.lower()]
    if callable(c):
        return c(text)
    return text.encode(c)


# --- Headers -------------------------------------------------------------

def ew(text, charset="UTF-8", q=False, width=40):
    """text as RFC 2047 encoded words, folded one word per line.

    Words are cut at character boundaries, each at most `width` source
    characters and at most 66 characters encoded (RFC 2047 allows 75)."""
    if all(ord(c) < 0x80 for c in text):
        return text                     # plain ASCII needs no encoding
    words = []
    chunk = ""
    for ch in text:
        trial = chunk + ch
        if chunk and (len(trial) > width or
                      len(ew_bytes(encode(trial, charset), charset, q)) > 66):
            words.append(chunk)
            chunk = ch
        else:
            chunk = trial
    if chunk:
        words.append(chunk)
    return "\n ".join(ew_bytes(encode(w, charset), charset, q) for w in words)


def ew_bytes(data, charset="UTF-8", q=False):
    """One encoded word holding exactly these bytes (may be a fragment)."""
    if q:
        s = "".join(chr(b) if (0x30 <= b < 0x7f and chr(b) not in "=?_")
                    else "_" if b == 0x20 else "=%02X" % b for b in data)
        return "=?%s?Q?%s?=" % (charset, s)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode())


def addr(name, address, charset="UTF-8"):
    """A From/To value: encoded display name when it is not ASCII."""
    if not name:
        return address
    if all(ord(c) < 0x80 for c in name):
        if any(c in name for c in '.,@<>()[]:;"'):
            name = '"%s"' % name.replace('"', '\\"')
        return "%s <%s>" % (name, address)
    return "%s <%s>" % (ew(name, charset), address)


def date(y, mo, d, h, mi, s=0, tz="+0900", zone=None):
    """RFC 5322 date with the right weekday; zone is a trailing comment."""
    wd = datetime.date(y, mo, d).strftime("%a")
    mon = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[mo - 1]
    v = "%s, %d %s %d %02d:%02d:%02d %s" % (wd, d, mon, y, h, mi, s, tz)
    return v + (" (%s)" % zone if zone else "")


def received(helo, ip, by, qid, when, rdns=None, proto="ESMTPS",
             to="hanako@example.jp", software="Postfix"):
    """One Received field; rdns None means the reverse lookup failed."""
    src = "%s (%s [%s])" % (helo, rdns or "unknown", ip)
    v = "from %s\n\tby %s (%s) with %s id %s" % (src, by, software, proto,
                                                qid)
    if to:
        return ("Received", v + "\n\tfor <%s>; %s" % (to, when))
    return ("Received", v + ";\n\t" + when)


def auth_results(spf, mailfrom, dkim=(), dmarc=None, serv="mx.example.jp"):
    """The provider's Authentication-Results.

    dkim:  sequence of (result, header.d) pairs; empty means dkim=none
    dmarc: (result, policy or None, header.from) or None for dmarc=none"""
    parts = [serv, "spf=%s smtp.mailfrom=%s" % (spf, mailfrom)]
    if not dkim:
        parts.append("dkim=none")
    for res, d in dkim:
        parts.append("dkim=%s header.d=%s header.s=s%s" %
                     (res, d, "2023" if res != "none" else ""))
    if dmarc:
        res, pol, dom = dmarc
        parts.append("dmarc=%s%s header.from=%s" %
                     (res, " (p=%s)" % pol if pol else "", dom))
    return ("Authentication-Results", ";\n\t".join(parts))


def envelope(rpath, ar, hops, frm, to, subject, when, msgid, extra=()):
    """The usual field order of a delivered message: Return-Path, the
    provider's Authentication-Results (ar may be None: no header), the
    Received hops (top = last), then the sender's own fields."""
    f = [("Return-Path", "<%s>" % rpath)]
    if hops:
        f.append(_lmtp_hop(hops[0][1]))
    if ar:
        f.append(ar)
    f += list(hops)
    f += [("From", frm), ("To", to), ("Subject", subject), ("Date", when),
          ("Message-ID", msgid)]
    return f + list(extra)


def _lmtp_hop(mx_hop):
    """The provider's final delivery hop (MX -> mailbox store), added after
    the MX wrote its Authentication-Results, so it sits above them."""
    mx = mx_hop.split("by ", 1)[1].split()[0]
    qid = mx_hop.split(" id ", 1)[1].split()[0]
    rcpt = mx_hop.split("for <", 1)[1].split(">")[0] if "for <" in mx_hop \
        else "hanako@example.jp"
    when = mx_hop.rsplit(";", 1)[1].strip()
    store = "mbox01." + mx.split(".", 1)[1]
    return ("Received", "from %s (%s [192.0.2.1])\n\tby %s (Dovecot) with "
            "LMTP id %s\n\tfor <%s>; %s" % (mx, mx, store, qid[::-1], rcpt,
                                            when))


def headers(fields):
    """Serialises (name, value) pairs; a bytes value is written raw."""
    out = bytearray()
    for name, value in fields:
        out += name.encode("ascii") + b": "
        out += value if isinstance(value, bytes) else value.encode("ascii")
        out += b"\n"
    return bytes(out)


# --- Bodies --------------------------------------------------------------

def b64(data):
    return base64.encodebytes(data)


def qp(data):
    return quopri.encodestring(data)


def leaf(ctype, data, cte, extra=()):
    """One MIME leaf: Content-Type, Content-Transfer-Encoding, body."""
    body = {"base64": b64, "quoted-printable": qp}.get(cte, lambda x: x)(data)
    if not body.endswith(b"\n"):
        body += b"\n"
    h = [("Content-Type", ctype), ("Content-Transfer-Encoding", cte)]
    return headers(h + list(extra)) + b"\n" + body


def text(body, charset="UTF-8", cte="8bit", subtype="plain", extra=()):
    """A text/* leaf with body encoded in charset."""
    return leaf("text/%s; charset=%s" % (subtype, charset),
                encode(body, charset), cte, extra)


def multipart(subtype, boundary, parts, preamble=None):
    """A multipart entity: its Content-Type header, then the parts."""
    out = bytearray(headers([("Content-Type", 'multipart/%s;\n\tboundary="%s"'
                                              % (subtype, boundary))]))
    out += b"\n"
    if preamble:
        out += preamble.encode("ascii") + b"\n"
    for p in parts:
        out += b"--" + boundary.encode("ascii") + b"\n" + p
    out += b"--" + boundary.encode("ascii") + b"--\n"
    return bytes(out)


def mail(fields, entity):
    """A whole message: header fields, MIME-Version, then the entity
    (which starts with its own Content-Type header)."""
    return headers(list(fields) + [("MIME-Version", "1.0")]) + entity


def html_doc(inner, font=None, charset="UTF-8"):
    """Wraps an HTML fragment the way phishing kits and ESPs do."""
    style = (' style="font-family:%s;font-size:14px;color:#111"' % font
             if font else "")
    return ('<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type"'
            ' content="text/html; charset=%s">\n</head>\n<body%s>\n%s\n'
            '</body>\n</html>\n' % (charset, style, inner.strip()))


def paras(s):
    """Blank-line separated text -> <p> paragraphs (links kept as given)."""
    out = []
    for p in s.strip().split("\n\n"):
        out.append("<p>%s</p>" % p.strip().replace("\n", "<br>\n"))
    return "\n".join(out)
