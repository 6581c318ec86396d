#!/bin/sh
# OAuth 2 logins (oauth2_token_cmd, XOAUTH2 and OAUTHBEARER) against a real
# Dovecot that checks JSON Web Tokens itself (tests/imap/dovecot.py start
# --oauth2; tokens from dovecot.py token): good tokens give verdicts with
# either mechanism, with and without SASL-IR, and OAUTHBEARER is chosen when
# offered; a refused token (expired, wrong signature) is a clear error at
# once, not a wait for the timeout; a failing token command is an error
# that shows none of its output; and the token is never on stdout, stderr,
# in a file sagi writes or on any process's command line.
: "${SAGI:?}" "${top_srcdir:?}"
PY=${PYTHON3:-python3}
DV="$PY $top_srcdir/tests/imap/dovecot.py"
tmp=$(mktemp -d) || exit 99
servers=""
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2> /dev/null
	for d in $servers; do $DV stop "$d" > /dev/null 2>&1; done
	rm -rf "$tmp"
}
sampler=""
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/lib.sh"

# Starts a Dovecot with OAuth 2 in $tmp/$1 with the demo mailbox in INBOX.
start() { name=$1; shift; dovecot_start "$name" --oauth2 --watch-pid $$ "$@"; }

# Everything sagi may write goes under $home; sagi runs in $home/cwd.
home=$tmp/home
mkdir -p "$home/config/sagi" "$home/cwd" || exit 99
export HOME="$home" XDG_CACHE_HOME="$home/cache" XDG_STATE_HOME="$home/state"
export XDG_CONFIG_HOME="$home/config"
out=$tmp/out

# The token command: snapshots every process's command line while it runs
# (sagi is alive and waiting for it), then prints the token in file $1.
cat > "$tmp/tokcmd" <<EOF
#!/bin/sh
{ cat /proc/[0-9]*/cmdline 2> /dev/null | tr '\\0' ' '; echo; } >> '$tmp/argv'
cat "\$1"
EOF
chmod 700 "$tmp/tokcmd"

# Tokens: a good one, an expired one, one signed with another key.  Each
# is unique, so finding one anywhere can only mean it leaked.
tokens() {
	$DV token "$DOVECOT_DIR" > "$tmp/good" &&
	$DV token "$DOVECOT_DIR" --expired > "$tmp/expired" &&
	$DV token "$DOVECOT_DIR" --bad-signature > "$tmp/badsig" || exit 99
	cat "$tmp/good" "$tmp/expired" "$tmp/badsig" >> "$tmp/all-tokens"
}

