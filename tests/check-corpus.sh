#!/bin/sh
# The golden corpus: every tests/corpus/NAME.eml is scanned once.
#  1. its level must match the intent in its name (phish-, suspect-, clean-);
#  2. its reasons and score must equal tests/corpus/NAME.expect (golden).
# `make bless-corpus` (this script with --bless) rewrites the .expect files;
# review that diff like code.
: "${SAGI:?}" "${top_srcdir:?}"
bless=0
[ "${1:-}" = --bless ] && bless=1
corpus="$top_srcdir/tests/corpus"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

set -- "$corpus"/*.eml
[ -e "$1" ] || { echo "no corpus in $corpus"; exit 99; }
"$SAGI" scan --json --lang en "$@" > "$tmp/scan.jsonl"
status=$?
[ $status -ge 64 ] && { echo "sagi scan failed ($status)"; exit 1; }

python3 - "$tmp/scan.jsonl" "$corpus" "$bless" <<'PY'
import json, os, sys
path, corpus, bless = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
fails = 0
seen = 0
def golden(r):
    out = ["level %s" % r["level"], "score %.1f" % r["score"]]
    fw = r.get("forwarded")
    out.append("forwarded %s" % (fw["level"] if fw else "none"))
    for h in r["reasons"]:
        out.append("%+.1f %s" % (h["score"], h["rule"]))
    if fw:
        for h in fw["reasons"]:
            out.append("forwarded %+.1f %s" % (h["score"], h["rule"]))
    return "\n".join(out) + "\n"
for line in open(path, encoding="utf-8"):
    r = json.loads(line)
    name = os.path.basename(r["path"])[:-4]
    seen += 1
    if "error" in r:
        print("FAIL %s: error %s" % (name, r["error"])); fails += 1; continue
    want = name.split("-", 1)[0]
    want = {"suspect": "suspicious"}.get(want, want)
    ok = r["level"] == want
    print("%s %-45s %-10s %5.1f  %s" % ("ok  " if ok else "FAIL", name,
          r["level"], r["score"], ", ".join(h["rule"] for h in r["reasons"][:5])))
    if not ok:
        fails += 1
    exp = os.path.join(corpus, name + ".expect")
    g = golden(r)
    if bless:
        open(exp, "w", encoding="utf-8").write(g)
    elif not os.path.exists(exp):
        print("FAIL %s: no .expect (run make bless-corpus)" % name); fails += 1
    elif open(exp, encoding="utf-8").read() != g:
        print("FAIL %s: verdict differs from %s.expect:" % (name, name))
        print("  want: " + open(exp, encoding="utf-8").read().replace("\n", " | "))
        print("  got:  " + g.replace("\n", " | "))
        fails += 1
print("%d messages, %d failures" % (seen, fails))
sys.exit(1 if fails or seen == 0 else 0)
PY
