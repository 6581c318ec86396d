# SPDX-License-Identifier: ISC
"""Hard negatives: genuine brand mail that must stay clean.

Shapes follow what the brands really send (Amazon via SES with DKIM for
amazon.co.jp, 楽天カード from mail.rakuten-card.co.jp, JCB from
info.jcb.co.jp, えきねっと's URL-less withdrawal notice, e-Tax's message-box
notice).  Order numbers and amounts are invented.
"""
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     html_doc, mail, multipart, paras, received, text)

TO = "hanako@example.jp"
MX = "mx.example.jp"
SES_RP = ("0106018e2c1a9b3f-4d2e6f70-8a1b-4c3d-9e0f-%s-000000"
          "@ap-northeast-1.amazonses.com")


def _amazon(local, subject, when, msgid, entity, tag):
    rp = SES_RP % tag
    f = envelope(
        rp,
        auth_results("pass", "ap-northeast-1.amazonses.com",
                     [("pass", "amazon.co.jp"), ("pass", "amazonses.com")],
                     ("pass", "QUARANTINE", "amazon.co.jp")),
        [received("a27-12.smtp-out.ap-northeast-1.amazonses.com",
                  "198.51.100.12", MX, "4qvK1a4i80z4Ybt", when,
                  rdns="a27-12.smtp-out.ap-northeast-1.amazonses.com")],
        addr("Amazon.co.jp", local + "@amazon.co.jp"), TO, ew(subject),
        when, msgid, [("Feedback-ID", "1.ap-northeast-1.Kq3z:AmazonSES")])
    return mail(f, entity)


ORDER = """hanako 様

Amazon.co.jpをご利用いただき、ありがとうございます。
ご注文の確認をお知らせします。

注文番号：249-3817264-5520931
ご注文日：2023年3月10日
お届け予定：2023年3月12日（日）

「やさしいC言語 第6版」 1点 2,860円

ご注文の状況は、アカウントサービスの注文履歴からご確認いただけます。
{link}

Amazon.co.jpで再度お買い物をされることを楽しみにしております。"""


@fixture("clean-amazon-order-confirmation",
         "genuine-shaped Amazon.co.jp order confirmation: "
         "auto-confirm@amazon.co.jp via Amazon SES, dkim=pass "
         "header.d=amazon.co.jp, dmarc=pass; links to www.amazon.co.jp only",
         "Amazon claimed AND authenticated (aligned DKIM/DMARC pass for "
         "amazon.co.jp); all links on amazon.co.jp; no request, no threat",
         demo="cur")
def amazon_order():
    url = ("https://www.amazon.co.jp/gp/css/order-history?ref_=pe_"
           "2019081_ohist")
    a = '<a href="%s">注文履歴を見る</a>' % url
    return _amazon("auto-confirm", "Amazon.co.jpでのご注文 "
                   "249-3817264-5520931", date(2023, 3, 10, 21, 15, 42),
                   "<0106018ec2f1a9b3-amz-order-1@ap-northeast-1."
                   "amazonses.com>",
                   multipart("alternative", "----=_Part_4471_1189204.16784",
                             [text(ORDER.format(link=url), "UTF-8",
                                   "quoted-printable"),
                              text(html_doc(paras(ORDER.format(link=a))),
                                   "UTF-8", "quoted-printable", "html")]),
                   "112233445566")


SHIP = """<p><img src="https://m.media-amazon.com/images/G/09/x-locale/common/amazon-logo.png" alt="Amazon.co.jp"></p>
<p>hanako 様</p>
<p>ご注文の商品を発送しました。お届け予定日：3月12日（日）</p>
<p>注文番号：249-3817264-5520931</p>
<p><a href="https://www.amazon.co.jp/gp/your-account/ship-track?orderId=249-3817264-5520931">配送状況を確認</a></p>
<p><a href="https://www.amazon.co.jp/gp/r.html?C=2KX3Q&amp;R=1&amp;U=https%3A%2F%2Fwww.amazon.co.jp%2Fgp%2Fcss%2Forder-history">注文履歴</a></p>
<p>Amazon.co.jp</p>"""


@fixture("clean-amazon-shipment",
         "genuine-shaped Amazon shipping notice from "
         "shipment-tracking@amazon.co.jp, HTML-only with Amazon CDN images "
         "and Amazon's own /gp/r.html redirector",
         "Amazon authenticated (DKIM/DMARC pass); links and images on "
         "Amazon's domains; HTML-only but nothing asked",
         demo="new")
def amazon_ship():
    return _amazon("shipment-tracking", "Amazon.co.jp ご注文の商品を発送しました",
                   date(2023, 3, 11, 9, 2, 10),
                   "<0106018ec2f1a9b3-amz-ship-1@ap-northeast-1."
                   "amazonses.com>",
                   text(html_doc(SHIP), "UTF-8", "quoted-printable", "html"),
                   "2233445566aa")


RAKUTEN = """楽天カードをご利用いただきありがとうございます。
カードのご利用がありましたのでお知らせいたします。

■利用日：2024/04/18
■利用先：スーパーマーケット
■利用者：本人
■利用金額：3,284円

ご利用内容の詳細は楽天e-NAVIでご確認いただけます。
https://www.rakuten-card.co.jp/e-navi/

※本メールは送信専用です。
楽天カード株式会社"""


@fixture("clean-rakuten-card-usage-alert",
         "genuine-shaped 楽天カード ご利用速報 from info@mail.rakuten-card.co.jp "
         "with dkim=pass for mail.rakuten-card.co.jp",
         "楽天 claimed and authenticated; link on rakuten-card.co.jp; "
         "amount notice with no request",
         demo="cur")
