# SPDX-License-Identifier: ISC
"""Hard negatives: everyday mail that shares words or shapes with phishing.

「緊急のご連絡」 from a school and an employer, an awareness newsletter
that quotes the seed phish with defanged URLs, ESP click tracking,
personal mail that mentions Amazon, a mailing list, English, a PDF.
"""
import fx_amazon
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, leaf, mail, multipart, paras, received, text)

TO = "hanako@example.jp"
MX = "mx.example.jp"


def _own(dom, local, name, subject, when, msgid, entity, to=TO, extra=(),
         charset="UTF-8", rp=None, helo=None):
    """Mail from dom with SPF, DKIM and DMARC all passing for dom."""
    helo = helo or "mail." + dom
    f = envelope(
        rp or "%s@%s" % (local, dom),
        auth_results("pass", dom, [("pass", dom)], ("pass", "NONE", dom)),
        [received(helo, "192.0.2.%d" % (10 + len(dom)), MX,
                  "4v%sK" % "".join(c for c in msgid if c.isalnum())[:10], when, rdns=helo, to=to)],
        addr(name, "%s@%s" % (local, dom), charset), to, ew(subject, charset),
        when, msgid, extra)
    return mail(f, entity)


SCHOOL = """保護者の皆様

台風10号の接近に伴い、明日8月30日（金）は臨時休校といたします。
JR東日本の在来線も計画運休が予定されておりますので、不要不急の外出はお控えください。

課題については、学校ホームページでお知らせします。
https://www.school.example.jp/news/2024/0829.html

なお、本メールは一斉送信のため、返信はできません。
ご不明な点は学校（代表電話）までお問い合わせください。

さくら市立さくら小学校 教頭"""


@fixture("clean-school-typhoon-closure",
         "a school's 「【緊急のご連絡】台風接近に伴う臨時休校について」 in "
         "ISO-2022-JP from its own domain (dmarc=pass); mentions JR東日本",
         "no brand claimed; own-domain DMARC pass; no credential request; "
         "urgency words alone must not flag",
         demo="cur")
def school():
    return _own("school.example.jp", "info", "さくら小学校",
                "【緊急のご連絡】台風接近に伴う臨時休校について",
                date(2024, 8, 29, 15, 40, 0),
                "<20240829154000.renraku.331@school.example.jp>",
                text(SCHOOL, "ISO-2022-JP", "7bit"), charset="ISO-2022-JP")


MAINT = """社員各位

本日22:00〜24:00、メールサーバーおよびVPNの緊急メンテナンスを実施します。
作業中はメールの送受信と社外からの接続ができません。

・パスワードの変更やログイン情報の入力をお願いすることはありません。
・作業後24時間以内に不具合があれば、情報システム部までご連絡ください。

詳細: https://portal.corp.example.jp/it/maintenance/20240520

情報システム部"""


@fixture("clean-company-maintenance",
         "an employer's 「緊急のご連絡：システムメンテナンス」 with "
         "パスワード / 24時間以内 in a harmless sense, own domain dmarc=pass",
         "no brand; own-domain auth pass; password word is negated; link "
         "to the company's own host")
def maintenance():
    return _own("corp.example.jp", "it-support", "情報システム部",
                "緊急のご連絡：システムメンテナンス",
                date(2024, 5, 20, 13, 5, 0),
                "<a1b2c3d4-0520-4e5f@corp.example.jp>", text(MAINT))


def _defang(u):
    return u.replace("https://", "hxxps://").replace(".", "[.]")


AWARE = """セキュリティ通信 第112号

【注意喚起】「Amazon株式会社から緊急のご連絡」というフィッシングメールが出回っています

Amazonを装い、「24時間以内に個人情報を確認してくださ。」とアカウント情報の入力を迫るメールが多数報告されています。本文の一部を以下に引用します（URLは無効化しています）。

> {quote}
> 確認用アカウント: {bad1}
> 誘導先の例: {bad2}

このようなメールのリンクは開かず、Amazonの公式アプリまたはブックマークからメッセージセンターを確認してください。
Amazonのヘルプ: {help}

配信停止: {unsub}"""
HELP = ("https://www.amazon.co.jp/gp/help/customer/display.html"
        "?nodeId=G4YFYCCNUSENA23B")
