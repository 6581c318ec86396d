# SPDX-License-Identifier: ISC
"""Other Amazon lures: payment, Prime, unusual login, suspension, lookalike names and hosts.

Hosts are invented in the shapes of JPCERT/CC phishurl-list: brand prefix
(www.amazon.co.jp.<hex>.info), typosquats (anazom, amaz0n), IP literals
(dotted and decimal), 32-hex labels, workers.dev.
"""
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, mail, multipart, paras, received, text)

TO = "hanako@example.jp"

PAY_URL = "https://www.amazon.co.jp.abc123def.info/gp/payment/update.php"
PAY = """Amazonをご利用いただきありがとうございます。

お客様のAmazonアカウントに登録されているお支払い方法（クレジットカード）の有効期限が切れているため、ご注文の処理ができませんでした。

引き続きAmazonをご利用いただくには、下記よりお支払い方法の情報を更新してください。

{link}

更新の際は、カード番号、有効期限、セキュリティコードをご入力ください。
48時間以内に更新が確認できない場合、アカウントは一時的に停止されます。

Amazon.co.jp"""


@fixture("phish-amazon-payment-update-hexhost",
         "お支払い方法の情報を更新 lure, UTF-8 quoted-printable text+HTML; "
         "From spoofs amazon.co.jp (spf=fail, dmarc=fail p=QUARANTINE); "
         "link host www.amazon.co.jp.abc123def.info",
         "From amazon.co.jp fails DMARC; Amazon name in a foreign registrable "
         "domain (brand-prefix host); card number/expiry/CVV request; 48時間 "
         "deadline + 停止 threat",
         demo="cur")
def payment_update():
    f = envelope(
        "payments-update@amazon.co.jp",
        auth_results("fail", "amazon.co.jp", (),
                     ("fail", "QUARANTINE", "amazon.co.jp")),
        [received("mail.amazon.co.jp", "198.51.100.140", "mx.example.jp",
                  "4QbT2n5Dk1z7Rwe", date(2023, 5, 22, 11, 8, 45))],
        addr("Amazon.co.jp", "payments-update@amazon.co.jp"), TO,
        ew("【Amazon】お支払い方法の情報を更新してください"),
        date(2023, 5, 22, 11, 8, 40), "<0100018842b1f0a7-5c9e@amazon.co.jp>")
    btn = ('<a href="%s" style="background:#ffd814;padding:10px 30px">'
           "支払方法の情報を更新する</a>" % PAY_URL)
    return mail(f, multipart(
        "alternative", "=_alt_5c9e1d0f2b",
        [text(PAY.format(link="支払方法の情報を更新する\n" + PAY_URL),
              "UTF-8", "quoted-printable"),
         text(html_doc(paras(PAY.format(link=btn))), "UTF-8",
              "quoted-printable", "html")]))


PRIME_URL = "https://anazom-jp.top/prime/renew?id=7310"
PRIME = """<p>Amazonプライム会員様</p>
<p>プライム会員資格の自動更新に失敗しました。会費のお支払いにご指定のクレジットカードが承認されませんでした。</p>
<p>本日中にお支払い情報を更新していただけない場合、お急ぎ便、Prime Video などのプライム特典はすべて停止されます。</p>
<p><a href="{url}">プライム会員情報を更新</a></p>
<p>Amazon.co.jp</p>"""


@fixture("phish-amazon-prime-fullwidth-anazom",
         "Prime renewal failed; full-width Ａｍａｚｏｎ in display name and "
         "subject; attacker's own domain anazom-jp.top passes SPF/DKIM/DMARC",
         "Amazon (full-width, NFKC) claimed but auth passes only for "
         "anazom-jp.top; typosquat anazom in link and sender; .top; 本日中 "
         "deadline + 停止; HTML-only")
def prime_fullwidth():
    dom = "anazom-jp.top"
    f = envelope(
        "bounce@" + dom,
        auth_results("pass", dom, [("pass", dom)], ("pass", "NONE", dom)),
        [received("mta1." + dom, "198.51.100.17", "mx.example.jp",
                  "4RkV7m0bPwz3Hfq", date(2023, 7, 4, 7, 30, 12),
                  rdns="mta1." + dom)],
        addr("Ａｍａｚｏｎプライム", "prime-info@" + dom), TO,
        ew("Ａｍａｚｏｎプライムの会費のお支払いが完了できませんでした"),
        date(2023, 7, 4, 7, 30, 9), "<20230704073009.88121@%s>" % dom)
    return mail(f, text(html_doc(PRIME.format(url=PRIME_URL)), "UTF-8",
                        "base64", "html"))


