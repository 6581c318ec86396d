# SPDX-License-Identifier: ISC
"""Sibling campaigns against transport, carriers, marketplaces, tax, Apple and delivery.

Each carries the text tells listed in phish-signals.md §1.5 for its
campaign (メ-ル, サーピス, プライバシ-ボリシ-, こ確認, ごさいます,
【RECEIVER_ADDRESS】, zero-width characters, 稅/滯, English leftovers).
"""
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, mail, multipart, paras, received, text)

TO = "hanako@example.jp"
MX = "mx.example.jp"


def _phish(dom, local, name, subject, when, entity, ar=None, hops=None,
           rpath=None, msgid=None, charset="UTF-8"):
    """A phish from the attacker's own domain (no DMARC record)."""
    if ar is None:
        ar = auth_results("pass", dom, (), ("none", None, dom))
    if hops is None:
        hops = [received("mail." + dom, "203.0.113.%d" % (len(dom) * 7),
                         MX, "4g%sQ" % dom[:6].replace(".", "x"), when)]
    f = envelope(rpath or "%s@%s" % (local, dom), ar, hops,
                 addr(name, "%s@%s" % (local, dom), charset), TO,
                 ew(subject, charset), when,
                 msgid or "<%s.%s@%s>" % (when[5:16].replace(" ", ""),
                                          local, dom))
    return mail(f, entity)


EKI_URL = "https://www.eki.longin.co.jp.pqzr.work/login"
EKI = """えきねっとをご利用いただきありがとうございます。

お客様のえきねっとアカウントは長期間ログインがないため、自動退会処理の対象となりました。
退会を希望されない場合は、以下のURLより会員情報の確認をお願いいたします。

{url}

2日以内にご確認いただけない場合、アカウントは自動的に退会となり、保有ポイントは失効します。

※本メ-ルは送信専用です。ご返信いただいてもお答えできません。
えきねっと(JR東日本)"""


@fixture("phish-ekinet-auto-withdrawal",
         "えきねっと 自動退会 notice with a URL (the real service sends no "
         "advance notice and no URL), ASCII hyphen in メ-ル, Shift_JIS base64 "
         "body, sender on a *.localdomain host",
         "えきねっと claimed, not authenticated; brand-policy impossible "
         "message (自動退会 + URL); eki token in brand-prefix .work host; "
         "メ-ル hyphen; localdomain sender; 2日以内 + 失効")
def ekinet():
    dom = "server-1070785-1.localdomain"
    when = date(2023, 8, 24, 10, 3, 17)
    hops = [received(dom, "203.0.113.40", MX, "4hpC4t7b13z6Rtk", when)]
    return _phish(dom, "info", "えきねっと",
                  "【重要】えきねっとアカウントの自動退会処理について", when,
                  text(EKI.format(url=EKI_URL), "Shift_JIS", "base64"),
                  ar=auth_results("none", dom), hops=hops)


ETC_URL = "https://www2.etc-meisai.jp.login.qzkwp.cn/"
ETC = """ETC利用照会サービスをご利用いただきありがとうございます。

お客様のアカウントは150日以上ログインが確認されておりません。
サービスを継続してご利用いただくには、お客様情報およびクレジットカード情報のご登録が必要です。

ご登録はこちら: {url}

期限内にご登録がない場合、サービスは解約となります。

ETC利用照会サーピス事務局"""


@fixture("phish-etc-misspelled-office",
         "ETC利用照会サービス ご利用継続 lure signed 「ETC利用照会サーピス事務局」 "
         "(ピ for ビ), random .cn sender",
         "brand not authenticated; brand-policy impossible message (ETC asks "
         "for card data); host www2.etc-meisai.jp.login.<x>.cn; サーピス "
         "misspelling; 解約 threat")
def etc():
    return _phish("mhqzkt.cn", "member-aegxvwz", "ETC利用照会サービス",
                  "【重要】ETC利用照会サービス ご利用継続のお願い",
                  date(2024, 3, 18, 8, 15, 0),
                  text(ETC.format(url=ETC_URL), "UTF-8", "8bit"))


