#!/bin/sh
# sagi junk / undo on a Maildir account, from the command line: the same
# safe-move path as IMAP, by rename into the Maildir++ .Junk folder.  The
# whole tree's file count never changes: no message is ever lost.
: "${SAGI:?}" "${top_srcdir:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib.sh"
files() { find "$tmp/mail" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l; }
in_dir() { ls "$tmp/mail/$1/cur" "$tmp/mail/$1/new" 2>/dev/null | grep -vc '^$\|:$'; }

cp -R "$top_srcdir/demo" "$tmp/mail"
chmod -R u+w "$tmp/mail"
mkdir -p "$tmp/config/sagi"
cat > "$tmp/config/sagi/config" <<CONF
[account home]
maildir = $tmp/mail
CONF
chmod 600 "$tmp/config/sagi/config"
export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
total=$(files)
sagi() { timeout 120 "$SAGI" "$@"; }

sagi scan --json --account home > "$tmp/scan.json"; st=$?
check "scan --account on a Maildir exits with the phish bit ($st)" [ $((st & 2)) -eq 2 ]
check "every message judged, with folder and uid" [ "$(grep -c '"folder": *"INBOX".*"uid"' "$tmp/scan.json")" = 20 ]

sagi junk --account home --flagged --yes > "$tmp/out" 2> "$tmp/err"; st=$?
check "no .Junk folder: an error naming --create-junk ($st)" \
    [ $st -eq 4 -a "$(files)" = "$total" ]
check "the error says how" grep -q "create-junk" "$tmp/err"

sagi junk --account home --flagged --dry-run > "$tmp/out" 2>&1
check "dry run lists 8 and moves nothing" \
    [ "$(grep -c '^PHISH' "$tmp/out")" = 8 -a "$(files)" = "$total" ]

sagi junk --account home --flagged --yes --create-junk > "$tmp/out" 2> "$tmp/err"; st=$?
check "junk --create-junk moves 8 ($st)" grep -q "8 of 8 moved to Junk" "$tmp/out"
check "8 files in .Junk, none lost" [ "$(in_dir .Junk)" = 8 -a "$(files)" = "$total" ]
check "the report names the reasons" grep -q "fake Amazon" "$tmp/out"

sagi undo --account home > "$tmp/out" 2> "$tmp/err"; st=$?
check "undo succeeds ($st)" [ $st -eq 0 ]
check "undo empties .Junk, none lost" [ "$(in_dir .Junk)" = 0 -a "$(files)" = "$total" ]
check "files are back under their old names" \
    sh -c "cd '$top_srcdir/demo' && find cur new -type f | sort > '$tmp/a'; \
    cd '$tmp/mail' && find cur new -type f | sort > '$tmp/b'; cmp -s '$tmp/a' '$tmp/b'"
sagi undo --account home > /dev/null 2> "$tmp/err"; st=$?
check "a second undo has nothing to do ($st)" [ $st -eq 4 ]

# A config file others can read may not hold a password.
cat > "$tmp/config/sagi/config" <<CONF
[account leaky]
host = 127.0.0.1
password = hunter2
CONF
chmod 644 "$tmp/config/sagi/config"
sagi scan --account leaky > "$tmp/out" 2> "$tmp/err"; st=$?
check "a readable config with a password is refused ($st)" [ $st -eq 4 ]
check "the refusal says chmod 600" grep -q "chmod 600" "$tmp/err"
check "the password is never echoed" sh -c "! grep -q hunter2 '$tmp/out' '$tmp/err'"

echo "1..$n"
[ $fails -eq 0 ]