LOGIN_URL = "https://amaz0n-co-jp.cn/ap/verify?u=hanako"
LOGIN = """あなたのAmazonアカウント：hanako@example.jp、異常なログインが見つかり、配送先住所が変更されました！

第三者によってログインされた可能性があります。24時間以内に本人確認を完了してください。確認が取れない場合、アカウントは閉鎖されます。

{link}

Amazon.co.jp カスタマーサービス"""


@fixture("phish-amazon-unusual-login-amaz0n",
         "異常なログイン + 配送先住所が変更 story; ISO-2022-JP subject over a "
         "UTF-8 8bit text+HTML body; sender amazn-jp.net; no DMARC record",
         "Amazon claimed, not authenticated; typosquat sender (amazn) and "
         "link host (amaz0n-co-jp.cn, digit zero); 第三者 login story; "
         "24時間 + 閉鎖; 【重要】…緊急のご連絡")
def unusual_login():
    f = envelope(
        "no-reply@amazn-jp.net",
        auth_results("none", "amazn-jp.net", (),
                     ("none", None, "amazn-jp.net")),
        [received("vps-4471.amazn-jp.net", "203.0.113.88", "mx.example.jp",
                  "4SxP0c3Lm9z1Bnt", date(2023, 10, 18, 2, 12, 55))],
        addr("Amazon", "no-reply@amazn-jp.net"), TO,
        ew("【重要】Amazon株式会社からの緊急のご連絡", "ISO-2022-JP"),
        date(2023, 10, 18, 2, 12, 51), "<652eb6c3.a1f0@amazn-jp.net>")
    a = '<a href="%s">アカウントを確認</a>' % LOGIN_URL
    return mail(f, multipart(
        "alternative", "b1_8a4d2c9e0f7b6a5d",
        [text(LOGIN.format(link="アカウントを確認: " + LOGIN_URL)),
         text(html_doc(paras(LOGIN.format(link=a))), subtype="html")]))


IP_URL = "http://203.0.113.77/amazon.co.jp/ap/signin"
DEC_URL = "http://3405803853/ap/signin"       # 203.0.113.77 as one number
SUSP = """Amazon.co.jp をご利用のお客様

お客様のアカウントで不審なお支払いが確認されたため、アカウントを一時停止しました。
以下のリンクからサインインし、本人確認を行ってください。

{ip}

リンクが開けない場合はこちら: {dec}

7日以内にご確認いただけない場合、アカウントは削除されます。"""


@fixture("phish-amazon-suspended-ip-literal",
         "account suspended; links to a dotted IP literal and to the same "
         "address as one decimal number; Q-encoded UTF-8 subject",
         "Amazon claimed, not authenticated; IP-literal link host (dotted "
         "and decimal); 一時停止 + 7日以内 + 削除")
def suspended_ip():
    dom = "kq7vz-mail.xyz"
    f = envelope(
        "support@" + dom,
        auth_results("pass", dom, (), ("none", None, dom)),
        [received("mail." + dom, "198.51.100.203", "mx.example.jp",
                  "4TzQ1d4Mn0z2Cpv", date(2024, 1, 9, 19, 41, 3))],
        addr("Amazon.co.jp", "support@" + dom), TO,
        ew("Amazonアカウントが一時停止されました", q=True),
        date(2024, 1, 9, 19, 41, 0), "<20240109194100.3117@mail.%s>" % dom)
    body = SUSP.format(ip=IP_URL, dec=DEC_URL)
    html = SUSP.format(ip='<a href="%s">サインインして確認</a>' % IP_URL,
                       dec='<a href="%s">%s</a>' % (DEC_URL, DEC_URL))
    return mail(f, multipart(
        "alternative", "=-=-=sagi-ip-0109=-=-=",
        [text(body, "UTF-8", "base64"),
         text(html_doc(paras(html)), "UTF-8", "base64", "html")]))


SHIP_URL = "https://secure-amzn.kqwzpe.cn/order/confirm?o=249-7731"
SHIP = """<p>Amazon お客様</p>
<p>ご注文いただいた商品を出荷できません。ご登録の信用カードの情報に問題があるため、お支払いが承認されませんでした。</p>
<p>ご注文を継続するには、信用カード情報を更新してください。</p>
<p><a href="{url}"><font face="微软雅黑">ご注文内容を確認する</font></a></p>
<p>24時間以内に更新されない場合、ご注文はキャンセルされます。</p>"""


@fixture("phish-amazon-cyrillic-cannot-ship",
         "「【緊急】Amazon注文を出荷できません」 with a Cyrillic А (U+0410) "
         "in display name and subject, Chinese calque 信用カード, 微软雅黑 "
         "font in HTML",
         "Аmazon homoglyph (mixed script) in display name/subject; brand "
         "not authenticated; Chinese font; 信用カード calque; card update "
         "request; .cn host with amzn token; 24時間")
