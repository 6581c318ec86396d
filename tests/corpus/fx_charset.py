# SPDX-License-Identifier: ISC
"""Charset torture: harmless mail in the encodings Japanese mailers really send.

All are clean: any flag here is a decoding bug or a rule that mistakes
an encoding for a phishing tell.  Bytes Python's email package would not
write (CP50220 in ISO-2022-JP, encoded words cut inside a character, raw
8-bit Shift_JIS in a header, a lying label) are built explicitly.
"""
from mailkit import (addr, auth_results, date, encode, envelope, ew,
                     ew_bytes, fixture, jis, leaf, mail, multipart, received,
                     text)

TO = "hanako@example.jp"
MX = "mx.example.jp"


def _own(dom, local, name, subject, when, msgid, entity, extra=(),
         charset="UTF-8"):
    """Mail from dom with SPF, DKIM and DMARC passing; subject is a
    finished header value (str) or raw bytes."""
    f = envelope(
        "%s@%s" % (local, dom),
        auth_results("pass", dom, [("pass", dom)], ("pass", "NONE", dom)),
        [received("mail." + dom, "192.0.2.%d" % (100 + len(local)), MX,
                  "4x" + "".join(c for c in msgid if c.isalnum())[:10],
                  when, rdns="mail." + dom)],
        addr(name, "%s@%s" % (local, dom), charset), TO, subject, when,
        msgid, extra)
    return mail(f, entity)


CP50220 = """株式会社サンプル 花子様

いつもお世話になっております。㈱パートナー工業の佐藤です。
来週の打ち合わせの件、以下の通りご連絡いたします。

①日程：3月10日～3月12日のいずれか
②場所：弊社 第Ⅲ会議室
③議題：№12 仕様変更について

よろしくお願いいたします。"""


@fixture("clean-charset-iso2022jp-cp50220",
         "ISO-2022-JP subject and body with CP50220 characters ① ㈱ Ⅲ № "
         "(JIS row 13, e.g. ① = 0x2D21) and ～ U+FF5E (0x2141)",
         "decodes as CP50220 without replacement characters; nothing to "
         "flag")
def cp50220():
    return _own("partner.example.com", "sato", "佐藤 次郎",
                ew("㈱パートナー工業 ①打ち合わせ日程の件（3/10～3/12）",
                   "ISO-2022-JP"), date(2024, 3, 1, 10, 12, 0),
                "<20240301101200.sato.41@partner.example.com>",
                text(CP50220, "ISO-2022-JP", "7bit"))


CP932 = """花子様

髙橋です。先日はありがとうございました。
①見積書：3月末まで有効
②納期：4月1日～4月5日
以上、ご確認ください。"""


@fixture("clean-charset-sjis-cp932",
         "labelled Shift_JIS but CP932 in fact: ～ ① and the IBM-extension "
         "kanji 髙 (0xFBFC) in subject, name and 8bit body",
         "decodes as CP932; nothing to flag")
def sjis_cp932():
    return _own("supplier.example.com", "takahashi", "髙橋 健",
                ew("髙橋より：①見積書と納期（4/1～4/5）", "Shift_JIS"),
                date(2024, 3, 21, 14, 40, 0),
                "<20240321144000.takahashi@supplier.example.com>",
                text(CP932, "Shift_JIS", "8bit"), charset="Shift_JIS")


LIE = """花子さん

来月の勉強会の資料をアップロードしました。
共有フォルダの「4月勉強会」に入っています。

次郎"""


@fixture("clean-charset-lying-label-utf8",
         "body labelled charset=iso-2022-jp but actually UTF-8 (8-bit bytes "
         "where ISO-2022-JP allows none)",
         "a charset problem is recorded and the text still read as UTF-8; "
         "a lying label alone is not phishing")
def lying_label():
    ent = leaf("text/plain; charset=iso-2022-jp", LIE.encode("utf-8"),
               "7bit")
    return _own("example.ne.jp", "jiro", "鈴木 次郎", ew("勉強会の資料"),
                date(2024, 3, 25, 19, 3, 0),
                "<20240325190300.jiro@example.ne.jp>", ent)


KINTAI = """各位

3月分の勤怠締めは3月31日(日)です。
未申請の残業・休暇がある場合は、期限までに勤怠システムから申請してください。

総務部"""


@fixture("clean-charset-raw-sjis-subject",
         "in-house system mail whose Subject is raw 8-bit Shift_JIS with no "
         "encoded word (undeclared), body labelled Shift_JIS",
         "the subject is read by sniffing (CP932) and a header problem "
         "recorded; nothing to flag")
def raw_sjis():
    subj = "【勤怠システム】3月分の勤怠締めのお知らせ".encode("cp932")
    return _own("corp.example.jp", "kintai", "", subj,
                date(2024, 3, 26, 9, 0, 0),
                "<20240326090000.kintai@corp.example.jp>",
                text(KINTAI, "Shift_JIS", "8bit"),
                [("X-Mailer", "KintaiSystem/3.2")])


