# SPDX-License-Identifier: ISC
"""Sibling campaigns against card companies, banks and payment apps.

Templates paraphrase the samples listed in phish-signals.md §1.2 (三井住友カード,
楽天カード, JCB, イオンカード, エポス, 三菱UFJ, ゆうちょ, PayPay).
"""
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, mail, multipart, paras, received, text)

TO = "hanako@example.jp"
MX = "mx.example.jp"

SMBC_URL = "https://smbc.co.ip.vkxq3m.com/vpass/login"
SMBC = """三井住友カードをご利用いただき、誠にありがとうございます。

弊社では、インターネット上での不正利用を防止するため「不正利用監視システム」を導入し、24時間365日体制でカードのご利用を監視しております。

お客様のカードにおいて、第三者による不正利用の可能性がある取引を検知いたしましたので、誠に勝手ながらカードのご利用を一部制限させていただきました。

つきましては、以下へアクセスの上、カードのご利用確認にご協力をお願い致します。

■ご利用確認はこちら
{link}

ご回答をいただけない場合、カードのご利用制限が継続されることもございますので、予めご了承下さい。
※ご本人確認のため、カード番号・有効期限・セキュリティコード・生年月日のご入力をお願いしております。

三井住友カード株式会社"""


@fixture("phish-smbc-fusei-riyou-coip",
         "三井住友カード 不正利用監視システム template, From spoofs "
         "smbc-card.com (dmarc=fail p=NONE), ■ご利用確認はこちら, UTF-8 QP",
         "brand From fails DMARC; co.ip typo host smbc.co.ip.<x>.com "
         "(brand token in foreign domain); card no./expiry/CVV/birth date "
         "request; 利用制限 threat",
         demo="cur")
def smbc():
    f = envelope(
        "info@smbc-card.com",
        auth_results("softfail", "smbc-card.com", (),
                     ("fail", "NONE", "smbc-card.com")),
        [received("smbc-card.com", "203.0.113.31", MX, "4YeU6j9St5z7Hka",
                  date(2023, 6, 19, 22, 14, 9))],
        addr("三井住友カード", "info@smbc-card.com"), TO,
        ew("【重要】三井住友カード緊急のご連絡"),
        date(2023, 6, 19, 21, 14, 5, "+0800"),
        "<20230619211405.73a1@smbc-card.com>")
    a = '<a href="%s">%s</a>' % (SMBC_URL, SMBC_URL)
    return mail(f, multipart(
        "alternative", "=_smbc_0619_b7",
        [text(SMBC.format(link=SMBC_URL), "UTF-8", "quoted-printable"),
         text(html_doc(paras(SMBC.format(link=a))), "UTF-8",
              "quoted-printable", "html")]))


RAKUTEN_URL = "https://www-rakuten-card-co-jp.qxvbrm.com/e-navi/login"
RAKUTEN = """<p>楽天カードをご利用いただきありがとうございます。</p>
<p>お客様のカードに不審な取引が確認されたため、不正利用防止の観点から一部機能が制限されています。</p>
<p>お手数ですが、下記よりご利用状況の確認をお願いいたします。</p>
<p><a href="{url}">ご利用状況を確認する</a></p>
<p>楽天カードセンター</p>"""


@fixture("phish-rakuten-card-ichiba-display",
         "楽天カード mail under display name 楽天市場 from a random "
         "multi-label domain whose own SPF passes; non-existent sender "
         "楽天カードセンター",
         "brand (楽天) not authenticated; random throwaway sender domain; "
         "host www-rakuten-card-co-jp.<x>.com (hyphenated brand token); "
         "一部機能が制限; 【至急】")
def rakuten():
    dom = "notice27.qxvbrm.com"
    f = envelope(
        "yuki_hq@" + dom,
        auth_results("pass", dom, (), ("none", None, "qxvbrm.com")),
        [received("mail." + dom, "198.51.100.152", MX, "4ZfV7k0Tu6z8Jlb",
                  date(2023, 11, 2, 6, 55, 48), rdns="mail." + dom)],
        addr("楽天市場", "yuki_hq@" + dom), TO,
        ew("【至急】楽天カードご利用確認のお願い(自動配信)"),
        date(2023, 11, 2, 6, 55, 44), "<6542c6e8.1c2d@%s>" % dom)
    return mail(f, text(html_doc(RAKUTEN.format(url=RAKUTEN_URL)), "UTF-8",
                        "base64", "html"))


JCB_URL = "https://myjcb-secure-login.top/member/check"
JCB = """MyJCBをご利用のお客様

当社のAIリスク評価システムにより、お客様のカードのご利用に関するリスクレベルが高いと判定されたため、カードのご利用を制限しております。

制限を解除するには、24時間以内に以下のページでご本人確認を完了してください。

{link}

ご本人確認では、カード番号、有効期限、セキュリティコードのご入力が必要です。

株式会社ジェーシービー"""


