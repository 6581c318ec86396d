# SPDX-License-Identifier: ISC
"""Debatable mail: the honest verdict is "suspicious", neither red nor clean.

Each has some strong signals and some reason for doubt: no brand to check
against, no link, harmless content under failed authentication, or a
plausible but unverifiable e-mail service provider.
"""
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, mail, multipart, paras, received, text)

TO = "hanako@example.jp"
MX = "mx.example.jp"

QUOTA_URL = "https://webmail-example-jp.vkq3z.top/login?user=hanako@example.jp"
QUOTA = """hanako@example.jp 様

お使いのメールボックスの容量が上限（99%）に達しました。
このままでは新しいメールを受信できなくなります。

下記からログインし、容量の拡張を行ってください。
{url}

24時間以内に手続きがない場合、メールの受信が停止されます。

example.jp メール管理者"""


@fixture("suspect-webmail-quota-nobrand",
         "generic webmail credential lure: display name claims the "
         "recipient's own provider (example.jp), link to a .top host; no "
         "brand from the brand list",
         "display name names the recipient's domain but the sender is not "
         "it; credential-page link on an abused TLD; 24時間 + 停止; no "
         "brand claimed, so not red (debatable: it is phishing, but not "
         "brand impersonation)",
         demo="cur")
def quota():
    dom = "mailbox-notice.vkq3z.top"
    when = date(2024, 2, 8, 4, 17, 26)
    f = envelope(
        "admin@" + dom,
        auth_results("pass", dom, (), ("none", None, "vkq3z.top")),
        [received("mail." + dom, "203.0.113.66", MX, "4kqE6v9d35z8Twn",
                  when)],
        addr("example.jp メール管理者", "admin@" + dom), TO,
        ew("【example.jp】メールボックスの容量が上限に達しました"), when,
        "<20240208041726.1A2B@%s>" % dom)
    return mail(f, text(QUOTA.format(url=QUOTA_URL)))


GIFT = """花子さん

お疲れ様です。これから取引先との会議に入るため、電話に出られません。

至急お願いしたいことがあります。取引先への贈答用に、Amazonギフトカード（5万円分）をコンビニで購入し、裏面のコード番号を写真に撮ってこのメールに返信してください。
費用は後で精算します。社内には内密にお願いします。

山田"""


@fixture("suspect-giftcard-request-boss",
         "gift-card (BEC) scam: a \"boss\" on a free-mail address asks for "
         "Amazonギフトカード codes; mentions Amazon without claiming to be "
         "Amazon; no link; DMARC passes for gmail.com",
         "free-mail sender; urgency + secrecy + gift-card code request; "
         "Amazon mentioned but not the sender, so no brand-impersonation "
         "verdict; no links",
         demo="new")
def giftcard():
    rp = "yamada.office.k2024@gmail.com"
    when = date(2024, 3, 29, 11, 2, 44)
    f = envelope(
        rp,
        auth_results("pass", "gmail.com", [("pass", "gmail.com")],
                     ("pass", "NONE", "gmail.com")),
        [received("mail-pl1-f181.google.com", "198.51.100.181", MX,
                  "4lrF7w0e46z9Uxp", when,
                  rdns="mail-pl1-f181.google.com")],
        addr("山田 部長", rp), TO, ew("至急のお願い"), when,
        "<CAJx7Lq2Yc9vNf1Q0xK3mW8pZ4aR6tB5eD2hG7sV1uT9iO3kL0w@mail.gmail.com>")
    return mail(f, text(GIFT))


SHORT_URL = "https://bit.ly/3Xk9QpZ"
PARCEL = """お客様宛にお荷物をお届けにあがりましたが、ご不在のため持ち帰りました。

再配達のご依頼はこちら: {url}

配送センター"""


@fixture("suspect-delivery-shortener-nobrand",
         "SMS-style 不在通知 as mail: no carrier named, one bit.ly link, "
         "random sender domain",
         "URL shortener hides the destination; random throwaway sender; "
         "不在 story; no brand and no credential request, so not red",
         demo="new")
