#!/bin/sh
# SPDX-License-Identifier: ISC
# Self-test of the IMAP test harness: two private Dovecots (dovecot.py),
# the independent imaplib checker, and the fault-injection proxy
# (cutproxy.py).  Tests nothing of sagi.  Exits 77 without dovecot-imapd.
here=${top_srcdir:+$top_srcdir/tests/imap}
[ -n "$here" ] || here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON3:-${PYTHON:-python3}}
command -v "$PY" > /dev/null 2>&1 ||
	{ echo "1..0 # SKIP no python3"; exit 77; }
dv() { "$PY" "$here/dovecot.py" "$@"; }
proxy() { "$PY" "$here/cutproxy.py" "$@"; }

tmp=$(mktemp -d) || exit 99
trap 'dv stop "$tmp/a" "$tmp/b" "$tmp/c" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() {	# check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
has() { grep -qx -- "$2" "$1"; }
hasnt() { ! grep -qx -- "$2" "$1"; }
alive() {	# a zombie counts as gone
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null |
		grep -q '^Z'
}
wait_file() {	# wait_file FILE: up to 10 s
	i=0
	while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$1" ]
}

# --- two servers --------------------------------------------------------
dv start "$tmp/a" --watch-pid $$ > "$tmp/a.out"; st=$?
case $st in
0) ;;
77) echo "1..0 # SKIP dovecot-imapd is not installed"; exit 77 ;;
*) echo "Bail out! dovecot.py start failed ($st)"; exit 99 ;;
esac
ok "start with defaults"
dv start "$tmp/b" --no-move --no-specialuse --watch-pid $$ > /dev/null ||
	{ echo "Bail out! second start failed"; exit 99; }
ok "start a second one with --no-move --no-specialuse"
dv start "$tmp/c" --no-specialuse --no-junk-folder --watch-pid $$ \
	> /dev/null || { echo "Bail out! third start failed"; exit 99; }
ok "start a third one with --no-specialuse --no-junk-folder"

check "start prints the same assignments as DIR/env" \
	cmp -s "$tmp/a.out" "$tmp/a/env"
. "$tmp/a/env"
check "env names loopback, two ports, the password file" \
	test "$IMAP_HOST" = 127.0.0.1 -a -n "$IMAP_PORT" -a -n "$IMAPS_PORT" \
	-a "$IMAP_PORT" != "$IMAPS_PORT" -a -s "$IMAP_PASSWORD_FILE"
check "TLS_FINGERPRINT is sha256:XX:..:XX (32 bytes)" \
	"$PY" -c 'import re, sys; sys.exit(not re.fullmatch(
	    r"sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}", sys.argv[1]))' \
	"$TLS_FINGERPRINT"
check "the leaf certificate verifies against CA_FILE for 127.0.0.1" \
	"$PY" -c 'import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), 5) as s:
    with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
        sys.exit(not t.recv(64).startswith(b"* OK"))' "$CA_FILE" "$IMAPS_PORT"

dv folders "$tmp/a" > "$tmp/a.folders"
check "LIST shows Junk with \\Junk" grep -q '^Junk	.*\\Junk' "$tmp/a.folders"
dv caps "$tmp/a" > "$tmp/a.caps"
check "default capabilities include MOVE" has "$tmp/a.caps" MOVE
check "default capabilities include SPECIAL-USE" has "$tmp/a.caps" SPECIAL-USE
dv caps "$tmp/b" > "$tmp/b.caps"
check "--no-move hides MOVE" hasnt "$tmp/b.caps" MOVE
check "--no-specialuse hides SPECIAL-USE" hasnt "$tmp/b.caps" SPECIAL-USE
check "the rest of the list is still there" has "$tmp/b.caps" UIDPLUS
dv folders "$tmp/b" > "$tmp/b.folders"
check "--no-specialuse: Junk exists without \\Junk" \
	sh -c 'grep -q "^Junk	" "$1" && ! grep -q "\\\\Junk" "$1"' - \
	"$tmp/b.folders"
dv caps "$tmp/c" > "$tmp/c.caps"
check "--no-specialuse alone hides SPECIAL-USE too" \
	hasnt "$tmp/c.caps" SPECIAL-USE
check "and leaves MOVE" has "$tmp/c.caps" MOVE
dv folders "$tmp/c" > "$tmp/c.folders"
check "--no-junk-folder: no Junk, Trash still there" \
	sh -c '! grep -q "^Junk	" "$1" && grep -q "^Trash	" "$1"' - \
	"$tmp/c.folders"

