#!/bin/sh
# Fault injection: `sagi junk` through a TCP relay (tests/imap/cutproxy.py)
# that cuts the connection after N bytes, at many points of the session,
# against a server with MOVE and one without.  After every cut sagi must
# end with a clear error (no crash, no hang), and an independent client
# must find every original Message-ID in INBOX or Junk: a message may at
# worst be in both, never in neither.
: "${SAGI:?}" "${top_srcdir:?}"
PY=${PYTHON3:-python3}
DV="$PY $top_srcdir/tests/imap/dovecot.py"
PROXY="$PY $top_srcdir/tests/imap/cutproxy.py"
tmp=$(mktemp -d) || exit 99
servers=""
trap 'for d in $servers; do $DV stop "$d" > /dev/null 2>&1; done; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/lib.sh"
export XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state"
export XDG_CONFIG_HOME="$tmp/config" PYTHONPATH="$top_srcdir/tests/imap"

# Puts the mailbox back as it started: every message once in INBOX,
# nothing deleted, no junk keywords.  Fails if a message is missing.
reset() {
	$PY - "$DOVECOT_DIR" "$tmp/all-ids" <<'EOF'
import sys, dovecot
d, want = sys.argv[1], set(open(sys.argv[2]).read().split())
c = dovecot.client(d)
c.select("INBOX")
c.uid("STORE", "1:*", "-FLAGS.SILENT", r"(\Deleted $Junk $Phishing $NotJunk)")
inbox = set(dovecot.ids(d, "INBOX"))
c.select("Junk")
typ, data = c.uid("SEARCH", None, "ALL")
for uid in data[0].split():
    typ, got = c.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    mid = got[0][1].decode().split(":", 1)[1].strip() if got and got[0] else ""
    if mid not in inbox:
        c.uid("COPY", uid, "INBOX")
    c.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
c.expunge()
c.select("INBOX")
c.uid("STORE", "1:*", "-FLAGS.SILENT", r"(\Deleted $Junk $Phishing $NotJunk)")
c.logout()
have = set(dovecot.ids(d, "INBOX"))
sys.exit(0 if have == want and not dovecot.ids(d, "Junk") else 1)
EOF
}

# Every original Message-ID is in INBOX or Junk.
complete() {
	{ $DV ids "$DOVECOT_DIR" INBOX; $DV ids "$DOVECOT_DIR" Junk; } | sort -u > "$tmp/have"
	cmp -s "$tmp/all-ids" "$tmp/have"
}

# junk through the relay; $1.. are cutproxy options.
junk_via_proxy() {
	rm -f "$tmp/port" "$tmp/port.count"
	$PROXY --target-port "$IMAP_PORT" --port-file "$tmp/port" "$@" &
	proxy=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	timeout 60 "$SAGI" junk --flagged --yes --no-cache --timeout 5 \
	    "imap://$IMAP_USER@127.0.0.1:$(cat "$tmp/port")/INBOX" \
	    --tls starttls --tls-ca-file "$CA_FILE" \
	    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > "$tmp/out" 2> "$tmp/err"
	st=$?
	wait $proxy 2>/dev/null
	return $st
}

for kind in move nomove; do
	d="$tmp/$kind"
	if [ $kind = move ]; then opts=""; else opts="--no-move"; fi
	$DV start "$d" --watch-pid $$ $opts > "$tmp/start" 2>&1; st=$?
	[ $st -eq 77 ] && { echo "dovecot not installed: skipping"; exit 77; }
	[ $st -eq 0 ] || { cat "$tmp/start"; exit 99; }
	servers="$servers $d"
	. "$d/env"
	$DV append "$d" INBOX "$top_srcdir"/demo/cur/* "$top_srcdir"/demo/new/* > /dev/null || exit 99
	$DV ids "$d" INBOX | sort -u > "$tmp/all-ids"

	# A whole session first, to learn how long it is.
	junk_via_proxy --count-only; st=$?
	. "$tmp/port.count"
	if [ $st -eq 0 ] && [ "$($DV count "$d" Junk)" = 8 ]; then
		pass "$kind: uncut session moves 8 ($c2s bytes up, $s2c down)"
	else
		fail "$kind: uncut session ($st): $(cat "$tmp/err")"
	fi
	reset || fail "$kind: reset after the uncut session"
	total_c2s=$c2s
	total_s2c=$s2c

	# Cuts: the move commands are the last few hundred bytes the client
	# sends, so most cut points sit there; a few fall in the listing,
	# the fetch and the TLS handshake.
	points=""
	for back in 1 20 40 60 80 100 130 160 200 250 300 400 500 700; do
		[ $back -lt "$total_c2s" ] && points="$points c2s:$((total_c2s - back))"
	done
	for frac in 2 10 50 90; do
		points="$points s2c:$((total_s2c * frac / 100))"
	done
	for back in 1 40 200; do
		points="$points s2c:$((total_s2c - back))"
	done
	points="$points c2s:30 c2s:$((total_c2s / 2))"
	# A server that stops answering (the relay keeps the socket open):
	# sagi must give up after --timeout, not hang.
	points="$points stall:c2s:$((total_c2s - 250)) stall:s2c:$((total_s2c / 2))"
	# Under make check-valgrind (SAGI_TEST_SLOWDOWN) sagi takes some 20 s
	# to reach the stall and leave: the relay stalls longer and the bound
	# grows with it, still well under the relay's release.
	stall_max=30 stall_bound=25
	if [ "${SAGI_TEST_SLOWDOWN:-1}" -gt 1 ]; then
		stall_max=120 stall_bound=100
	fi
	for p in $points; do
		mode=close
		case $p in stall:*) mode=stall; p=${p#stall:} ;; esac
		dir=${p%%:*}
		at=${p#*:}
		started=$(date +%s)
		junk_via_proxy --cut-after "$at" --direction "$dir" --mode $mode \
		    --stall-max $stall_max; st=$?
		took=$(( $(date +%s) - started ))
		if [ $mode = stall ] && [ $took -gt $stall_bound ]; then
			fail "$kind: stalled $dir at $at: sagi waited ${took}s"
		fi
		if [ $st -ge 64 ]; then
			fail "$kind: cut $dir at $at: sagi ended with status $st"
		elif [ $st -ne 0 ] && [ ! -s "$tmp/err" ]; then
			fail "$kind: cut $dir at $at: failed without saying why"
		elif ! complete; then
			fail "$kind: cut $dir at $at: a message was lost"
		else
			pass "$kind: $mode $dir at $at: status $st, no message lost ($(head -c 80 "$tmp/err" | tr '\n' ' '))"
		fi
		reset || { fail "$kind: could not reset after the cut at $p"; break; }
	done
	$DV stop "$d" > /dev/null 2>&1
done

echo "1..$n"
[ $fails -eq 0 ]
