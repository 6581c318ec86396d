#!/bin/sh
# sagi scan / explain from the outside: hostile and broken input never
# crashes or hangs, every message gets a line, JSON stays valid, nothing
# from a mail reaches the terminal as a control or bidi character, and the
# exit status tells flagged from clean from error.
: "${SAGI:?}" "${top_srcdir:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib.sh"

# Runs sagi with a time bound; a signal or timeout is a failure.
run() {
	timeout 120 "$SAGI" "$@"
	st=$?
	if [ $st -ge 124 ] && [ $st -ne 64 ]; then
		echo "sagi $* ended with status $st (crash or timeout)" >&2
	fi
	return $st
}

python3 "$top_srcdir/tests/mkhostile.py" "$tmp/in" || { echo "mkhostile failed"; exit 99; }

# 1. Every hostile file: one JSON line, valid, no crash, bounded time.
for f in "$tmp"/in/*.eml "$top_srcdir"/tests/data/bad/*; do
	[ -f "$f" ] || continue
	run scan --json --jobs 1 "$f" > "$tmp/out.json" 2> "$tmp/err"
	st=$?
	if [ $st -ge 64 ]; then fail "$(basename "$f"): status $st"; continue; fi
	if ! python3 -c 'import json,sys
lines=open(sys.argv[1],encoding="utf-8").read().splitlines()
assert len(lines)==1, lines
r=json.loads(lines[0])
assert "error" in r or ("level" in r and "reasons" in r), r' "$tmp/out.json"; then
		fail "$(basename "$f"): not exactly one valid JSON line"
	else
		pass "$(basename "$f") -> $(cut -c1-100 "$tmp/out.json")"
	fi
done

# 2. Human output never carries ESC, other C0/C1 controls or bidi overrides.
for f in "$tmp"/in/*.eml; do
	case $f in */big-part.eml|*/many-*.eml|*/deep-nesting.eml) continue ;; esac
	run scan --no-color "$f" >> "$tmp/human" 2>&1
	run explain --no-color "$f" >> "$tmp/human" 2>&1
	run explain --no-color --lang ja "$f" >> "$tmp/human" 2>&1
done
if python3 -c 'import sys
b=open(sys.argv[1],"rb").read()
t=b.decode("utf-8")
bad=[c for c in t if (ord(c)<32 and c not in "\n\t") or 0x7f<=ord(c)<0xa0 or ord(c) in (0x202a,0x202b,0x202c,0x202d,0x202e,0x2066,0x2067,0x2068,0x2069,0x200e,0x200f,0x200b,0xfeff)]
sys.exit(1 if bad else 0)' "$tmp/human"; then
	pass "human output is free of control and bidi characters"
else
	fail "human output carries control or bidi characters"
fi
grep -q '<U+202E>' "$tmp/human" && pass "bidi override shown as <U+202E>" ||
	fail "bidi override not made visible"

# 3. Exit status: phish 2, clean 0, unreadable 4, usage 64.
run explain "$tmp/in/seed-phish.eml" > "$tmp/explain.txt"; st=$?
[ $st -eq 2 ] && pass "explain phish exits 2" || fail "explain phish exited $st"
run explain "$tmp/in/plain-ham.eml" > /dev/null; st=$?
[ $st -eq 0 ] && pass "explain clean exits 0" || fail "explain clean exited $st"
run scan "$tmp/does-not-exist" > /dev/null 2>&1; st=$?
[ $st -eq 4 ] && pass "missing path exits 4" || fail "missing path exited $st"
run scan > /dev/null 2>&1; st=$?
[ $st -eq 64 ] && pass "usage error exits 64" || fail "usage error exited $st"
run explain - < "$tmp/in/seed-phish.eml" > /dev/null; st=$?
[ $st -eq 2 ] && pass "explain reads stdin" || fail "explain - exited $st"

# 4. The explanation shows defanged destinations and the advice.
grep -q 'hxxp' "$tmp/explain.txt" && pass "links are defanged" || fail "no defanged link"
run explain --lang ja "$tmp/in/seed-phish.eml" > "$tmp/explain-ja.txt"
grep -q 'メッセージセンター' "$tmp/explain-ja.txt" && pass "Amazon advice in Japanese" ||
	fail "no メッセージセンター advice"
LANG=ja_JP.UTF-8 LC_ALL= run explain "$tmp/in/seed-phish.eml" > "$tmp/explain-env.txt"
grep -q '判定' "$tmp/explain-env.txt" && pass "LANG=ja_JP gives Japanese" ||
	fail "LANG=ja_JP did not give Japanese"

# 5. mbox and Maildir: one line per message, mbox lines carry an index.
run scan --json "$tmp/in/three.mbox" > "$tmp/mbox.json"
n=$(wc -l < "$tmp/mbox.json")
[ "$n" -eq 3 ] && pass "mbox: 3 messages" || fail "mbox: $n lines"
grep -q '"index":2' "$tmp/mbox.json" && pass "mbox index" || fail "mbox index missing"
run scan --json "$tmp/in/maildir" > "$tmp/md.json"
n=$(wc -l < "$tmp/md.json")
[ "$n" -eq 3 ] && pass "Maildir: 3 messages" || fail "Maildir: $n lines"
# Order is input order whatever the thread count.
run scan --json --jobs 4 "$tmp/in/maildir" "$tmp/in/three.mbox" > "$tmp/j4.json"
run scan --json --jobs 1 "$tmp/in/maildir" "$tmp/in/three.mbox" > "$tmp/j1.json"
cmp -s "$tmp/j4.json" "$tmp/j1.json" && pass "--jobs 4 output equals --jobs 1" ||
	fail "threaded output differs"

# 6. A bad path among good ones: scan carries on.
run scan --json "$tmp/in/plain-ham.eml" "$tmp/nope" "$tmp/in/seed-phish.eml" > "$tmp/mixed.json"; st=$?
n=$(wc -l < "$tmp/mixed.json")
[ "$n" -eq 3 ] && [ $st -eq 6 ] && pass "scan carries on after an error (status 6)" ||
	fail "mixed scan: $n lines, status $st"

echo "$fails failures"
[ $fails -eq 0 ]
