#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Benchmark `sagi scan` over IMAP against a private Dovecot, with two
# baselines in the same run: a raw client fetching every message in one FETCH
# (the floor) and mutt opening the same folder.  Builds nothing; see
# bench/README.md.  Prints figures and ratios; never fails on timing.  Exit
# status: 0 done, 1 sagi failed, 64 usage error, 69 a required tool is missing.

set -u
export LC_ALL=C         # '.' as decimal point in EPOCHREALTIME and awk

usage() {
	cat <<EOF
usage: bench/imap.sh [--counts "N..."] [--seed S] [--runs N]
  --counts "N..."  mailbox sizes, one Dovecot each (default "10000 50000")
  --seed S         generator seed (default 1)
  --runs N         timed runs per figure, best one kept (default 3)
Environment: SAGI (default ./sagi), SAGI_PKGDATADIR (default: the source tree).
mutt and tmux are optional: without them the mutt baseline is skipped.
EOF
}

counts="10000 50000"
seed=1
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--counts) counts=${2-}; shift ;;
	--seed) seed=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 64 ;;
	esac
	shift || true
done
read -r -a sizes <<<"$counts"
[ "${#sizes[@]}" -gt 0 ] || { usage >&2; exit 64; }
for v in "${sizes[@]}" "$runs"; do
	case $v in ''|*[!0-9]*) usage >&2; exit 64 ;; esac
	[ "$v" -ge 1 ] || { usage >&2; exit 64; }
done
case $seed in ''|*[!A-Za-z0-9_-]*) usage >&2; exit 64 ;; esac

prog=imap.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/out
tmp=''
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# --- tools -------------------------------------------------------------------
bench_need_base
/usr/bin/time --version 2>&1 | grep -q GNU || missing "GNU time (/usr/bin/time)" "apt-get install time"
bench_find_sagi
# Without mutt (or tmux) the sagi and raw-fetch figures still mean something.
bench_mutt_skip

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sagi-bench-imap.XXXXXX") || die "mktemp failed"
bench_setup imap

# --- the raw client ----------------------------------------------------------
# One UID FETCH 1:* (UID BODY.PEEK[]) read as raw bytes: literals are skipped
# by their announced length, nothing is parsed beyond that, so this is about
# the least a client can do to get every message.  Prints "messages
# literal-bytes wire-bytes".
cat >"$tmp/rawfetch.py" <<'EOF'
import re, socket, ssl, sys

mode, port, user, pwfile, cafile = sys.argv[1:6]
with open(pwfile) as f:
    password = f.read().strip()
sock = socket.create_connection(("127.0.0.1", int(port)), timeout=600)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if mode == "imaps":
    ctx = ssl.create_default_context(cafile=cafile)
    sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
buf = bytearray()
off = 0
wire = 0
LIT = re.compile(rb"\{(\d+)\}$")


def fill():
    global buf, off, wire
    if off:
        del buf[:off]
        off = 0
    data = sock.recv(1 << 18)
    if not data:
        sys.exit("rawfetch: connection closed")
    wire += len(data)
    buf += data


def line():
    global off
    while True:
        i = buf.find(b"\r\n", off)
        if i >= 0:
            s = bytes(buf[off:i])
            off = i + 2
            return s
        fill()


def skip(n):
    global off
    while len(buf) - off < n:
        n -= len(buf) - off
        off = len(buf)
        fill()
    off += n


def command(tag, text):
    sock.sendall(tag + b" " + text + b"\r\n")
    lits = nbytes = 0
    while True:
        s = line()
        m = LIT.search(s)
        if m:
            k = int(m.group(1))
            skip(k)
            lits += 1
            nbytes += k
        elif s.startswith(tag + b" "):
            if not s.startswith(tag + b" OK"):
                sys.exit("rawfetch: %s failed: %r" % (tag.decode(), s[:200]))
            return lits, nbytes


line()                                      # greeting
command(b"L", b'LOGIN %s "%s"' % (user.encode(), password.encode()))
command(b"S", b"SELECT INBOX")
w0 = wire
n, nbytes = command(b"F", b"UID FETCH 1:* (UID BODY.PEEK[])")
w1 = wire
command(b"Z", b"LOGOUT")
print(n, nbytes, w1 - w0)
EOF