@fixture("phish-jcb-usage-restriction",
         "MyJCBカードご利用制限 with the AI risk-level story, sent as an "
         "unrelated reputable-looking newsletter domain (dmarc=fail p=REJECT "
         "for that domain)",
         "JCB claimed, not authenticated; display name vs unrelated From "
         "domain; link host with myjcb token on .top; リスクレベル story; "
         "card data request; 24時間以内")
def jcb():
    dom = "mailmag.example.net"
    f = envelope(
        "bounce@jcb-m.vqzr.top",
        auth_results("pass", "jcb-m.vqzr.top", (),
                     ("fail", "REJECT", dom)),
        [received("jcb-m.vqzr.top", "203.0.113.54", MX, "4agW8m1Vv7z9Kmc",
                  date(2024, 2, 27, 14, 2, 11))],
        addr("MyJCB", "info@" + dom), TO,
        ew("MyJCBカードご利用制限のお知らせ"), date(2024, 2, 27, 14, 2, 7),
        "<20240227140207.2291@jcb-m.vqzr.top>")
    a = '<a href="%s">ご本人確認はこちら</a>' % JCB_URL
    return mail(f, multipart(
        "alternative", "--==_mimepart_65dd6e4f1a2b3",
        [text(JCB.format(link=JCB_URL), "UTF-8", "base64"),
         text(html_doc(paras(JCB.format(link=a))), "UTF-8", "base64",
              "html")]))


AEON_URL = "https://aeon-card-check.lmzq4.workers.dev/login"
AEON = """{to}様

いつもイオンカードをご利用いただきありがとうございます。

お客様のカードにおいて不正利用の可能性がある取引を検知したため、カードのご利用を一部制限させていただいております。

以下のリンクよりご利用確認をお願いいたします。
{link}

Reference: 4418207"""


@fixture("phish-aeon-workers-addr-greeting",
         "イオンカード アカウント使用制限, greeting 「<address>様」, copied "
         "SMBC 「一部制限」 wording, template footer Reference: NNN",
         "brand not authenticated; .cn sender; *.workers.dev link; greeting "
         "by the recipient's address; 一部制限 threat")
def aeon():
    dom = "kvxqz.cn"
    f = envelope(
        "aeon-info@" + dom,
        auth_results("none", dom, (), ("none", None, dom)),
        [received("mail." + dom, "203.0.113.199", MX, "4bhX9n2Ww8z1Lnd",
                  date(2024, 5, 13, 9, 21, 36))],
        addr("イオンカード", "aeon-info@" + dom), TO,
        ew("アカウント使用制限のお知らせです。"), date(2024, 5, 13, 8, 21, 30,
                                          "+0800"),
        "<1715559690.839@%s>" % dom)
    a = '<a href="%s">%s</a>' % (AEON_URL, AEON_URL)
    return mail(f, text(html_doc(paras(AEON.format(to=TO, link=a))),
                        "UTF-8", "base64", "html"))


EPOS_URL = "https://eposcard.co.jp.vqkx7.cn/member/login"
EPOS = """エポスカードをご利用いただきありがとうございます。

お客様のカードに第三者による不正利用の疑いがあるため、ご利用を制限しております。
下記より本人確認を行い、制限を解除してください。

{link}

本メールは送信専用です。"""


@fixture("phish-epos-ymobile-spoof",
         "the real-world header shape from phish-signals.md: エポスカード "
         "display name on a spoofed mail.my.ymobile.jp address, spf=softfail "
         "dkim=none, sent from VM-4-11-centos.localdomain [43.133.0.251], "
         "origin stamp +0800 (CST); CRLF line ends",
         "brand (エポス) claimed, From domain is Y!mobile's (another brand) "
         "and fails SPF, no DKIM; cloud VM localdomain origin; +0800 "
         "origin; brand-prefix .cn host; 利用制限",
         demo="cur", crlf=True)
def epos():
    rp = "info-mgzk@mail.my.ymobile.jp"
    f = envelope(
        rp, auth_results("softfail", "mail.my.ymobile.jp"),
        [received("VM-4-11-centos.localdomain", "43.133.0.251", MX,
                  "4cjY0p3Xx9z2Mpf", date(2024, 11, 7, 17, 46, 9),
                  proto="ESMTP"),
         ("Received", "by VM-4-11-centos.localdomain (Postfix, from userid 0)"
          "\n\tid 6F2A1C0E3B; " + date(2024, 11, 7, 16, 46, 7, "+0800",
                                       "CST"))],
        addr("エポスカード", rp), TO, ew("【エポスカード】使用制限のお知らせです"),
        date(2024, 11, 7, 16, 46, 7, "+0800", "CST"),
        "<20241107084607.6F2A1C0E3B@VM-4-11-centos.localdomain>")
    a = '<a href="%s">本人確認はこちら</a>' % EPOS_URL
    return mail(f, multipart(
        "alternative", "===============7043261928730921415==",
        [text(EPOS.format(link=EPOS_URL), "UTF-8", "base64"),
         text(html_doc(paras(EPOS.format(link=a))), "UTF-8", "base64",
              "html")]))