UNSUB = "https://awareness.example.jp/unsubscribe?u=hanako"


@fixture("clean-security-newsletter-quotes-phish",
         "fictional awareness newsletter (DKIM/DMARC pass for its own "
         "domain) quoting the seed phish with defanged URLs "
         "(hxxps://amazon-co-jp[.]xyz) and no live link to a bad host",
         "defanged URLs, awareness wording (注意喚起/フィッシング); Amazon "
         "mentioned but only linked to its real help page; quoted deadline "
         "text must not count",
         demo="new")
def awareness():
    bad1 = _defang("https://amazon-co-jp.xyz/ap/signin")
    bad2 = _defang("https://www.amazon.co.jp.abc123def.info/")
    body = AWARE.format(quote=fx_amazon.SEED1_TOP[:60] + "…", bad1=bad1,
                        bad2=bad2, help=HELP, unsub=UNSUB)
    html = AWARE.format(quote=fx_amazon.SEED1_TOP[:60] + "…", bad1=bad1,
                        bad2=bad2, help='<a href="%s">%s</a>' % (HELP, HELP),
                        unsub='<a href="%s">こちら</a>' % UNSUB)
    html = paras(html.replace("> ", "&gt; "))
    return _own("awareness.example.jp", "news", "セキュリティ通信",
                "【注意喚起】「Amazon株式会社から緊急のご連絡」というフィッシング"
                "メールにご注意ください", date(2023, 2, 20, 12, 0, 0),
                "<sec-news-112@awareness.example.jp>",
                multipart("alternative", "=_aware_112",
                          [text(body, "UTF-8", "base64"),
                           text(html_doc(html), "UTF-8", "base64", "html")]),
                extra=[("List-Id", "<security-news.awareness.example.jp>"),
                       ("List-Unsubscribe", "<%s>" % UNSUB)])


CLICK = "https://click.news-example.jp/ls/click?upn=%s"
NEWS = """<p>ニュースエクスプレス 朝刊ダイジェスト 2024年4月15日</p>
<p>■ 春の新生活、通信費を見直すポイント<br>
<a href="{c1}">https://www.news-example.jp/articles/2024/0415-tsushin</a></p>
<p>■ 協賛セミナーのご案内（外部サイト）<br>
<a href="{c2}">https://www.example.com/seminar/2024spring</a></p>
<p><a href="{c3}">配信停止</a> | <a href="{c4}">配信設定の変更</a></p>"""


@fixture("clean-newsletter-click-tracking",
         "newsletter whose links go through its ESP click tracker "
         "(click.news-example.jp/ls/click?upn=…) while the visible text "
         "shows the article URL — once on its own site, once on a third "
         "party's (example.com)",
         "no brand claimed; own-domain DKIM/DMARC pass; link text ≠ href "
         "but the href is the sender's own tracker; no request")
def click_tracking():
    c = [CLICK % u for u in ("u001.Xk3pQ-2FzL9a", "u001.Yh7wR-2FmN0b",
                             "u001.Zq1sT-2FuV3c", "u001.Wd5xP-2FjK8e")]
    html = NEWS.format(c1=c[0], c2=c[1], c3=c[2], c4=c[3])
    return _own("news-example.jp", "newsletter", "ニュースエクスプレス",
                "朝刊ダイジェスト 2024年4月15日号", date(2024, 4, 15, 6, 0, 0),
                "<20240415060000.digest.5512@news-example.jp>",
                text(html_doc(html), "UTF-8", "quoted-printable", "html"),
                rp="bounce-5512-hanako=example.jp@news-example.jp",
                helo="mta.news-example.jp",
                extra=[("List-Unsubscribe", "<%s>" % c[2])])


PERSONAL = """花子さん

こんばんは。週末の件、土曜の13時に駅前でどうでしょう。
この前話していた本、Amazonで注文したら明日届くそうなので、届いたら持っていきます。

それと、ドライブの写真をまとめておきました。当日渡しますね。

太郎"""


@fixture("clean-personal-iso2022jp",
         "plain personal mail in ISO-2022-JP (7bit) from a friend whose "
         "provider signs it; it mentions Amazon in passing",
         "a brand mentioned in personal text is not a brand claim; "
         "authenticated sender domain; no links",
         demo="cur")