def parcel():
    dom = "qzvx-delivery.xyz"
    when = date(2024, 7, 16, 21, 9, 5)
    f = envelope(
        "info@" + dom,
        auth_results("none", dom, (), ("none", None, dom)),
        [received("mail." + dom, "203.0.113.171", MX, "4msG8x1f57z1Vyq",
                  when)],
        addr("配送センター", "info@" + dom), TO,
        ew("お荷物のお届けについて（不在通知）"), when,
        "<20240716210905.77@%s>" % dom)
    return mail(f, text(PARCEL.format(url=SHORT_URL)))


SMBC_NOTE = """三井住友カードをご利用いただきありがとうございます。

お客様のカードで、普段と異なるご利用がありました。お心当たりがない場合は、カード裏面に記載の電話番号までお問い合わせください。

ご利用日時：2024/09/03 02:14
ご利用金額：48,600円

三井住友カード株式会社"""


@fixture("suspect-smbc-spoofed-callback-nolink",
         "三井住友カード usage alert whose From fails DMARC (p=NONE) but whose "
         "content is harmless: no link, no request, points to the number on "
         "the card",
         "brand claimed and From domain fails authentication; but no link, "
         "no credential request, advice is the safe one — suspicious, not "
         "red")
def smbc_note():
    dom = "smbc-card.com"
    when = date(2024, 9, 3, 2, 30, 12)
    f = envelope(
        "info@" + dom,
        auth_results("softfail", dom, (), ("fail", "NONE", dom)),
        [received("mail.smbc-card.com", "198.51.100.212", MX,
                  "4ntH9y2g68z2Wzr", when)],
        addr("三井住友カード", "info@" + dom), TO,
        ew("【三井住友カード】ご利用確認のお願い"), when,
        "<20240903023012.3F1@%s>" % dom)
    return mail(f, text(SMBC_NOTE))


ESP = "rmail-campaign.jp"
TRACK = "https://click.%s/c?u=%s&m=20241111"
SALE = """<p>楽天市場をご利用いただきありがとうございます。</p>
<p>楽天スーパーSALE開催中！ポイント最大44倍のチャンスです。</p>
<p><a href="{t1}">https://event.rakuten.co.jp/campaign/supersale/</a></p>
<p>エントリーはこちら：<a href="{t2}">キャンペーンにエントリー</a></p>
<p>配信停止は<a href="{t3}">こちら</a></p>
<p>楽天グループ株式会社</p>"""


@fixture("suspect-rakuten-unknown-esp",
         "楽天市場 sale newsletter signed (DKIM pass) only by an ESP domain "
         "that is not on Rakuten's list; links shown as event.rakuten.co.jp "
         "go through that ESP's click tracker",
         "brand claimed but not authenticated as 楽天 (dkim/dmarc pass only "
         "for an unknown ESP); link text host rakuten.co.jp ≠ href host "
         "click.<esp>; no credential request, no threat — could be a real "
         "ESP: suspicious")
def rakuten_esp():
    when = date(2024, 11, 11, 10, 0, 0)
    f = envelope(
        "bounce-20241111-hanako=example.jp@" + ESP,
        auth_results("pass", ESP, [("pass", ESP)], ("pass", "NONE", ESP)),
        [received("mta-07." + ESP, "198.51.100.7", MX, "4puJ0z3h79z3Xas",
                  when, rdns="mta-07." + ESP)],
        addr("楽天市場", "news@" + ESP), TO,
        ew("【楽天市場】スーパーSALE開催中！ポイント最大44倍"), when,
        "<20241111100000.hanako.7731@%s>" % ESP,
        [("List-Unsubscribe", "<%s>" % (TRACK % (ESP, "unsub")))])
    html = SALE.format(t1=TRACK % (ESP, "a1"), t2=TRACK % (ESP, "a2"),
                       t3=TRACK % (ESP, "unsub"))
    plain = ("楽天市場をご利用いただきありがとうございます。\n"
             "楽天スーパーSALE開催中！\n%s\n" % (TRACK % (ESP, "a1")))
    return mail(f, multipart("alternative", "=_rmail_1111",
                             [text(plain, "UTF-8", "quoted-printable"),
                              text(html_doc(html), "UTF-8",
                                   "quoted-printable", "html")]))
