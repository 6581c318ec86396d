# SPDX-License-Identifier: ISC
"""Forwards: a person forwards or quotes the seed phish to ask 「これって本物？」.

The outer message is honest, authenticated mail between two people and
must stay clean; sagi reports separately that it contains a phish (the
inner verdict in `forwarded`).  Three shapes: message/rfc822 attachment,
an inline "---------- Forwarded message ---------" block, '>' quoting.
"""
import fx_amazon
from mailkit import (addr, auth_results, date, envelope, ew, fixture,
                     headers, html_doc, mail, multipart, received, text)

TARO = "taro@example.ne.jp"
TO = "hanako@example.jp"
MX = "mx.example.jp"


def _from_taro(subject, when, msgid, entity, extra=()):
    dom = "example.ne.jp"
    f = envelope(
        TARO,
        auth_results("pass", dom, [("pass", dom)], ("pass", "NONE", dom)),
        [received("mail.example.ne.jp", "192.0.2.77", MX,
                  "4w" + "".join(c for c in msgid if c.isalnum())[:10],
                  when, rdns="mail.example.ne.jp")],
        addr("山本 太郎", TARO), TO, ew(subject), when, msgid,
        [("User-Agent", "Mozilla Thunderbird")] + list(extra))
    return mail(f, entity)


def inner_phish():
    """The seed phish as it reached Taro (his provider's headers on top)."""
    url = fx_amazon.URL1
    f = envelope(
        "notice@23sl56kk.jp",
        auth_results("pass", "23sl56kk.jp", (),
                     ("none", None, "23sl56kk.jp"), serv="mx.example.ne.jp"),
        [received("mail.23sl56kk.jp", "198.51.100.23", "mx.example.ne.jp",
                  "4NwT8k0vQcz4yLr", date(2023, 1, 16, 9, 35, 20),
                  to=TARO)],
        addr("Amazon.co.jp", "notice@23sl56kk.jp"), TARO,
        ew(fx_amazon.SUBJ1, "ISO-2022-JP"),
        date(2023, 1, 16, 8, 35, 9, "+0800"),
        "<20230116083509.A1C3E20B9A@23sl56kk.jp>")
    return mail(f, text(fx_amazon.seed1_html(url, TARO), "UTF-8", "base64",
                        "html"))


ASK = """花子さん

これって本物？ 昨日こんなメールが来たんだけど、リンクを開く前に確認したくて。
Amazonのアカウントは持っているので、ちょっと心配です。元のメールを添付します。

太郎"""


@fixture("clean-forward-rfc822-phish",
         "Taro (dkim=pass example.ne.jp) forwards the seed phish as a "
         "message/rfc822 attachment asking 「これって本物？」",
         "outer clean: authenticated person, no link of its own, Fwd: "
         "subject is not a brand claim; separately: the attached message "
         "is phish (seed mail 1, 確認用アカウント → .top)",
         demo="cur")
def forward_rfc822():
    att = headers([("Content-Type", 'message/rfc822; name="forwarded.eml"'),
                   ("Content-Disposition",
                    'attachment; filename="forwarded.eml"')]) + b"\n"
    att += inner_phish()
    return _from_taro("Fwd: " + fx_amazon.SUBJ1, date(2023, 1, 17, 8, 2, 0),
                      "<b71e0c2a-4f3d-4a8e-9c11-0d2e5f6a7b8c@example.ne.jp>",
                      multipart("mixed", "------------Zq8vN3xT5kLm2Wp0Rc7Ys1Hd",
                                [text(ASK), att],
                                "This is a multi-part message in MIME "
                                "format."))


FWD_BLOCK = """---------- Forwarded message ---------
From: Amazon.co.jp <notice@23sl56kk.jp>
Date: 2023年1月16日(月) 9:35
Subject: {subject}
To: <{taro}>


{taro}

{top}

確認用アカウント <{url}>

{bottom}
"""


@fixture("clean-forward-inline-phish",
         "Taro forwards the seed phish inline (Gmail-style "
         "\"---------- Forwarded message ---------\" block, plain text) "
         "asking 「これって本物？」",
         "outer clean: authenticated person; the phish text and its URL sit "
         "inside the forwarded block; separately: the forwarded part is "
         "phish",
         demo="new")
def forward_inline():
    body = ("花子さん\n\nこれって本物？ リンクはまだ開いていません。\n\n太郎\n\n" +
            FWD_BLOCK.format(subject=fx_amazon.SUBJ1, taro=TARO,
                             top=fx_amazon.SEED1_TOP, url=fx_amazon.URL1,
                             bottom=fx_amazon.SEED1_BOTTOM))
    return _from_taro("Fwd: " + fx_amazon.SUBJ1, date(2023, 1, 17, 8, 5, 0),
                      "<CAK7q2Lp9vXm1Nf0Y3z8Wc4Rt5Hb6Ja2Sd7Ge1Uq0Ko@mail."
                      "example.ne.jp>", text(body, "UTF-8", "base64"))


QUOTED = """花子さん

こんなメールが来ました。本物かな？ 本文を下に貼っておきます。
リンクは開いていません。

太郎

{quoted}
"""


@fixture("clean-forward-quoted-phish",
         "Taro replies in an existing thread and pastes the seed mail 2 "
         "phish as a '>'-quoted block (URL included as text)",
         "outer clean: authenticated person replying in a thread "
         "(In-Reply-To), no brand claim in the subject; separately: the "
         "quoted part is phish (Amazon ログイン → .cn)")
def forward_quoted():
    inner = fx_amazon.seed2_text(fx_amazon.URL3)
    quoted = "\n".join((">" + (" " + ln if ln else ""))
                       for ln in inner.rstrip("\n").split("\n"))
    return _from_taro("Re: 変なメールが来た", date(2023, 2, 15, 7, 48, 0),
                      "<9e4d1b2c-3a5f-4c6d-8e7f-1a2b3c4d5e6f@example.ne.jp>",
                      text(QUOTED.format(quoted=quoted), "ISO-2022-JP",
                           "7bit"),
                      [("In-Reply-To", "<20230214223000.hanako.77@"
                        "example.jp>"),
                       ("References", "<20230214223000.hanako.77@"
                        "example.jp>")])