AU_URL = "https://www-auone-id.kq8vz.cyou/login"
AU = """【RECEIVER_ADDRESS】 様

いつもau PAYをご利用いただき誠にありがとうごさいます。
ご登録のお支払い情報を更新できませんでした。お手数ですが、下記より情報のこ確認をお願いいたします。

{link}

24時間以内にご確認がない場合、au PAYアカウントを一時停止いたします。
ご不便をおかけして申し訳ごさいません。"""


@fixture("phish-au-pay-receiver-address",
         "au PAY 最終警告 with the literal template bug 【RECEIVER_ADDRESS】 "
         "and dakuten slips こ確認 / ごさいます",
         "au claimed, not authenticated; unfilled template placeholder; "
         "auone token in .cyou host; こ確認/ごさいます typos; 24時間 + "
         "一時停止; 【最終警告】")
def au():
    a = '<a href="%s">お支払い情報を確認する</a>' % AU_URL
    return _phish("aupay-kddi-notice.cyou", "info", "au PAY",
                  "お支払い情報を更新できませんでした【最終警告】"
                  "『auPAYアカウント一時停止』のお知らせ",
                  date(2023, 9, 30, 20, 44, 51),
                  multipart("alternative", "=_au_0930",
                            [text(AU.format(link=AU_URL)),
                             text(html_doc(paras(AU.format(link=a))),
                                  subtype="html")]))


DOCOMO_URL = "https://docomo-daccount.duckdns.org/login"
DOCOMO = """<p>dアカウントをご利用いただきありがとうございます。</p>
<p>セキュリティ向上のため、dアカウントの認証情報の更新をお願いしております。更新が完了するまで、dアカウントのご利用を一時停止させていただきます。</p>
<p><a href="{url}">dアカウント認証情報を更新する</a></p>
<p>プライバシ-ボリシ- | お問い合わせ</p>
<p>株式会社NTTドコモ</p>"""


@fixture("phish-docomo-daccount-bom",
         "dアカウント認証情報更新; display name \\ufeffdocomo (BOM before the "
         "brand); From spoofs wdy.docomo.ne.jp (dmarc=fail p=NONE); "
         "プライバシ-ボリシ-",
         "brand From fails DMARC; invisible character in display name; "
         "duckdns.org (dynamic DNS) link; プライバシ-ボリシ- (hyphen and "
         "ボ for ポ); 一時停止",
         demo="new")
def docomo():
    dom = "wdy.docomo.ne.jp"
    when = date(2024, 7, 1, 12, 0, 39)
    ar = auth_results("softfail", dom, (), ("fail", "NONE", dom))
    hops = [received("wdy.docomo.ne.jp", "198.51.100.177", MX,
                     "4jqD5u8c24z7Svm", when)]
    return _phish(dom, "info", "\ufeffdocomo",
                  "【重要なお知らせ】dアカウント認証情報更新のお知らせ", when,
                  text(html_doc(DOCOMO.format(url=DOCOMO_URL)), "UTF-8",
                       "base64", "html"), ar=ar, hops=hops)


ZW = "\u200b"
MERCARI_URL = "https://www.kqwzvmt.cn/mercari/verify"
MERCARI = ("<p>メ" + ZW + "ルカリをご利用いただきありがとうございます。</p>\n"
           "<p>お客様のアカウントで規約違反の疑いがある取引が確認されたため、"
           "アカウ" + ZW + "ントの利用を制限しました。</p>\n"
           "<p>72時間以内に本人確認書類（運転免許証など）をご提出ください。"
           "ご提出がない場合、アカウントは永久に停止されます。</p>\n"
           '<p><a href="{url}">本人確認を行う</a></p>\n'
           "<p>Marcari事務局</p>")


@fixture("phish-mercari-zero-width",
         "メルカリ アカウント停止 with U+200B inside メ​ルカリ / アカウ​ント "
         "in subject and body to dodge keyword filters; sender "
         "Marcari「メルカリ」 on a .cn domain",
         "zero-width characters inside brand/kana words; brand not "
         "authenticated; Marcari misspelling; random .cn host; ID-document "
         "request; 72時間 + 永久に停止")