# --- append / ids / fetch ----------------------------------------------
mkdir "$tmp/msgs"
printf 'Message-ID: <one@selftest>\nSubject: lf\n\nbody\n' > "$tmp/msgs/1.eml"
printf 'Message-ID: <two@selftest>\r\nSubject: crlf\r\n\r\nbare\rcr\r\n' \
	> "$tmp/msgs/2.eml"
printf 'Subject: no id\n\nx\n' > "$tmp/msgs/3.eml"
check "append 3 messages" dv append "$tmp/a" INBOX "$tmp/msgs/1.eml" \
	"$tmp/msgs/2.eml" "$tmp/msgs/3.eml"
dv ids "$tmp/a" INBOX > "$tmp/ids"
printf '<none:3>\n<one@selftest>\n<two@selftest>\n' > "$tmp/ids.want"
check "ids finds them (sorted, <none:UID> without one)" \
	cmp -s "$tmp/ids" "$tmp/ids.want"
check "count says 3" test "$(dv count "$tmp/a" INBOX)" = 3
dv fetch "$tmp/a" INBOX 1 > "$tmp/got1"
printf 'Message-ID: <one@selftest>\r\nSubject: lf\r\n\r\nbody\r\n' \
	> "$tmp/want1"
check "LF became CRLF, nothing else changed" cmp -s "$tmp/got1" "$tmp/want1"
dv fetch "$tmp/a" INBOX 2 > "$tmp/got2"
check "a CRLF message with a bare CR comes back byte for byte" \
	cmp -s "$tmp/got2" "$tmp/msgs/2.eml"

# --- the proxy ----------------------------------------------------------
cat > "$tmp/cli.py" << 'EOF'
import imaplib, sys
port, pwfile, timeout = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
try:
    c = imaplib.IMAP4("127.0.0.1", port, timeout=timeout)
    c.login("sagi", open(pwfile).read())
    c.list()
    c.logout()
    print("complete")
except TimeoutError:
    print("timeout")
except (imaplib.IMAP4.abort, EOFError, ConnectionError):
    print("eof")
EOF
session() {	# session NAME TIMEOUT PROXY-ARGS...: a LOGIN+LIST via the proxy
	name=$1 to=$2; shift 2
	rm -f "$tmp/$name.port"
	proxy --target-port "$IMAP_PORT" --port-file "$tmp/$name.port" \
		--accept-timeout 10 "$@" 2> "$tmp/$name.log" &
	proxy_pid=$!
	wait_file "$tmp/$name.port" || { kill $proxy_pid; return 1; }
	"$PY" "$tmp/cli.py" "$(cat "$tmp/$name.port")" "$IMAP_PASSWORD_FILE" \
		"$to" > "$tmp/$name.result"
	wait $proxy_pid
}
val() { sed -n "s/^$2=//p" "$tmp/$1.port.count"; }

session count 10 --count-only
check "the proxy relays a whole LOGIN+LIST session" \
	grep -qx complete "$tmp/count.result"
c2s=$(val count c2s)
s2c=$(val count s2c)
check "and counts both directions ($c2s c2s, $s2c s2c)" \
	test "${c2s:-0}" -gt 0 -a "${s2c:-0}" -gt 0
half=$((${s2c:-2} / 2))
session cut 10 --cut-after $half --direction s2c
check "cut at s2c byte $half: the client sees EOF" \
	grep -qx eof "$tmp/cut.result"
check "exactly $half bytes passed, cut=yes" \
	test "$(val cut s2c)" = $half -a "$(val cut cut)" = yes
session cutc 10 --cut-after 10 --direction c2s --mode reset
check "reset at c2s byte 10: the client sees the connection die" \
	grep -qx eof "$tmp/cutc.result"
session stall 1 --cut-after $half --direction s2c --mode stall
check "stall: the client times out, and the proxy exits when it leaves" \
	grep -qx timeout "$tmp/stall.result"

# --- stop ---------------------------------------------------------------
dv pids "$tmp/a" > "$tmp/pids"
dv pids "$tmp/b" >> "$tmp/pids"
dv pids "$tmp/c" >> "$tmp/pids"
check "the servers have processes to stop" test -s "$tmp/pids"
check "stop all three" dv stop "$tmp/a" "$tmp/b" "$tmp/c"
left=
for p in $(cat "$tmp/pids"); do alive "$p" && left="$left $p"; done
check "no process of any DIR is left${left:+ ($left)}" test -z "$left"
check "and dovecot.py finds none" \
	test -z "$(dv pids "$tmp/a")$(dv pids "$tmp/b")$(dv pids "$tmp/c")"
check "stop again is a no-op" dv stop "$tmp/a" "$tmp/b" "$tmp/c"

echo "1..$n"
[ $fails -eq 0 ]
