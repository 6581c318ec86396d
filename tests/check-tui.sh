#!/bin/sh
# The interface, driven for real: the sagi binary in a tmux pane (send-keys,
# capture-pane -e to see colours), on a Maildir copy of the demo and on a
# real Dovecot.  Phish rows carry red SGR and clean rows do not; the
# why-pane names the fake host; J moves a message (checked on disk and on
# the server by an independent client); M then y moves every phish; u
# undoes; a resize redraws; q leaves and the shell gets its terminal back.
: "${SAGI:?}" "${top_srcdir:?}"
command -v tmux > /dev/null || { echo "tmux not installed: skipping"; exit 77; }
PY=${PYTHON3:-python3}
DV="$PY $top_srcdir/tests/imap/dovecot.py"
tmp=$(mktemp -d) || exit 99
sock="$tmp/tmux.sock"
server=""
cleanup() {
	tmux -S "$sock" kill-server > /dev/null 2>&1
	[ -n "$server" ] && $DV stop "$server" > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/lib.sh"
fail() {
	n=$((n + 1)); echo "not ok $n - $*"; fails=$((fails + 1))
	# What the screen showed, for whoever reads the log.
	tmux -S "$sock" capture-pane -p -t sagi 2>/dev/null | sed 's/^/#   | /'
}

export XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
T() { tmux -S "$sock" "$@"; }
# A real SGR sequence setting red (31), not the text "[31m" a mail may show.
red="$(printf '\033')\[[0-9;]*31m"
screen() { T capture-pane -p -t sagi; }
screen_e() { T capture-pane -p -e -t sagi; }
# Waits until the screen shows pattern (grep -E), at most 20 s, and then
# until it stops changing: tmux may be caught halfway through a redraw.
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		if screen | grep -qE "$1"; then
			settle
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "# timed out waiting for: $1"; screen | sed 's/^/# /'
	return 1
}
settle() {
	j=0
	screen_e > "$tmp/settle.a"
	while [ $j -lt 25 ]; do
		sleep 0.2
		screen_e > "$tmp/settle.b"
		cmp -s "$tmp/settle.a" "$tmp/settle.b" && return 0
		mv "$tmp/settle.b" "$tmp/settle.a"
		j=$((j + 1))
	done
}
# Starts sagi with the given arguments in a fresh 120x40 pane.
launch() {
	T kill-server > /dev/null 2>&1
	i=0
	while T has-session > /dev/null 2>&1 && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	rm -f "$sock"
	T -f /dev/null new-session -d -s sagi -x "${W:-120}" -y "${H:-40}" \
	    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $1 '$SAGI' $2; echo sagi-exited-\$?; sleep 60"
}
files() { find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l | tr -d ' '; }
# Every line of the screen fits in $1 columns (wide characters count 2).
fits() {
	screen | $PY -c 'import sys, unicodedata
w = int(sys.argv[1])
for line in sys.stdin.read().splitlines():
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    if cols > w:
        print("# too wide (%d): %s" % (cols, line)); sys.exit(1)' "$1"
}

cp -R "$top_srcdir/demo" "$tmp/mail"
chmod -R u+w "$tmp/mail"
mkdir -p "$tmp/mail/.Junk/cur" "$tmp/mail/.Junk/new" "$tmp/mail/.Junk/tmp"
# A hostile subject: escape sequences and a bidi override must not reach
# the terminal.
printf 'From: =?UTF-8?B?%s?= <x@example.com>\nSubject: evil \033]0;pwned\007 \033[2J title \342\200\256txt.exe\nMessage-ID: <hostile@example.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nhello\n' \
    "$(printf 'Bad\033[31mName' | base64)" > "$tmp/mail/new/1700000000.hostile.test"

# ---- the index on a Maildir --------------------------------------------
launch "" "'$tmp/mail'"
wait_for "suspicious [0-9]+  21/21" || fail "the list never finished loading"
check "phish rows are red (SGR 31)" \
    sh -c "T() { tmux -S '$sock' \"\$@\"; }; T capture-pane -p -e -t sagi | grep 'fake Amazon' | grep -q \"$red\""
check "clean rows are not red" \
    sh -c "tmux -S '$sock' capture-pane -p -e -t sagi | grep 'さくら小学校' | grep -vq \"$red\""
check "phish rows carry a marker that needs no colour" \
    [ "$(screen | grep -c '!! fake')" -ge 8 ]
