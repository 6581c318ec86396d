#!/bin/sh
# sagi against a real Dovecot on 127.0.0.1 (tests/imap/dovecot.py starts a
# private one): scan over STARTTLS and IMAPS, certificate checks before any
# password, plain text only when asked, junk moves with and without MOVE,
# SPECIAL-USE and UIDPLUS, undo, the cache.  Server state is checked with
# Python's imaplib (dovecot.py ids/count), never with sagi itself.
: "${SAGI:?}" "${top_srcdir:?}"
PY=${PYTHON3:-python3}
DV="$PY $top_srcdir/tests/imap/dovecot.py"
tmp=$(mktemp -d) || exit 99
servers=""
cleanup() {
	for d in $servers; do $DV stop "$d" > /dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/lib.sh"

# Starts a Dovecot in $tmp/$1 with the demo mailbox in INBOX; sets $env.
start() { name=$1; shift; dovecot_start "$name" "$@"; }

export XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state"
export XDG_CONFIG_HOME="$tmp/config"

# Runs sagi bounded in time against the last started server over STARTTLS.
sagi() {
	timeout 120 "$SAGI" "$@" --tls starttls --tls-ca-file "$CA_FILE" \
	    --password-cmd "cat '$IMAP_PASSWORD_FILE'"
}
url() { echo "imap://$IMAP_USER@127.0.0.1:$IMAP_PORT/${1:-INBOX}"; }
count() { $DV count "$DOVECOT_DIR" "$1"; }
ids() { $DV ids "$DOVECOT_DIR" "$1"; }
levels() { $PY -c 'import json,sys
print(" ".join(sorted(json.loads(l)["level"] for l in open(sys.argv[1]))))' "$1"; }

# The demo mailbox: 8 phish, 3 suspicious, 9 clean.
want_levels="clean clean clean clean clean clean clean clean clean phish phish phish phish phish phish phish phish suspicious suspicious suspicious"

# ---- 1. MOVE + SPECIAL-USE + UIDPLUS (Dovecot's defaults) -------------
start full
ids INBOX > "$tmp/all-ids"

sagi scan --json "$(url)" > "$tmp/scan.json" 2> "$tmp/err"; st=$?
check "scan over STARTTLS exits with the phish bit ($st)" [ $((st & 2)) -eq 2 -a $st -lt 4 ]
check "scan gives every message a verdict" [ "$(levels "$tmp/scan.json")" = "$want_levels" ]
check "scan JSON has uid and folder" $PY -c 'import json,sys
for l in open(sys.argv[1]):
    r=json.loads(l); assert r["folder"]=="INBOX" and r["uid"]>0 and "path" not in r' "$tmp/scan.json"
check "the password never appears in output" sh -c \
    "! grep -qF \"\$(cat '$IMAP_PASSWORD_FILE')\" '$tmp/scan.json' '$tmp/err'"

timeout 60 "$SAGI" scan --json "imaps://$IMAP_USER@127.0.0.1:$IMAPS_PORT/INBOX" \
    --tls-ca-file "$CA_FILE" --password-cmd "cat '$IMAP_PASSWORD_FILE'" \
    > "$tmp/scan2.json" 2> "$tmp/err"
check "scan over IMAPS agrees" [ "$(levels "$tmp/scan2.json")" = "$want_levels" ]

# Certificates: refused by default, accepted with the CA or the pin.
logins_before=$(grep -c "Login: user=" "$DOVECOT_DIR/log")
check "Dovecot logs logins (so the next checks can see one)" [ "$logins_before" -gt 0 ]
timeout 60 "$SAGI" scan --no-cache "$(url)" --tls starttls \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > /dev/null 2> "$tmp/err"; st=$?
check "self-signed certificate refused without --tls-ca-file ($st)" [ $st -eq 4 ]
check "the refusal says why and how to pin" grep -q "not trusted.*sha256:" "$tmp/err"
timeout 60 "$SAGI" scan --no-cache "$(url)" --tls starttls \
    --tls-fingerprint "sha256:00$(echo "$TLS_FINGERPRINT" | cut -c10-)" \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > /dev/null 2> "$tmp/err"; st=$?
check "a wrong pin is refused ($st)" [ $st -eq 4 ]
check "no login happened before a certificate was accepted" \
    [ "$(grep -c "Login: user=" "$DOVECOT_DIR/log")" = "$logins_before" ]
timeout 60 "$SAGI" scan --json --no-cache "$(url)" --tls starttls \
    --tls-fingerprint "$TLS_FINGERPRINT" \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > "$tmp/scan3.json" 2> "$tmp/err"
check "the right pin is accepted" [ "$(levels "$tmp/scan3.json")" = "$want_levels" ]
timeout 60 "$SAGI" scan --no-cache "$(url)" --tls none \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > /dev/null 2> "$tmp/err"; st=$?
check "plain text refused without --insecure-plaintext ($st)" [ $st -ne 0 -a $st -lt 64 ]
check "and the refusal says how" grep -q "insecure-plaintext\|allow_plaintext" "$tmp/err"
timeout 60 "$SAGI" scan --json --no-cache "$(url)" --tls none --insecure-plaintext \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > "$tmp/scan4.json" 2> "$tmp/err"
check "plain text on loopback with --insecure-plaintext works" \
    [ "$(levels "$tmp/scan4.json")" = "$want_levels" ]
timeout 60 "$SAGI" scan --no-cache "$(url)" --tls starttls --tls-ca-file "$CA_FILE" \
    --password-cmd "echo wrong" > /dev/null 2> "$tmp/err"; st=$?
check "a wrong password is a clear error ($st)" [ $st -eq 4 -a -s "$tmp/err" ]

# Dry run and refusal to act without confirmation move nothing.
sagi junk --flagged --dry-run "$(url)" > "$tmp/dry" 2> "$tmp/err"
check "dry run names 8 messages and the junk folder" grep -q "^8 of 20 .*Junk" "$tmp/dry"
check "dry run moved nothing" [ "$(count INBOX)" = 20 ]
sagi junk --flagged "$(url)" < /dev/null > /dev/null 2> "$tmp/err"; st=$?
check "without --yes and no terminal nothing moves ($st)" [ "$(count INBOX)" = 20 ]

# The move: 8 phish to Junk (found by SPECIAL-USE), with keywords.
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "junk succeeds ($st)" [ $st -eq 0 ]
check "junk reports 8 moved to Junk" grep -q "8 of 8 moved to Junk" "$tmp/junk"
check "8 messages left INBOX" [ "$(count INBOX)" = 12 ]
check "8 messages are in Junk" [ "$(count Junk)" = 8 ]
$DV ids --long "$DOVECOT_DIR" Junk > "$tmp/junk-long"
check "moved messages carry \$Junk and \$Phishing" \
    [ "$(grep -c '\$Junk.*\$Phishing\|\$Phishing.*\$Junk' "$tmp/junk-long")" = 8 ]
check "nothing was lost" sh -c "cat '$tmp/all-ids' | sort > '$tmp/a'; \
    { $DV ids '$DOVECOT_DIR' INBOX; $DV ids '$DOVECOT_DIR' Junk; } | sort > '$tmp/b'; \
    cmp -s '$tmp/a' '$tmp/b'"

sagi undo "$(url)" > "$tmp/undo" 2> "$tmp/err"; st=$?
check "undo succeeds ($st)" [ $st -eq 0 ]
check "undo brings all 20 back" [ "$(count INBOX)" = 20 -a "$(count Junk)" = 0 ]
$DV ids --long "$DOVECOT_DIR" INBOX > "$tmp/inbox-long"
check "restored messages are \$NotJunk without \$Junk" \
    [ "$(grep -c 'NotJunk' "$tmp/inbox-long")" = 8 -a \
      "$(grep -c '\$Junk\b\|\$Phishing' "$tmp/inbox-long")" = 0 ]
sagi undo "$(url)" > /dev/null 2> "$tmp/err"; st=$?
check "a second undo has nothing to do ($st)" grep -q "nothing to undo" "$tmp/err"
sagi junk --flagged --yes "$(url)" > "$tmp/junk2" 2> "$tmp/err"
check "messages marked \$NotJunk are left alone" grep -q "^0 of 20" "$tmp/junk2"

# ---- 2. No MOVE, no SPECIAL-USE: COPY + \Deleted + UID EXPUNGE ---------
start nomove --no-move --no-specialuse
ids INBOX > "$tmp/all-ids"
# Another client's pending deletion must survive: never a bare EXPUNGE.
PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" <<'EOF' ||
import sys, dovecot
c = dovecot.client(sys.argv[1]); c.select("INBOX")
typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID",
    "b71e0c2a-4f3d-4a8e-9c11-0d2e5f6a7b8c")
assert typ == "OK" and len(data[0].split()) == 1, data
c.uid("STORE", data[0].split()[0], "+FLAGS.SILENT", "(\\Deleted)")
c.logout()
EOF
	fail "could not mark a clean message deleted"
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "junk without MOVE succeeds ($st)" [ $st -eq 0 ]
check "junk folder found by name without SPECIAL-USE" grep -q "moved to Junk" "$tmp/junk"
check "8 copied to Junk" [ "$(count Junk)" = 8 ]
check "8 expunged from INBOX by UID, another client's deletion kept" \
    [ "$(count INBOX)" = 12 ]
sagi undo "$(url)" > /dev/null 2> "$tmp/err"
check "undo without MOVE restores INBOX" [ "$(count INBOX)" = 20 -a "$(count Junk)" = 0 ]

# ---- 3. No MOVE, no UIDPLUS: originals only marked \Deleted -------------
start nouidplus --no-move --no-uidplus
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "junk without UIDPLUS copies and says the originals stay marked" \
    grep -q "marked deleted" "$tmp/junk"
check "originals are still in INBOX (marked), copies in Junk" \
    [ "$(count INBOX)" = 20 -a "$(count Junk)" = 8 ]
# Undo puts the originals back in place (their \Deleted cleared) and
# retires the copies; copying them back would make 8 duplicates.
ids INBOX > "$tmp/all-ids"
sagi undo "$(url)" > "$tmp/undo" 2> "$tmp/err"; st=$?
check "undo without UIDPLUS succeeds ($st)" [ $st -eq 0 ]
check "undo without UIDPLUS says the originals were put back" \
    grep -q "undo: 8 of 8 moved to INBOX" "$tmp/undo"
deleted() {	# deleted FOLDER: how many messages carry \Deleted
	PYTHONPATH="$top_srcdir/tests/imap" $PY -c 'import sys, dovecot
print(sum("\\Deleted" in f for _, f, _ in dovecot.fetch_all(*sys.argv[1:])))' \
	    "$DOVECOT_DIR" "$1"
}
check "undo without UIDPLUS: 20 in INBOX, no duplicate, none deleted" \
    [ "$(count INBOX)" = 20 -a "$(deleted INBOX)" = 0 ]
check "undo without UIDPLUS: the same Message-IDs as before" \
    [ "$(ids INBOX)" = "$(cat "$tmp/all-ids")" ]
check "undo without UIDPLUS: the 8 copies in Junk are marked deleted" \
    [ "$(count Junk)" = 8 -a "$(deleted Junk)" = 8 ]

# ---- 4. No junk folder at all ------------------------------------------
start nojunk --no-junk-folder --no-specialuse
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "no junk folder: an error that says how, nothing moved ($st)" \
    [ $st -eq 4 -a "$(count INBOX)" = 20 ]
check "the error names --create-junk" grep -q "create-junk" "$tmp/err"
sagi junk --flagged --yes --create-junk "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "--create-junk makes Junk and moves ($st)" [ "$(count Junk)" = 8 ]

# ---- 5. The cache: a second open fetches only what is new --------------
start cachesrv
rm -rf "$XDG_CACHE_HOME"
sagi scan --json "$(url)" > "$tmp/c1.json" 2>&1
check "cache file written" [ -n "$(ls "$XDG_CACHE_HOME/sagi" 2>/dev/null)" ]
sagi scan --json "$(url)" > "$tmp/c2.json" 2>&1
check "warm scan gives the same verdicts" cmp -s "$tmp/c1.json" "$tmp/c2.json"
$DV append "$DOVECOT_DIR" INBOX "$top_srcdir"/tests/corpus/phish-*seed*.eml > /dev/null
sagi scan --json "$(url)" > "$tmp/c3.json" 2>&1
check "new mail appears on the next open" \
    [ "$(wc -l < "$tmp/c3.json")" -gt "$(wc -l < "$tmp/c2.json")" ]
for f in "$XDG_CACHE_HOME"/sagi/*; do
	[ -f "$f" ] && head -c 100 /dev/urandom | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null
done
sagi scan --json "$(url)" > "$tmp/c4.json" 2> "$tmp/err"; st=$?
check "a corrupt cache is rebuilt, same verdicts ($st)" cmp -s "$tmp/c3.json" "$tmp/c4.json"

# Flags changed by another client reach a warm cache (CONDSTORE CHANGEDSINCE):
# a phish someone marked $NotJunk elsewhere is no longer junked.
phish_uid=$($PY -c 'import json,sys
print([json.loads(l)["uid"] for l in open(sys.argv[1]) if json.loads(l)["level"] == "phish"][0])' "$tmp/c4.json")
phish_n=$($PY -c 'import json,sys
print(sum(json.loads(l)["level"] == "phish" for l in open(sys.argv[1])))' "$tmp/c4.json")
PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" "$phish_uid" <<'EOF' || fail "could not set \$NotJunk"
import sys, dovecot
c = dovecot.client(sys.argv[1]); c.select("INBOX")
typ, data = c.uid("STORE", sys.argv[2], "+FLAGS.SILENT", "($NotJunk)")
assert typ == "OK", data
c.logout()
EOF
sagi junk --flagged --dry-run "$(url)" > "$tmp/dry" 2>&1
check "a flag set elsewhere is seen through the warm cache" \
    grep -q "^$((phish_n - 1)) of " "$tmp/dry"

# A folder deleted and made again gets a new UIDVALIDITY and other mail
# under the same UIDs: the cache must not hand out the old verdicts.
PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" "$top_srcdir" <<'EOF' || fail "could not fill Test"
import sys, glob, dovecot
d, top = sys.argv[1], sys.argv[2]
c = dovecot.client(d)
c.create("Test")
for f in sorted(glob.glob(top + "/demo/cur/*") + glob.glob(top + "/demo/new/*")):
    c.append("Test", None, None, open(f, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
c.logout()
EOF
sagi scan --json "$(url Test)" > "$tmp/t1.json" 2>&1
PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" "$top_srcdir" <<'EOF' || fail "could not refill Test"
import sys, glob, dovecot
d, top = sys.argv[1], sys.argv[2]
c = dovecot.client(d)
c.delete("Test")
c.create("Test")
for f in sorted(glob.glob(top + "/demo/cur/*") + glob.glob(top + "/demo/new/*"), reverse=True):
    c.append("Test", None, None, open(f, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
c.logout()
EOF
sagi scan --json "$(url Test)" > "$tmp/t2.json" 2>&1
sagi scan --json --no-cache "$(url Test)" > "$tmp/t3.json" 2>&1
check "a new UIDVALIDITY throws the cache away" cmp -s "$tmp/t2.json" "$tmp/t3.json"
check "(and the refilled folder really differs by UID)" sh -c "! cmp -s '$tmp/t1.json' '$tmp/t2.json'"

# ---- 5b. A warm open asks only what changed -----------------------------
# Dovecot's rawlog shows what sagi sent after login.  Unchanged folder
# (HIGHESTMODSEQ, UIDNEXT and EXISTS as the cache left them): no SEARCH, no
# FETCH.  Changed: with QRESYNC one UID FETCH CHANGEDSINCE ... VANISHED
# instead of UID SEARCH ALL; with CONDSTORE alone, SEARCH and CHANGEDSINCE.
# Either way the warm scan must equal a scan without the cache.
sent() {	# what the sessions sent since the last call
	cat "$DOVECOT_DIR/mail/$IMAP_USER/dovecot.rawlog/"*.in 2>/dev/null
	rm -f "$DOVECOT_DIR/mail/$IMAP_USER/dovecot.rawlog/"*
}
changes() {	# another client: 2 expunged, a phish marked $NotJunk, 1 new
	PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" "$1" \
	    "$top_srcdir"/tests/corpus/phish-amazon-seed1-iso2022jp.eml <<'EOF' || fail "could not change INBOX"
import sys, json, dovecot
c = dovecot.client(sys.argv[1]); c.select("INBOX")
rows = [json.loads(l) for l in open(sys.argv[2])]
phish = [r["uid"] for r in rows if r["level"] == "phish"]
clean = [r["uid"] for r in rows if r["level"] == "clean"]
gone = "%d,%d" % (clean[0], clean[-1])
for cmd, args in (("STORE", (gone, "+FLAGS.SILENT", r"(\Deleted)")),
                  ("EXPUNGE", (gone,)),
                  ("STORE", (str(phish[0]), "+FLAGS.SILENT", "($NotJunk)"))):
    typ, data = c.uid(cmd, *args)
    assert typ == "OK", (cmd, data)
msg = open(sys.argv[3], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
typ, data = c.append("INBOX", None, None, msg)
assert typ == "OK", data
c.logout()
EOF
}
phishes() { $PY -c 'import json,sys
print(sum(json.loads(l)["level"] == "phish" for l in open(sys.argv[1])))' "$1"; }
for mode in qresync condstore; do
	case $mode in
	qresync)	start qrsrv --rawlog ;;
	condstore)	start csrv --rawlog --no-qresync ;;
	esac
	rm -rf "$XDG_CACHE_HOME"
	sagi scan --json "$(url)" > "$tmp/q1.json" 2>&1
	sent > /dev/null
	sagi scan --json "$(url)" > "$tmp/q2.json" 2>&1
	sent > "$tmp/q2.in"
	check "$mode: an unchanged folder, warm: same verdicts" \
	    cmp -s "$tmp/q1.json" "$tmp/q2.json"
	check "$mode: an unchanged folder costs no SEARCH and no FETCH" \
	    sh -c "grep -q SELECT '$tmp/q2.in' && ! grep -Eqi ' (SEARCH|FETCH) ' '$tmp/q2.in'"
	changes "$tmp/q2.json"
	sagi scan --json "$(url)" > "$tmp/q3.json" 2>&1
	sent > "$tmp/q3.in"
	sagi scan --json --no-cache "$(url)" > "$tmp/q3n.json" 2>&1
	sent > /dev/null
	check "$mode: after expunges, a flag and new mail, warm equals cold" \
	    sh -c "[ \$(wc -l < '$tmp/q3.json') = 19 ] && cmp -s '$tmp/q3.json' '$tmp/q3n.json'"
	sagi junk --flagged --dry-run "$(url)" > "$tmp/dry" 2>&1
	check "$mode: the flag set elsewhere came through the warm cache" \
	    grep -q "^$(($(phishes "$tmp/q3n.json") - 1)) of " "$tmp/dry"
	if [ $mode = qresync ]; then
		check "qresync: ENABLE QRESYNC, CHANGEDSINCE ... VANISHED, no SEARCH" \
		    sh -c "grep -qi 'ENABLE QRESYNC' '$tmp/q3.in' && grep -qi 'CHANGEDSINCE [0-9]* VANISHED' '$tmp/q3.in' && ! grep -qi ' SEARCH ' '$tmp/q3.in'"
	else
		check "condstore: no QRESYNC; UID SEARCH ALL and CHANGEDSINCE" \
		    sh -c "! grep -qi 'QRESYNC' '$tmp/q3.in' && grep -qi 'UID SEARCH ALL' '$tmp/q3.in' && grep -qi 'CHANGEDSINCE' '$tmp/q3.in'"
	fi
done

# ---- 5c. A scan reads each header once ----------------------------------
# sagi scan classifies everything it lists, so its listing fetches flags and
# sizes only, and From, Subject, Date and Message-ID come from the bodies
# the classifier fetches anyway.  A listing that shows rows before any
# verdict (the interface, here sagi undo) still reads header fields.  Both
# ways must give the same list fields, also after a scan cut off halfway.
start leansrv --rawlog
for i in 1 2 3 4; do	# more than two FETCH batches of 100
	$DV append "$DOVECOT_DIR" INBOX "$top_srcdir"/tests/corpus/*.eml > /dev/null ||
	    fail "could not append the corpus"
done
nlean=$(count INBOX)
rm -rf "$XDG_CACHE_HOME"
sent > /dev/null
sagi scan --json "$(url)" > "$tmp/l1.json" 2>&1
sent > "$tmp/l1.in"
check "a cold scan of $nlean messages lists all" [ "$(wc -l < "$tmp/l1.json")" = "$nlean" ]
check "a cold scan fetches bodies but no header fields" \
    sh -c "grep -q 'BODY.PEEK\[\]' '$tmp/l1.in' && ! grep -qi 'HEADER.FIELDS' '$tmp/l1.in'"
rm -rf "$XDG_CACHE_HOME"
sagi undo "$(url)" > /dev/null 2>&1
sent > "$tmp/l2.in"
check "a listing for rows reads header fields" grep -qi 'HEADER.FIELDS' "$tmp/l2.in"
sagi scan --json "$(url)" > "$tmp/l2.json" 2>&1
sent > /dev/null
check "list fields from bodies equal those from header fields" \
    cmp -s "$tmp/l1.json" "$tmp/l2.json"

# A scan through a relay that cuts the session in the middle of the bodies:
# the messages not judged yet keep records without list fields.  Every run
# goes through a relay on the same port: the cache is keyed by the port.
PROXY="$PY $top_srcdir/tests/imap/cutproxy.py"
lport=0
bodies() {	# bodies RAWLOG: how many UIDs the session fetched whole
	$PY - "$1" <<'EOF'
import re, sys
n = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"UID FETCH ([0-9:,]+) \(UID BODY\.PEEK\[\]\)", line)
    for r in m.group(1).split(",") if m else ():
        lo, _, hi = r.partition(":")
        n += int(hi or lo) - int(lo) + 1
print(n)
EOF
}
relayed() {	# relayed OUT COMMAND [CUTPROXY OPTION...]: sagi COMMAND via the relay
	out=$1 cmd=$2
	shift 2
	rm -f "$tmp/port" "$tmp/port.count"
	$PROXY --target-port "$IMAP_PORT" --port-file "$tmp/port" \
	    --listen-port "$lport" "$@" &
	proxy=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	lport=$(cat "$tmp/port")
	timeout 60 "$SAGI" $cmd "imap://$IMAP_USER@127.0.0.1:$lport/INBOX" \
	    --tls starttls --tls-ca-file "$CA_FILE" --timeout 5 \
	    --password-cmd "cat '$IMAP_PASSWORD_FILE'" > "$out" 2> "$tmp/relay.err"
	st=$?
	wait $proxy 2>/dev/null
}
rm -rf "$XDG_CACHE_HOME"
relayed "$tmp/l3.json" "scan --json --jobs 1" --count-only
s2c=$(sed -n 's/^s2c=//p' "$tmp/port.count")
sent > /dev/null
check "a whole scan through the relay gives the same lines" cmp -s "$tmp/l3.json" "$tmp/l1.json"
for then in scan rows; do
	rm -rf "$XDG_CACHE_HOME"
	relayed "$tmp/l3.json" "scan --json --jobs 1" \
	    --cut-after $((s2c * 6 / 10)) --direction s2c
	check "$then: the cut scan fails with a clear error ($st)" \
	    sh -c "[ $st -ne 0 ] && grep -q . '$tmp/relay.err'"
	# Lines are printed as messages are judged: those before the cut
	# are there, and true.
	nout=$(wc -l < "$tmp/l3.json")
	check "$then: the $nout lines printed before the cut are the first of a whole scan" \
	    sh -c "[ $nout -gt 0 ] && [ $nout -lt $nlean ] && head -n $nout '$tmp/l1.json' | cmp -s - '$tmp/l3.json'"
	sent > /dev/null
	if [ $then = rows ]; then
		relayed /dev/null undo --count-only
		sent > "$tmp/r1.in"
		relayed /dev/null undo --count-only
		sent > "$tmp/r2.in"
		check "rows: a listing for rows reads the missing header fields, once" \
		    sh -c "grep -qi 'HEADER.FIELDS' '$tmp/r1.in' && ! grep -qi 'HEADER.FIELDS' '$tmp/r2.in'"
	fi
	relayed "$tmp/l3.json" "scan --json" --count-only
	sent > "$tmp/l3.in"
	nleft=$(bodies "$tmp/l3.in")
	check "$then: the next scan judges the $nleft left and completes their list fields" \
	    sh -c "[ $nleft -gt 0 ] && [ $nleft -lt $nlean ] && cmp -s '$tmp/l3.json' '$tmp/l1.json'"
done

# ---- 6. No CONDSTORE; a Japanese junk folder found by its name --------
start plainsrv --no-condstore --no-specialuse --no-junk-folder
PYTHONPATH="$top_srcdir/tests/imap" $PY - "$DOVECOT_DIR" <<'EOF' || fail "could not create 迷惑メール"
import sys, dovecot
c = dovecot.client(sys.argv[1])
typ, data = c.create("&j,dg0TDhMPww6w-")    # 迷惑メール in modified UTF-7
assert typ == "OK", data
c.logout()
EOF
sagi scan --json "$(url)" > "$tmp/p1.json" 2>&1
sagi scan --json "$(url)" > "$tmp/p2.json" 2>&1
check "without CONDSTORE every message is judged" \
    [ "$(levels "$tmp/p1.json")" = "$want_levels" ]
check "without CONDSTORE a warm scan agrees with the cold one" \
    cmp -s "$tmp/p1.json" "$tmp/p2.json"
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "junk finds 迷惑メール by name and moves 8 there ($st)" \
    [ "$(count 迷惑メール)" = 8 -a "$(count INBOX)" = 12 ]
check "the report names the folder in UTF-8" grep -q "moved to 迷惑メール" "$tmp/junk"
sagi undo "$(url)" > /dev/null 2> "$tmp/err"
check "undo from 迷惑メール" [ "$(count 迷惑メール)" = 0 -a "$(count INBOX)" = 20 ]

# ---- 7. A big message: header and text parts through BODYSTRUCTURE -----
# The seed phish with a 1.5 MB attachment: the classifier gets the header
# and the text part only, and must judge it as it judges the whole file.
$PY - "$top_srcdir/demo/cur/1673829309.M1P1.sagi-demo:2,S" "$tmp/big.eml" <<'EOF'
import sys, base64, random
raw = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
head, body = raw.split(b"\n\n", 1)
keep, ctype, skip = [], [], False
for line in head.split(b"\n"):
    if line[:1] in (b" ", b"\t"):
        (ctype if skip else keep).append(line)
        continue
    low = line.lower()
    skip = low.startswith(b"content-type:") or low.startswith(b"content-transfer-encoding:")
    (ctype if skip else keep).append(line)
random.seed(1)
blob = base64.encodebytes(bytes(random.getrandbits(8) for _ in range(1100000)))
out = b"\n".join(keep) + b'\nContent-Type: multipart/mixed; boundary="BIG"\n\n--BIG\n' + \
    b"\n".join(ctype) + b"\n\n" + body + b'\n--BIG\nContent-Type: application/pdf; name="invoice.pdf"\n' + \
    b'Content-Disposition: attachment; filename="invoice.pdf"\nContent-Transfer-Encoding: base64\n\n' + \
    blob + b"--BIG--\n"
open(sys.argv[2], "wb").write(out)
EOF
$DV append "$DOVECOT_DIR" INBOX "$tmp/big.eml" > /dev/null
sagi scan --json "$(url)" > "$tmp/b1.json" 2>&1
timeout 60 "$SAGI" scan --json "$tmp/big.eml" > "$tmp/b2.json" 2>&1
check "a 1.5 MB message is judged over IMAP as from the file" $PY -c 'import json,sys
imap = [json.loads(l) for l in open(sys.argv[1])]
big = max(imap, key=lambda r: r["uid"])      # the message appended last
local = json.loads(open(sys.argv[2]).readline())
assert (big["level"], big["score"]) == (local["level"], local["score"]) == ("phish", local["score"]), (big, local)' \
    "$tmp/b1.json" "$tmp/b2.json"

# ---- 8. Over quota: the server refuses the copy --------------------------
# No MOVE, and an account limit of 25 messages: copying 8 of 20 to Junk is
# refused with NO [OVERQUOTA].  sagi must say so, fail, move nothing, lose
# nothing, and leave nothing to undo.
start quota --no-move --quota-messages 25
ids INBOX | sort > "$tmp/q-before"
sagi junk --flagged --yes "$(url)" > "$tmp/junk" 2> "$tmp/err"; st=$?
check "over quota: junk fails with the error status ($st)" [ $st -eq 4 ]
check "over quota: the report says nothing moved" grep -q "^junk: 0 of 8 moved" "$tmp/junk"
check "over quota: the error quotes the server" grep -q "Quota exceeded" "$tmp/err"
ids INBOX | sort > "$tmp/q-after"
check "over quota: INBOX is untouched, Junk empty" \
    sh -c "cmp -s '$tmp/q-before' '$tmp/q-after' && [ \"\$($DV count '$DOVECOT_DIR' Junk)\" = 0 ]"
check "over quota: no original is left marked \\Deleted" sh -c \
    "! $DV ids '$DOVECOT_DIR' INBOX --long | grep -q 'Deleted'"
sagi undo "$(url)" > /dev/null 2> "$tmp/err"; st=$?
check "over quota: nothing to undo ($st)" grep -q "nothing to undo" "$tmp/err"

echo "1..$n"
[ $fails -eq 0 ]
