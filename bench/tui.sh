#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Benchmark the interface (`sagi imap://…`) in a tmux pane against a private
# Dovecot: start-up to the first drawn index and to "all judged", cold and
# warm, against mutt opening the same folder; then the latency of `j` on a
# big folder, with tmux's own round trip measured as a baseline.  Builds
# nothing; see bench/README.md.  Prints figures and ratios; never fails on
# timing.  Exit status: 0 done, 1 sagi failed, 64 usage error, 69 tmux,
# Dovecot or another required tool is missing.

set -u
export LC_ALL=C         # '.' as decimal point in awk

usage() {
	cat <<EOF
usage: bench/tui.sh [--count N] [--keys-count N] [--presses N] [--seed S] [--runs N]
  --count N       messages for the start-up figures (default 10000)
  --keys-count N  messages for the key latency (default 50000)
  --presses N     presses of j timed one at a time (default 30)
  --seed S        generator seed (default 1)
  --runs N        timed runs per start-up figure, best one kept (default 3)
Environment: SAGI (default ./sagi), SAGI_PKGDATADIR (default: the source tree).
mutt is optional: without it the mutt baseline is skipped.
EOF
}

count=10000
keys_count=50000
presses=30
seed=1
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--count) count=${2-}; shift ;;
	--keys-count) keys_count=${2-}; shift ;;
	--presses) presses=${2-}; shift ;;
	--seed) seed=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 64 ;;
	esac
	shift || true
done
for v in "$count" "$keys_count" "$presses" "$runs"; do
	case $v in ''|*[!0-9]*) usage >&2; exit 64 ;; esac
	[ "$v" -ge 1 ] || { usage >&2; exit 64; }
done
case $seed in ''|*[!A-Za-z0-9_-]*) usage >&2; exit 64 ;; esac

prog=tui.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/out
tmp=''
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# --- tools -------------------------------------------------------------------
bench_need_base
command -v tmux >/dev/null || missing tmux "apt-get install tmux"
bench_find_sagi
bench_mutt_skip

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sagi-bench-tui.XXXXXX") || die "mktemp failed"
case $tmp in *[!A-Za-z0-9_./-]*) die "TMPDIR must be a plain path: $tmp" ;; esac
bench_setup tui

# --- the driver --------------------------------------------------------------
# One tmux control-mode client per call: a capture-pane through it costs
# under a millisecond, where forking a tmux client per poll costs about
# five, which would be the whole resolution of a key-latency figure.  The
# client is attached to session "ctl" so that it is not sent the output of
# the measured panes, which live in session "bench".  Every figure is a
# time on this clock from the moment the command was written to tmux.
cat >"$tmp/drive.py" <<'EOF'
import os, re, statistics, subprocess, sys, time

sock, tmpdir, what = sys.argv[1:4]
args = sys.argv[4:]
now = time.perf_counter