MINUTES = """花子さん

4月の定例会の議事録を添付します。

次郎"""
PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
       b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> "
       b"endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def _pct(s):
    return "".join(c if c.isascii() and c.isalnum() else
                    "".join("%%%02X" % b for b in c.encode("utf-8"))
                    for c in s)


@fixture("clean-charset-rfc2231-filename",
         "attachment whose file name 議事録_2024年4月定例会.pdf is given as "
         "RFC 2231 continuations (filename*0*= / filename*1*=, UTF-8, "
         "percent-encoded) and as RFC 2047 name=",
         "the file name decodes; nothing to flag")
def rfc2231():
    name = "議事録_2024年4月定例会.pdf"
    p = _pct(name)
    cut = p.index("%E5%AE%9A")                      # before 定例会
    disp = ("attachment;\n\tfilename*0*=UTF-8''%s;\n\tfilename*1*=%s"
            % (p[:cut], p[cut:]))
    att = leaf('application/pdf;\n\tname="%s"' % ew(name), PDF, "base64",
               [("Content-Disposition", disp)])
    return _own("example.ne.jp", "jiro", "鈴木 次郎", ew("4月定例会の議事録"),
                date(2024, 4, 19, 17, 30, 0),
                "<20240419173000.jiro.2@example.ne.jp>",
                multipart("mixed", "=_minutes_0419", [text(MINUTES), att]))


GB = """山田先生：

您好！关于下周二的会议，我们确认将在东京办公室举行。
会议资料请查收附件之前的邮件。如有任何问题，请随时与我联系。

谢谢！
李伟"""


@fixture("clean-charset-gb2312-body",
         "Chinese business mail from a partner: GB2312 subject and base64 "
         "body, full of simplified characters (确认, 会议, 资料)",
         "legitimate Chinese text without a brand claim and with auth pass; "
         "simplified characters alone must not flag")
def gb2312():
    return _own("partner-cn.example.com", "li.wei", "李伟",
                ew("关于下周会议的确认", "GB2312"), date(2024, 5, 8, 11, 20, 0,
                                                    "+0800"),
                "<20240508112000.liwei@partner-cn.example.com>",
                text(GB, "GB2312", "base64"))


QPTEXT = """町内会のみなさまへ

春の清掃活動は4月21日（日）午前9時から行います。軍手とごみ袋は町内会で用意します。雨天の場合は翌週に延期します。
参加できる方は、回覧板の名簿にお名前をご記入ください。

さくら町内会"""


def qp_hard(data, width=75):
    """Quoted-printable that encodes every non-ASCII byte and wraps at
    `width` with soft breaks wherever the line is full, even inside a
    multibyte character (only =XX triplets are kept whole)."""
    out, line = [], ""
    for i, b in enumerate(data):
        if b == 0x0A:
            out.append(line)
            line = ""
            continue
        tok = chr(b) if 0x20 <= b < 0x7F and b != 0x3D else "=%02X" % b
        if len(line) + len(tok) > width:
            out.append(line + "=")
            line = ""
        line += tok
    out.append(line)
    return "\n".join(out).encode("ascii") + b"\n"


@fixture("clean-charset-qp-softbreak-utf8",
         "UTF-8 quoted-printable whose soft line breaks fall inside "
         "three-byte characters (a line ends =E3= and the next starts =81)",
         "joins the soft-broken lines before decoding UTF-8; nothing to "
         "flag")
def qp_split():
    body = qp_hard(QPTEXT.encode("utf-8"))
    assert any(ln.endswith(b"=") and ln[-4:-3] == b"=" and
               int(ln[-3:-1], 16) >= 0xC0 for ln in body.split(b"\n")), \
        "no soft break inside a character"
    ent = (b"Content-Type: text/plain; charset=UTF-8\n"
           b"Content-Transfer-Encoding: quoted-printable\n\n" + body)
    return _own("sakura-town.example.jp", "chonaikai", "さくら町内会",
                ew("春の清掃活動のお知らせ"), date(2024, 4, 5, 20, 0, 0),
                "<20240405200000.seisou@sakura-town.example.jp>", ent)


@fixture("clean-charset-ew-split-iso2022jp",
         "ISO-2022-JP subject cut into encoded words in the middle of a "
         "two-byte JIS character (the escape state carries across words)",
         "decoder joins adjacent same-charset words before decoding; "
         "nothing to flag")
def ew_split_jis():
    raw = jis("会議室の予約変更について")
    cuts = [0, 10, 20, len(raw)]     # ESC $ B + 7 and + 17 bytes: mid-char
    assert raw[:3] == b"\x1b$B" and all((c - 3) % 2 for c in cuts[1:3])
    subj = "\n ".join(ew_bytes(raw[a:b], "ISO-2022-JP")
                      for a, b in zip(cuts, cuts[1:]))
    body = encode("花子様\n\n明日の会議は第2会議室に変更になりました。\n\n総務部\n",
                  "iso-2022-jp")
    return _own("corp.example.jp", "soumu", "総務部", subj,
                date(2024, 6, 10, 16, 0, 0),
                "<20240610160000.soumu@corp.example.jp>",
                leaf("text/plain; charset=ISO-2022-JP", body, "7bit"))