def rakuten_usage():
    dom = "mail.rakuten-card.co.jp"
    when = date(2024, 4, 18, 18, 26, 3)
    f = envelope(
        "bounce@bounce.rakuten-card.co.jp",
        auth_results("pass", "bounce.rakuten-card.co.jp", [("pass", dom)],
                     ("pass", "REJECT", dom)),
        [received("mta-r3." + dom, "198.51.100.133", MX, "4rwL2b5j91z5Zcu",
                  when, rdns="mta-r3." + dom)],
        addr("楽天カード株式会社", "info@" + dom), TO,
        ew("【楽天カード】カード利用のお知らせ(本人ご利用分)"), when,
        "<20240418182603.53841.e-navi@%s>" % dom)
    return mail(f, text(RAKUTEN, "UTF-8", "base64"))


JCB = """JCBカードをご利用いただきありがとうございます。

最近、JCBを装った不審なメールやSMSが多数確認されています。
「カードのご利用を制限しました」「24時間以内に本人確認を完了してください」などと書かれたメールのリンクから偽のサイトに誘導し、カード番号やパスワードを入力させる手口です。

JCBがメールやSMSで、カード番号やパスワードをお伺いすることは一切ありません。

不審なメールを受け取った場合は、リンクを開かずに削除してください。ご利用状況の確認は、MyJCBアプリまたは下記の公式サイトから行ってください。
https://my.jcb.co.jp/

株式会社ジェーシービー"""


@fixture("clean-jcb-security-notice",
         "genuine-shaped JCB security notice (dkim=pass header.d=info.jcb.co.jp) "
         "that quotes phishing wording and says 「カード番号やパスワードを"
         "お伺いすることは一切ありません」",
         "JCB authenticated; the credential words are negated; quoted "
         "threats are inside 「」; link on jcb.co.jp",
         demo="cur")
def jcb_notice():
    dom = "info.jcb.co.jp"
    when = date(2024, 6, 3, 12, 0, 0)
    f = envelope(
        "bounce@mail-jcn.dnp-cdms.jp",
        auth_results("pass", "mail-jcn.dnp-cdms.jp", [("pass", dom)],
                     ("pass", "REJECT", dom)),
        [received("mail-jcn.dnp-cdms.jp", "198.51.100.44", MX,
                  "4sxM3c6k02z6adv", when, rdns="mo44.mail-jcn.dnp-cdms.jp")],
        addr("JCB", "security.mail@" + dom), TO,
        ew("【JCB】JCBを装った不審なメールにご注意ください"), when,
        "<20240603120000.881204@mail-jcn.dnp-cdms.jp>")
    return mail(f, text(JCB, "UTF-8", "quoted-printable"))


EKI = """えきねっとをご利用いただき、ありがとうございました。

お客様のえきねっとアカウントは、1年以上ログインのご利用がなかったため、会員規約に基づき自動退会の手続きを完了いたしました。

再度ご利用いただく場合は、あらためて会員登録をお願いいたします。
このメールにお心当たりのない場合は、えきねっとお問い合わせセンターまでお問い合わせください。

えきねっと(JR東日本)"""


@fixture("clean-ekinet-withdrawal-done-nourl",
         "genuine-shaped えきねっと notice AFTER automatic withdrawal: "
         "mentions 自動退会 but carries no URL (the real policy), dkim=pass "
         "for eki-net.com",
         "えきねっと authenticated; no link at all, so the 自動退会 + URL "
         "rule must not fire")
def ekinet_done():
    dom = "eki-net.com"
    when = date(2023, 8, 1, 5, 30, 0)
    f = envelope(
        "noreply@" + dom,
        auth_results("pass", dom, [("pass", dom)], ("pass", "REJECT", dom)),
        [received("mail01." + dom, "198.51.100.101", MX, "4tyN4d7m13z7bew",
                  when, rdns="mail01." + dom)],
        addr("えきねっと", "noreply@" + dom), TO,
        ew("【えきねっと】自動退会手続き完了のお知らせ"), when,
        "<20230801053000.0001977@%s>" % dom)
    return mail(f, text(EKI, "ISO-2022-JP", "7bit"))


ETAX = """e-Taxをご利用いただきありがとうございます。

メッセージボックスに「申告書等送信票（兼送付書）」を格納しました。
内容は、e-Taxにログインの上、メッセージボックスからご確認ください。

納税に関するお知らせがある場合も、メッセージボックスに格納されます。

e-Taxホームページ: https://www.e-tax.nta.go.jp/

※このメールは送信専用です。
国税庁"""


@fixture("clean-etax-message-box",
         "genuine-shaped e-Tax メッセージボックス notice from "
         "info@e-tax.nta.go.jp (dkim/dmarc pass); mentions 納税 but asks "
         "nothing and demands no payment",
         "国税庁 authenticated; link on nta.go.jp; no payment demand, no "
         "seizure threat")
def etax():
    dom = "e-tax.nta.go.jp"
    when = date(2024, 3, 12, 16, 45, 30)
    f = envelope(
        "info@" + dom,
        auth_results("pass", dom, [("pass", dom)], ("pass", "REJECT", dom)),
        [received("mail." + dom, "198.51.100.246", MX, "4uzP5e8n24z8cfx",
                  when, rdns="mail." + dom)],
        addr("e-Tax", "info@" + dom), TO,
        ew("【e-Tax】メッセージボックスへの格納のお知らせ"), when,
        "<20240312164530.339104@%s>" % dom)
    return mail(f, text(ETAX, "UTF-8", "base64"))