class Tmux:
    def __init__(self):
        self.p = subprocess.Popen(["tmux", "-S", sock, "-C", "attach", "-t", "ctl"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def cmd(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()
        out = None
        while True:
            s = self.p.stdout.readline()
            if not s:
                sys.exit("drive.py: the tmux control client ended")
            s = s.rstrip(b"\n")
            if out is None:
                # flags 1: the reply to a command of this client, not the
                # attach's own block
                f = s.split(b" ")
                if f[0] == b"%begin" and len(f) == 4 and f[3] == b"1":
                    out, tail = [], b" ".join(f[1:])
                continue
            if s in (b"%end " + tail, b"%error " + tail):
                if s.startswith(b"%error"):
                    sys.exit("drive.py: tmux: %s: %s" % (line, b" ".join(out).decode(errors="replace")))
                return out
            out.append(s)

    def capture(self, t, esc=False):
        return self.cmd("capture-pane -p%s -t %s" % (" -e" if esc else "", t))



tm = Tmux()
nwin = 0


def launch(script):
    """Runs sh SCRIPT RCFILE in a new 120x40 window; (target, t0, rcfile).
    The script writes the program's exit status to RCFILE: tmux 3.3a often
    reports a dead pane without its status."""
    global nwin
    nwin += 1
    name = "w%d-%d" % (os.getpid(), nwin)
    rcf = os.path.join(tmpdir, name + ".rc")
    t0 = now()
    tm.cmd("new-window -d -t bench: -n %s 'sh \"%s\" \"%s\"'" % (name, script, rcf))
    return "bench:" + name, t0, rcf


def pid_of(t):
    """The pid of the program: the only child of the pane's sh."""
    sh = int(tm.cmd("display-message -p -t %s '#{pane_pid}'" % t)[0])
    for _ in range(500):
        try:
            with open("/proc/%d/task/%d/children" % (sh, sh)) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except (OSError, ValueError):
            pass
        time.sleep(0.002)
    return 0


def status(rcf):
    try:
        with open(rcf) as f:
            return f.read().strip() or None
    except OSError:
        return None


def mem(pid):
    """(VmRSS, VmHWM) in KiB."""
    r = h = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for s in f:
                if s.startswith("VmRSS:"):
                    r = int(s.split()[1])
                elif s.startswith("VmHWM:"):
                    h = int(s.split()[1])
    except OSError:
        pass
    return r, h


def show(t, why):
    print("drive.py: %s; the screen:" % why, file=sys.stderr)
    for s in tm.capture(t):
        if s.strip():
            print("  " + s.decode(errors="replace"), file=sys.stderr)


def quit(t, rcf, key, timeout=120):
    """Sends KEY, waits for the program to exit, closes the window; its exit
    status (128 + N for signal N), or 'timeout'."""
    tm.cmd("send-keys -t %s %s" % (t, key))
    end = now() + timeout
    st = "timeout"
    while now() < end:
        s = status(rcf)
        if s is not None:
            st = s
            break
        time.sleep(0.02)
    if not st.isdigit() or int(st) & ~3:
        show(t, "after %s, exit status %s" % (key, st))
    tm.cmd("kill-window -t %s" % t)
    return st


def ready(kind, lines, n):
    if kind == "mutt":
        return any(re.search(rb"Msgs:%d[] ]" % n, s) for s in lines)
    # sagi: the title and a message row under it, the first usable screen.
    # The listing may still go on: sagi draws rows as the headers arrive,
    # where mutt draws nothing before all are in.
    if len(lines) < 2 or not re.search(rb"suspicious +\d+ +\d+/\d+(\s|$)", lines[0]):
        return False
    row = lines[1].strip()
    return row != b"" and row != b"no messages"


def judged(lines, n):
    return bool(lines) and re.search(rb"suspicious +\d+ +%d/%d(\s|$)" % (n, n),
                                     lines[0]) is not None


def startup(kind, n, script, poll, need_all, timeout=1800):
    """Polls every POLL s until the first drawn index (and, with NEED_ALL,
    until all judged); leaves the window open.  A dict of figures."""
    t, t0, rcf = launch(script)
    pid = pid_of(t)
    r = {"target": t, "pid": pid, "rcf": rcf, "t0": t0}
    i = 0
    while True:
        lines = tm.capture(t)
        dt = now() - t0
        if "first" not in r and ready(kind, lines, n):
            r["first"] = dt
            r["rss_first"], _ = mem(pid)
        if "first" in r and (not need_all or judged(lines, n)):
            if need_all:
                r["all"] = dt
            r["rss"], r["hwm"] = mem(pid)
            return r
        i += 1
        if i % 10 == 0 and status(rcf) is not None:
            show(t, "%s exited before its index was drawn" % kind)
            r["fail"] = "exited"
            return r
        if dt > timeout:
            show(t, "%s: no index after %d s" % (kind, timeout))
            r["fail"] = "timeout"
            return r
        time.sleep(poll)


SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def selected(lines):
    """(row, text) of the row drawn in reverse video: the first line of the
    list whose leading SGR sequences set attribute 7."""
    for i, s in enumerate(lines[1:-1], 1):
        m = re.match(rb"(?:\x1b\[[0-9;]*m)+", s)
        if m and any(b"7" in c.split(b";") for c in SGR.findall(m.group(0))):
            return i, SGR.sub(b"", s)
    return None


def settle(t, quiet=0.3, timeout=30):
    """Waits until the screen has not changed for QUIET s."""
    last = tm.capture(t, True)
    since = now()
    end = since + timeout
    while now() < end:
        time.sleep(0.02)
        cur = tm.capture(t, True)
        if cur != last:
            last, since = cur, now()
        elif now() - since >= quiet:
            break
    return last


def press(t, key, done, poll=0.001, timeout=10):
    """Sends KEY; seconds until DONE(screen) holds, or None."""
    t0 = now()
    tm.cmd("send-keys -t %s %s" % (t, key))
    end = t0 + timeout
    while True:
        lines = tm.capture(t, True)
        dt = now() - t0
        if done(lines):
            return dt, lines
        if dt > timeout:
            return None, lines
        time.sleep(poll)


def emit(k, v):
    print(k, v)


def ms_list(xs):
    return ",".join("%.2f" % (x * 1000) for x in xs)


def script(name, body):
    p = os.path.join(tmpdir, name)
    with open(p, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    return p


if what == "startup":
    # startup KIND N SCRIPT [first]: one start-up (sagi: until all judged,
    # unless "first"), then quit (q) and the exit status
    kind, n, sc = args[0], int(args[1]), args[2]
    r = startup(kind, n, sc, 0.01, kind == "sagi" and args[3:] != ["first"])
    st = quit(r["target"], r["rcf"], "q") if "fail" not in r else "fail"
    if kind == "sagi" and st != "0":
        # sagi's exit bits 1 and 2 say what it found
        st = "0" if st.isdigit() and int(st) & ~3 == 0 else st
    emit("status", "%s" % (r.get("fail") or ("ok" if st == "0" else "exit-" + st)))
    for k in ("first", "all"):
        if k in r:
            emit(k, "%.0f" % (r[k] * 1e6))
    for k in ("rss_first", "rss", "hwm"):
        if k in r:
            emit(k, r[k])

elif what == "pane":
    # pane: how long a pane takes to show a line printed at once, polled
    # as the start-ups are (the floor of every start-up figure)
    sc = script("pane.sh", "printf 'ready\\n'\nexec sleep 600")
    t, t0, _ = launch(sc)
    while True:
        lines = tm.capture(t)
        dt = now() - t0
        if lines and lines[0].startswith(b"ready"):
            break
        if dt > 30:
            sys.exit("drive.py: the baseline pane never showed its line")
        time.sleep(0.01)
    tm.cmd("kill-window -t %s" % t)
    emit("first", "%.0f" % (dt * 1e6))

elif what == "keys":
    # keys N PRESSES SCRIPT: sagi on N messages; a few presses of j while it
    # classifies; once all is judged, PRESSES times j, one at a time, then
    # other keys once each; and the same key round trip through a pane
    # running cat, the baseline.
    n, presses, sc = int(args[0]), int(args[1]), args[2]
    r = startup("sagi", n, sc, 0.05, False)
    if "fail" in r:
        emit("status", r["fail"])
        sys.exit(0)
    t = r["target"]
    emit("first", "%.0f" % (r["first"] * 1e6))

    def step(lines):
        """One j; (seconds, screen, "row->row", captures on the way that
        showed the reverse-video row somewhere else)."""
        before = selected(lines)
        if before is None:
            show(t, "no row in reverse video")
            emit("status", "no-selection")
            sys.exit(0)
        bottom = len(lines) - 2
        odd = []

        def done(ls):
            # the next row is in reverse video; on the last row the list
            # scrolls instead.  Not the row's text alone: verdicts fill rows
            # in.  A capture may catch a redraw halfway: noted, not taken.
            a = selected(ls)
            if a is None or a == before:
                return False
            if a[0] == before[0] + 1 or (before[0] == bottom and a[0] == bottom):
                return True
            odd.append(a[0])
            return False
        dt, lines = press(t, "j", done)
        if dt is None:
            show(t, "j did not move the selection to the next row in 10 s")
            emit("status", "j-timeout")
            sys.exit(0)
        how = "%d->%d" % (before[0], selected(lines)[0])
        if odd:
            how += "(via %s)" % ",".join(str(x) for x in sorted(set(odd)))
        return dt, lines, how

    busy, rows = [], []
    lines = tm.capture(t, True)
    for _ in range(10):
        if judged([SGR.sub(b"", lines[0])], n):
            break
        dt, lines, how = step(lines)
        busy.append(dt)
        rows.append(how)
        time.sleep(0.2)
    emit("busy", ms_list(busy))
    emit("busy_rows", " ".join(rows))
    while True:
        lines = tm.capture(t)
        dt = now() - r["t0"]
        if judged(lines, n):
            break
        if status(r["rcf"]) is not None or dt > 1800:
            show(t, "sagi never judged all %d messages" % n)
            emit("status", "not-judged")
            sys.exit(0)
        time.sleep(0.05)
    emit("all", "%.0f" % (dt * 1e6))
    rss, hwm = mem(r["pid"])
    emit("rss", rss)
    emit("hwm", hwm)
    tm.cmd("send-keys -t %s Home" % t)
    lines = settle(t)
    emit("rss_settled", mem(r["pid"])[0])

    # the capture round trip on the idle screen
    rt = []
    for _ in range(200):
        t0 = now()
        tm.capture(t, True)
        rt.append(now() - t0)
    emit("capture", ms_list(rt))

    lat, rows = [], []
    for _ in range(presses):
        dt, lines, how = step(lines)
        lat.append(dt)
        rows.append(how)
        # one key at a time: let the pane go idle before the next
        time.sleep(0.05)
        lines = settle(t, 0.05)
    emit("j", ms_list(lat))
    emit("odd", sum(1 for h in rows if "via" in h))
    emit("rows", " ".join(rows))

    # other keys, once each (information): to the first change of the
    # screen, and to the last change before it stayed still for 0.3 s
    other = []
    for key in ("End", "Home", "PageDown", "O", "o", "l", "l"):
        before = settle(t, 0.3)
        t0 = now()
        dt, cur = press(t, key, lambda ls: ls != before, timeout=30)
        if dt is None:
            other.append("%s=timeout" % key)
            continue
        last, since = t0 + dt, now()
        while now() - since < 0.3:
            time.sleep(0.001)
            ls = tm.capture(t, True)
            if ls != cur:
                cur, last, since = ls, now(), now()
        other.append("%s=%.1f/%.1f" % (key, dt * 1000, (last - t0) * 1000))
    emit("other", " ".join(other))
    emit("rss_end", mem(r["pid"])[0])
    st = quit(t, r["rcf"], "q")
    emit("status", "ok" if st.isdigit() and int(st) & ~3 == 0 else "exit-" + st)

    # baseline: the same send-keys/capture round trip to a pane whose
    # program (cat, raw mode) echoes each key at once
    bsc = script("cat.sh", "stty raw -echo\nexec cat")
    b, _, _ = launch(bsc)
    time.sleep(0.3)
    base = []
    for i in range(presses):
        dt, _ = press(b, "x", lambda ls, i=i: bool(ls) and ls[0].count(b"x") > i)
        if dt is None:
            show(b, "the baseline pane did not echo")
            break
        base.append(dt)
        time.sleep(0.05)
    tm.cmd("kill-window -t %s" % b)
    emit("base", ms_list(base))
else:
    sys.exit("drive.py: unknown command " + what)
EOF

# drive WHAT ARGS...: runs the driver; its "key value" lines into D.
declare -A D
drive() {
	local k v
	D=()
	python3 "$tmp/drive.py" "$tsock" "$tmp" "$@" >"$tmp/drive.out" || die "drive.py $1 failed"
	while read -r k v; do D[$k]=$v; done <"$tmp/drive.out"
}

shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# What tmux emulates: with another TERM, keys such as Home arrive in a form
# the program's terminfo does not know.
term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen

# sagi_script FILE CACHE: the pane's program, sagi on $url with XDG_CACHE_HOME
# CACHE; the script's argument is where to write sagi's exit status.
sagi_script() {
	{
		echo '#!/bin/sh'
		echo "env HOME=$(shq "$tmp/home") XDG_CACHE_HOME=$(shq "$2")" \
		    "XDG_CONFIG_HOME=$(shq "$tmp/xdg/config") XDG_STATE_HOME=$(shq "$tmp/xdg/state")" \
		    "LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$term" \
		    "$(shq "$sagi") $(shq "$url") --tls starttls --tls-ca-file $(shq "$CA_FILE")" \
		    "--password-cmd $(shq "cat $(shq "$IMAP_PASSWORD_FILE")")" \
		    "--authserv-id mx.example.jp"
		# shellcheck disable=SC2016  # for the script, not for here
		echo 'echo $? >"$1"'
	} >"$1"
}

# mutt_script FILE MUTTRC: the same for mutt.
mutt_script() {
	{
		echo '#!/bin/sh'
		echo "env HOME=$(shq "$tmp/mutt/home") LANG=C.UTF-8 LC_ALL=C.UTF-8" \
		    "TERM=$term mutt -n -F $(shq "$2") -f $(shq "$url")"
		# shellcheck disable=SC2016  # for the script, not for here
		echo 'echo $? >"$1"'
	} >"$1"
}

# fold NAME: keeps the smallest D[first] and D[all] and the largest RSS of
# the runs so far in best_NAME_first, best_NAME_all, best_NAME_rss.
fold() {
	local k v
	for k in first all; do
		v=${D[$k]-}
		[ -n "$v" ] || continue
		declare -n b=best_${1}_$k
		if [ -z "$b" ] || [ "$v" -lt "$b" ]; then b=$v; fi
		unset -n b
	done
	declare -n b=best_${1}_rss
	[ "${D[rss]:-0}" -gt "${b:-0}" ] && b=${D[rss]}
	unset -n b
}

# start_server N: a fresh Dovecot in $tmp/dv-N holding N generated
# messages in INBOX; url is set.
start_server() {
	local md got t0 t1
	md=$(maildir "$1") || exit 1
	echo "starting Dovecot for $1 messages ..." >&2
	dv_start "$tmp/dv-$1"
	url=imap://$IMAP_USER@127.0.0.1:$IMAP_PORT/INBOX
	echo "appending $1 messages to INBOX ..." >&2
	t0=${EPOCHREALTIME/./}
	python3 "$dvpy" append "$tmp/dv-$1" INBOX "$md" >/dev/null || die "append failed"
	t1=${EPOCHREALTIME/./}
	t_append=$(secs $((t1 - t0)))
	got=$(python3 "$dvpy" count "$tmp/dv-$1" INBOX)
	[ "$got" = "$1" ] || die "INBOX holds $got messages, not $1"
}

# stats "MS,MS,...": "median worst" in ms.
stats() {
	tr ',' '\n' <<<"$1" | sort -g | awk '{ a[NR] = $1 }
	    END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
	          printf "%.1f %.1f\n", m, a[NR] }'
}
# minus "MS,..." B: each figure minus B, not below 0, comma-separated.
minus() {
	tr ',' '\n' <<<"$1" | awk -v b="$2" '{ d = $1 - b; if (d < 0) d = 0
	    printf "%s%.2f", (NR > 1 ? "," : ""), d }'
}

# --- the tmux server ---------------------------------------------------------
mkdir -p "$tmp/home" "$tmp/xdg/config" "$tmp/xdg/state" "$tmp/mutt/home"
# Not window-size manual: tmux 3.3a crashes creating the second session.
if ! { tmux -S "$tsock" -f /dev/null new-session -d -s ctl -x 120 -y 40 'sleep 86400' &&
    tmux -S "$tsock" set -g remain-on-exit on >/dev/null &&
    tmux -S "$tsock" set -g default-size 120x40 >/dev/null &&
    tmux -S "$tsock" new-session -d -s bench -x 120 -y 40 'sleep 86400'; }; then
	die "tmux did not start"
fi

ncpu=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ver=$("$sagi" --version 2>/dev/null | head -n 1)
dvver=$(dovecot --version 2>/dev/null | cut -d' ' -f1)
muttver=''
[ -z "$mutt_skip" ] && muttver=$(mutt -v 2>/dev/null | head -n 1 | cut -d' ' -f2)
{
	echo "sagi interface benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ), $ncpu CPUs${cpu:+ ($cpu)}"
	echo "sagi: ${ver:-?} ($sagi); Dovecot ${dvver:-?} on 127.0.0.1, STARTTLS; mutt ${muttver:-skipped: $mutt_skip}; $(tmux -V), 120x40 panes"
	echo "start-up: best of $runs runs, screen polled every 10 ms; keys: $presses presses of j, polled every 1 ms"
} | report

# mutt_prepare: muttrcs and pane scripts for the server just started
# (without and with the header cache $tmp/mutt/hc-N, emptied); mutt_note
# says why the baseline cannot run, if it cannot.
mutt_prepare() {
	[ -z "$mutt_skip" ] || return 0
	hc=$tmp/mutt/hc-$n
	rm -rf "$hc"
	mkdir -p "$hc"
	if ! mutt_rc "$tmp/mutt/rc-cold" "$url" || ! mutt_rc "$tmp/mutt/rc-warm" "$url" "$hc"; then
		mutt_note="password not quotable for a muttrc"
		return 0
	fi
	mutt_script "$tmp/mutt-cold.sh" "$tmp/mutt/rc-cold"
	mutt_script "$tmp/mutt-warm.sh" "$tmp/mutt/rc-warm"
}

# warm_up: one untimed sagi (quit at its first row) and one untimed mutt
# on the fresh server.  The first client after the append pays for Dovecot
# parsing every message file and building its own index cache, and
# whichever program came first would carry that.
warm_up() {
	echo "warming up Dovecot (one untimed run of each program) ..." >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	drive startup sagi "$n" "$tmp/sagi.sh" first
	[ "${D[status]-}" = ok ] || die "sagi failed (${D[status]-no status}) on $n messages"
	warm_sagi=${D[first]}
	rm -rf "$cache"
	mkdir -p "$cache"
	if [ -z "$mutt_skip" ] && [ -z "$mutt_note" ]; then
		drive startup mutt "$n" "$tmp/mutt-cold.sh"
		[ "${D[status]-}" = ok ] || mutt_note="mutt failed (${D[status]-})"
	fi
}

# --- start-up ----------------------------------------------------------------
n=$count
start_server "$n"
cache=$tmp/cache
sagi_script "$tmp/sagi.sh" "$cache"
mutt_note='' mutt_fill=''
mutt_prepare
warm_up
best_cold_first='' best_cold_all='' best_cold_rss=0
best_warm_first='' best_warm_all='' best_warm_rss=0
echo "sagi, cold and warm cache ($runs runs each) ..." >&2
for ((r = 0; r < runs; r++)); do
	rm -rf "$cache"
	mkdir -p "$cache"
	drive startup sagi "$n" "$tmp/sagi.sh"
	[ "${D[status]-}" = ok ] || die "sagi failed (${D[status]-no status}) on $n messages, cold"
	fold cold
done
for ((r = 0; r < runs; r++)); do
	drive startup sagi "$n" "$tmp/sagi.sh"
	[ "${D[status]-}" = ok ] || die "sagi failed (${D[status]-no status}) on $n messages, warm"
	fold warm
done
cache_bytes=$(du -sb "$cache" | cut -f1)

best_mcold_first='' best_mcold_rss=0
best_mwarm_first='' best_mwarm_rss=0
if [ -z "$mutt_skip" ] && [ -z "$mutt_note" ]; then
	echo "mutt without and with header cache ($runs runs each) ..." >&2
	for ((r = 0; r < runs; r++)); do
		drive startup mutt "$n" "$tmp/mutt-cold.sh"
		[ "${D[status]-}" = ok ] || { mutt_note="mutt failed (${D[status]-})"; break; }
		fold mcold
	done
	if [ -z "$mutt_note" ]; then
		drive startup mutt "$n" "$tmp/mutt-warm.sh"      # fills the cache
		if [ "${D[status]-}" = ok ] && [ -n "$(find "$hc" -name '*.hcache' -size +0 2>/dev/null)" ]; then
			mutt_fill=${D[first]}
		else
			mutt_note="mutt wrote no header cache"
		fi
	fi
	if [ -z "$mutt_note" ]; then
		for ((r = 0; r < runs; r++)); do
			drive startup mutt "$n" "$tmp/mutt-warm.sh"
			[ "${D[status]-}" = ok ] || { mutt_note="mutt failed (${D[status]-})"; break; }
			fold mwarm
		done
	fi
fi
best_pane=''
for ((r = 0; r < runs; r++)); do
	drive pane
	if [ -z "$best_pane" ] || [ "${D[first]}" -lt "$best_pane" ]; then best_pane=${D[first]}; fi
done
[ "$keys_count" -ne "$n" ] && dv_stop

# row LABEL FIRST ALL RSS-KB
row() {
	printf '  %-40s %10s %10s %8s\n' "$1" "$(secs "$2")" "${3:+$(secs "$3")}" "${4:+$(kmib "$4")}"
}
{
	echo
	echo "start-up, $n messages (seed $seed), seconds from new-window to the screen"
	echo "  append to INBOX took ${t_append}s; sagi's first row as the first client after it: $(secs "$warm_sagi")s (information)"
	printf '  %-40s %10s %10s %8s\n' "" "first row" "all judged" "RSS MiB"
	row "sagi, cold (empty XDG_CACHE_HOME)" "$best_cold_first" "$best_cold_all" "$best_cold_rss"
	row "sagi, warm (cache filled)" "$best_warm_first" "$best_warm_all" "$best_warm_rss"
	[ -n "$best_mcold_first" ] && row "mutt, no header cache" "$best_mcold_first" "" "$best_mcold_rss"
	[ -n "$best_mwarm_first" ] && row "mutt, header cache" "$best_mwarm_first" "" "$best_mwarm_rss"
	row "tmux pane start + poll (baseline)" "$best_pane" "" ""
	[ -n "$mutt_fill" ] && echo "  mutt filling its header cache: $(secs "$mutt_fill")s to its index (information)"
	[ -n "$mutt_skip" ] && echo "  mutt baseline skipped: $mutt_skip"
	[ -n "$mutt_note" ] && echo "  mutt baseline incomplete: $mutt_note"
	echo "  sagi cache on disk: $(calc "%.0f" "$cache_bytes / 1024") KiB; RSS is sagi's when all is judged, mutt's at its index"
	echo "  ratios (first drawn index)"
	if [ -n "$best_mcold_first" ]; then
		x=$(ratio "$best_cold_first" "$best_mcold_first")
		echo "    sagi cold / mutt cold:            ${x}x  (target <= 1: $(verdict "$x" 1))"
	else
		echo "    sagi cold / mutt cold:            n/a (no mutt figure)"
	fi
	if [ -n "$best_mwarm_first" ]; then
		x=$(ratio "$best_warm_first" "$best_mwarm_first")
		echo "    sagi warm / mutt warm:            ${x}x  (target <= 1: $(verdict "$x" 1))"
		echo "    sagi warm all judged / mutt warm: $(ratio "$best_warm_all" "$best_mwarm_first")x  (information)"
	else
		echo "    sagi warm / mutt warm:            n/a (no mutt figure)"
	fi
	[ -n "$best_mcold_first" ] &&
	    echo "    sagi cold all judged / mutt cold: $(ratio "$best_cold_all" "$best_mcold_first")x  (information: sagi fetches and classifies every message)"
} | report

# --- key latency -------------------------------------------------------------
keys_mutt=''
if [ "$keys_count" -ne "$count" ]; then
	n=$keys_count
	start_server "$n"
	sagi_script "$tmp/sagi.sh" "$cache"
	mutt_note=''
	mutt_prepare
	warm_up
	# mutt at this size too, for the first row (information)
	if [ -z "$mutt_skip" ] && [ -z "$mutt_note" ]; then
		drive startup mutt "$n" "$tmp/mutt-cold.sh"
		[ "${D[status]-}" = ok ] && keys_mutt=${D[first]} keys_mutt_rss=${D[rss]}
	fi
else
	keys_mutt=$best_mcold_first keys_mutt_rss=$best_mcold_rss
fi
rm -rf "$cache"
mkdir -p "$cache"
echo "sagi on $n messages until all judged, then $presses presses of j ..." >&2
drive keys "$n" "$presses" "$tmp/sagi.sh"
[ "${D[status]-}" = ok ] || die "sagi failed (${D[status]-no status}) on $n messages"
dv_stop
[ -n "${D[base]-}" ] || die "the baseline pane (cat) did not echo its keys"
read -r cap_med _ <<<"$(stats "${D[capture]}")"
read -r base_med base_max <<<"$(stats "${D[base]}")"
read -r j_med j_max <<<"$(stats "${D[j]}")"
read -r s_med s_max <<<"$(stats "$(minus "${D[j]}" "$base_med")")"
{
	echo
	echo "key latency, $n messages (seed $seed), 120x40, after all judged"
	[ "$n" -ne "$count" ] && echo "  append to INBOX took ${t_append}s (information)"
	echo "  sagi, cold: first row $(secs "${D[first]}")s, all judged $(secs "${D[all]}")s (polled every 50 ms)"
	[ -n "$keys_mutt" ] &&
	    echo "  mutt, no header cache: first row $(secs "$keys_mutt")s, RSS $(kmib "$keys_mutt_rss") MiB; sagi/mutt $(ratio "${D[first]}" "$keys_mutt")x (information)"
	echo "  sagi RSS when all judged $(kmib "${D[rss]}") MiB (peak $(kmib "${D[hwm]}") MiB), idle $(kmib "${D[rss_settled]}") MiB, after the keys $(kmib "${D[rss_end]}") MiB"
	printf '  %-44s %8s %8s\n' "" "median" "worst"
	printf '  %-44s %8s %8s\n' "j, send-keys to the next row drawn (ms)" "$j_med" "$j_max"
	printf '  %-44s %8s %8s\n' "j, minus the baseline's median (ms)" "$s_med" "$s_max"
	printf '  %-44s %8s %8s\n' "baseline: key echoed by cat in a pane (ms)" "$base_med" "$base_max"
	printf '  %-44s %8s\n' "one capture-pane round trip (ms)" "$cap_med"
	if [ "${D[odd]}" -gt 0 ]; then
		echo "  on ${D[odd]} presses a capture caught the reverse-video row elsewhere on the way:"
		echo "    ${D[rows]}"
	fi
	echo "  target < 50 ms, baseline subtracted: median $(verdict "$s_med" 49.999), worst $(verdict "$s_max" 49.999)"
	echo "  j, each press (ms): ${D[j]//,/ }"
	if [ -n "${D[busy]-}" ]; then
		read -r b_med b_max <<<"$(stats "${D[busy]}")"
		echo "  j while sagi was still classifying (information): median $b_med ms, worst $b_max ms"
		echo "    each press (ms): ${D[busy]//,/ }"
		echo "    rows: ${D[busy_rows]}"
	fi
	echo "  other keys, once each, ms to the first/last change of the screen (information):"
	echo "    ${D[other]}"
	echo "targets are for reading the figures, never asserted; compare ratios, not absolute numbers"
	echo "results: $results"
} | report
exit 0