check "the title counts phish and suspicious" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | head -1 | grep -q 'phish 8 *suspicious 3'"
check "an escape sequence in a subject is shown, not obeyed" \
    sh -c "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'evil ^\[\]0;pwned'"
check "a bidi override is shown as <U+202E>" \
    sh -c "tmux -S '$sock' capture-pane -p -t sagi | grep -q '<U+202E>txt.exe'"
check "nothing from the mail set the window title" \
    sh -c "! tmux -S '$sock' display-message -p -t sagi '#{pane_title}' | grep -q pwned"

# The why-pane of the seed phish names the sender's fake domain and the
# link's real host.
T send-keys -t sagi w
wait_for "Why \(w hides\)" || fail "no why-pane"
wait_for "wnxkq" || true
check "the why-pane explains the seed phish" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'claims to come from Amazon'"
check "the why-pane names the fake host" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'wnxkq'"
T send-keys -t sagi w

# One key, no prompt: the current message (the first, a phish) moves.
T send-keys -t sagi J
wait_for "moved to Junk — press u to undo" || fail "no junk report"
check "J moved one file into .Junk" [ "$(files "$tmp/mail/.Junk")" = 1 -a "$(files "$tmp/mail")" = 20 ]
T send-keys -t sagi u
wait_for "moved back to INBOX" || fail "no undo report"
check "u brought it back" [ "$(files "$tmp/mail/.Junk")" = 0 -a "$(files "$tmp/mail")" = 21 ]

# Junk all flagged: a preview with counts per reason, then y.
T send-keys -t sagi M
wait_for "Move 8 flagged messages to Junk\?" || fail "no preview"
check "the preview counts per reason" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'fake Amazon 4'"
T send-keys -t sagi y
wait_for "8 moved to Junk" || fail "bulk move not reported"
check "M then y moved the 8 phish" [ "$(files "$tmp/mail/.Junk")" = 8 -a "$(files "$tmp/mail")" = 13 ]
T send-keys -t sagi u
wait_for "8 moved back" || fail "bulk undo not reported"
check "u restored the folder" [ "$(files "$tmp/mail/.Junk")" = 0 -a "$(files "$tmp/mail")" = 21 ]

# Help is generated from the bindings.
T send-keys -t sagi '?'
wait_for "junk-message" || fail "no help"
check "help lists J with its summary" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'J  *junk-message  *Move the message'"
T send-keys -t sagi q

# Resize: redrawn at 80x24, nothing wider than the window.
T resize-window -t sagi -x 80 -y 24
# Redrawn at the new size: 24 lines, the key bar on the 23rd.
i=0
until [ "$(screen | wc -l)" -eq 24 ] && screen | sed -n 23p | grep -q 'q:Quit'; do
	i=$((i + 1))
	[ $i -gt 200 ] && break
	sleep 0.1
done
settle
check "after a resize every line fits in 80 columns" fits 80
check "after a resize the list and the key bar are there" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'q:Quit' && tmux -S '$sock' capture-pane -p -t sagi | grep -q 'fake'"

T send-keys -t sagi q
wait_for "sagi-exited-0" || fail "q did not leave"
check "q leaves with status 0" sh -c "tmux -S '$sock' capture-pane -p -t sagi | grep -q sagi-exited-0"

# ---- NO_COLOR: no colour at all, markers still there ---------------------
launch "NO_COLOR=1" "'$tmp/mail'"
wait_for "suspicious [0-9]+  21/21" || fail "NO_COLOR list never loaded"
check "NO_COLOR: no red anywhere" sh -c \
    "! tmux -S '$sock' capture-pane -p -e -t sagi | grep \"$red\" | cat -v | sed 's/^/# red: /' | grep ."
check "NO_COLOR: phish still marked" [ "$(screen | grep -c '!! fake')" -ge 8 ]
T send-keys -t sagi q

# ---- the user's keymap: bindings change, the key bar follows, problems
# are collected and shown on !, never fatal --------------------------------
mkdir -p "$XDG_CONFIG_HOME/sagi"
printf 'unbind index J\nbind index X junk-message\nbind index K no-such-action\n' \
    > "$XDG_CONFIG_HOME/sagi/keys"
