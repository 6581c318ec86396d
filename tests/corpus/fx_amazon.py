# SPDX-License-Identifier: ISC
"""The seed campaign: Amazon 「緊急のご連絡」 (2023), rebuilt in several encodings.

Texts follow the two mails quoted in the seed article
(/work/shared/seed/000_cf2cb85d59457b44.txt), typos included (あらの, 重なら,
くださ。, メ-ル).  SEED1_TEXT/SEED2_TEXT are reused by the forwards and the
awareness newsletter.
"""
from mailkit import (addr, auth_results, date, envelope, ew, ew_bytes,
                     fixture, html_doc, mail, multipart, received, text)

TO = "hanako@example.jp"

SUBJ1 = "Amazon株式会社から緊急のご連絡"
SUBJ2 = "[最終警告]Amazonあらの緊急のご連絡、情報を更新してください。"
SUBJ3 = "【重なら】amazon株式会社からの緊急のご連絡"
SUBJ4 = "Amazon株式会社から緊急のご連絡メ-ル番号:58213"

# Mail 1 of the seed: greeting by address, two-mails story, 24 h / 1 week.
SEED1_TOP = (
    "以前に2通のメールを送信しましたが、確認情報を取得できませんでした。"
    "残念ながら、あなたのアカウントは24時間後に自動的に削除されます。"
    "Amazonアカウントを引き続き使用する必要がある場合は、24時間以内に"
    "個人情報を確認してくださ。Amazonサポートに感謝します。")
SEED1_BOTTOM = (
    "※ 24時間経過してもこのメッセージに返信しない場合、アカウントの"
    "ステータスは1週間後に放棄され、完全に削除されるように設定されます。\n\n"
    "Amazon.co.jpカスタマーサービス\n\n"
    "※本メールは、Amazon.co.jpにご登録があるお客様に送信しております。")

# Mail 2 of the seed: 「Amazon お客様」, 不正利用監視システム, Amazon ログイン.
SEED2_TOP = (
    "Amazon お客様\n\n"
    "最近の第三者による不正利用の急増に伴い、当社では「不正利用監視システム」"
    "を導入し、24時間365日体制でのアカウントの使用を監視しています。\n\n"
    "この度、御本人が使用しているか確認したい取引がありましたので、勝手ながら"
    "一部アカウントの使用を制限させていただきますのでご連絡させていただきます。")
SEED2_BOTTOM = (
    "なお、24時間以内にご確認がない場合、誠に申し訳ございません。"
    "お客様の安全の為、アカウントの利用制限をさせていただきますので、"
    "予めご了承ください。\n\n"
    "アカウントに登録のEメールアドレスにアクセスできない場合\n"
    "お問い合わせ: Amazonカスタマーサービス。")


def seed1_text(url, to=TO):
    return "%s\n\n%s\n\n確認用アカウント\n%s\n\n%s\n" % (
        to, SEED1_TOP, url, SEED1_BOTTOM)


def seed1_html(url, to=TO):
    return html_doc(
        '<p>%s</p>\n<p>%s</p>\n<p style="text-align:center"><a href="%s" '
        'style="background:#f0c14b;padding:8px 24px;color:#111;'
        'text-decoration:none">確認用アカウント</a></p>\n<p>%s</p>'
        % (to, SEED1_TOP, url,
           SEED1_BOTTOM.replace("\n\n", "</p>\n<p>")))


def seed2_text(url):
    return "%s\n\nAmazon ログイン\n%s\n\n%s\n" % (SEED2_TOP, url,
                                               SEED2_BOTTOM)


def seed2_html(url, extra_top="", charset="UTF-8"):
    return html_doc(
        '%s<p>%s</p>\n<p><a href="%s">Amazon ログイン</a></p>\n<p>%s</p>'
        % (extra_top, SEED2_TOP.replace("\n\n", "</p>\n<p>"), url,
           SEED2_BOTTOM.replace("\n\n", "</p>\n<p>").replace("\n", "<br>\n")),
        charset=charset)


URL1 = "http://amazon-jp-account.wnxkq.top/ap/signin?ref=mail_0116"