def mercari():
    subj = ("【重要】メ{z}ルカリの{z}アカウ{z}ント使{z}用停止のお{z}知ら{z}せです"
            .format(z=ZW))
    return _phish("qelvrx.cn", "mercari-co-jp", "Marcari「メルカリ」", subj,
                  date(2024, 10, 8, 15, 27, 5),
                  text(html_doc(MERCARI.format(url=MERCARI_URL)), "UTF-8",
                       "base64", "html"))


NTA_HREF = "https://www.e-tax.nta.go.jp.xwlcgx.cn/pay/"
NTA = """<p>国税庁からのお知らせ</p>
<p>あなたの所得稅（令和5年分）の納稅が確認できておりません。</p>
<p>納税確認番号：****8160</p>
<p>本日中に納付が確認できない場合、滯納金が加算され、法令に基づき財産の差押処分に着手致します。</p>
<p>納付手続き：<a href="{href}">https://www.nta.go.jp</a></p>
<p>国税庁 徴収部</p>"""


@fixture("phish-nta-etax-variant-chars",
         "国税庁 未払い税金 with non-Japanese CJK variants 稅 / 滯, 差押 "
         "threat, link text https://www.nta.go.jp over a .cn href",
         "brand-policy impossible message (国税庁 never demands payment or "
         "announces seizure by mail); link text nta.go.jp ≠ href host "
         "www.e-tax.nta.go.jp.<x>.cn; CJK variant characters; 本日中; "
         "fake 納税確認番号",
         demo="cur")
def nta():
    return _phish("tzqpl.cn", "kokuzei", "国税庁",
                  "税務署からの【未払い税金のお知らせ】",
                  date(2024, 12, 16, 9, 0, 3),
                  text(html_doc(NTA.format(href=NTA_HREF)), "UTF-8",
                       "base64", "html"))


APPLE_URL = "https://appleid-jp-verify.duckdns.org/signin"
APPLE = """Dear Customer,

あなたのApple IDはロックされています。
お支払い情報の確認ができなかったため、セキュリティ上の理由によりApple IDを一時的にロックしました。

ロックを解除するには、以下から本人確認を行ってください。
{url}

[New Statement Update]
Apple Support"""


@fixture("phish-apple-id-duckdns",
         "Apple ID locked, English template leftovers (Dear Customer, [New "
         "Statement Update]), sender on an unrelated shop domain",
         "Apple claimed, not authenticated; display name vs unrelated "
         "domain; duckdns.org link with apple token; ロック threat")
def apple():
    return _phish("gardentools-ec.com", "marketing", "Apple",
                  "あなたのApple IDはロックされています。",
                  date(2023, 12, 5, 3, 48, 20),
                  text(APPLE.format(url=APPLE_URL), "UTF-8", "base64"))


YAMATO_URL = "https://kueronaekayacetn.co.jp.xvzqm.cn/delivery"
YAMATO = """<p>ヤマト運輸よりお荷物のお届けについてのご案内です。</p>
<p>お客様宛にお荷物をお届けにあがりましたが、ご不在のため持ち帰りました。</p>
<p>宛先住所に不備があるため、下記より住所確認のうえ再配達をご依頼ください。</p>
<p><a href="{url}">住所を確認して再配達を依頼する</a></p>
<p>保管期限を過ぎたお荷物は差出人へ返送されます。</p>"""


@fixture("phish-yamato-absent-address",
         "ヤマト運輸 不在 + 住所確認 lure; kana-romaji lookalike host "
         "kueronaekayacetn.co.jp.<x>.cn; sender domain random .top",
         "brand not authenticated; lookalike of kuronekoyamato in a .cn "
         "host; 不在/住所確認 story; 返送 threat")
def yamato():
    return _phish("vkqzp.top", "info", "ヤマト運輸",
                  "ヤマト運輸よりお荷物のお届けについて",
                  date(2024, 6, 27, 17, 33, 42),
                  text(html_doc(YAMATO.format(url=YAMATO_URL)), "UTF-8",
                       "8bit", "html"))