def cyrillic_ship():
    dom = "amazon-notice-jp.xyz"
    f = envelope(
        "service@" + dom,
        auth_results("none", dom, (), ("none", None, dom)),
        [received("mail." + dom, "203.0.113.230", "mx.example.jp",
                  "4VbR3f6Pq2z4Egx", date(2024, 4, 2, 13, 5, 30))],
        addr("\u0410mazon", "service@" + dom), TO,
        ew("【緊急】\u0410mazon注文を出荷できません"),
        date(2024, 4, 2, 12, 5, 27, "+0800"), "<1712030727.52918@%s>" % dom)
    html = html_doc(SHIP.format(url=SHIP_URL),
                    font="微软雅黑, 'Microsoft YaHei', SimSun")
    return mail(f, text(html, "UTF-8", "base64", "html"))


FAKE_URL = "https://www-amazon-co-jp.ivqwzt.top/gp/css/homepage.html"
SHOWN_URL = "https://www.amazon.co.jp/gp/css/homepage.html"
WARN = """<p><img src="https://m.media-amazon.com/images/G/09/x-locale/common/amazon-logo.png" alt="Amazon"></p>
<p>お客様のアカウントに新しい端末からのサインインが検出されました。</p>
<p>心当たりがない場合は、下記のアカウントサービスからパスワードとお支払い情報を再確認してください。</p>
<p><a href="{href}">{shown}</a></p>
<p>この確認が完了するまで、一部のサービスはご利用いただけません。</p>"""


@fixture("phish-amazon-linktext-shows-real-url",
         "link whose visible text is https://www.amazon.co.jp/… over an "
         "evil href; Amazon CDN images; spoofed From with freemail Reply-To",
         "link text host amazon.co.jp ≠ href host (www-amazon-co-jp.*.top); "
         "From amazon.co.jp fails DMARC; Reply-To on outlook.com; brand "
         "CDN images without Amazon auth; password/payment re-entry")
def linktext_mismatch():
    f = envelope(
        "store-news@amazon.co.jp",
        auth_results("fail", "amazon.co.jp", (),
                     ("fail", "QUARANTINE", "amazon.co.jp")),
        [received("smtp.amazon.co.jp", "198.51.100.66", "mx.example.jp",
                  "4WcS4g7Qr3z5Fhy", date(2024, 6, 11, 8, 47, 19))],
        addr("Amazon.co.jp", "store-news@amazon.co.jp"), TO,
        ew("Amazonセキュリティ警告：サインインが検出されました"),
        date(2024, 6, 11, 8, 47, 15), "<20240611084715.0D4A2@amazon.co.jp>",
        [("Reply-To", "amazon.jp.help@outlook.com")])
    plain = ("お客様のアカウントに新しい端末からのサインインが検出されました。\n"
             "アカウントサービス: %s\n" % FAKE_URL)
    return mail(f, multipart(
        "alternative", "----_=_NextPart_4WcS4g7Qr3",
        [text(plain, "UTF-8", "base64"),
         text(html_doc(WARN.format(href=FAKE_URL, shown=SHOWN_URL)),
              "UTF-8", "base64", "html")]))


LOCK_URL = "https://raspberry-3jd9-6h1m.kmzq7.workers.dev/amazon/login"
LOCK = """<p>Amazon. co. jp にご登録のアカウント(名前、パスワード、その他個人情報)の確認が必要です。</p>
<p>お客様のアカウントはロックされています。<a href="{url}">こちら</a>からログインしてロックを解除してください。</p>
<p>7日以内に手続きがない場合、アカウントは削除されます。</p>"""


@fixture("phish-amazon-lock-workers-noauth",
         "[アカウントロック]…Aアカウント (2019-style typos); display name "
         "\"amazon.co.jp\" over an unrelated address; bare one-hop Received "
         "from a localdomain host; no Authentication-Results",
         "display name is a domain different from the From address; brand "
         "claimed, auth unknown; *.workers.dev link; localdomain origin; "
         "Aアカウント typo; ロック + 7日以内 + 削除")
def lock_workers():
    f = envelope(
        "amazon.co.jp@mrbvqxe.com", None,
        [received("localhost.localdomain", "192.0.2.201", "mx.example.jp",
                  "4XdT5h8Rs4z6Giz", date(2024, 9, 27, 3, 3, 33),
                  proto="SMTP")],
        addr("amazon.co.jp", "amazon.co.jp@mrbvqxe.com"), TO,
        ew("[アカウントロック]Amazon.co.jpにご登録のAアカウント"),
        date(2024, 9, 27, 3, 3, 31),
        "<20240927030331.4411.9@localhost.localdomain>")
    return mail(f, text(html_doc(LOCK.format(url=LOCK_URL)), "UTF-8",
                        "8bit", "html"))
