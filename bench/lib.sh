# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2034,SC2154  # the caller sets and reads these
# What bench/imap.sh and bench/tui.sh share: finding sagi, the cached
# generated Maildir, a private Dovecot and a muttrc for it, and number
# formatting.  Sourced, never run.  Before sourcing, the caller sets prog
# (its name in messages), here (bench/), top, out, seed and tmp; it owns the
# traps, which stop every server listed in dvdirs.

dvpy=$top/tests/imap/dovecot.py
dvdirs=()

die() { echo "$prog: $*" >&2; exit "${rc_die:-1}"; }
missing() { rc_die=69 die "$1 not found: $2"; }

# bench_need_base: exits 69 unless bash >= 5 (EPOCHREALTIME), python3 and
# the test harness's dovecot.py are there.
bench_need_base() {
	[ "${BASH_VERSINFO[0]}" -ge 5 ] || missing "bash >= 5" "EPOCHREALTIME is needed"
	command -v python3 >/dev/null || missing python3 "apt-get install python3"
	[ -f "$dvpy" ] || missing "$dvpy" "run this from a sagi source tree"
}

# bench_find_sagi: the binary into sagi (absolute), from SAGI, ./sagi or
# the top of the tree, in that order; exits 69 when there is none.  An
# uninstalled build gets the tree's rule packs through SAGI_PKGDATADIR.
bench_find_sagi() {
	if [ -n "${SAGI:-}" ]; then
		sagi=$SAGI
	elif [ -x ./sagi ]; then
		sagi=./sagi
	else
		sagi=$top/sagi
	fi
	if [ ! -f "$sagi" ] || [ ! -x "$sagi" ]; then
		missing "sagi binary ($sagi)" \
		    "build it first and run this from the build directory, or set SAGI"
	fi
	sagi=$(cd "$(dirname "$sagi")" && pwd)/$(basename "$sagi")
	if [ -z "${SAGI_PKGDATADIR:-}" ] && ls "$top"/rules/*.rules >/dev/null 2>&1; then
		export SAGI_PKGDATADIR=$top
	fi
}

# bench_mutt_skip: why the mutt baseline cannot run into mutt_skip, or ''.
# mutt is a baseline, not a dependency, and needs tmux for a terminal.
bench_mutt_skip() {
	mutt_skip=''
	if ! command -v mutt >/dev/null; then
		mutt_skip="mutt not found (apt-get install mutt)"
	elif ! command -v tmux >/dev/null; then
		mutt_skip="tmux not found (apt-get install tmux); mutt needs a terminal"
	fi
}

# maildir COUNT: path of the cached Maildir (the same as bench/scan.sh's),
# generated when its stamp (count, seed, generator hash) does not match.
maildir() {
	local md=$out/maildir-$1-s$seed gen=$here/gen-maildir.py genhash
	genhash=$(sha256sum "$gen" | cut -c1-16)
	if ! grep -q "^count=$1 seed=$seed generator=$genhash " "$md/bench-stamp" 2>/dev/null; then
		rm -rf "$md"
		echo "generating $1 messages into $md ..." >&2
		python3 "$gen" --count "$1" --seed "$seed" --out "$md" >&2 ||
		    die "gen-maildir.py failed"
	fi
	echo "$md"
}

# dv_start DIR: a private Dovecot in DIR, stopped when this shell dies
# (--watch-pid) or by the caller's trap (dvdirs); its env (IMAP_PORT,
# IMAPS_PORT, IMAP_USER, IMAP_PASSWORD_FILE, CA_FILE) is sourced.  Exits 69
# when Dovecot is not installed.
dv_start() {
	local st
	python3 "$dvpy" start "$1" --watch-pid $$ --lifetime 0 >/dev/null
	st=$?
	dvdirs+=("$1")
	case $st in
	0) ;;
	77) missing Dovecot "apt-get install dovecot-imapd" ;;
	*) die "dovecot.py start failed (exit $st)" ;;
	esac
	# shellcheck disable=SC1091
	. "$1/env"
}

# dv_stop: stops every server started by dv_start.
dv_stop() {
	if [ "${#dvdirs[@]}" -gt 0 ]; then
		python3 "$dvpy" stop "${dvdirs[@]}" >/dev/null 2>&1
		dvdirs=()
	fi
}

# mutt_rc FILE URL [HCACHE]: a muttrc for the server whose env was sourced,
# opening URL (imaps://, or imap:// with STARTTLS), with a header cache in
# HCACHE when given.  The password is written into it (mode 0600, inside
# $tmp): mutt has no password command without extra setup, and this is a
# throw-away server.  Returns 1 when the password cannot be quoted.
mutt_rc() {
	local pw starttls=no
	pw=$(cat "$IMAP_PASSWORD_FILE")
	case $pw in *[!A-Za-z0-9_-]*) return 1 ;; esac   # single-quotable
	case $2 in imap://*) starttls=yes ;; esac
	(
		umask 077
		cat >"$1" <<EOF
set imap_user='$IMAP_USER'
set imap_pass='$pw'
set ssl_starttls=$starttls
set ssl_force_tls=yes
set ssl_ca_certificates_file='$CA_FILE'
set certificate_file='$tmp/mutt/certificates'
set folder='${2%/*}/'
set spoolfile='$2'
set hostname=localhost
# mutt pauses sleep_time (1 s) after some messages; a user who minds sets 0
set sleep_time=0
set move=no
set quit=yes
EOF
		if [ -n "${3-}" ]; then
			echo "set header_cache='$3/'"
		else
			echo "unset header_cache"
		fi >>"$1"
	)
}

# After $tmp is made: the cleanup traps (Dovecot, the tmux server at
# $tsock, $tmp) and the results file bench/out/NAME-DATE.txt in $results.
bench_setup() {
	tsock=$tmp/tmux.sock
	trap bench_cleanup EXIT
	trap 'bench_cleanup; exit 130' INT
	trap 'bench_cleanup; exit 143' TERM
	mkdir -p "$out" || die "cannot create $out"
	results=$out/$1-$(date +%Y%m%d-%H%M%S).txt
	: >"$results" || die "cannot write $results"
}
# shellcheck disable=SC2317  # called from the traps
bench_cleanup() {
	dv_stop
	[ -S "$tsock" ] && tmux -S "$tsock" kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
# report: stdin to the terminal and to the results file.
report() { tee -a "$results"; }

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
mib() { calc "%.1f" "$1 / 1048576"; }    # bytes -> MiB
kmib() { calc "%.1f" "$1 / 1024"; }        # KiB -> MiB
secs() { calc "%.3f" "$1 / 1e6"; }         # us -> s
ratio() { calc "%.2f" "$1 / $2"; }
# verdict X MAX: "target met" when X <= MAX, in words.
verdict() {
	if awk "BEGIN { exit !($1 <= $2) }"; then echo "target met"; else echo "target not met"; fi
}