def seed1_iso2022jp():
    f = envelope(
        "notice@23sl56kk.jp",
        auth_results("pass", "23sl56kk.jp",
                     dmarc=("none", None, "23sl56kk.jp")),
        [received("mail.23sl56kk.jp", "198.51.100.23", "mx.example.jp",
                  "4NwT8k0vQbz3xKp", date(2023, 1, 16, 9, 35, 14)),
         received("WIN-7Q2K4B1PLM", "192.0.2.45", "mail.23sl56kk.jp",
                  "A1C3E20B7F", date(2023, 1, 16, 8, 35, 10, "+0800"),
                  proto="ESMTPA", to=None, rdns="unknown")],
        addr("Amazon.co.jp", "notice@23sl56kk.jp"), TO,
        ew(SUBJ1, "ISO-2022-JP"), date(2023, 1, 16, 8, 35, 9, "+0800"),
        "<20230116083509.A1C3E20B7F@23sl56kk.jp>",
        [("X-Mailer", "Microsoft Outlook Express 6.00.2900.5512")])
    return mail(f, text(seed1_text(URL1), "ISO-2022-JP", "7bit"))


fixture("phish-amazon-seed1-iso2022jp",
        "seed mail 1 as classic ISO-2022-JP (7bit, B-encoded subject); "
        "random sender domain whose own SPF passes; plain-text link",
        "Amazon claimed in name/subject/body but not authenticated; "
        "確認用アカウント link to non-Amazon .top host; 24時間 deadline + "
        "削除/放棄 threat; greeting by address; くださ。 typo",
        demo="cur")(seed1_iso2022jp)

URL2 = "https://signin.amazon-co-jp-kx7q.xyz/ap/signin?session=7d2f0c"


@fixture("phish-amazon-seed2-final-warning-html",
         "seed subject 2 ([最終警告]…あらの…) with seed mail 1, UTF-8 base64 "
         "HTML-only, sent from a free-mail account (DMARC passes for "
         "hotmail.com, which proves nothing about Amazon)",
         "Amazon not authenticated (dmarc pass is for hotmail.com); free-mail "
         "sender for a brand; CTA 確認用アカウント to amazon-co-jp-*.xyz; "
         "あらの typo; [最終警告]; deadline + deletion; Amazon CDN logo")
def seed2_html_only():
    f = envelope(
        "amazon-jp.support2023@hotmail.com",
        auth_results("pass", "hotmail.com", [("pass", "hotmail.com")],
                     ("pass", "NONE", "hotmail.com")),
        [received("EUR05-VI1-obe.outbound.protection.outlook.com",
                  "198.51.100.81", "mx.example.jp", "4NzH1c6Yp0z8mQw",
                  date(2023, 2, 2, 21, 4, 33),
                  rdns="mail-vi1eur05olkn2081.outbound.protection.outlook.com"),
         ("Received", "from PAXP193MB1791.EURP193.PROD.OUTLOOK.COM\n\t"
          "([fe80::3c1a:9d2e:71b4:a0f5]) by PAXP193MB1791.EURP193.PROD."
          "OUTLOOK.COM\n\t([fe80::3c1a:9d2e:71b4:a0f5%5]) with mapi id "
          "15.20.6064.022;\n\t" + date(2023, 2, 2, 12, 4, 31, "+0000"))],
        addr("Amazon", "amazon-jp.support2023@hotmail.com"), TO,
        ew(SUBJ2), date(2023, 2, 2, 12, 4, 30, "+0000"),
        "<PAXP193MB1791B0D63F2A9E51C44E71A9C2D69@PAXP193MB1791."
        "EURP193.PROD.OUTLOOK.COM>")
    logo = ('<p><img src="https://m.media-amazon.com/images/G/09/gno/'
            'sprites/nav-sprite-global-1x.png" alt="amazon.co.jp" '
            'width="103" height="31"></p>\n')
    body = seed1_html(URL2).replace("<body>\n", "<body>\n" + logo)
    return mail(f, text(body, "UTF-8", "base64", "html"))


URL3 = "https://amazon-jp-login.rwfdiok.cn/ap/signin?openid.pape=0"


@fixture("phish-amazon-seed3-jyuunara-sjis-qp",
         "seed subject 3 (【重なら】) with seed mail 2 in Shift_JIS "
         "quoted-printable multipart/alternative; From spoofs amazon.co.jp "
         "(dmarc=fail p=NONE), HELO lies, and the sender injected a fake "
         "'dkim=pass' Authentication-Results below the provider's",
         "From amazon.co.jp fails DMARC/SPF (topmost A-R); injected lower "
         "A-R must be ignored; 「Amazon ログイン」 to .cn host; "
         "不正利用監視システム story; アカウント制限 threat; 24時間; "
         "「Amazon お客様」 greeting; 重なら typo",
         demo="cur")