launch "" "'$tmp/mail'"
wait_for "suspicious [0-9]+  21/21" || fail "list with a user keymap"
check "a problem in the user's keymap is announced" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q '1 problems in keymaps'"
check "the key bar shows the user's key" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'X:Junk'"
T send-keys -t sagi '!'
wait_for "keys:3:" || fail "! does not show the problem"
check "! names the file and line of the problem" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'sagi/keys:3:.*no-such-action'"
T send-keys -t sagi q
T send-keys -t sagi J
wait_for "J is not bound" || fail "J still bound after unbind"
T send-keys -t sagi X
wait_for "moved to Junk" || fail "X did not junk"
check "the rebound key moved the message" [ "$(files "$tmp/mail/.Junk")" = 1 ]
T send-keys -t sagi u
wait_for "moved back" || fail "undo after X"
T send-keys -t sagi q
rm -f "$XDG_CONFIG_HOME/sagi/keys"

# ---- Japanese: LANG=ja_JP.UTF-8 even where that locale is not installed --
launch "LANG=ja_JP.UTF-8 LC_ALL=" "'$tmp/mail'"
wait_for "要注意 3" || fail "no Japanese title"
check "Japanese: the key bar comes from po/ja.po" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'q:終了'"
check "Japanese: the reason tag is Amazon偽装" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q '!! Amazon偽装'"
T send-keys -t sagi w
wait_for "判定の理由" || fail "no Japanese why-pane"
check "Japanese: the why-pane explains in Japanese" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q '名乗っていますが'"
T send-keys -t sagi q

# ---- ^Z and fatal signals: an interactive shell gets its terminal back ---
# A shell with job control in the pane, sagi started from it.
shell() {
	T kill-server > /dev/null 2>&1
	i=0
	while T has-session > /dev/null 2>&1 && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	rm -f "$sock"
	T -f /dev/null new-session -d -s sagi -x 120 -y 40 \
	    "env PS1='sh-prompt> ' LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color bash --norc --noprofile -i"
	wait_for "sh-prompt>" || fail "no shell"
}
alt() { T display-message -p -t sagi '#{alternate_on}'; }
# The terminal modes the shell needs: canonical input and echo.
sane() {
	T send-keys -t sagi C-l "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo :modes" Enter
	wait_for ":modes$" || return 1
	screen | grep -qE '^icanon echo :modes$'
}
sagi_pid() {
	ps -o pid= --ppid "$(T display-message -p -t sagi '#{pane_pid}')" | tr -d ' ' | head -1
}
shell
T send-keys -t sagi "'$SAGI' '$tmp/mail'" Enter
wait_for "suspicious [0-9]+  21/21" || fail "sagi from a shell never loaded"
check "sagi runs on the alternate screen" [ "$(alt)" = 1 ]
# A process run by valgrind never stops on ^Z (`valgrind sleep 100` does
# not either): under make check-valgrind this part says so instead.
if [ -z "${VALGRIND_SAGI:-}" ]; then
	T send-keys -t sagi C-z
	wait_for "Stopped" || fail "^Z did not stop sagi"
	check "^Z: the shell prompt is back" sh -c \
	    "tmux -S '$sock' capture-pane -p -t sagi | grep -v '^\$' | tail -1 | grep -q '^sh-prompt>'"
	check "^Z: the alternate screen is left" [ "$(alt)" = 0 ]
	check "^Z: the terminal is sane for the shell" sane
	T send-keys -t sagi C-l "fg" Enter
	wait_for "suspicious [0-9]+  21/21" || fail "fg did not redraw the index"
	check "fg: the index is redrawn, on the alternate screen" sh -c \
	    "[ \"\$(tmux -S '$sock' display-message -p -t sagi '#{alternate_on}')\" = 1 ] && tmux -S '$sock' capture-pane -p -t sagi | grep -q 'fake Amazon'"
	T send-keys -t sagi w
	wait_for "Why \(w hides\)" || fail "fg: w shows no why-pane"
	check "fg: keys work again (w opens the why-pane)" sh -c \
	    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'Why (w hides)'"
else
	echo "# ^Z and fg not checked: valgrind does not let a process stop"