# --- timing ------------------------------------------------------------------
# run_timed OUT ERR CMD...: runs CMD once (stdout to OUT, stderr to ERR);
# wall time in us into t_us, max RSS (KB) into t_rss, user + system CPU time
# in ms into t_cpu, exit status into t_rc.
run_timed() {
	local o=$1 e=$2 t0 t1
	shift 2
	t0=${EPOCHREALTIME/./}
	timeout 1800 /usr/bin/time -f '%M %U %S' -o "$tmp/time" "$@" >"$o" 2>"$e"
	t_rc=$?
	t1=${EPOCHREALTIME/./}
	t_us=$((t1 - t0))
	time_fields "$(tail -n 1 "$tmp/time")"
}
# time_fields "RSS USER SYS": GNU time's figures into t_rss and t_cpu.
time_fields() {
	local u s
	read -r t_rss u s <<<"$1"
	case $t_rss in ''|*[!0-9]*) t_rss=0 ;; esac
	t_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
}
# keep_best: fold t_us/t_rss/t_cpu into best (min wall), rss (max) and cpu
# (the CPU time of the best run).
keep_best() {
	if [ -z "$best" ] || [ "$t_us" -lt "$best" ]; then best=$t_us cpu=$t_cpu; fi
	[ "$t_rss" -gt "$rss" ] && rss=$t_rss
}

# raw MODE PORT: best of $runs raw fetches into best/rss; raw_n, raw_bytes.
raw() {
	local r
	best='' rss=0
	for ((r = 0; r < runs; r++)); do
		run_timed "$tmp/raw.out" "$tmp/raw.err" python3 "$tmp/rawfetch.py" \
		    "$1" "$2" "$IMAP_USER" "$IMAP_PASSWORD_FILE" "$CA_FILE"
		if [ "$t_rc" -ne 0 ]; then
			cat "$tmp/raw.err" >&2
			die "raw fetch over $1 failed (exit $t_rc)"
		fi
		read -r raw_n raw_bytes _ <"$tmp/raw.out"
		[ "$raw_n" = "$n" ] || die "raw fetch over $1 got $raw_n messages, not $n"
		keep_best
	done
}

# Options every sagi run gets, as in bench/scan.sh.
sagi_opts=(--lang ja --authserv-id mx.example.jp)