def seed3_sjis_qp():
    f = envelope(
        "account-update@amazon.co.jp",
        auth_results("softfail", "amazon.co.jp", (),
                     ("fail", "NONE", "amazon.co.jp")),
        [received("amazon.co.jp", "203.0.113.145", "mx.example.jp",
                  "4P0bQy2Hn8z1Tvd", date(2023, 2, 14, 16, 22, 7))],
        addr("Amazon.co.jp", "account-update@amazon.co.jp"), TO,
        ew(SUBJ3, "Shift_JIS"), date(2023, 2, 14, 15, 22, 1, "+0800"),
        "<20230214152201.19384.qmail@amazon.co.jp>",
        [("Authentication-Results", "amazon.co.jp; dkim=pass "
          "header.d=amazon.co.jp;\n\tspf=pass smtp.mailfrom=amazon.co.jp; "
          "dmarc=pass header.from=amazon.co.jp"),
         ("X-Mailer", "Foxmail 7.2.23.116[cn]")])
    return mail(f, multipart(
        "alternative", "----=_NextPart_000_0A1B_01D94071.5C3E9A20",
        [text(seed2_text(URL3), "Shift_JIS", "quoted-printable"),
         text(seed2_html(URL3, NOTICE_LINE, "Shift_JIS"), "Shift_JIS",
              "quoted-printable", "html")],
        "This is a multi-part message in MIME format."))


NOTICE_LINE = ('<p style="font-size:12px;color:#666">'
               "Amazon.co.jp からのお知らせ</p>\n")


URL4 = "https://8f14e45fceea167a5a36dedd4bea2543.mqzrvk.cn/amazon/signin"


@fixture("phish-amazon-seed4-mailno-split-utf8",
         "seed subject 4 (メ-ル番号) as UTF-8 encoded words cut in the middle "
         "of characters; seed mail 2 as base64 text+HTML; the "
         "\"Amazon.co.jp\" <no-reply@accounts.google.com> trick",
         "display name Amazon.co.jp vs unrelated accounts.google.com address "
         "(dmarc=fail p=REJECT); ASCII hyphen in メ-ル; fake reference "
         "number; link to 32-hex label under .cn; 不正利用監視システム",
         demo="new")
def seed4_split():
    raw = SUBJ4.encode("utf-8")
    cuts = [0, 13, 29, 44, len(raw)]        # 13, 29, 44: inside characters
    subj = "\n ".join(ew_bytes(raw[a:b]) for a, b in zip(cuts, cuts[1:]))
    f = envelope(
        "bounce-7731@srv1.qmzvtop.top",
        auth_results("pass", "srv1.qmzvtop.top", (),
                     ("fail", "REJECT", "accounts.google.com")),
        [received("srv1.qmzvtop.top", "203.0.113.61", "mx.example.jp",
                  "4PC9wR0mKqz6Yhn", date(2023, 3, 3, 4, 51, 40))],
        addr("Amazon.co.jp", "no-reply@accounts.google.com"), TO, subj,
        date(2023, 3, 3, 4, 51, 38), "<6401ac1a.3f91c2d4@srv1.qmzvtop.top>")
    return mail(f, multipart(
        "alternative", "00000000000071b2e405f5e3c0d9",
        [text(seed2_text(URL4), "UTF-8", "base64"),
         text(seed2_html(URL4), "UTF-8", "base64", "html")]))


URL5 = "https://amaozn-co-jp.vbnr.shop/signin"


@fixture("phish-amazon-seed1-eucjp-noauth",
         "seed subject 1 and mail 1 in EUC-JP (8bit body, B-encoded "
         "subject); sender domain starts with amazon.co.jp.; the provider "
         "wrote no Authentication-Results at all",
         "brand claimed, authentication unknown (no A-R); sender domain "
         "amazon.co.jp.<x>.icu is not Amazon's; link to typosquat amaozn on "
         ".shop; deadline + deletion threat; greeting by address")
def seed1_eucjp():
    f = envelope(
        "no_reply@amazon.co.jp.mail-srv.icu", None,
        [received("mail-srv.icu", "203.0.113.9", "mx.example.jp",
                  "4PHn0x1Wcrz2Lqs", date(2023, 3, 9, 23, 17, 2))],
        addr("Amazon", "no_reply@amazon.co.jp.mail-srv.icu"), TO,
        ew(SUBJ1, "EUC-JP"), date(2023, 3, 9, 23, 16, 58),
        "<20230309231658.5D21A0044@mail-srv.icu>")
    return mail(f, text(seed1_text(URL5), "EUC-JP", "8bit"))