# sagi ARGS...: bounded, output in $out.{1,2} (and appended to $out.all.*),
# status in $st, seconds taken in $secs.
sagi() {
	t0=$(date +%s)
	(cd "$home/cwd" && timeout 120 "$SAGI" "$@") > "$out.1" 2> "$out.2"
	st=$?
	secs=$(($(date +%s) - t0))
	cat "$out.1" >> "$out.all.1"
	cat "$out.2" >> "$out.all.2"
}
url() { echo "imap://$IMAP_USER@127.0.0.1:$IMAP_PORT/INBOX"; }
starttls() { echo --tls starttls --tls-ca-file "$CA_FILE"; }
levels() { $PY -c 'import json,sys
print(" ".join(sorted(json.loads(l)["level"] for l in open(sys.argv[1]))))' "$1"; }
logins() { grep -c "Login: user=<$IMAP_USER>, method=$1," "$DOVECOT_DIR/log"; }
want_levels="clean clean clean clean clean clean clean clean clean phish phish phish phish phish phish phish phish suspicious suspicious suspicious"

# Polls every process's command line while the tests run and keeps each
# distinct one; they are searched for the tokens at the end.
$PY -c 'import glob, sys, time
seen = set()
out = open(sys.argv[1], "w")
while True:
    for f in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            c = open(f, "rb").read()
        except OSError:
            continue
        if c and c not in seen:
            seen.add(c)
            out.write(c.replace(b"\0", b" ").decode("utf-8", "replace") + "\n")
            out.flush()
    time.sleep(0.01)' "$tmp/argv-poll" &
sampler=$!

# ---- 1. SASL-IR (Dovecot's default) --------------------------------------
start oauth
tokens

ob=$(logins OAUTHBEARER)
sagi scan --json --no-cache "$(url)" $(starttls) \
    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/good'"
check "no mechanism given: scan works over STARTTLS ($st)" [ $((st & 4)) -eq 0 ]
check "every message gets a verdict" [ "$(levels "$out.1")" = "$want_levels" ]
check "OAUTHBEARER was chosen, the server offers it" [ "$(logins OAUTHBEARER)" = $((ob + 1)) ]

xo=$(logins XOAUTH2)
sagi scan --json --no-cache "$(url)" $(starttls) --oauth2-mechanism xoauth2 \
    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/good'"
check "XOAUTH2: scan works ($st)" [ $((st & 4)) -eq 0 ]
check "XOAUTH2: every message gets a verdict" [ "$(levels "$out.1")" = "$want_levels" ]
check "XOAUTH2: the server saw XOAUTH2" [ "$(logins XOAUTH2)" = $((xo + 1)) ]

ob=$(logins OAUTHBEARER)
sagi scan --json "imaps://$IMAP_USER@127.0.0.1:$IMAPS_PORT/INBOX" \
    --tls-ca-file "$CA_FILE" --oauth2-mechanism OAuthBearer \
    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/good'"
check "OAUTHBEARER over IMAPS: scan works ($st)" [ $((st & 4)) -eq 0 ]
check "OAUTHBEARER over IMAPS: every message gets a verdict" \
    [ "$(levels "$out.1")" = "$want_levels" ]
check "OAUTHBEARER over IMAPS: the server saw OAUTHBEARER" \
    [ "$(logins OAUTHBEARER)" = $((ob + 1)) ]

# Refused tokens: the server's error comes as a continuation and waits for
# the client (RFC 7628 §3.2.3); sagi must answer it and fail at once, not
# sit out the 20 s timeout.
for mech in xoauth2 oauthbearer; do
	for bad in expired badsig; do
		sagi scan --no-cache "$(url)" $(starttls) --timeout 20 \
		    --oauth2-mechanism $mech \
		    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/$bad'"
		check "$mech, $bad token: exit status 4 ($st)" [ $st -eq 4 ]
		check "$mech, $bad token: no wait for the timeout (${secs}s)" \
		    [ $secs -lt 10 ]
		MECH=$(echo $mech | tr a-z A-Z)
		check "$mech, $bad token: the error says the token was refused" \
		    grep -q "login as $IMAP_USER with $MECH: the server refused the OAuth 2 access token" "$out.2"
		check "$mech, $bad token: and gives the server's status" \
		    grep -q "status \(invalid_token\|401\)" "$out.2"
		check "$mech, $bad token: nothing on stdout" [ ! -s "$out.1" ]
	done
done

# A token command that fails: an error naming the command's status, never
# its output.
sagi scan --no-cache "$(url)" $(starttls) \
    --oauth2-token-cmd "cat '$tmp/good'; exit 3"
check "a failing oauth2_token_cmd: exit status 4 ($st)" [ $st -eq 4 ]
check "a failing oauth2_token_cmd: says so" \
    grep -q "oauth2_token_cmd: exited with status 3" "$out.2"
sagi scan --no-cache "$(url)" $(starttls) --oauth2-token-cmd "printf ''"
check "an oauth2_token_cmd that prints nothing: an error ($st)" \
    sh -c "[ $st -eq 4 ] && grep -q 'oauth2_token_cmd: produced no output' '$out.2'"
sagi scan --no-cache "$(url)" $(starttls) --oauth2-token-cmd "echo 'not a token'"
check "a first line with spaces is refused before it is sent ($st)" \
    sh -c "[ $st -eq 4 ] && grep -q 'oauth2_token_cmd: its first line is not an access token' '$out.2'"

# The config file: oauth2_token_cmd and oauth2_mechanism from an account;
# a --password-cmd on the command line beats the file's token command.
cfg=$XDG_CONFIG_HOME/sagi/config
cat > "$cfg" <<EOF
[account o]
host = 127.0.0.1
port = $IMAP_PORT
user = $IMAP_USER
tls = starttls
tls_ca_file = $CA_FILE
oauth2_token_cmd = '$tmp/tokcmd' '$tmp/good'
oauth2_mechanism = oauthbearer

[account broken]
host = 127.0.0.1
port = $IMAP_PORT
user = $IMAP_USER
tls = starttls
tls_ca_file = $CA_FILE
oauth2_token_cmd = exit 5
EOF
chmod 600 "$cfg"
sagi scan --json --account o
check "oauth2_token_cmd from the config file: scan works ($st)" \
    sh -c "[ $((st & 4)) -eq 0 ] && [ \"\$(wc -l < '$out.1')\" -eq 20 ]"
sagi scan --no-cache --account broken
check "a failing oauth2_token_cmd from the config file: clear error ($st)" \
    sh -c "[ $st -eq 4 ] && grep -q 'oauth2_token_cmd: exited with status 5' '$out.2'"
sagi scan --json --no-cache --account broken \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'"
check "--password-cmd beats the file's oauth2_token_cmd ($st)" [ $((st & 4)) -eq 0 ]

# ---- 2. No SASL-IR: the token follows the server's "+" ------------------
start nosaslir --no-sasl-ir
tokens
check "the server hides SASL-IR" sh -c "! $DV caps '$DOVECOT_DIR' | grep -qx SASL-IR"
for mech in xoauth2 oauthbearer; do
	sagi scan --json --no-cache "$(url)" $(starttls) --oauth2-mechanism $mech \
	    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/good'"
	check "no SASL-IR, $mech: every message gets a verdict ($st)" \
	    [ "$(levels "$out.1")" = "$want_levels" ]
	sagi scan --no-cache "$(url)" $(starttls) --timeout 20 \
	    --oauth2-mechanism $mech \
	    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/expired'"
	check "no SASL-IR, $mech, expired token: refused at once ($st, ${secs}s)" \
	    sh -c "[ $st -eq 4 ] && [ $secs -lt 10 ] && grep -q 'refused the OAuth 2 access token' '$out.2'"
done

# ---- 3. A hostile server ------------------------------------------------
# A scripted server (plain text on loopback) that quotes the start of the
# token (as long as a JWT) back in its NO, answers everything with another
# continuation, or says BYE after the error continuation: sagi must fail
# cleanly, in bounded time, and never show any part of the token.
cat > "$tmp/fake.py" <<'EOF'
import base64, os, re, socket, sys
mode, port_file = sys.argv[1], sys.argv[2]
err = b"+ " + base64.b64encode(b'{"status":"invalid_token"}') + b"\r\n"
caps = b"IMAP4rev1 SASL-IR AUTH=OAUTHBEARER AUTH=XOAUTH2"
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(60)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(port_file + ".tmp", port_file)
c, _ = s.accept()
c.settimeout(60)
f = c.makefile("rb")
c.sendall(b"* OK [CAPABILITY " + caps + b"] fake\r\n")
while True:
    line = f.readline()
    if not line:
        break
    w = line.split()
    tag, cmd = w[0], w[1].upper()
    if cmd == b"CAPABILITY":
        c.sendall(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
    elif cmd == b"AUTHENTICATE":
        tok = re.search(rb"auth=Bearer ([^\x01]*)",
                        base64.b64decode(w[3])).group(1)
        c.sendall(err)
        if mode == "echo":
            f.readline()
            # Cut short, as a server might: a prefix leaks as well.
            c.sendall(tag + b" NO [AUTHENTICATIONFAILED] bad token " +
                      tok[:150] + b"...\r\n")
        elif mode == "endless":
            while f.readline():
                c.sendall(err)
            break
        else:
            f.readline()
            c.sendall(b"* BYE go away\r\n")
            break
    elif cmd == b"LOGOUT":
        c.sendall(b"* BYE bye\r\n" + tag + b" OK bye\r\n")
        break
    else:
        c.sendall(tag + b" BAD what\r\n")
c.close()
EOF
fake_token="fake-$(od -An -N120 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$fake_token" > "$tmp/fake-token"
cat "$tmp/fake-token" >> "$tmp/all-tokens"
: > "$out.fake.2"
for mode in echo endless bye; do
	rm -f "$tmp/fake.port"
	$PY "$tmp/fake.py" $mode "$tmp/fake.port" &
	fake=$!
	i=0
	while [ ! -s "$tmp/fake.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sagi scan --no-cache "imap://$IMAP_USER@127.0.0.1:$(cat "$tmp/fake.port")/INBOX" \
	    --tls none --insecure-plaintext --timeout 3 \
	    --oauth2-token-cmd "'$tmp/tokcmd' '$tmp/fake-token'"
	check "hostile server ($mode): exit status 4, no crash ($st)" [ $st -eq 4 ]
	check "hostile server ($mode): over within the timeout's bounds (${secs}s)" \
	    [ $secs -lt 15 ]
	check "hostile server ($mode): an error message" [ -s "$out.2" ]
	[ $mode = echo ] && cp "$out.2" "$out.fake.2"
	kill $fake 2> /dev/null
	wait $fake 2> /dev/null
done
check "a NO that quotes the token still says it was refused" \
    grep -q "refused the OAuth 2 access token" "$out.fake.2"
check "but shows no part of the token" \
    sh -c "! grep -qaF -e '$(echo "$fake_token" | cut -c1-20)' '$out.all.2'"

# ---- Where the tokens must not be ---------------------------------------
kill "$sampler" 2> /dev/null
wait "$sampler" 2> /dev/null
sampler=""
check "the token command ran (the argv snapshots exist)" [ -s "$tmp/argv" ]
check "the token command saw sagi running" grep -q "$SAGI" "$tmp/argv"
check "the poller saw sagi running" grep -q "$SAGI" "$tmp/argv-poll"
check "sagi wrote a cache" [ -n "$(ls -A "$XDG_CACHE_HOME/sagi" 2>/dev/null)" ]
# Each token, and the middle of its base64 at each of the three alignments
# it can have inside the SASL message (the form it travels in).
$PY -c 'import base64, sys
for t in open(sys.argv[1]).read().split():
    assert len(t) >= 40, t
    print(t)
    for k in range(3):
        print(base64.b64encode(b"\0" * k + t.encode()).decode()[4:-4])' \
    "$tmp/all-tokens" > "$tmp/patterns" || exit 99
check "$(wc -l < "$tmp/all-tokens") tokens: none on stdout or stderr" \
    sh -c "! grep -qaF -f '$tmp/patterns' '$out.all.1' '$out.all.2'"
check "none in a file sagi wrote (cache, journal, cwd)" \
    sh -c "! grep -rqaF -f '$tmp/patterns' '$home'"
check "none on any process's command line" \
    sh -c "! grep -qaF -f '$tmp/patterns' '$tmp/argv' '$tmp/argv-poll'"

echo "1..$n"
[ $fails -eq 0 ]