MUFG_URL = "https://mufg.jp.kqzv8.cn/direct/login"
MUFG = """<p>三菱UFJ銀行をご利用いただきありがとうございます。</p>
<p>お客様の账户で異常な取引が検出されました。ご本人确认のため、下记より口座情報をご確認ください。</p>
<p>確認の際は、口座番号、暗証番号、ワンタイムパスワードをご入力ください。</p>
<p><a href="{url}">账户确认へ進む</a></p>
<p>本日中にご確認いただけない場合、口座のお取引を停止いたします。</p>"""


@fixture("phish-mufg-chinese-simplified",
         "三菱UFJ銀行 with simplified-Chinese 账户/确认/下记 in subject and "
         "body and a 微软雅黑 / Microsoft YaHei font declaration",
         "brand not authenticated; simplified-Chinese forms; Chinese fonts; "
         "brand-prefix .cn host mufg.jp.<x>.cn; PIN + one-time password "
         "request; 本日中 + 停止")
def mufg():
    dom = "dzqkw.cn"
    f = envelope(
        "mufg-service@" + dom,
        auth_results("pass", dom, (), ("none", None, dom)),
        [received("smtp." + dom, "203.0.113.118", MX, "4dkZ1q4Yy0z3Nqg",
                  date(2025, 1, 21, 12, 30, 2))],
        addr("三菱UFJ銀行", "mufg-service@" + dom), TO,
        ew("【三菱UFJ銀行】账户确认のお知らせ"),
        date(2025, 1, 21, 11, 29, 58, "+0800"), "<tencent_4A1B2C3D@%s>" % dom)
    html = html_doc(MUFG.format(url=MUFG_URL),
                    font="微软雅黑, 'Microsoft YaHei', SimSun")
    return mail(f, text(html, "UTF-8", "base64", "html"))


YUCHO_URL = "https://jp-bank-yucho.xq7wpe.top/direct/"
YUCHO = """ゆうちょダイレクトをご利用のお客さまへ

ゆうちょダイレクトのセキュリティ強化に伴い、お客さま情報の再登録をお願いしております。
以下のURLより、お客さま番号、ログインパスワード、合言葉をご登録ください。

{url}

ご登録がない場合、ゆうちょダイレクトのご利用を停止させていただきます。

株式会社ゆうちょ銀行"""


@fixture("phish-yucho-direct-iso2022jp",
         "ゆうちょ銀行 re-registration lure in ISO-2022-JP; From spoofs the "
         "bank's domain with dmarc=fail p=REJECT",
         "brand From fails DMARC (p=REJECT); link to .top host with brand "
         "token; login password + 合言葉 request; 停止 threat")
def yucho():
    dom = "jp-bank.japanpost.jp"
    f = envelope(
        "info@" + dom,
        auth_results("softfail", dom, (), ("fail", "REJECT", dom)),
        [received("japanpost.jp", "198.51.100.240", MX, "4emA2r5Zz1z4Prh",
                  date(2024, 8, 5, 7, 12, 44))],
        addr("ゆうちょ銀行", "info@" + dom, "ISO-2022-JP"), TO,
        ew("【ゆうちょ銀行】ゆうちょダイレクトご利用確認のお願い",
           "ISO-2022-JP"),
        date(2024, 8, 5, 7, 12, 40), "<20240805071240.55D0A@%s>" % dom)
    return mail(f, text(YUCHO.format(url=YUCHO_URL), "ISO-2022-JP", "7bit"))


PAYPAY_URL = "https://paypay-verify-jp.replit.app/login"
PAYPAY_URL2 = "https://paypay-secure.vq7k2.workers.dev/"
PAYPAY = """<p>PayPayをご利用いただきありがとうございます。</p>
<p>お客様のアカウントで不審なログインが検出されたため、アカウントの利用を制限しました。</p>
<p><a href="{u1}">アカウントを確認する</a></p>
<p>上記のリンクが開けない場合は <a href="{u2}">こちら</a></p>
<p>48時間以内にご確認いただけない場合、残高は失効します。</p>"""


@fixture("phish-paypay-replit-workers",
         "PayPay account restriction with links on replit.app and "
         "workers.dev; attacker's own .cfd domain passes DMARC",
         "PayPay claimed, auth passes only for paypay-jp.cfd (not PayPay's); "
         "free-hosting link hosts; brand token in host; 48時間 + 失効")
def paypay():
    dom = "paypay-jp.cfd"
    f = envelope(
        "support@" + dom,
        auth_results("pass", dom, [("pass", dom)], ("pass", "NONE", dom)),
        [received("mail." + dom, "198.51.100.93", MX, "4fnB3s6a02z5Qsj",
                  date(2025, 3, 14, 18, 40, 27), rdns="mail." + dom)],
        addr("PayPay", "support@" + dom), TO,
        ew("【PayPay】アカウント利用制限のお知らせ"),
        date(2025, 3, 14, 18, 40, 22), "<67d3f8e6.5a1b@%s>" % dom)
    html = PAYPAY.format(u1=PAYPAY_URL, u2=PAYPAY_URL2)
    return mail(f, text(html_doc(html), "UTF-8", "quoted-printable", "html"))
