#!/bin/sh
# The password never leaves sagi except in LOGIN over verified TLS: not on
# stdout or stderr, not in the cache, the undo journal or any other file
# sagi writes, not on a child's command line, also when things fail (wrong
# password, nothing listening, an untrusted certificate).  A config file
# with `password =` is refused while group or others can read it (0644,
# 0640) and used at 0600.  Against a real Dovecot (tests/imap/dovecot.py),
# whose password is random per run, so no output holds it by chance.
: "${SAGI:?}" "${top_srcdir:?}"
PY=${PYTHON3:-python3}
DV="$PY $top_srcdir/tests/imap/dovecot.py"
tmp=$(mktemp -d) || exit 99
trap '$DV stop "$tmp/dv" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/lib.sh"

$DV start "$tmp/dv" --watch-pid $$ > "$tmp/start" 2>&1; st=$?
[ $st -eq 77 ] && { echo "dovecot not installed: skipping"; exit 77; }
[ $st -eq 0 ] || { cat "$tmp/start"; exit 99; }
. "$tmp/dv/env"
$DV append "$DOVECOT_DIR" INBOX "$top_srcdir"/demo/cur/* "$top_srcdir"/demo/new/* \
    > /dev/null || exit 99
password=$(cat "$IMAP_PASSWORD_FILE")
[ ${#password} -ge 8 ] || { echo "password too short to search for"; exit 99; }
# A wrong password that is just as unique: it must not leak either.
wrong="wrong-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# Everything sagi may write goes under $tmp/home; sagi also runs there.
home=$tmp/home
mkdir -p "$home/config/sagi" "$home/cwd" || exit 99
export HOME="$home" XDG_CACHE_HOME="$home/cache" XDG_STATE_HOME="$home/state"
export XDG_CONFIG_HOME="$home/config"
out=$tmp/out
url="imap://$IMAP_USER@127.0.0.1:$IMAP_PORT/INBOX"

# The password command snapshots every process's command line while it
# runs (sagi is alive and waiting for it), then prints the secret.  The
# snapshots are checked below: no argv anywhere holds the password.
cat > "$tmp/pwcmd" <<EOF
#!/bin/sh
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "\$f" 2> /dev/null; echo; done \\
    >> '$tmp/argv'
cat "\$1"
EOF
chmod 700 "$tmp/pwcmd"
printf '%s' "$wrong" > "$tmp/wrongpw"

# sagi ARGS...: bounded, output appended to $out.{1,2}, status in $st
sagi() {
	(cd "$home/cwd" && timeout 60 "$SAGI" "$@") >> "$out.1" 2>> "$out.2"
	st=$?
}
ok_status() { [ $st -lt 64 ]; }

sagi scan --json "$url" --tls starttls --tls-ca-file "$CA_FILE" \
    --password-cmd "'$tmp/pwcmd' '$IMAP_PASSWORD_FILE'"
check "scan works with the password command ($st)" [ $((st & 4)) -eq 0 ]
sagi junk --flagged --yes "$url" --tls starttls --tls-ca-file "$CA_FILE" \
    --password-cmd "'$tmp/pwcmd' '$IMAP_PASSWORD_FILE'"
check "junk works ($st)" [ $st -eq 0 ]
check "junk wrote the undo journal" [ -n "$(ls -A "$XDG_STATE_HOME/sagi" 2>/dev/null)" ]
check "scan wrote the cache" [ -n "$(ls -A "$XDG_CACHE_HOME/sagi" 2>/dev/null)" ]
sagi undo "$url" --tls starttls --tls-ca-file "$CA_FILE" \
    --password-cmd "'$tmp/pwcmd' '$IMAP_PASSWORD_FILE'"
check "undo works ($st)" [ $st -eq 0 ]

# Failures: a wrong password, nothing listening, an untrusted certificate
# (without --tls-ca-file), a password command that fails.
logins=$(grep -c "Login: user=" "$DOVECOT_DIR/log")
sagi scan "$url" --tls starttls --tls-ca-file "$CA_FILE" --no-cache \
    --password-cmd "'$tmp/pwcmd' '$tmp/wrongpw'"
check "a wrong password: an error status ($st)" [ $st -eq 4 ]
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sagi scan "imap://$IMAP_USER@127.0.0.1:$port/INBOX" --tls starttls \
    --tls-ca-file "$CA_FILE" --timeout 3 \
    --password-cmd "'$tmp/pwcmd' '$IMAP_PASSWORD_FILE'"
check "nothing listening: an error status ($st)" [ $st -eq 4 ]
sagi scan "$url" --tls starttls --no-cache \
    --password-cmd "'$tmp/pwcmd' '$IMAP_PASSWORD_FILE'"
check "an untrusted certificate: an error status ($st)" [ $st -eq 4 ]
sagi scan "$url" --tls starttls --tls-ca-file "$CA_FILE" --no-cache \
    --password-cmd "cat '$IMAP_PASSWORD_FILE'; exit 3"
check "a failing password command: an error status ($st)" [ $st -eq 4 ]
check "a failing password command's output is not shown" \
    sh -c "grep -q 'password_cmd: exited with status 3' '$out.2'"
check "after an untrusted certificate no login reached the server" \
    [ "$(grep -c "Login: user=" "$DOVECOT_DIR/log")" = "$logins" ]

# The config file: `password =` refused at 0644 and 0640, used at 0600.
cfg=$XDG_CONFIG_HOME/sagi/config
cat > "$cfg" <<EOF
[account t]
host = 127.0.0.1
port = $IMAP_PORT
user = $IMAP_USER
tls = starttls
tls_ca_file = $CA_FILE
password = "$password"
EOF
for mode in 644 640; do
	chmod $mode "$cfg"
	: > "$tmp/cfg.2"
	(cd "$home/cwd" && timeout 60 "$SAGI" scan --account t --no-cache) \
	    >> "$out.1" 2> "$tmp/cfg.2"
	st=$?
	cat "$tmp/cfg.2" >> "$out.2"
	check "mode 0$mode: refused with an error status ($st)" [ $st -eq 4 ]
	check "mode 0$mode: says chmod 600 or password_cmd" \
	    grep -q "password ignored: .*readable by group or others; run chmod 600" \
	    "$tmp/cfg.2"
done
chmod 600 "$cfg"
(cd "$home/cwd" && timeout 60 "$SAGI" scan --account t --no-cache) \
    >> "$out.1" 2>> "$out.2"
st=$?
check "mode 0600: the password from the file logs in ($st)" [ $((st & 4)) -eq 0 ]

# Where the secrets must not be.  The config file is the one place the
# user put the password on purpose; everything else sagi wrote is searched.
for s in "$password" "$wrong"; do
	check "not on stdout" sh -c "! grep -qaF -e '$s' '$out.1'"
	check "not on stderr" sh -c "! grep -qaF -e '$s' '$out.2'"
	check "not in any file sagi wrote (cache, journal, cwd)" \
	    sh -c "! grep -rlaF -e '$s' '$home' --exclude=config"
done
check "the password command ran (the argv snapshots exist)" [ -s "$tmp/argv" ]
check "the password command saw sagi running" grep -q "$SAGI" "$tmp/argv"
check "no process's command line held the password" \
    sh -c "! grep -qaF -e '$password' '$tmp/argv'"
check "nor the wrong one" sh -c "! grep -qaF -e '$wrong' '$tmp/argv'"
# The snapshots see the command while sagi waits for it, so before sagi
# knows the secret.  The static half of the argument: the only process
# sagi starts is password_cmd / oauth2_token_cmd, as "/bin/sh -c CMD" with
# the user's CMD (core/secret.c), and the secret only ever comes back on
# its stdout; nothing in core/ or tui/ spawns anything else.
check "only core/secret.c starts processes" sh -c "
	cd '$top_srcdir' && ! grep -nE '\\b(posix_spawnp?|fork|vfork|execv[pe]*|execl[pe]*|popen|system)[[:space:]]*\\(' \
	    core/*.c tui/*.c | grep -v '^core/secret\\.c:'"

echo "1..$n"
[ $fails -eq 0 ]
