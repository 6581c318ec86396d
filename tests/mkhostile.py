#!/usr/bin/env python3
"""Writes hostile and broken mail for tests/check-cli.sh into DIR.

Big inputs (50 MB part, 100,000 headers, 1000-deep nesting, 200,000
links) are made here on the fly instead of living in git.
"""
import base64
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def w(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


HEAD = ("Date: Mon, 06 Mar 2023 10:00:00 +0900\r\n"
        "Message-ID: <{mid}@example.jp>\r\nTo: hanako@example.jp\r\n"
        "MIME-Version: 1.0\r\n")

SEED_HTML = """<html><body><p>hanako@example.jp</p>
<p>以前に2通のメールを送信しましたが、確認情報を取得できませんでした。残念ながら、あなたのアカウントは24時間後に自動的に削除されます。Amazonアカウントを引き続き使用する必要がある場合は、24時間以内に個人情報を確認してくださ。Amazonサポートに感謝します。</p>
<p><a href="https://amazon-co-jp.verify-account.cn/signin">確認用アカウント</a></p>
<p>※ 24時間経過してもこのメッセージに返信しない場合、アカウントのステータスは1週間後に放棄され、完全に削除されるように設定されます。</p>
<p>Amazon.co.jpカスタマーサービス</p></body></html>"""


def seed_phish():
    return (HEAD.format(mid="seed1") +
            "From: Amazon.co.jp <notice@23sl56kk.jp>\r\n"
            "Subject: =?UTF-8?B?" +
            base64.b64encode("Amazon株式会社から緊急のご連絡".encode()).decode() +
            "?=\r\n"
            "Content-Type: text/html; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" +
            base64.encodebytes(SEED_HTML.encode()).decode())


w("seed-phish.eml", seed_phish())
w("plain-ham.eml", HEAD.format(mid="ham1") +
  "From: Taro <taro@example.ne.jp>\r\nSubject: lunch\r\n"
  "Content-Type: text/plain; charset=UTF-8\r\n\r\n明日のお昼、12時でどうですか。\r\n")

esc = "\x1b[31mRED\x1b[0m \x1b]0;title\x07 \u202eevil\u202c \u200bzw \x9b2J"
w("escape-everywhere.eml",
  HEAD.format(mid="esc") +
  "From: =?UTF-8?B?" + base64.b64encode(("Amazon" + esc).encode()).decode() +
  "?= <a@x.example>\r\n"
  "Subject: =?UTF-8?B?" + base64.b64encode(("件名 " + esc).encode()).decode() + "?=\r\n"
  "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
  "--b\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n"
  "<p>body " + esc + "</p><a href=\"https://x.example/\x1b[2J\">link " + esc + "</a>\r\n"
  "--b\r\nContent-Type: application/pdf\r\n"
  "Content-Disposition: attachment; filename*=UTF-8''%1B%5B31mbad%E2%80%AE.pdf\r\n"
  "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n")
w("raw-escape-subject.eml", b"From: x@example.jp\r\nSubject: raw \x1b[31m\xe2\x80\xae red\r\n\r\nbody\r\n")
w("nul-bytes.eml", b"From: a@example.jp\r\nSubj\x00ect: nul\x00here\r\n\r\nbody\x00with\x00nul\r\n")
w("truncated.eml", seed_phish()[:700])
w("garbage.eml", bytes((i * 73 + 11) % 256 for i in range(20000)))
w("empty.eml", b"")
w("headers-only.eml", b"From: a@example.jp\r\nSubject: no body")
w("bad-charset.eml", HEAD.format(mid="cs") +
  "From: a@example.jp\r\nSubject: =?X-NOPE?B?AAAA?= =?UTF-8?B?!!!?= =?UTF-8?Q?unterminated\r\n"
  "Content-Type: text/plain; charset=x-klingon\r\n\r\n\xff\xfe garbage \x82\xa0\r\n")
w("lying-label.eml", (HEAD.format(mid="lie") +
  "From: a@example.jp\r\nSubject: label\r\n"
  "Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n").encode() +
  "本当はUTF-8です。アカウントの確認".encode("utf-8"))

# 1000-deep nested multipart.
depth = 1000
parts = [HEAD.format(mid="deep"), "From: a@example.jp\r\nSubject: deep\r\n"]
for i in range(depth):
    parts.append("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i))
parts.append("Content-Type: text/plain\r\n\r\ndeep\r\n")
for i in reversed(range(depth)):
    parts.append("--b%d--\r\n" % i)
w("deep-nesting.eml", "".join(parts))

# 100,000 header fields.
w("many-headers.eml", HEAD.format(mid="hdr") + "From: a@example.jp\r\n" +
  "".join("X-H%d: v\r\n" % i for i in range(100000)) + "Subject: many\r\n\r\nbody\r\n")

# A 50 MB base64 text part.
chunk = base64.b64encode(("あいうえお" * 40000).encode())
big = b"\r\n".join(chunk[i:i + 76] for i in range(0, len(chunk), 76))
reps = 50 * 1024 * 1024 // len(big) + 1
w("big-part.eml", (HEAD.format(mid="big") + "From: a@example.jp\r\nSubject: big\r\n"
  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
  + b"\r\n".join([big] * reps) + b"\r\n")

# 200,000 links.
w("many-links.eml", HEAD.format(mid="links") + "From: a@example.jp\r\nSubject: links\r\n"
  "Content-Type: text/html; charset=UTF-8\r\n\r\n" +
  "".join('<a href="https://h%d.example.cn/">t%d</a>\n' % (i, i) for i in range(200000)))

# mbox with three messages, one of them garbage, and >From quoting.
w("three.mbox",
  b"From a@example.jp Mon Mar  6 10:00:00 2023\n" +
  b"From: a@example.jp\nSubject: one\n\nfirst\n>From the quoted line\n\n" +
  b"From b@example.jp Mon Mar  6 10:00:01 2023\n" +
  seed_phish().replace("\r\n", "\n").encode() + b"\n" +
  b"From c@example.jp Mon Mar  6 10:00:02 2023\n" + b"\x00\x01\x02 garbage\n")

md = os.path.join(out, "maildir")
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(md, sub), exist_ok=True)
with open(os.path.join(md, "cur", "1700000001.M1P1.host:2,S"), "w") as f:
    f.write(seed_phish())
with open(os.path.join(md, "cur", "1700000002.M1P1.host:2,S"), "w") as f:
    f.write("From: a@example.jp\nSubject: two\n\nsecond\n")
with open(os.path.join(md, "new", "1700000003.M1P1.host"), "w") as f:
    f.write("From: b@example.jp\nSubject: three\n\nthird\n")