fi
for sig in TERM HUP; do
	pid=$(sagi_pid)
	if [ -z "$pid" ]; then
		fail "SIG$sig: no sagi process to signal"
		break
	fi
	kill -$sig "$pid"
	wait_for "sh-prompt> *$" || fail "SIG$sig: no prompt"
	i=0
	while kill -0 "$pid" 2> /dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	check "SIG$sig: sagi is gone" sh -c "! kill -0 $pid 2> /dev/null"
	case $sig in TERM) want=143 ;; HUP) want=129 ;; esac
	T send-keys -t sagi C-l "echo status=\$?" Enter
	wait_for "^status=[0-9]+" || fail "SIG$sig: no status"
	check "SIG$sig: exit status $want, as a shell reports a signal" \
	    sh -c "tmux -S '$sock' capture-pane -p -t sagi | grep -qx 'status=$want'"
	check "SIG$sig: no alternate screen left behind" [ "$(alt)" = 0 ]
	check "SIG$sig: the terminal is sane for the shell" sane
	if [ $sig = TERM ]; then
		T send-keys -t sagi C-l "'$SAGI' '$tmp/mail'" Enter
		wait_for "suspicious [0-9]+  21/21" || fail "sagi did not start again"
	fi
done

# ---- an mbox: browsed and judged, never written ------------------------
for f in "$top_srcdir"/demo/cur/* "$top_srcdir"/demo/new/*; do
	echo "From demo@example.jp Mon Jan  1 00:00:00 2024"
	sed 's/^\(>*From \)/>\1/' "$f"
	echo
done > "$tmp/demo.mbox"
cksum < "$tmp/demo.mbox" > "$tmp/mbox.sum"
launch "" "'$tmp/demo.mbox'"
wait_for "suspicious [0-9]+  20/20" || fail "the mbox never loaded"
check "mbox: the title says read-only" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | head -1 | grep -q '(read-only)'"
check "mbox: phish rows are red" sh -c \
    "tmux -S '$sock' capture-pane -p -e -t sagi | grep 'fake Amazon' | grep -q \"$red\""
T send-keys -t sagi w
wait_for "Why \(w hides\)" || fail "mbox: no why-pane"
check "mbox: the why-pane explains the seed phish" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'claims to come from Amazon'"
T send-keys -t sagi w
T send-keys -t sagi J
wait_for "mbox is read-only in sagi" || fail "mbox: J says nothing"
check "mbox: J says why nothing moves" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'mbox is read-only in sagi: nothing is moved'"
T send-keys -t sagi M
sleep 0.3
check "mbox: M asks nothing and says read-only" sh -c \
    "! tmux -S '$sock' capture-pane -p -t sagi | grep -q 'Move [0-9]* flagged' && tmux -S '$sock' capture-pane -p -t sagi | grep -q 'mbox is read-only in sagi'"
T send-keys -t sagi Enter
wait_for "Links \(visible text" || fail "mbox: Enter did not open the message"
T send-keys -t sagi q
T send-keys -t sagi q
wait_for "sagi-exited-0" || fail "mbox: q did not leave"
check "mbox: the file is untouched" sh -c "cksum < '$tmp/demo.mbox' | cmp -s - '$tmp/mbox.sum'"

# ---- the demo ----------------------------------------------------------
launch "" "--demo"
wait_for "suspicious [0-9]+  20/20" || fail "the demo never loaded"
check "the demo shows the seed phish" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -q 'Amazon株式会社から緊急のご連絡'"
# "Not phish" remembers the sender (in the demo's own config), and bulk
# moves then leave that sender's mail alone.
T send-keys -t sagi N
wait_for "is now a trusted sender" || fail "N did not trust the sender"
T send-keys -t sagi M
wait_for "Move [0-9]+ flagged" || fail "no preview after N"
check "a trusted sender's phish is left out of the bulk move" sh -c \
    "tmux -S '$sock' capture-pane -p -t sagi | grep -qE 'Move [1-7] flagged'"
T send-keys -t sagi n
T send-keys -t sagi J
wait_for "moved to Junk" || fail "junk in the demo"
T send-keys -t sagi q
wait_for "sagi-exited-0" || fail "demo did not quit"
check "the demo never touched the shipped files" [ "$(files "$top_srcdir/demo")" = 20 ]

# ---- a real Dovecot ----------------------------------------------------
server="$tmp/dv"
$DV start "$server" --watch-pid $$ > "$tmp/start" 2>&1; st=$?
if [ $st -eq 0 ]; then
	. "$server/env"
	$DV append "$server" INBOX "$top_srcdir"/demo/cur/* "$top_srcdir"/demo/new/* > /dev/null
	launch "" "imap://$IMAP_USER@127.0.0.1:$IMAP_PORT/INBOX --tls starttls --tls-ca-file '$CA_FILE' --password-cmd 'cat $IMAP_PASSWORD_FILE'"
	wait_for "suspicious [0-9]+  20/20" || fail "the IMAP list never loaded"
	check "IMAP: phish rows are red" sh -c \
	    "tmux -S '$sock' capture-pane -p -e -t sagi | grep 'fake Amazon' | grep -q \"$red\""
	T send-keys -t sagi J
	wait_for "moved to Junk" || fail "IMAP junk not reported"
	check "IMAP: the server has it in Junk" [ "$($DV count "$server" Junk)" = 1 -a "$($DV count "$server" INBOX)" = 19 ]
	T send-keys -t sagi M
	wait_for "Move 7 flagged" || fail "IMAP: no preview"
	T send-keys -t sagi y
	wait_for "7 moved to Junk" || fail "IMAP bulk not reported"
	check "IMAP: all 8 phish in Junk" [ "$($DV count "$server" Junk)" = 8 ]
	T send-keys -t sagi u
	wait_for "7 moved back" || fail "IMAP undo not reported"
	check "IMAP: undo restored 7" [ "$($DV count "$server" INBOX)" = 19 ]
	T send-keys -t sagi q
	wait_for "sagi-exited-0" || fail "IMAP session did not quit"

	# The list shows while it is still listing.  300 messages in "Big";
	# a relay holds sagi's second listing FETCH (UIDs from 101) until
	# told to let it pass, so the screen is looked at mid-listing with no
	# timing involved.  Plain IMAP: the relay reads the commands.
	$DV gen "$server" Big 300 > /dev/null || fail "could not fill Big"
	cat > "$tmp/gate.py" <<'PYEOF'
import os, socket, sys, threading, time
target, portfile, pattern = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(60)
with open(portfile + ".tmp", "w") as f:
    f.write(str(ls.getsockname()[1]))
os.replace(portfile + ".tmp", portfile)
c, _ = ls.accept()
s = socket.create_connection(("127.0.0.1", target))
def back():
    while True:
        d = s.recv(65536)
        if not d:
            break
        c.sendall(d)
    c.close()
threading.Thread(target=back, daemon=True).start()
tail, held = b"", False
while True:
    d = c.recv(65536)
    if not d:
        break
    if not held and pattern in tail + d:
        held = True
        open(portfile + ".held", "w").close()
        end = time.time() + 120
        while not os.path.exists(portfile + ".go") and time.time() < end:
            time.sleep(0.05)
    tail = d[-len(pattern):]
    s.sendall(d)
s.close()
PYEOF
	$PY "$tmp/gate.py" "$IMAP_PORT" "$tmp/gate" "UID FETCH 101:" &
	gate=$!
	i=0
	while [ ! -s "$tmp/gate" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	launch "" "imap://$IMAP_USER@127.0.0.1:$(cat "$tmp/gate")/Big --tls none --insecure-plaintext --password-cmd 'cat $IMAP_PASSWORD_FILE'"
	i=0
	while [ ! -e "$tmp/gate.held" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	check "the relay holds the second listing FETCH" [ -e "$tmp/gate.held" ]
	wait_for "listing 100/300" || fail "no listing progress shown"
	check "while listing, the title says so and counts the rows shown" sh -c \
	    "tmux -S '$sock' capture-pane -p -t sagi | head -1 | grep -qE ' 0/100 .*listing 100/300'"
	check "while listing, the first screen of rows is drawn" \
	    [ "$(screen | grep -cE '^ .{0,3} *[0-9]{4}-[0-9]{2}-[0-9]{2} ')" -ge 30 ]
	T send-keys -t sagi j
	wait_for "listing 100/300" || true
	check "while listing, keys work (j moves to the second row)" sh -c \
	    "tmux -S '$sock' capture-pane -p -e -t sagi | sed -n 3p | grep -q \"\$(printf '\033')\[7m\""
	touch "$tmp/gate.go"
	wait_for " 300/300" || fail "the listing did not finish after the relay let go"
	check "released, every message is listed and judged" sh -c \
	    "tmux -S '$sock' capture-pane -p -t sagi | head -1 | grep -q ' 300/300'"
	T send-keys -t sagi q
	wait_for "sagi-exited-0" || fail "Big session did not quit"
	kill "$gate" 2> /dev/null
	wait "$gate" 2> /dev/null
elif [ $st -eq 77 ]; then
	echo "# dovecot not installed: IMAP part skipped"
else
	cat "$tmp/start"; fail "could not start Dovecot"
fi

echo "1..$n"
[ $fails -eq 0 ]