def personal():
    return _own("example.ne.jp", "taro", "山本 太郎", "週末の件",
                date(2024, 1, 25, 22, 14, 0),
                "<3f9a1c2e-5b7d-4e80-a1c2-77f3e9b0d2a1@example.ne.jp>",
                text(PERSONAL, "ISO-2022-JP", "7bit"), charset="ISO-2022-JP",
                extra=[("User-Agent", "Mozilla Thunderbird")])


ML = """鈴木です。

> 受信したメールの件名が文字化けします。ISO-2022-JPのメールだけです。

charset_hook で iso-2022-jp を cp50220 として読むようにすると直りました。
丸数字（①など）が入っているメールで起きていたようです。

--
users-jp mailing list
https://lists.example.org/mailman/listinfo/users-jp"""


@fixture("clean-mailing-list",
         "mailing-list post (From rewritten to the list, Reply-To, List-*, "
         "Precedence, In-Reply-To, '>' quote) with DMARC pass for the list",
         "no brand; list headers; a '>' quote that is not a forward of "
         "phishing; authenticated list domain")
def mailing_list():
    dom = "lists.example.org"
    extra = [("Reply-To", "users-jp@" + dom),
             ("Sender", "users-jp-bounces@" + dom),
             ("In-Reply-To", "<7c2d@client.example.com>"),
             ("References", "<7c2d@client.example.com>"),
             ("List-Id", "users-jp <users-jp.lists.example.org>"),
             ("List-Post", "<mailto:users-jp@lists.example.org>"),
             ("List-Unsubscribe", "<https://lists.example.org/mailman/"
              "options/users-jp>"), ("Precedence", "list")]
    return _own(dom, "users-jp", "Jiro Suzuki via users-jp",
                "[users-jp:01234] Re: ISO-2022-JP のメールの件名が文字化けする",
                date(2024, 2, 14, 10, 31, 7), "<20240214013107.GA1234@"
                "suzuki.example.com>", text(ML, "UTF-8", "8bit"),
                rp="users-jp-bounces@" + dom, extra=extra)


DIGEST = """Weekly Dev Digest #87

* Notes from a migration of a small service to Amazon Web Services
  https://devdigest.example.com/r/87-1
* Why your terminal UI should not trust escape sequences in mail
  https://devdigest.example.com/r/87-2

You receive this because you subscribed at devdigest.example.com.
Unsubscribe: https://devdigest.example.com/unsubscribe?id=hanako"""


@fixture("clean-english-newsletter",
         "English newsletter (text+HTML) that mentions Amazon Web Services",
         "no brand claim (AWS is not the Amazon shop); authenticated "
         "sender; links on the sender's domain")
def english():
    html = paras(DIGEST)
    for n in ("87-1", "87-2"):
        u = "https://devdigest.example.com/r/" + n
        html = html.replace(u, '<a href="%s">%s</a>' % (u, u))
    return _own("devdigest.example.com", "digest", "Weekly Dev Digest",
                "Weekly Dev Digest #87: migrations and terminal safety",
                date(2024, 9, 6, 8, 0, 0, "+0000"),
                "<digest-87@devdigest.example.com>",
                multipart("alternative", "=_digest_87",
                          [text(DIGEST, "us-ascii", "7bit"),
                           text(html_doc(html), "us-ascii", "7bit",
                                "html")]))


PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
       b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> "
       b"endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
QUOTE = """株式会社サンプル 花子様

いつもお世話になっております。
ご依頼いただいたお見積書をお送りいたします。ご確認のほどよろしくお願いいたします。

田中"""


@fixture("clean-pdf-attachment",
         "business mail with a PDF attachment (multipart/mixed, base64 "
         "application/pdf)",
         "no brand, no link; authenticated sender; an attachment alone is "
         "not a reason")
def pdf():
    att = leaf('application/pdf; name="quote-2024-0412.pdf"', PDF, "base64",
               [("Content-Disposition",
                 'attachment; filename="quote-2024-0412.pdf"')])
    return _own("supplier.example.com", "tanaka", "田中 一郎",
                "お見積書送付のご案内", date(2024, 4, 12, 17, 20, 0),
                "<20240412172000.tanaka.1@supplier.example.com>",
                multipart("mixed", "=_quote_0412", [text(QUOTE), att]))
