#!/bin/sh
# Loads every shipped rule pack and runs its embedded expect-match /
# expect-nomatch examples: zero diagnostics required.  Also checks that a
# broken pack is rejected with a located diagnostic while good packs load.
: "${SAGI:?}" "${top_srcdir:?}"
rc=0
out=$("$SAGI" check-rules "$top_srcdir/rules") || rc=1
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "check-rules: shipped packs have problems"; exit 1; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/broken.rules" <<'PACK'
pack     broken
version  1
requires sagi-rules 1

rule     bad-regex
field    subject
pattern  (?:unclosed
score    1
explain-ja 壊れた正規表現
explain-en broken regex
end
PACK
cat > "$tmp/good.rules" <<'PACK'
pack     good
version  1
requires sagi-rules 1

rule     hello
field    subject
pattern  hello
score    1
explain-ja こんにちは
explain-en hello
expect-match   say hello
expect-nomatch goodbye
end
PACK
out=$("$SAGI" check-rules "$tmp/broken.rules" "$tmp/good.rules")
status=$?
printf '%s\n' "$out"
[ $status -ne 0 ] || { echo "a broken pack must make check-rules fail"; rc=1; }
printf '%s\n' "$out" | grep -q "broken.rules:7:[0-9]*: pattern:" ||
	{ echo "missing file:line:col diagnostic for the bad pattern"; rc=1; }
printf '%s\n' "$out" | grep -q "^1 packs, 1 rules" ||
	{ echo "the good pack must still load"; rc=1; }
exit $rc
