#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Generate a synthetic Maildir for benchmarking `sagi scan`.

The mail is deterministic (same --count and --seed give the same bytes), mixed
Japanese/English, 3-30 KB a message, in the MIME shapes real Japanese mail has
(ISO-2022-JP 7bit, Shift_JIS quoted-printable, UTF-8 base64, HTML-only,
multipart/alternative, PDF attachments, forwarded message/rfc822), and about
10 % of it imitates the Amazon 「緊急のご連絡」 phishing family and its siblings.
Python 3 standard library only.  Message i depends only on (seed, i), so the
first K messages of any run are the same whatever --count is.
"""

import argparse
import base64
import datetime
import email.policy
import email.utils
import hashlib
import html
import math
import os
import quopri
import random
import shutil
import sys
import textwrap
from email.parser import BytesParser

MIN_SIZE = 3 * 1024
MAX_SIZE = 30 * 1024
PHISH_RATIO = 0.10
JST = datetime.timezone(datetime.timedelta(hours=9))
CST = datetime.timezone(datetime.timedelta(hours=8))
EPOCH = datetime.datetime(2025, 1, 6, 7, 0, 0, tzinfo=JST)

# The receiving side: every message was delivered to this mailbox through
# this MX, which wrote the trusted Authentication-Results (authserv-id).
MX = "mx.example.jp"
RCPT_JA = ("山田 太郎", "taro.yamada@example.jp")
RCPT_EN = ("Taro Yamada", "taro.yamada@example.jp")

# ---------------------------------------------------------------------------
# Random helpers.  Every random choice goes through an explicit Random object.

LOWER = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LOWER + "0123456789"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def rstr(rng, n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hexs(rng, n):
    return rstr(rng, n, "0123456789abcdef")


def weighted(rng, table):
    """table: list of (weight, value)."""
    total = sum(w for w, _ in table)
    x = rng.uniform(0, total)
    for w, v in table:
        x -= w
        if x <= 0:
            return v
    return table[-1][1]


# First octets of ordinary public unicast space (no private, reserved or
# documentation blocks, which filters score as forged).
PUBLIC_A = (27, 36, 49, 52, 54, 60, 101, 106, 110, 118, 126, 133, 150, 153, 157,
            160, 163, 180, 202, 210, 211, 219, 220, 221)


def pub_ip(rng):
    return "%d.%d.%d.%d" % (rng.choice(PUBLIC_A), rng.randint(0, 255),
                            rng.randint(0, 255), rng.randint(1, 254))


# ---------------------------------------------------------------------------
# Encoding helpers: headers (RFC 2047) and bodies (7bit, QP, base64).

def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def encode_words(text, charset="utf-8", mode="B"):
    """RFC 2047 encoded words for text, each self-contained and < 76 chars."""
    if charset == "iso-2022-jp":
        label, codec, chunk = "ISO-2022-JP", "iso2022_jp", 10
    else:
        label, codec, chunk = "UTF-8", "utf-8", 12 if mode == "B" else 6
    words = []
    for k in range(0, len(text), chunk):
        raw = text[k:k + chunk].encode(codec)
        if mode == "B":
            words.append("=?%s?B?%s?=" % (label, base64.b64encode(raw).decode()))
        else:
            q = "".join(chr(b) if (chr(b).isalnum() and b < 128) else
                        "=%02X" % b for b in raw)
            words.append("=?%s?Q?%s?=" % (label, q))
    return words


def hdr_text(rng, text, prefer="utf-8", force=False):
    """A header value: plain when ASCII (unless force), encoded words if not."""
    if is_ascii(text) and not force:
        return text
    charset = prefer
    if charset == "iso-2022-jp":
        try:
            text.encode("iso2022_jp")
        except UnicodeEncodeError:
            charset = "utf-8"
    mode = "Q" if (charset == "utf-8" and rng.random() < 0.15) else "B"
    return "\n ".join(encode_words(text, charset, mode))


def hdr_addr(rng, name, addr, prefer="utf-8"):
    if not name:
        return "<%s>" % addr
    if is_ascii(name):
        if any(c in name for c in ',.;:"()<>@[]'):
            return '"%s" <%s>' % (name.replace('"', ""), addr)
        return "%s <%s>" % (name, addr)
    return "%s <%s>" % (hdr_text(rng, name, prefer), addr)


def wrap_ja(text, width=38):
    out = []
    for line in text.split("\n"):
        if len(line) <= width or "http" in line or is_ascii(line):
            out.append(line)
            continue
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out)


def wrap_en(text, width=72):
    out = []
    for para in text.split("\n"):
        if len(para) <= width or para.startswith(">") or "http" in para:
            out.append(para)
        else:
            out.append(textwrap.fill(para, width))
    return "\n".join(out)


class Leaf:
    def __init__(self, ctype, body, cte, params=None, headers=None):
        self.ctype = ctype
        self.body = body            # already transfer-encoded text
        self.cte = cte
        self.params = params or []  # [(name, value)]
        self.headers = headers or []


class Multi:
    def __init__(self, subtype, parts, boundary):
        self.subtype = subtype
        self.parts = parts
        self.boundary = boundary


def text_leaf(text, subtype, charset, cte):
    """Encode text as a text/* leaf.  Falls back to UTF-8/base64 when the
    text cannot be represented in the requested JIS charset."""
    if charset in ("iso-2022-jp", "shift_jis"):
        try:
            text.encode("iso2022_jp" if charset == "iso-2022-jp" else "shift_jis")
        except UnicodeEncodeError:
            charset, cte = "utf-8", "base64"
    if charset == "iso-2022-jp":
        # Each line on its own so that every line ends in ASCII (RFC 1468).
        body = "\n".join(l.encode("iso2022_jp").decode("ascii")
                         for l in text.split("\n"))
        cte = "7bit"
    elif charset == "us-ascii":
        body = text
    else:
        raw = text.encode("shift_jis" if charset == "shift_jis" else "utf-8")
        if cte == "base64":
            body = base64.encodebytes(raw).decode("ascii").rstrip("\n")
        elif cte == "quoted-printable":
            body = quopri.encodestring(raw).decode("ascii").rstrip("\n")
        else:                       # 8bit UTF-8
            body = text
    label = {"iso-2022-jp": "ISO-2022-JP", "shift_jis": "Shift_JIS",
             "utf-8": "UTF-8", "us-ascii": "us-ascii"}[charset]
    return Leaf("text/" + subtype, body, cte, [("charset", label)])


def render_entity(node, headers):
    """Headers (list of (name, value)) plus node's own MIME headers and body."""
    lines = ["%s: %s" % h for h in headers]
    if isinstance(node, Multi):
        lines.append('Content-Type: multipart/%s;\n boundary="%s"'
                     % (node.subtype, node.boundary))
        out = "\n".join(lines) + "\n\n"
        out += "This is a multi-part message in MIME format.\n"
        for part in node.parts:
            out += "\n--%s\n" % node.boundary
            out += render_entity(part, [])
        out += "\n--%s--\n" % node.boundary
        return out
    params = "".join((";\n\t%s=%s" if len(v) > 40 else "; %s=%s") % (k, v)
                     for k, v in node.params)
    lines.append("Content-Type: %s%s" % (node.ctype, params))
    if node.cte:
        lines.append("Content-Transfer-Encoding: %s" % node.cte)
    lines.extend("%s: %s" % h for h in node.headers)
    body = node.body
    if not body.endswith("\n"):
        body += "\n"
    return "\n".join(lines) + "\n\n" + body


def boundary(rng):
    return rng.choice(("----=_Part_%d_%d.%d" % (rng.randint(10000, 99999),
                                                rng.randint(100000000, 999999999),
                                                rng.randint(10**12, 10**13)),
                       "000000000000" + hexs(rng, 16),
                       "=_" + rstr(rng, 28, B64[:62]),
                       "Apple-Mail=_" + hexs(rng, 8).upper() + "-" +
                       hexs(rng, 4).upper() + "-" + hexs(rng, 12).upper()))


def pdf_leaf(rng, size, filename):
    """A small PDF-looking attachment: a real PDF header and trailer around
    incompressible filler, base64 encoded."""
    head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
            b"endobj\n2 0 obj\n" + b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % size)
    blob = head + rng.randbytes(size) + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    body = base64.encodebytes(blob).decode("ascii").rstrip("\n")
    if is_ascii(filename):
        disp = 'attachment; filename="%s"' % filename
        params = [("name", '"%s"' % filename)]
    else:
        enc = "".join(chr(b) if chr(b).isalnum() or chr(b) in "._-" else "%%%02X" % b
                      for b in filename.encode("utf-8"))
        disp = "attachment;\n filename*=UTF-8''%s" % enc
        params = [("name", '"%s"' % " ".join(encode_words(filename)))]
    return Leaf("application/pdf", body, "base64", params,
                [("Content-Disposition", disp)])


# ---------------------------------------------------------------------------
# Header chains.

def fmt_date(dt):
    return email.utils.format_datetime(dt)


def auth_results(rng, spf, dkim, dmarc, from_dom, mailfrom, ip, dkim_dom=None,
                 policy="NONE"):
    parts = []
    if dkim == "pass":
        parts.append("dkim=pass (2048-bit key; unprotected) header.d=%s header.s=%s "
                     "header.b=%s" % (dkim_dom or from_dom,
                                      rng.choice(("s1", "20230601", "mail", "k1", "selector2")),
                                      rstr(rng, 8, B64[:62])))
    else:
        parts.append("dkim=%s" % dkim)
    if spf == "pass":
        parts.append("spf=pass (%s: domain of %s designates %s as permitted sender) "
                     "smtp.mailfrom=%s" % (MX, mailfrom, ip, mailfrom))
    else:
        parts.append("spf=%s (%s: domain of %s does not designate %s as permitted "
                     "sender) smtp.mailfrom=%s" % (spf, MX, mailfrom, ip, mailfrom))
    parts.append("dmarc=%s (p=%s sp=%s dis=%s) header.from=%s"
                  % (dmarc, policy, policy, policy if dmarc == "fail" else "NONE",
                     from_dom))
    return "%s;\n\t%s" % (MX, ";\n\t".join(parts))


def dkim_sig(rng, dom, t):
    b = rstr(rng, 344, B64)
    folded = "\n\t ".join(b[k:k + 70] for k in range(0, len(b), 70))
    return ("v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n\ts=%s; t=%d;\n"
            "\th=from:to:subject:date:message-id:mime-version:content-type;\n"
            "\tbh=%s=;\n\tb=%s" % (dom, rng.choice(("s1", "20230601", "mail", "k1")),
                                   t, rstr(rng, 43, B64), folded))


def received_chain(rng, dt, origin_host, origin_ip, relay=None, origin_dt=None):
    """Topmost first: local delivery, MX, then the sender's own hops."""
    qid = rstr(rng, 12, "0123456789ABCDEF")
    hops = ["from %s (%s [10.1.0.25])\n\tby imap.example.jp (Postfix) with LMTP id %s\n"
            "\tfor <%s>; %s" % (MX, MX, rstr(rng, 22, B64[:62]), RCPT_JA[1],
                                fmt_date(dt + datetime.timedelta(seconds=1)))]
    first = relay or (origin_host, origin_ip)
    hops.append("from %s (%s [%s])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
                "(256/256 bits))\n\tby %s (Postfix) with ESMTPS id %s\n\tfor <%s>; %s"
                % (first[0], first[0], first[1], MX, qid, RCPT_JA[1], fmt_date(dt)))
    if relay:
        odt = origin_dt or (dt - datetime.timedelta(seconds=rng.randint(1, 30)))
        hops.append("from %s (unknown [%s])\n\tby %s with SMTP id %s;\n\t%s"
                    % (origin_host, origin_ip, relay[0], rstr(rng, 10, ALNUM), fmt_date(odt)))
    else:
        hops.append("by %s (Postfix, from userid %d)\n\tid %s; %s"
                    % (origin_host, rng.randint(100, 2000), rstr(rng, 11, "0123456789ABCDEF"),
                       fmt_date(dt - datetime.timedelta(seconds=rng.randint(1, 20)))))
    return hops


# ---------------------------------------------------------------------------
# Text pools.  JIS X 0208 characters only, so that every sentence fits in
# ISO-2022-JP and Shift_JIS; phish-only oddities (simplified Chinese, Cyrillic)
# live in the phish templates, which fall back to UTF-8.

JA_NEWS = [
    "今月は全国の紅葉の名所を特集します。見頃は例年より一週間ほど遅れる見込みです。",
    "新しく開業した駅ビルには、地元の食材を使った飲食店が二十店舗以上入っています。",
    "週末の天気は全国的に晴れる見込みですが、朝晩の冷え込みにご注意ください。",
    "人気の温泉地では、平日限定の割引プランを用意しています。",
    "今回のアップデートでは、検索の速度が大幅に改善されました。",
    "読者アンケートの結果、最も人気があったのは京都の小さな町家カフェでした。",
    "新刊のご案内です。今月は文庫本を中心に三十冊以上が入荷しました。",
    "季節の野菜を使った簡単なレシピを三つご紹介します。",
    "まず、鍋にだしを入れて中火で温め、切った大根を加えて十分ほど煮ます。",
    "しょうゆとみりんを同じ量ずつ加え、味がなじむまで弱火で煮込みます。",
    "会員の皆さまに、来月から始まる新しいサービスについてお知らせします。",
    "年末年始の営業時間は店舗によって異なりますので、事前にご確認ください。",
    "専門家によると、この冬は例年よりも雪が多くなる可能性があるとのことです。",
    "開発チームは、利用者からの意見をもとに画面の配置を見直しました。",
    "駅から徒歩五分の場所に、新しい図書館が来春オープンします。",
    "イベントの参加申し込みは、先着順で受け付けています。",
    "この記事では、長く使える道具の選び方と手入れの方法を解説します。",
    "地域の農家と協力して、旬の果物を産地から直接お届けします。",
    "前回の特集には多くの感想をいただき、ありがとうございました。",
    "山あいの小さな宿で、静かな時間を過ごしてみてはいかがでしょうか。",
    "東京から新幹線で二時間ほどの距離にある港町を歩いてきました。",
    "データの保存方法を見直すことで、処理時間を半分に短縮できました。",
    "今週のおすすめは、香ばしく焼いた鮭と具だくさんの味噌汁です。",
    "市内の公園では、桜の季節に合わせて夜間のライトアップを行います。",
    "本講座は初心者向けの内容で、特別な準備は必要ありません。",
    "お子さま連れでも楽しめる体験型の展示が増えています。",
    "詳しい日程と会場の地図は、ウェブサイトでご確認いただけます。",
    "商品の在庫状況は日々変わりますので、お早めにお求めください。",
]

JA_PERSONAL = [
    "先日はありがとうございました。とても楽しい時間でした。",
    "来週の打ち合わせですが、水曜日の午後でも大丈夫でしょうか。",
    "資料を添付しましたので、お手すきの際にご確認ください。",
    "土曜日は雨の予報なので、集合場所を駅の改札前に変更します。",
    "例の件、部長にも共有しておきました。",
    "子どもたちも元気にしています。お正月には帰る予定です。",
    "写真をたくさん撮ったので、今度まとめて送りますね。",
    "会議室の予約が取れたので、十時からでお願いします。",
    "お店の予約は七時に四名で取ってあります。",
    "見積もりの金額について、もう一度確認させてください。",
    "駅前の新しいパン屋さん、すごくおいしかったよ。",
    "体調はいかがですか。無理をしないでくださいね。",
    "修正版をお送りします。変更点は赤字にしてあります。",
    "出張の日程が決まりましたら、またご連絡します。",
]

JA_LEGAL = [
    "※本メールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできませんのでご了承ください。",
    "※本メールの内容を無断で転載することを禁じます。",
    "配信の停止や登録情報の変更は、会員ページから手続きいただけます。",
    "個人情報の取り扱いについては、当社のプライバシーポリシーをご覧ください。",
    "お問い合わせの受付時間は、平日の午前九時から午後六時までです。",
    "このメールにお心当たりのない場合は、お手数ですが破棄してください。",
]

EN_NEWS = [
    "This week we look at how small teams ship reliable software without a dedicated operations group.",
    "Our autumn collection is here, with lighter jackets and boots that keep your feet dry on long trails.",
    "The new release cuts start-up time in half and fixes a long-standing crash on large inputs.",
    "Readers asked us for more recipes that take less than thirty minutes, so this issue has three.",
    "Registration for the spring workshop is open until the end of the month.",
    "We spoke with the maintainers about what it takes to keep a thirty-year-old project healthy.",
    "If you are travelling over the holidays, check the updated opening hours of your local store.",
    "The book club picks for next month are two novels and one collection of short stories.",
    "A reader wrote in to share a trick for keeping bread fresh for a whole week.",
    "Performance numbers are noisy on shared machines, so we report medians over many runs.",
    "The council approved the new cycle lane, which will connect the station to the river path.",
    "Members get early access to the sale, starting on Thursday at nine in the morning.",
    "Here is a short summary of the talks we enjoyed most at this year's conference.",
    "Thanks to everyone who sent feedback on the last issue; we read every message.",
    "The trail reopened after the storm, but the upper section is still closed to bicycles.",
    "Version two of the library drops support for the old configuration format.",
    "We fixed a bug where the export would silently skip rows that contained a tab character.",
    "Next week's issue will be a day late because of the public holiday.",
]

EN_PERSONAL = [
    "Thanks again for dinner on Saturday, it was lovely to catch up.",
    "Are you still free on Thursday afternoon? I could come by around three.",
    "I have attached the draft; let me know if anything looks off.",
    "The train was delayed again, so I will be about twenty minutes late.",
    "Could you send me the photos from the trip when you get a chance?",
    "I talked to Sam and he is fine with moving the meeting to Monday.",
    "The kids loved the museum, we should go again in the spring.",
    "Let me know what you think about the second option, I am leaning towards it.",
    "I booked a table for four at seven, near the station.",
    "No rush on this, next week is fine.",
]

CODE_LINES = [
    "static int", "parse_header(struct msg *m, const char *line, size_t len)", "{",
    "\tif (len > MAX_HEADER_LEN)", "\t\treturn (-1);", "\tif (memchr(line, ':', len) == NULL)",
    "\t\treturn (-1);", "\tm->nheaders++;", "\treturn (0);", "}",
    "for (i = 0; i < n; i++) {", "\tfree(items[i]);", "}",
    "buf_add(b, data, size);", "error = decode(src, &dst, &cause);",
]

# ---------------------------------------------------------------------------
# Senders.

JA_NEWSLETTERS = [
    ("旅ノート編集部", "news", "mail.tabinote.jp", "tabinote.jp"),
    ("週刊テックダイジェスト", "digest", "news.techdigest.co.jp", "techdigest.co.jp"),
    ("はなみずき書店", "info", "hanamizuki-books.jp", "hanamizuki-books.jp"),
    ("まちの台所 レシピ便", "recipe", "mail.machidaidokoro.jp", "machidaidokoro.jp"),
    ("さくら生活協同組合", "news", "sakura-coop.or.jp", "sakura-coop.or.jp"),
    ("駅前フィットネス", "member", "ekimae-fit.jp", "ekimae-fit.jp"),
]
EN_NEWSLETTERS = [
    ("The Weekly Compiler", "newsletter", "weeklycompiler.dev", "weeklycompiler.dev"),
    ("Trailhead Outdoor Co.", "deals", "email.trailhead-outdoor.com", "trailhead-outdoor.com"),
    ("Hacker Digest", "digest", "hackerdigest.io", "hackerdigest.io"),
    ("Plotline Books", "hello", "plotlinebooks.com", "plotlinebooks.com"),
]
JA_PEOPLE = [("佐藤 花子", "hanako.sato"), ("鈴木 一郎", "ichiro.suzuki"),
             ("高橋 美咲", "misaki.t"), ("田中 健", "ken.tanaka"),
             ("伊藤 さくら", "sakura.ito"), ("渡辺 翔太", "shota.w"),
             ("中村 陽子", "yoko.nakamura"), ("小林 誠", "makoto.k")]
EN_PEOPLE = [("Alice Moreau", "alice.moreau"), ("Ben Carter", "ben"),
             ("Chloe Nguyen", "chloe.n"), ("David Okafor", "dokafor"),
             ("Emma Lindqvist", "emma.l"), ("Farid Haddad", "farid")]
FREEMAIL = ["gmail.com", "yahoo.co.jp", "icloud.com", "outlook.jp", "docomo.ne.jp",
            "ezweb.ne.jp"]
# Provider -> (outbound host pattern, Message-ID domain), so that personal
# mail looks like it came from that provider.
PROVIDER_MTA = {
    "gmail.com": ("mail-{a}-f{n}.google.com", "mail.gmail.com"),
    "yahoo.co.jp": ("nh{n}-vm{n}.bizmail.yahoo.co.jp", "mail.yahoo.co.jp"),
    "icloud.com": ("st43p00im-zteg{n}.me.com", "icloud.com"),
    "outlook.jp": ("{A}.outbound.protection.outlook.com", "TY{n}PR01MB{n}.jpnprd01.prod.outlook.com"),
    "outlook.com": ("{A}.outbound.protection.outlook.com", "AM{n}PR07MB{n}.eurprd07.prod.outlook.com"),
    "docomo.ne.jp": ("mfsmax.docomo.ne.jp", "docomo.ne.jp"),
    "ezweb.ne.jp": ("dmta{n}.ezweb.ne.jp", "ezweb.ne.jp"),
    "fastmail.com": ("wfout{n}-smtp.messagingengine.com", "app.fastmail.com"),
    "proton.me": ("mail-{n}.proton.ch", "proton.me"),
}


def provider_mta(rng, dom):
    host, mid = PROVIDER_MTA[dom]
    fill = lambda t: t.replace("{a}", rstr(rng, 3, LOWER), 1).replace(
        "{A}", rstr(rng, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), 1).replace(
        "{n}", str(rng.randint(1, 99)), 1).replace("{n}", str(rng.randint(1000, 9999)), 1)
    if dom == "gmail.com":
        msgid = "<CA%s@%s>" % (rstr(rng, rng.randint(48, 60), B64[:62] + "_-+="), mid)
    else:
        msgid = "<%s.%s@%s>" % (rng.randint(10**9, 10**10), hexs(rng, 12), fill(mid))
    return fill(host), msgid

# ---------------------------------------------------------------------------
# Message kinds.  Each builder gets (rng, fill_rng, nfill, ctx) and returns
# (headers, mime_node).  Everything except the filler must come from rng and
# the filler only from fill_rng, so that the size fitter can vary nfill.


class Ctx:
    def __init__(self, index, dt, lang):
        self.index = index
        self.dt = dt
        self.lang = lang


def base_headers(rng, ctx, from_hdr, subject, from_dom, auth, origin, msgid_dom,
                 to=None, extra=None, dkim_dom=None, relay=None, origin_dt=None,
                 mailfrom=None, forged_ar=None, date_dt=None, msgid=None):
    dt = ctx.dt
    mailfrom = mailfrom or "bounce-%s@%s" % (rstr(rng, 10), from_dom)
    hops = received_chain(rng, dt, origin[0], origin[1], relay, origin_dt)
    h = [("Return-Path", "<%s>" % mailfrom), ("Delivered-To", RCPT_JA[1]),
         ("Received", hops[0]), ("Authentication-Results", auth)]
    h += [("Received", r) for r in hops[1:]]
    if dkim_dom:
        h.append(("DKIM-Signature", dkim_sig(rng, dkim_dom, int(dt.timestamp()) - 5)))
    if forged_ar:
        h.append(("Authentication-Results", forged_ar))
    h += [("From", from_hdr),
          ("To", to or hdr_addr(rng, *(RCPT_JA if ctx.lang == "ja" else RCPT_EN))),
          ("Subject", subject),
          ("Date", fmt_date(date_dt or (dt - datetime.timedelta(seconds=rng.randint(3, 90))))),
          ("Message-ID", msgid or "<%s.%s@%s>" % (dt.strftime("%Y%m%d%H%M%S"),
                                                  hexs(rng, 16), msgid_dom)),
          ("MIME-Version", "1.0")]
    h += extra or []
    return h


def ham_auth(rng, from_dom, mailfrom, ip, dkim_dom=None):
    return auth_results(rng, "pass", "pass", "pass", from_dom, mailfrom, ip,
                        dkim_dom or from_dom)


def track(rng, host, target):
    if rng.random() < 0.5:
        return "https://click.%s/ls/click?upn=%s" % (host, rstr(rng, rng.randint(60, 140), B64[:62]))
    return target + ("&" if "?" in target else "?") + "utm_source=newsletter&utm_medium=email&utm_campaign=%s" % rstr(rng, 8)


def newsletter(rng, frng, nfill, ctx):
    ja = ctx.lang == "ja"
    name, local, host, dom = rng.choice(JA_NEWSLETTERS if ja else EN_NEWSLETTERS)
    issue = rng.randint(100, 900)
    if ja:
        subject = rng.choice(["【%s】第%d号 今週のおすすめ" % (name, issue),
                              "%s 最新号のお知らせ（第%d号）" % (name, issue),
                              "【会員限定】週末セールのご案内 - %s" % name,
                              "季節の特集をお届けします【%s】" % name])
    else:
        subject = rng.choice(["%s #%d: what we read this week" % (name, issue),
                              "Issue %d - %s" % (issue, name),
                              "Members' sale starts Thursday | %s" % name,
                              "Your %s weekly digest" % name])
    pool = JA_NEWS if ja else EN_NEWS
    articles = []
    for k in range(3 + nfill):
        r = rng if k < 3 else frng
        title = r.choice(pool)[:18] if ja else " ".join(r.choice(pool).split()[:6])
        body = "".join(r.choice(pool) for _ in range(r.randint(2, 4))) if ja else \
            " ".join(r.choice(pool) for _ in range(r.randint(2, 4)))
        url = "https://%s/%s/%d" % (("www." + dom), r.choice(("article", "posts", "items", "feature")),
                                    r.randint(1000, 99999))
        articles.append((title, body, url, track(r, dom, url)))
    more = "続きを読む" if ja else "Read more"
    # text/plain
    tl = [name, "=" * 30, ""]
    for title, body, url, _ in articles:
        tl += ["■ " + title if ja else "* " + title, body, more + ": " + url, ""]
    unsub = "https://%s/unsubscribe?u=%s" % (dom if rng.random() < 0.5 else "www." + dom,
                                            rstr(rng, 24))
    tl += ["-" * 30, ("配信停止: " if ja else "Unsubscribe: ") + unsub,
           rng.choice(JA_LEGAL) if ja else "You are receiving this because you subscribed at %s." % dom]
    text = "\n".join(tl)
    text = wrap_ja(text) if ja else wrap_en(text)
    # text/html: a table layout with many links and images
    hl = ['<!DOCTYPE html>', '<html lang="%s"><head><meta charset="utf-8">' % ("ja" if ja else "en"),
          '<meta name="viewport" content="width=device-width, initial-scale=1">',
          '<title>%s</title>' % html.escape(subject),
          '<style>body{margin:0;background:#f4f4f4;font-family:%s}'
          '.btn{display:inline-block;padding:10px 18px;background:#2a6;color:#fff;text-decoration:none}'
          'td{padding:12px 20px;line-height:1.7}</style></head><body>' %
          ("'Hiragino Kaku Gothic ProN','Meiryo',sans-serif" if ja else "Helvetica,Arial,sans-serif"),
          '<table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" bgcolor="#ffffff">',
          '<tr><td><a href="%s"><img src="https://img.%s/logo.png" width="180" height="40" alt="%s"></a></td></tr>'
          % (html.escape(track(rng, dom, "https://www.%s/" % dom)), dom, html.escape(name))]
    for k, (title, body, url, turl) in enumerate(articles):
        r = rng if k < 3 else frng
        img = '<img src="https://img.%s/%s.jpg" width="560" alt="">' % (dom, hexs(r, 12)) \
            if r.random() < 0.5 else ""
        label = url if r.random() < 0.15 else more
        hl.append('<tr><td>%s<h2 style="font-size:18px">%s</h2><p>%s</p>'
                  '<p><a class="btn" href="%s">%s</a></p></td></tr>'
                  % (img, html.escape(title), html.escape(body), html.escape(turl),
                     html.escape(label)))
    foot = ["配信停止", "登録情報の変更", "プライバシーポリシー", "お問い合わせ"] if ja else \
        ["Unsubscribe", "Update preferences", "Privacy", "Contact us"]
    hl.append('<tr><td style="font-size:11px;color:#888">%s<br>%s</td></tr>' % (
        " | ".join('<a href="https://www.%s/%s?u=%s">%s</a>' % (dom, f, rstr(rng, 10), html.escape(t))
                   for f, t in zip(("unsubscribe", "preferences", "privacy", "contact"), foot)),
        html.escape(rng.choice(JA_LEGAL) if ja else "(c) 2025 %s. All rights reserved." % name)))
    hl.append("</table></body></html>")
    htm = "\n".join(hl)
    hcte = rng.choice(("base64", "quoted-printable"))
    if rng.random() < 0.3:
        node = text_leaf(htm, "html", "utf-8", hcte)
    else:
        tcs = rng.choice(("iso-2022-jp", "utf-8")) if ja else "utf-8"
        node = Multi("alternative", [text_leaf(text, "plain", tcs, rng.choice(("base64", "quoted-printable"))),
                                     text_leaf(htm, "html", "utf-8", hcte)], boundary(rng))
    ip = pub_ip(rng)
    mailfrom = "bounce-%s@%s" % (rstr(rng, 16), host)
    h = base_headers(rng, ctx, hdr_addr(rng, name, "%s@%s" % (local, host)),
                     hdr_text(rng, subject), dom, ham_auth(rng, dom, mailfrom, ip, host),
                     ("mta%d.%s" % (rng.randint(1, 40), host), ip), host, dkim_dom=host,
                     mailfrom=mailfrom,
                     extra=[("List-Unsubscribe", "<%s>, <mailto:unsubscribe@%s>" % (unsub, host)),
                            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                            ("Precedence", "bulk"),
                            ("X-Mailer", rng.choice(("Cuenote", "MailPublisher", "Mailchimp Mailer",
                                                     "acmailer 4.0")))])
    return h, node


NOTICES = [
    # (kind, display, local, from_dom, dkim_dom, link_host)
    ("amazon", "Amazon.co.jp", "shipment-tracking", "amazon.co.jp", "amazon.co.jp", "www.amazon.co.jp"),
    ("rakuten", "楽天カード株式会社", "info", "mail.rakuten-card.co.jp", "rakuten-card.co.jp", "www.rakuten-card.co.jp"),
    ("bank", "みどり銀行", "info", "midori-bank.co.jp", "midori-bank.co.jp", "www.midori-bank.co.jp"),
    ("denki", "ひかり電力", "noreply", "mail.hikari-denryoku.jp", "hikari-denryoku.jp", "my.hikari-denryoku.jp"),
]


def notice_ja(rng, frng, nfill, ctx):
    kind, disp, local, fdom, ddom, lhost = rng.choice(NOTICES)
    order = "%03d-%07d-%07d" % (rng.randint(100, 999), rng.randint(0, 9999999), rng.randint(0, 9999999))
    amount = rng.randint(300, 48000)
    if kind == "amazon":
        subject = rng.choice(["Amazon.co.jp ご注文の商品を発送しました",
                              "Amazon.co.jpでのご注文 %s" % order,
                              "ご注文の確認 Amazon.co.jp"])
        lines = ["%s 様" % RCPT_JA[0], "",
                 "Amazon.co.jpをご利用いただき、ありがとうございます。",
                 "ご注文いただいた商品を発送しました。配送状況は以下のリンクからご確認いただけます。", "",
                 "注文番号: %s" % order, "ご請求額: ￥%s" % format(amount, ","),
                 "お届け予定: %d月%d日" % (ctx.dt.month, min(28, ctx.dt.day + 2)), "",
                 "配送状況の確認:", "https://www.amazon.co.jp/gp/your-account/order-details?orderID=%s" % order]
    elif kind == "rakuten":
        subject = rng.choice(["カード利用のお知らせ(本人ご利用分)", "【楽天カード】ご利用速報"])
        lines = ["%s 様" % RCPT_JA[0], "", "楽天カードをご利用いただきありがとうございます。",
                 "以下の通りカードのご利用がありましたのでお知らせします。", "",
                 "ご利用日: %s" % ctx.dt.strftime("%Y/%m/%d"), "ご利用先: スーパー%s" % rng.choice(("まるや", "さくら", "みどり")),
                 "ご利用金額: %s円" % format(amount, ","), "",
                 "ご利用明細の確認は楽天e-NAVIから:", "https://www.rakuten-card.co.jp/e-navi/"]
    elif kind == "bank":
        subject = rng.choice(["【みどり銀行】入出金のお知らせ", "【みどり銀行】お振込受付のお知らせ"])
        lines = ["%s 様" % RCPT_JA[0], "", "いつもみどり銀行をご利用いただきありがとうございます。",
                 "お客さまの口座で以下のお取引がありました。", "",
                 "お取引日時: %s" % ctx.dt.strftime("%Y年%m月%d日 %H時%M分"),
                 "お取引内容: 振込入金", "金額: %s円" % format(amount * 10, ","), "",
                 "当行では、メールでパスワードや暗証番号をお伺いすることは一切ございません。",
                 "詳しくはインターネットバンキングにログインしてご確認ください。",
                 "https://www.midori-bank.co.jp/"]
    else:
        subject = "【ひかり電力】%d月分の電気料金のお知らせ" % ctx.dt.month
        lines = ["%s 様" % RCPT_JA[0], "", "%d月分の電気料金が確定しました。" % ctx.dt.month,
                 "ご請求金額: %s円（税込）" % format(amount // 3 + 2000, ","),
                 "ご使用量: %dkWh" % rng.randint(120, 600), "",
                 "詳細はマイページでご確認いただけます。", "https://my.hikari-denryoku.jp/mypage/"]
    for _ in range(nfill):
        lines += ["", frng.choice(JA_LEGAL), frng.choice(JA_NEWS) + frng.choice(JA_NEWS)]
    lines += ["", "-" * 20, disp, rng.choice(JA_LEGAL)]
    text = wrap_ja("\n".join(lines))
    cs = weighted(rng, [(40, ("iso-2022-jp", "7bit")), (25, ("shift_jis", "quoted-printable")),
                        (35, ("utf-8", "base64"))])
    node = text_leaf(text, "plain", *cs)
    if kind == "amazon" and rng.random() < 0.7:
        htm = ('<html><body style="font-family:Meiryo,sans-serif">'
               '<img src="https://m.media-amazon.com/images/G/09/x-locale/common/logo.png" alt="Amazon.co.jp">'
               + "".join("<p>%s</p>" % html.escape(l) for l in lines if l and not l.startswith("http"))
               + '<p><a href="https://www.amazon.co.jp/gp/your-account/order-details?orderID=%s">注文の詳細を表示</a></p>'
               '<p><a href="https://www.amazon.co.jp/gp/help/customer/display.html">ヘルプ</a></p></body></html>' % order)
        node = Multi("alternative", [text_leaf(text, "plain", "utf-8", "quoted-printable"),
                                     text_leaf(htm, "html", "utf-8", "quoted-printable")], boundary(rng))
    if rng.random() < 0.12:
        node = Multi("mixed", [node, pdf_leaf(rng, rng.randint(900, 6000),
                                              rng.choice(("ご利用明細.pdf", "領収書_%s.pdf" % ctx.dt.strftime("%Y%m"),
                                                          "statement.pdf")))], boundary(rng))
    ip = pub_ip(rng)
    host = "mta-%s.%s" % (rstr(rng, 4), fdom)
    mailfrom = "%s@bounce.%s" % (rstr(rng, 20), ddom)
    h = base_headers(rng, ctx, hdr_addr(rng, disp, "%s@%s" % (local, fdom), "iso-2022-jp"),
                     hdr_text(rng, subject, rng.choice(("iso-2022-jp", "utf-8"))), ddom,
                     auth_results(rng, "pass", "pass", "pass", ddom, mailfrom, ip, ddom,
                                  "QUARANTINE" if kind == "amazon" else "NONE"),
                     (host, ip), fdom, dkim_dom=ddom, mailfrom=mailfrom)
    return h, node


def school_ja(rng, frng, nfill, ctx):
    """Brand-free 「緊急のご連絡」: the false positive every JP filter must survive."""
    name = rng.choice(("市立さくら小学校", "みなと中学校 PTA", "株式会社ひまわり総務部"))
    subject = rng.choice(("【緊急のご連絡】台風接近に伴う臨時休校について",
                          "緊急のご連絡：明日の登校時間の変更",
                          "【緊急のご連絡】地震発生に伴う安否確認のお願い"))
    lines = ["保護者の皆さま" if "学" in name else "社員各位", "",
             "台風の接近に伴い、明日は臨時休校といたします。" if "台風" in subject else
             "本日の地震を受け、皆さまの安全を確認させてください。",
             "今後の予定は決まり次第、改めてご連絡いたします。",
             "ご不明な点は担当までお問い合わせください。"]
    for _ in range(nfill):
        lines += ["", frng.choice(JA_PERSONAL) + frng.choice(JA_NEWS)]
    lines += ["", name]
    node = text_leaf(wrap_ja("\n".join(lines)), "plain",
                     *rng.choice((("iso-2022-jp", "7bit"), ("utf-8", "base64"))))
    dom = rng.choice(("sakura-es.ed.jp", "minato-jhs.ed.jp", "himawari-corp.co.jp"))
    ip = pub_ip(rng)
    mf = "renraku@%s" % dom
    return base_headers(rng, ctx, hdr_addr(rng, name, mf, "iso-2022-jp"),
                        hdr_text(rng, subject, "iso-2022-jp"), dom,
                        ham_auth(rng, dom, mf, ip), ("mail.%s" % dom, ip), dom,
                        dkim_dom=dom, mailfrom=mf), node


def awareness_ja(rng, frng, nfill, ctx):
    """A security newsletter quoting a phish with defanged URLs."""
    subject = "【注意喚起】Amazonをかたるフィッシングメールにご注意ください"
    lines = ["フィッシング対策ニュース 第%d号" % rng.randint(10, 400), "",
             "Amazonを装ったフィッシングメールが引き続き確認されています。",
             "件名の例: 「Amazon株式会社から緊急のご連絡」「[最終警告]Amazonあらの緊急のご連絡」",
             "誘導先の例: hxxps://www[.]amazon.co.jp.%s[.]info/ap/signin" % hexs(rng, 8),
             "メール内のリンクからは絶対にログインしないでください。",
             "不審なメールを受け取った場合は、公式アプリやブックマークからアカウントを確認してください。"]
    for _ in range(nfill):
        lines += ["", frng.choice(JA_NEWS) + frng.choice(JA_NEWS)]
    lines += ["", "配信停止: https://www.security-letter.jp/unsubscribe"]
    node = text_leaf(wrap_ja("\n".join(lines)), "plain", "utf-8", "base64")
    ip = pub_ip(rng)
    mf = "news@security-letter.jp"
    return base_headers(rng, ctx, hdr_addr(rng, "フィッシング対策ニュース", mf),
                        hdr_text(rng, subject), "security-letter.jp",
                        ham_auth(rng, "security-letter.jp", mf, ip),
                        ("mail.security-letter.jp", ip), "security-letter.jp",
                        dkim_dom="security-letter.jp", mailfrom=mf,
                        extra=[("List-Id", "<news.security-letter.jp>")]), node


def personal(rng, frng, nfill, ctx):
    ja = ctx.lang == "ja"
    name, local = rng.choice(JA_PEOPLE if ja else EN_PEOPLE)
    dom = rng.choice(FREEMAIL if ja else ["gmail.com", "fastmail.com", "outlook.com", "proton.me"])
    reply = rng.random() < 0.6
    if ja:
        topic = rng.choice(("来週の打ち合わせ", "週末の件", "資料の送付", "お店の予約", "写真",
                            "見積もりについて", "出張の日程"))
    else:
        topic = rng.choice(("Thursday", "weekend hike", "the draft", "dinner on Friday",
                            "photos", "quote for the kitchen", "travel plans"))
    subject = ("Re: " if reply else "") + topic
    pool = JA_PERSONAL if ja else EN_PERSONAL
    greet = "%sさん" % RCPT_JA[0].split()[0] if ja else "Hi Taro,"
    body = [greet, ""] + [" ".join(rng.choice(pool) for _ in range(2)) if not ja else
                          "".join(rng.choice(pool) for _ in range(2)) for _ in range(rng.randint(2, 4))]
    body += ["", name.split()[0] if ja else name.split()[0]]
    if reply or nfill:
        body += ["", ("%s %s <%s>:" % (ctx.dt.strftime("%Y年%m月%d日"), RCPT_JA[0], RCPT_JA[1])) if ja
                 else "On %s, Taro Yamada <%s> wrote:" % (ctx.dt.strftime("%a, %d %b %Y"), RCPT_JA[1])]
        for _ in range(max(1, nfill)):
            q = "".join(frng.choice(pool) for _ in range(2)) if ja else \
                " ".join(frng.choice(pool) for _ in range(3))
            for l in (wrap_ja(q) if ja else wrap_en(q, 68)).split("\n"):
                body.append("> " + l)
            body.append(">")
    text = "\n".join(body)
    text = wrap_ja(text) if ja else wrap_en(text)
    if ja:
        cs = weighted(rng, [(50, ("iso-2022-jp", "7bit")), (25, ("utf-8", "base64")),
                            (10, ("utf-8", "8bit")), (15, ("shift_jis", "quoted-printable"))])
    else:
        cs = weighted(rng, [(60, ("us-ascii", "7bit")), (40, ("utf-8", "quoted-printable"))])
        if cs[0] == "us-ascii" and not is_ascii(text):
            cs = ("utf-8", "quoted-printable")
    node = text_leaf(text, "plain", *cs)
    if rng.random() < 0.2:
        htm = '<div dir="ltr">%s</div>' % "<br>".join(html.escape(l) for l in text.split("\n"))
        node = Multi("alternative", [text_leaf(text, "plain", "utf-8", "base64" if ja else "quoted-printable"),
                                     text_leaf(htm, "html", "utf-8", "base64" if ja else "quoted-printable")],
                     boundary(rng))
    if rng.random() < 0.1:
        fname = rng.choice(("見積書.pdf", "議事録_第%d回.pdf" % rng.randint(1, 30))) if ja else \
            rng.choice(("draft-v2.pdf", "itinerary.pdf", "invoice-%d.pdf" % rng.randint(100, 999)))
        node = Multi("mixed", [node, pdf_leaf(rng, rng.randint(1000, 8000), fname)], boundary(rng))
    addr = "%s@%s" % (local, dom)
    ip = pub_ip(rng)
    mta, msgid = provider_mta(rng, dom)
    extra = [("X-Mailer", rng.choice(("Apple Mail (2.3774)", "Thunderbird 115.6.0", "Becky! ver. 2.81.04",
                                      "iPhone Mail (21C66)")))]
    if reply:
        ref = "<%s@example.jp>" % hexs(rng, 20)
        extra += [("In-Reply-To", ref), ("References", ref)]
    return base_headers(rng, ctx, hdr_addr(rng, name, addr, "iso-2022-jp"),
                        hdr_text(rng, subject, "iso-2022-jp"), dom,
                        ham_auth(rng, dom, addr, ip), (mta, ip),
                        dom, dkim_dom=dom, mailfrom=addr, extra=extra, msgid=msgid), node


def list_en(rng, frng, nfill, ctx):
    """A developer mailing-list post with a patch."""
    name, local = rng.choice(EN_PEOPLE)
    lst = rng.choice(("libmime-devel", "tinyserve-users", "pkg-maint"))
    subject = "[%s] %s" % (lst, rng.choice(("[PATCH v%d %d/7] parser: bound header length" %
                                            (rng.randint(1, 4), rng.randint(1, 7)),
                                            "Re: release schedule for 2.4",
                                            "Question about charset detection",
                                            "Re: [RFC] drop the old config format")))
    lines = ["Hi all,", ""] + [wrap_en(" ".join(rng.choice(EN_NEWS) for _ in range(3)))]
    lines += ["", "---", " src/parse.c | %d ++++++++++---" % rng.randint(5, 40), ""]
    for _ in range(1 + nfill):
        lines.append("@@ -%d,%d +%d,%d @@" % ((frng.randint(10, 900),) * 4))
        for _ in range(frng.randint(6, 14)):
            lines.append(frng.choice(" +-") + frng.choice(CODE_LINES))
        lines.append("")
        lines.append(wrap_en(frng.choice(EN_NEWS) + " " + frng.choice(EN_NEWS)))
    lines += ["", "-- ", name, "", "_______________________________________________",
              "%s mailing list" % lst, "https://lists.example.org/mailman/listinfo/%s" % lst]
    node = text_leaf("\n".join(lines), "plain", "us-ascii", "7bit")
    ip = pub_ip(rng)
    mf = "%s-bounces@lists.example.org" % lst
    return base_headers(rng, ctx, hdr_addr(rng, name, "%s@example.org" % local), subject,
                        "example.org", ham_auth(rng, "example.org", mf, ip),
                        ("lists.example.org", ip), "example.org", dkim_dom="example.org",
                        mailfrom=mf, to="%s@lists.example.org" % lst,
                        extra=[("List-Id", "<%s.lists.example.org>" % lst),
                               ("List-Post", "<mailto:%s@lists.example.org>" % lst),
                               ("Precedence", "list")]), node


def notify_en(rng, frng, nfill, ctx):
    """CI / tracker notification: multipart/alternative, many links."""
    repo = rng.choice(("acme/widget", "sagi-dev/sagi", "kumo/parser"))
    run = rng.randint(1000, 99999)
    subject = rng.choice(("[%s] Run failed: CI - main (%s)" % (repo, hexs(rng, 7)),
                          "Re: [%s] Crash on empty Subject header (Issue #%d)" % (repo, rng.randint(10, 900)),
                          "[%s] Pull request #%d: fix off-by-one in buffer growth" % (repo, rng.randint(10, 900))))
    lines = [subject, ""]
    for _ in range(2 + nfill):
        lines += [" ".join(frng.choice(EN_NEWS) for _ in range(2)),
                  "https://forge.example.com/%s/actions/runs/%d/job/%d" % (repo, run, frng.randint(1, 10**6)), ""]
    lines += ["--", "Reply to this email directly or view it on the forge:",
              "https://forge.example.com/%s/issues/%d" % (repo, run),
              "You are receiving this because you are subscribed to this thread."]
    text = "\n".join(lines)
    htm = "<html><body>%s</body></html>" % "".join(
        '<p><a href="%s">%s</a></p>' % (l, html.escape(l)) if l.startswith("http") else
        "<p>%s</p>" % html.escape(l) for l in lines if l)
    node = Multi("alternative", [text_leaf(text, "plain", "utf-8", "quoted-printable"),
                                 text_leaf(htm, "html", "utf-8", "quoted-printable")], boundary(rng))
    ip = pub_ip(rng)
    mf = "bounces+%s@forge.example.com" % rstr(rng, 12)
    return base_headers(rng, ctx, hdr_addr(rng, "forge-bot", "notifications@forge.example.com"),
                        subject, "forge.example.com", ham_auth(rng, "forge.example.com", mf, ip),
                        ("out-%d.smtp.forge.example.com" % rng.randint(1, 30), ip),
                        "forge.example.com", dkim_dom="forge.example.com", mailfrom=mf), node


# ---------------------------------------------------------------------------
# Phishing.  Paraphrased from the public reports in
# /work/shared/research/phish-signals.md; hosts are random labels.

PHISH_BRANDS = [
    (60, "amazon"), (8, "smbc"), (8, "rakuten"), (8, "ekinet"), (8, "etax"), (8, "au")]

PHISH = {
    "amazon": {
        "names": ["Amazon", "Amazon.co.jp", "Amazon株式会社", "\u0410mazon", "Amazon Support",
                  "Amazon.co.jp カスタマーサービス", "Am\u03b1zon"],
        "real": ["account-update@amazon.co.jp", "no-reply@amazon.co.jp", "auto-confirm@amazon.co.jp"],
        "policy": "QUARANTINE",
        "subjects": ["Amazon株式会社から緊急のご連絡",
                     "[最終警告]Amazonあらの緊急のご連絡、情報を更新してください。",
                     "【重なら】amazon株式会社からの緊急のご連絡",
                     "Amazon株式会社から緊急のご連絡メ-ル番号:{num}",
                     "【重要】Amazon株式会社からの緊急のご連絡",
                     "【緊急】Amazon注文を出荷できません",
                     "お使いのAmazon IDがロックされます。サービス番号:{num}"],
        "bodies": [
            ["{rcpt}", "",
             "以前に2通のメールを送信しましたが、確認情報を取得できませんでした。",
             "残念ながら、あなたのアカウントは24時間後に自動的に削除されます。",
             "Amazonアカウントを引き続き使用する必要がある場合は、24時間以内に個人情報を確認してくださ。",
             "{cta}",
             "※ 24時間経過してもこのメッセージに返信しない場合、アカウントのステータスは1週間後に放棄され、完全に削除されます。",
             "Amazon.co.jpカスタマーサービス"],
            ["Amazon お客様", "",
             "最近の第三者による不正利用の急増に伴い、当社では「不正利用監視システム」を導入し、24時間365日体制でアカウントの使用を監視しています。",
             "この度、ご本人が使用しているか確認したい取引がありましたので、一部アカウントの使用を制限させていただきます。",
             "{cta}",
             "なお、24時間以内にご確認がない場合、お客様の安全の為、アカウントの利用制限をさせていただきます。"],
            ["あなたのAmazonアカウント：{rcpt}、異常なログインが見つかり、配送先住所が変更されました！",
             "お支払い方法に問題があるため、カード番号と有効期限を更新してください。",
             "{cta}", "7日以内に確認がない場合、アカウントは削除されます。"]],
        "ctas": ["確認用アカウント", "Amazon ログイン", "支払方法の情報を更新する",
                 "https://www.amazon.co.jp/ap/signin"],
        "hosts": ["www.amazon.co.jp.{hex}.info", "amazon.co.jp.{rand}.{tld}", "{rand}.cn",
                  "amaz0n-co-jp.{rand}.top", "anazom-{rand}.xyz", "raspberry-{r4}-{r4}.{rand}.workers.dev",
                  "{rand}.duckdns.org", "{ip}"],
        "paths": ["/ap/signin", "/signin.php", "/amazon.co.jp/", "/jp/login", "/"],
    },
    "smbc": {
        "names": ["三井住友カード", "三井住友カード株式会社", "SMBC"],
        "real": ["info@smbc-card.com", "mail@vpass.ne.jp"],
        "policy": "REJECT",
        "subjects": ["【重要】三井住友カード緊急のご連絡", "【重要なお知らせ】三井住友カードご利用確認のお願い",
                     "三井住友カード緊急通知"],
        "bodies": [["{rcpt} 様", "",
                    "いつも三井住友カードをご利用いただきありがとうございます。",
                    "弊社では不正利用監視システムにより、24時間365日カードのご利用を監視しております。",
                    "第三者による不正利用の可能性があるため、カードのご利用を一部制限させていただきました。",
                    "■ご利用確認はこちら", "{cta}",
                    "カード番号、有効期限、セキュリティコード、暗証番号をご入力のうえ、24時間以内にご確認ください。"]],
        "ctas": ["ご利用確認はこちら", "https://www.smbc-card.com/mem/index.jsp"],
        "hosts": ["smbc.co.ip.{rand}.com", "smbc-card.com.{rand}.com", "{rand}.cn", "{rand}.shop"],
        "paths": ["/jp", "/vpass/login", "/"],
    },
    "rakuten": {
        "names": ["楽天市場", "楽天カード", "楽天カードセンター"],
        "real": ["info@mail.rakuten-card.co.jp"],
        "policy": "REJECT",
        "subjects": ["【至急】楽天カードご利用確認のお願い(自動配信)", "お支払い方法を更新してください知らせ",
                     "取引内容に関する重要なお知らせ"],
        "bodies": [["{rcpt} 様", "",
                    "お客様のカードに不正利用の疑いがあるため、一部機能が制限されています。",
                    "不正利用防止のため、以下よりご本人確認をお願いします。", "{cta}",
                    "本日中にご確認いただけない場合、カードのご利用を停止いたします。",
                    "楽天カード株式会社"]],
        "ctas": ["本人確認を行う", "https://www.rakuten-card.co.jp/e-navi/"],
        "hosts": ["www-rakuten-card-co-jp.{rand}.com", "rakuten.co.jp-{rand}.info", "ralkuten.xyz",
                  "{rand}.cn"],
        "paths": ["/rakuten", "/e-navi/", "/"],
    },
    "ekinet": {
        "names": ["えきねっと", "JR東日本 えきねっと"],
        "real": ["info@eki-net.com"],
        "policy": "NONE",
        "subjects": ["【重要】えきねっとアカウントの自動退会処理について",
                     "【重要】会員情報変更および退会に関するお知らせメ-ル"],
        "bodies": [["{rcpt} 様", "",
                    "えきねっとをご利用いただきありがとうございます。",
                    "お客様のアカウントは長期間ログインがないため、自動退会処理の対象となりました。",
                    "引き続きご利用の場合は、72時間以内に以下からログインしてください。", "{cta}",
                    "期限までにご確認がない場合、アカウントとポイントは削除されます。"]],
        "ctas": ["えきねっとにログイン", "https://www.eki-net.com/"],
        "hosts": ["www.eki.longin.co.jp.{rand}.work", "www.an-ekii-co-jp.{rand}.cn", "eki-{rand}.icu"],
        "paths": ["/login", "/"],
    },
    "etax": {
        "names": ["国税庁", "e-Tax 国税庁"],
        "real": ["info@e-tax.nta.go.jp"],
        "policy": "REJECT",
        "subjects": ["【国税庁】最終通知", "税務署からの【未払い税金のお知らせ】",
                     "【重要】税金未納に関する重要なお知らせ"],
        "bodies": [["{rcpt} 様", "",
                    "あなたの所得稅(申告所得稅及復興特別所得稅)について、納稅が確認できておりません。",
                    "本日中に納付いただけない場合、滯納金が発生し、差押処分に着手致します。",
                    "納税確認番号:****{num}", "{cta}"]],
        "ctas": ["https://www.nta.go.jp", "納付手続きはこちら"],
        "hosts": ["www.e-tax.nta.go.jp.{rand}.cn", "www.e-tax.tna.go.jp.{rand}.cn", "{rand}.duckdns.org"],
        "paths": ["/", "/pay"],
    },
    "au": {
        "names": ["au PAY", "auお客さまサポート"],
        "real": ["info@au.com"],
        "policy": "NONE",
        "subjects": ["お支払い情報を更新できませんでした【最終警告】『auPAYアカウント一時停止』のお知らせ"],
        "bodies": [["【RECEIVER_ADDRESS】様", "",
                    "お支払い情報を更新できませんでした。こ確認をお願いいたします。",
                    "24時間以内にご確認がない場合、アカウントを一時停止させていただきます。", "{cta}",
                    "プライバシ-ボリシ- | 利用規約", "今後ともよろしくお願いいたします。ごさいます。"]],
        "ctas": ["お支払い情報を更新", "https://id.auone.jp/"],
        "hosts": ["www-auone-id.{rand}.cyou", "myaupaycard{rand}.shop", "{rand}.duckdns.org"],
        "paths": ["/", "/login"],
    },
}

PHISH_TLDS = ["cn", "top", "xyz", "cfd", "shop", "icu", "com", "info"]


def phish_host(rng, brand):
    tpl = rng.choice(PHISH[brand]["hosts"])
    ip = "%d.%d.%d.%d" % (rng.choice((43, 45, 103, 154, 156)), rng.randint(0, 255),
                          rng.randint(0, 255), rng.randint(1, 254))
    return tpl.format(hex=hexs(rng, 8), rand=rstr(rng, rng.randint(5, 9), LOWER),
                      r4=rstr(rng, 4), tld=rng.choice(PHISH_TLDS), ip=ip)


def phish(rng, frng, nfill, ctx):
    brand = weighted(rng, PHISH_BRANDS)
    p = PHISH[brand]
    host = phish_host(rng, brand)
    url = "https://%s%s?id=%s" % (host, rng.choice(p["paths"]), rstr(rng, 16))
    if host[0].isdigit():
        url = "http" + url[5:]
    subject = rng.choice(p["subjects"]).format(num=rng.randint(10000, 99999))
    cta = rng.choice(p["ctas"])
    body = [l.format(rcpt=RCPT_JA[1], cta="{cta}", num=rng.randint(1000, 9999))
            for l in rng.choice(p["bodies"])]
    chinese = rng.random() < 0.25
    # text/plain shows the real destination, as the senders' kits do.
    text = wrap_ja("\n".join(url if l == "{cta}" else l for l in body))
    for _ in range(nfill):
        text += "\n\n" + frng.choice(JA_LEGAL)
    font = "微软雅黑, 'Microsoft YaHei', SimSun" if chinese else "'Hiragino Sans', Meiryo, sans-serif"
    hl = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>',
          '<body style="font-family:%s">' % font]
    if rng.random() < 0.4 and brand == "amazon":
        hl.append('<img src="https://m.media-amazon.com/images/G/09/gc/designs/livepreview/amazon_dkblue_noto_email_v2016_jp-main._CB468775011_.png" alt="Amazon">')
    for l in body:
        if l == "{cta}":
            hl.append('<p><a href="%s" style="display:inline-block;padding:12px 24px;background:#f90;'
                      'color:#111;border-radius:4px;text-decoration:none">%s</a></p>'
                      % (html.escape(url), html.escape(cta)))
        else:
            hl.append("<p>%s</p>" % html.escape(l))
    if rng.random() < 0.05:
        hl.append('<form action="https://%s/post.php" method="post"><input name="card">'
                  '<input type="submit" value="送信"></form>' % host)
    if chinese:
        hl.append('<p style="font-size:10px">会员服务部 | 确认</p>')
    # Kits pad with hidden news text to dilute filters; that is our filler.
    if nfill:
        hl.append('<div style="display:none;font-size:1px;color:#fff">%s</div>' %
                  html.escape("".join(frng.choice(JA_NEWS) for _ in range(3 * nfill))))
    hl.append("<p>%s</p></body></html>" % html.escape(rng.choice(JA_LEGAL)))
    htm = "\n".join(hl)
    shape = weighted(rng, [(45, "html"), (30, "alt"), (10, "jis"), (10, "sjis"), (5, "plain")])
    if shape == "html":
        node = text_leaf(htm, "html", "utf-8", "base64")
    elif shape == "alt":
        node = Multi("alternative", [text_leaf(text, "plain", "utf-8", "base64"),
                                     text_leaf(htm, "html", "utf-8", "base64")], boundary(rng))
    elif shape == "jis":
        node = text_leaf(text, "plain", "iso-2022-jp", "7bit")
    elif shape == "sjis":
        node = text_leaf(text, "plain", "shift_jis", "quoted-printable")
    else:
        node = text_leaf(text, "plain", "utf-8", "base64")
    # Sender: spoofed brand domain (fails DMARC) or a throwaway domain.
    name = rng.choice(p["names"])
    spoof = rng.random() < 0.55
    rdom = "%s.%s" % (rstr(rng, rng.randint(6, 10), LOWER), rng.choice(("cn", "top", "jp", "com", "xyz")))
    if spoof:
        addr = rng.choice(p["real"])
        fdom = addr.split("@")[1]
        mailfrom = "%s@%s" % (rstr(rng, 8, LOWER), rdom)
        dmarc, policy = "fail", p["policy"]
        spf = rng.choice(("fail", "softfail"))
    else:
        addr = rng.choice(("notice@%s" % rdom, "%s@%s" % (rstr(rng, 8), rdom),
                           "no_reply@mail.%s.service.co.jp" % brand,
                           "%s%d@hotmail.com" % (rstr(rng, 6, LOWER), rng.randint(1, 99))))
        fdom = addr.split("@")[1]
        mailfrom = addr
        # Throwaway domains: no DMARC record, a failing one, or (as
        # antiphishing.jp saw in 2024) a valid record of the attacker's own.
        dmarc, policy, spf = rng.choice((("none", "NONE", "pass"), ("fail", "NONE", "softfail"),
                                         ("pass", "NONE", "pass")))
    origin_host = rng.choice(("VM-%d-%d-centos.localdomain" % (rng.randint(0, 20), rng.randint(0, 20)),
                              "server-%d-1.localdomain" % rng.randint(100000, 9999999),
                              "x%d-%d-%d-%d.localdomain" % tuple(rng.randint(1, 254) for _ in range(4)),
                              "mail.%s" % rdom))
    origin_ip = "%d.%d.%d.%d" % (rng.choice((43, 45, 101, 103, 154)), rng.randint(0, 255),
                                 rng.randint(0, 255), rng.randint(1, 254))
    relay = ("smtp%d.%s" % (rng.randint(1, 9), rdom), pub_ip(rng))
    cst = rng.random() < 0.5
    odt = (ctx.dt - datetime.timedelta(seconds=rng.randint(5, 120))).astimezone(CST if cst else JST)
    auth = auth_results(rng, spf, "none", dmarc, fdom, mailfrom, relay[1], None, policy)
    forged = None
    if rng.random() < 0.2:
        # Injected by the sender: a different authserv-id claiming success.
        forged = "%s; dkim=pass header.d=%s; spf=pass smtp.mailfrom=%s; dmarc=pass header.from=%s" % (
            rng.choice(("amazon.co.jp", "mx.google.com", "mail.protection.outlook.com")), fdom, fdom, fdom)
    subj = hdr_text(rng, subject, rng.choice(("utf-8", "iso-2022-jp")), force=rng.random() < 0.3)
    h = base_headers(rng, ctx, hdr_addr(rng, name, addr), subj, fdom, auth,
                     (origin_host, origin_ip), origin_host if rng.random() < 0.5 else fdom,
                     relay=relay, origin_dt=odt, mailfrom=mailfrom, forged_ar=forged,
                     date_dt=odt,
                     extra=[("X-Mailer", rng.choice(("Foxmail 7.2.25.254", "Microsoft Outlook 16.0",
                                                     "PHPMailer 6.8.0")))])
    return h, node, brand


def forward(rng, frng, nfill, ctx):
    """Personal mail forwarding another message as message/rfc822; a third
    of the time the forwarded message is a phish ("is this real?")."""
    inner_ctx = Ctx(ctx.index, ctx.dt - datetime.timedelta(hours=rng.randint(1, 48)), "ja")
    if rng.random() < 0.33:
        ih, inode, _ = phish(rng, frng, 0, inner_ctx)
        note = "このメール、本物でしょうか？念のため転送します。"
    else:
        ih, inode = notice_ja(rng, frng, 0, inner_ctx)
        note = "参考までに転送します。"
    inner = render_entity(inode, ih)
    name, local = rng.choice(JA_PEOPLE)
    dom = rng.choice(FREEMAIL)
    lines = ["%sさん" % RCPT_JA[0].split()[0], "", note]
    for _ in range(nfill):
        lines.append(frng.choice(JA_PERSONAL))
    lines += ["", name.split()[0]]
    node = Multi("mixed", [text_leaf(wrap_ja("\n".join(lines)), "plain", "utf-8", "base64"),
                           Leaf("message/rfc822", inner, "7bit" if is_ascii(inner) else "8bit",
                                headers=[("Content-Disposition", "attachment")])], boundary(rng))
    addr = "%s@%s" % (local, dom)
    ip = pub_ip(rng)
    mta, msgid = provider_mta(rng, dom)
    return base_headers(rng, ctx, hdr_addr(rng, name, addr, "iso-2022-jp"),
                        hdr_text(rng, "Fwd: 確認お願いします"), dom,
                        ham_auth(rng, dom, addr, ip), (mta, ip), dom,
                        dkim_dom=dom, mailfrom=addr, msgid=msgid), node


HAM_KINDS = [(20, ("newsletter", "ja")), (10, ("newsletter", "en")), (14, ("notice", "ja")),
             (3, ("school", "ja")), (2, ("awareness", "ja")), (18, ("personal", "ja")),
             (8, ("personal", "en")), (10, ("list", "en")), (6, ("notify", "en")),
             (2, ("forward", "ja"))]
BUILDERS = {"newsletter": newsletter, "notice": notice_ja, "school": school_ja,
            "awareness": awareness_ja, "personal": personal, "list": list_en,
            "notify": notify_en, "forward": forward, "phish": phish}


# ---------------------------------------------------------------------------
# One message: choose kind and size, then fit the filler to the size.

def plan(seed, i):
    rng = random.Random("%s/%d/plan" % (seed, i))
    if rng.random() < PHISH_RATIO:
        kind, lang = "phish", "ja"
        target = int(math.exp(rng.uniform(math.log(MIN_SIZE + 300), math.log(12 * 1024))))
    else:
        kind, lang = weighted(rng, HAM_KINDS)
        target = int(math.exp(rng.uniform(math.log(MIN_SIZE + 300), math.log(MAX_SIZE - 1200))))
    dt = EPOCH + datetime.timedelta(seconds=i * 97 + rng.randint(0, 90))
    return kind, lang, target, dt


def build(seed, i, kind, lang, dt, nfill):
    rng = random.Random("%s/%d/body" % (seed, i))
    frng = random.Random("%s/%d/fill" % (seed, i))
    r = BUILDERS[kind](rng, frng, nfill, Ctx(i, dt, lang))
    sub = r[2] if len(r) == 3 else None
    return render_entity(r[1], r[0]).encode("utf-8"), sub


def make_message(seed, i):
    """Returns (bytes, kind, subkind, date)."""
    kind, lang, target, dt = plan(seed, i)
    a, sub = build(seed, i, kind, lang, dt, 0)
    if len(a) >= target:
        n, best = 0, a
    else:
        b, _ = build(seed, i, kind, lang, dt, 4)
        per = max(40.0, (len(b) - len(a)) / 4.0)
        n = max(1, int(math.ceil((target - len(a)) / per)))
        best, _ = build(seed, i, kind, lang, dt, n)
        for _ in range(8):           # settle into [MIN_SIZE, MAX_SIZE]
            if len(best) < MIN_SIZE:
                n += max(1, int((MIN_SIZE - len(best)) / per) + 1)
            elif len(best) > MAX_SIZE:
                n = max(0, n - max(1, int((len(best) - MAX_SIZE) / per) + 1))
            else:
                break
            best, _ = build(seed, i, kind, lang, dt, n)
    return best, kind + "-" + lang, sub, dt


def maildir_name(i, dt, size, rng):
    base = "%d.M%06dP%dQ%d.bench.example.jp,S=%d" % (int(dt.timestamp()), rng.randint(0, 999999),
                                                     4242, i + 1, size)
    if rng.random() < 0.1:
        return "new", base
    return "cur", base + ":2," + weighted(rng, [(80, "S"), (12, "RS"), (5, "FS"), (3, "")])


def verify(path):
    """Parse one message with the email package and decode every text part."""
    with open(path, "rb") as f:
        msg = BytesParser(policy=email.policy.default).parse(f)
    errs = []
    for h in ("From", "Subject", "Date", "Message-ID"):
        if msg[h] is None:
            errs.append("missing " + h)
        else:
            str(msg[h])          # decodes RFC 2047 words
    for part in msg.walk():
        ct = part.get_content_type()
        if part.is_multipart():
            continue
        if ct.startswith("text/"):
            text = part.get_content()
            if "\ufffd" in text:
                errs.append("undecodable %s (%s)" % (ct, part.get_content_charset()))
        elif ct == "message/rfc822":
            inner = part.get_content()
            for ip in inner.walk():
                if ip.get_content_type().startswith("text/"):
                    ip.get_content()
        else:
            part.get_content()
    for part in msg.walk():
        for d in part.defects:
            errs.append("defect %s" % type(d).__name__)
    return errs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10000, help="messages to write (default 10000)")
    ap.add_argument("--seed", default="1", help="random seed (default 1)")
    ap.add_argument("--out", help="Maildir to create (default bench/out/maildir-COUNT-sSEED)")
    ap.add_argument("--force", action="store_true", help="replace --out if it exists")
    ap.add_argument("--verify", action="store_true",
                    help="re-read every message with Python's email package; exit 1 on errors")
    a = ap.parse_args()
    if a.count < 1 or a.count > 10**7:
        ap.error("--count must be between 1 and 10000000")
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out",
                                "maildir-%d-s%s" % (a.count, a.seed))
    if os.path.exists(out):
        if not a.force:
            ap.error("%s exists (use --force to replace it)" % out)
        shutil.rmtree(out)
    tmp = out + ".tmp%d" % os.getpid()
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(tmp, sub))
    counts, total, nphish = {}, 0, 0
    labels = []
    for i in range(a.count):
        data, kind, sub, dt = make_message(a.seed, i)
        nrng = random.Random("%s/%d/name" % (a.seed, i))
        folder, name = maildir_name(i, dt, len(data), nrng)
        with open(os.path.join(tmp, folder, name), "wb") as f:
            f.write(data)
        counts[kind] = counts.get(kind, 0) + 1
        total += len(data)
        nphish += kind.startswith("phish")
        labels.append("%s/%s\t%s\t%s\n" % (folder, name, "phish" if kind.startswith("phish") else "ham",
                                           kind + ("/" + sub if sub else "")))
    # Outside cur/ and new/, so a Maildir reader never sees them as mail.
    with open(os.path.join(tmp, "bench-labels.tsv"), "w") as f:
        f.writelines(labels)
    with open(os.path.abspath(__file__), "rb") as f:
        gen = hashlib.sha256(f.read()).hexdigest()[:16]
    with open(os.path.join(tmp, "bench-stamp"), "w") as f:
        f.write("count=%d seed=%s generator=%s bytes=%d phish=%d\n"
                % (a.count, a.seed, gen, total, nphish))
    os.rename(tmp, out)
    print("%s: %d messages, %.1f MiB, %d phish-style; %s" % (
        out, a.count, total / 1048576, nphish,
        ", ".join("%s %d" % kv for kv in sorted(counts.items()))), file=sys.stderr)
    if a.verify:
        bad = 0
        for folder in ("cur", "new"):
            for name in sorted(os.listdir(os.path.join(out, folder))):
                errs = verify(os.path.join(out, folder, name))
                if errs:
                    bad += 1
                    if bad <= 10:
                        print("%s/%s: %s" % (folder, name, "; ".join(errs)), file=sys.stderr)
        print("verify: %d of %d messages with problems" % (bad, a.count), file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