# sagi_scan CACHE [WHAT...]: one `sagi scan --json` with XDG_CACHE_HOME
# CACHE, of WHAT (default: the folder on the server); exits 1 unless it ran
# and printed one line per message.
sagi_scan() {
	local cache=$1 lines
	shift
	[ $# -gt 0 ] || set -- "$url" --tls-ca-file "$CA_FILE" \
	    --password-cmd "cat $(printf %q "$IMAP_PASSWORD_FILE")"
	mkdir -p "$cache"
	run_timed "$tmp/sagi.jsonl" "$tmp/sagi.err" \
	    env XDG_CACHE_HOME="$cache" XDG_CONFIG_HOME="$tmp/xdg/config" \
	    XDG_STATE_HOME="$tmp/xdg/state" \
	    "$sagi" scan --json "${sagi_opts[@]}" "$@"
	lines=$(wc -l <"$tmp/sagi.jsonl")
	# Bits 1 and 2 report what was found; anything else is a failure.
	if [ $((t_rc & ~3)) -ne 0 ] || [ "$lines" -ne "$n" ]; then
		echo "imap.sh: sagi scan $1 exited $t_rc with $lines JSON lines for $n messages:" >&2
		head -n 20 "$tmp/sagi.err" >&2
		exit 1
	fi
}

# mutt_setup: tmux server (one per run of this script, on its own socket)
# whose windows stay after mutt exits with the last screen kept, so that the
# status line shows whether mutt really loaded the folder.
mutt_setup() {
	tmux -S "$tsock" -f /dev/null new-session -d -s bench -x 120 -y 40 'sleep 86400' &&
	    tmux -S "$tsock" set -g remain-on-exit on >/dev/null &&
	    tmux -S "$tsock" set -g alternate-screen off >/dev/null
	cat >"$tmp/mutt-run.sh" <<'EOF'
#!/bin/sh
# mutt-run.sh MUTTRC FOLDER STEM SOCKET CHANNEL: mutt opens FOLDER and quits
# at once; STEM.t gets "start-ns end-ns RSS-KB USER SYS", STEM.rc its status.
t0=$(date +%s%N)
/usr/bin/time -f '%M %U %S' -o "$3.rss" mutt -n -F "$1" -e 'push <quit>' -f "$2"
echo $? >"$3.rc"
t1=$(date +%s%N)
echo "$t0 $t1 $(tail -n 1 "$3.rss")" >"$3.t"
tmux -S "$4" wait-for -S "$5"
EOF
	chmod +x "$tmp/mutt-run.sh"
}

# mutt_open MUTTRC: one mutt run in a new tmux window; t_us, t_rss set, and
# mutt_ok=1 when its last screen says the folder has $n messages.
mutt_nr=0
mutt_open() {
	local stem=$tmp/mutt/run$mutt_nr win=m$mutt_nr t0 t1 k
	mutt_nr=$((mutt_nr + 1))
	mutt_ok=0 t_us=0 t_rss=0 t_cpu=0
	tmux -S "$tsock" new-window -d -t bench: -n "$win" "$(printf 'HOME=%q %q %q %q %q %q %q' \
	    "$tmp/mutt/home" "$tmp/mutt-run.sh" "$1" "$url" "$stem" "$tsock" "$win")"
	if ! timeout 1800 tmux -S "$tsock" wait-for "$win"; then
		echo "imap.sh: mutt did not finish; its screen:" >&2
		tmux -S "$tsock" capture-pane -p -t "bench:$win" | grep -v '^$' | tail -n 5 >&2
		tmux -S "$tsock" kill-window -t "bench:$win"
		return
	fi
	tmux -S "$tsock" capture-pane -p -t "bench:$win" >"$stem.screen"
	tmux -S "$tsock" kill-window -t "bench:$win"
	if ! read -r t0 t1 k <"$stem.t" 2>/dev/null; then
		echo "imap.sh: mutt-run.sh did not run; mutt's window:" >&2
		grep -v '^$' "$stem.screen" | tail -n 5 >&2
		return
	fi
	t_us=$(((t1 - t0) / 1000))
	time_fields "$k"
	if [ "$(cat "$stem.rc")" = 0 ] && grep -q "Msgs:${n}[] ]" "$stem.screen"; then
		mutt_ok=1
	else
		echo "imap.sh: mutt did not load the folder; its screen:" >&2
		grep -v '^$' "$stem.screen" | tail -n 5 >&2
	fi
}

# --- report helpers ----------------------------------------------------------
# row LABEL US RSS CPU-MS: one line of a size's table ($n, $raw_bytes).
row() {
	printf '  %-34s %8s %8s %7s %7s %7s\n' "$1" \
	    "$(secs "$2")" "$(calc "%.0f" "$n / ($2 / 1e6)")" \
	    "$(calc "%.1f" "$raw_bytes / 1048576 / ($2 / 1e6)")" \
	    "$(calc "%.2f" "$4 / 1000")" "$(kmib "$3")"
}

# --- per size ----------------------------------------------------------------
declare -A rss_cold rss_warm
ncpu=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ver=$("$sagi" --version 2>/dev/null | head -n 1)
dvver=$(dovecot --version 2>/dev/null | cut -d' ' -f1)
muttver=''
[ -z "$mutt_skip" ] && muttver=$(mutt -v 2>/dev/null | head -n 1 | cut -d' ' -f2)
{
	echo "sagi IMAP benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), $ncpu CPUs${cpu:+ ($cpu)}"
	echo "sagi: ${ver:-?} ($sagi), default jobs; Dovecot ${dvver:-?} on 127.0.0.1; mutt ${muttver:-skipped: $mutt_skip}"
	if [ "$runs" -eq 1 ]; then
		echo "timings are from one run each (wall seconds, start-up included)"
	else
		echo "timings are the best of $runs runs (wall seconds, start-up included)"
	fi
} | report

if [ -z "$mutt_skip" ]; then
	mkdir -p "$tmp/mutt/home"
	mutt_setup || mutt_skip="tmux did not start"
fi

for n in "${sizes[@]}"; do
	md=$(maildir "$n") || exit 1
	mdbytes=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' "$md/bench-stamp")
	dv=$tmp/dv-$n
	echo "starting Dovecot for $n messages ..." >&2
	dv_start "$dv"
	url=imaps://$IMAP_USER@127.0.0.1:$IMAPS_PORT/INBOX

	echo "appending $n messages to INBOX ..." >&2
	t0=${EPOCHREALTIME/./}
	python3 "$dvpy" append "$dv" INBOX "$md" >/dev/null || die "append failed"
	t1=${EPOCHREALTIME/./}
	t_append=$(secs $((t1 - t0)))
	got=$(python3 "$dvpy" count "$dv" INBOX)
	[ "$got" = "$n" ] || die "INBOX holds $got messages, not $n"

	echo "raw fetch, IMAPS and plain ($runs runs each) ..." >&2
	raw imaps "$IMAPS_PORT"
	raw_tls=$best raw_tls_rss=$rss raw_tls_cpu=$cpu
	raw plain "$IMAP_PORT"
	raw_plain=$best raw_plain_rss=$rss raw_plain_cpu=$cpu

	echo "sagi scan, cold and warm cache ($runs runs each) ..." >&2
	best='' rss=0
	for ((r = 0; r < runs; r++)); do
		rm -rf "$tmp/cache"
		sagi_scan "$tmp/cache"
		keep_best
	done
	sagi_cold=$best rss_cold[$n]=$rss sagi_cold_cpu=$cpu
	best='' rss=0
	for ((r = 0; r < runs; r++)); do
		sagi_scan "$tmp/cache"
		keep_best
	done
	sagi_warm=$best rss_warm[$n]=$rss sagi_warm_cpu=$cpu
	cache_bytes=$(du -sb "$tmp/cache" | cut -f1)
	rm -rf "$tmp/cache"
	# The same mail from the Maildir: what classifying alone costs.
	echo "sagi scan of the Maildir ($runs runs) ..." >&2
	best='' rss=0
	for ((r = 0; r < runs; r++)); do
		sagi_scan "$tmp/cache" --no-cache "$md"
		keep_best
	done
	sagi_local=$best sagi_local_rss=$rss sagi_local_cpu=$cpu
	rm -rf "$tmp/cache"

	mutt_cold='' mutt_warm='' mutt_fill='' mutt_note=''
	if [ -z "$mutt_skip" ]; then
		hc=$tmp/mutt/hc-$n
		mkdir -p "$hc"
		if ! mutt_rc "$tmp/mutt/rc-cold" "$url" || ! mutt_rc "$tmp/mutt/rc-warm" "$url" "$hc"; then
			mutt_note="password not quotable for a muttrc"
		else
			echo "mutt without and with header cache ($runs runs each) ..." >&2
			best='' rss=0
			for ((r = 0; r < runs; r++)); do
				mutt_open "$tmp/mutt/rc-cold"
				[ "$mutt_ok" = 1 ] || { mutt_note="mutt failed to load the folder"; break; }
				keep_best
			done
			[ -z "$mutt_note" ] && mutt_cold=$best mutt_cold_rss=$rss mutt_cold_cpu=$cpu
			if [ -z "$mutt_note" ]; then
				mutt_open "$tmp/mutt/rc-warm"       # fills the header cache
				if [ "$mutt_ok" = 1 ] && [ -n "$(find "$hc" -name '*.hcache' -size +0 2>/dev/null)" ]; then
					mutt_fill=$t_us
				else
					mutt_note="mutt wrote no header cache"
				fi
			fi
			if [ -z "$mutt_note" ]; then
				best='' rss=0
				for ((r = 0; r < runs; r++)); do
					mutt_open "$tmp/mutt/rc-warm"
					[ "$mutt_ok" = 1 ] || { mutt_note="mutt failed to load the folder"; break; }
					keep_best
				done
				[ -z "$mutt_note" ] && mutt_warm=$best mutt_warm_rss=$rss mutt_warm_cpu=$cpu
			fi
		fi
	fi
	dv_stop

	{
		echo
		echo "$n messages: $(mib "$mdbytes") MiB as files, $(mib "$raw_bytes") MiB as fetched (CRLF), seed $seed"
		echo "  append to INBOX (information): ${t_append}s"
		printf '  %-34s %8s %8s %7s %7s %7s\n' "" "wall s" "msgs/s" "MiB/s" "CPU s" "RSS MiB"
		row "raw fetch, one FETCH, IMAPS" "$raw_tls" "$raw_tls_rss" "$raw_tls_cpu"
		row "raw fetch, one FETCH, plain IMAP" "$raw_plain" "$raw_plain_rss" "$raw_plain_cpu"
		row "sagi scan, cold cache" "$sagi_cold" "${rss_cold[$n]}" "$sagi_cold_cpu"
		row "sagi scan, warm cache" "$sagi_warm" "${rss_warm[$n]}" "$sagi_warm_cpu"
		if [ -n "$mutt_cold" ]; then
			row "mutt open+quit, no header cache" "$mutt_cold" "$mutt_cold_rss" "$mutt_cold_cpu"
		fi
		if [ -n "$mutt_warm" ]; then
			row "mutt open+quit, header cache" "$mutt_warm" "$mutt_warm_rss" "$mutt_warm_cpu"
		fi
		row "sagi scan of the Maildir (info)" "$sagi_local" "$sagi_local_rss" "$sagi_local_cpu"
		[ -n "$mutt_warm" ] && echo "  mutt filling its header cache took $(secs "$mutt_fill")s (information)"
		[ -n "$mutt_skip" ] && echo "  mutt baseline skipped: $mutt_skip"
		[ -n "$mutt_note" ] && echo "  mutt baseline incomplete: $mutt_note"
		echo "  sagi cache on disk: $(calc "%.0f" "$cache_bytes / 1024") KiB ($(calc "%.0f" "$cache_bytes / $n") bytes a message)"
		echo "  ratios"
		r=$(ratio "$sagi_cold" "$raw_tls")
		echo "    sagi cold / raw IMAPS fetch:   ${r}x  (target <= 2: $(verdict "$r" 2))"
		if [ -n "$mutt_warm" ]; then
			r=$(ratio "$sagi_warm" "$mutt_warm")
			echo "    sagi warm / mutt warm:         ${r}x  (target <= 1: $(verdict "$r" 1))"
		else
			echo "    sagi warm / mutt warm:         n/a (no mutt figure)"
		fi
		if [ -n "$mutt_cold" ]; then
			echo "    sagi cold / mutt cold:         $(ratio "$sagi_cold" "$mutt_cold")x  (information: mutt reads headers only)"
		fi
		echo "    raw IMAPS / raw plain:         $(ratio "$raw_tls" "$raw_plain")x  (information: the cost of TLS)"
		echo "    sagi cold / sagi on Maildir:   $(ratio "$sagi_cold" "$sagi_local")x  (information: what IMAP adds to classifying)"
	} | report
done

# --- memory across sizes -----------------------------------------------------
lo=${sizes[0]} hi=${sizes[0]}
for n in "${sizes[@]}"; do
	[ "$n" -lt "$lo" ] && lo=$n
	[ "$n" -gt "$hi" ] && hi=$n
done
{
	echo
	echo "memory (max RSS of sagi scan)"
	for n in "${sizes[@]}"; do
		echo "  $n messages: cold $(kmib "${rss_cold[$n]}") MiB, warm $(kmib "${rss_warm[$n]}") MiB"
	done
	if [ "$lo" -ne "$hi" ]; then
		for w in cold warm; do
			declare -n a=rss_$w
			k=$(calc "%.2f" "(${a[$hi]} - ${a[$lo]}) / ($hi - $lo)")
			echo "  growth, $w: $k KB a message from $lo to $hi (target about 1, <= 1.5: $(verdict "$k" 1.5))"
			unset -n a
		done
	else
		echo "  growth per message: needs two sizes (--counts \"10000 50000\")"
	fi
	echo "targets are for reading the figures, never asserted; compare ratios, not absolute numbers"
	echo "results: $results"
} | report
exit 0
