#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Benchmark `sagi scan` on a generated Maildir against SpamAssassin (spamd)
# on the same machine in the same run.  Builds nothing; see bench/README.md.
# Prints figures and ratios; never fails on timing.  Exit status: 0 done,
# 1 sagi failed, 64 usage error, 69 a required tool is missing.

set -u
export LC_ALL=C         # '.' as decimal point in EPOCHREALTIME and awk

usage() {
	cat <<EOF
usage: bench/scan.sh [--count N] [--sa-sample N] [--seed S] [--runs N]
  --count N      messages in the generated Maildir (default 10000)
  --sa-sample N  messages given to SpamAssassin; its rate is extrapolated
                 (default 200; 0 skips the baseline)
  --seed S       generator seed (default 1)
  --runs N       timed runs per sagi figure, best one kept (default 3)
Environment: SAGI (default ./sagi), SAGI_PKGDATADIR (default: the source tree).
EOF
}

count=10000
sa_sample=200
seed=1
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--count) count=${2-}; shift ;;
	--sa-sample) sa_sample=${2-}; shift ;;
	--seed) seed=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 64 ;;
	esac
	shift || true
done
for v in "$count" "$sa_sample" "$runs"; do
	case $v in ''|*[!0-9]*) usage >&2; exit 64 ;; esac
done
case $seed in ''|*[!A-Za-z0-9_-]*) usage >&2; exit 64 ;; esac
if [ "$count" -lt 1 ] || [ "$runs" -lt 1 ]; then usage >&2; exit 64; fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/out

die() { echo "scan.sh: $*" >&2; exit "${rc_die:-1}"; }
missing() { rc_die=69 die "$1 not found: $2"; }

# --- tools -------------------------------------------------------------------
[ "${BASH_VERSINFO[0]}" -ge 5 ] || missing "bash >= 5" "EPOCHREALTIME is needed"
command -v python3 >/dev/null || missing python3 "apt-get install python3"
/usr/bin/time --version 2>&1 | grep -q GNU || missing "GNU time (/usr/bin/time)" "apt-get install time"
if [ "$sa_sample" -gt 0 ]; then
	command -v spamassassin >/dev/null || missing spamassassin "apt-get install spamassassin"
	command -v spamc >/dev/null || missing spamc "apt-get install spamc"
fi
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
	export SAGI_PKGDATADIR=$top     # uninstalled: the tree's rule packs
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sagi-bench.XXXXXX") || die "mktemp failed"
spamd_pid=''
# shellcheck disable=SC2317  # called from the traps
cleanup() {
	if [ -n "$spamd_pid" ]; then
		kill "$spamd_pid" 2>/dev/null
		wait "$spamd_pid" 2>/dev/null
		spamd_pid=''
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# --- the mail ----------------------------------------------------------------
gen=$here/gen-maildir.py
genhash=$(sha256sum "$gen" | cut -c1-16)

# maildir COUNT: path of the cached Maildir, generated when the stamp (count,
# seed, generator hash) does not match.
maildir() {
	local md=$out/maildir-$1-s$seed
	if ! grep -q "^count=$1 seed=$seed generator=$genhash " "$md/bench-stamp" 2>/dev/null; then
		rm -rf "$md"
		mkdir -p "$out"
		echo "generating $1 messages into $md ..." >&2
		python3 "$gen" --count "$1" --seed "$seed" --out "$md" >&2 ||
		    die "gen-maildir.py failed"
	fi
	echo "$md"
}
stampval() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$1/bench-stamp"; }

md=$(maildir "$count") || exit 1
bytes=$(stampval "$md" bytes)
md1k=
if [ "$count" -gt 1000 ]; then
	md1k=$(maildir 1000) || exit 1
fi

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
mib() { calc "%.1f" "$1 / 1048576"; }    # bytes -> MiB
kmib() { calc "%.1f" "$1 / 1024"; }        # KiB (GNU time) -> MiB

# --- sagi --------------------------------------------------------------------
# Options every sagi run gets: Japanese explanations (the main audience) and
# the generated mail's trusted receiver.
sagi_opts=(--lang ja --authserv-id mx.example.jp)

# time_sagi DIR [ARGS...]: best wall time (s) of $runs runs and the largest
# max RSS (KB) seen, into $best and $rss.
time_sagi() {
	local dir=$1 r t0 t1 us rc k
	shift
	best='' rss=0
	for ((r = 0; r < runs; r++)); do
		t0=${EPOCHREALTIME/./}
		timeout 1800 /usr/bin/time -v -o "$tmp/time" \
		    "$sagi" scan "${sagi_opts[@]}" "$@" "$dir" >/dev/null 2>"$tmp/err"
		rc=$?
		t1=${EPOCHREALTIME/./}
		# Bits 1 and 2 report what was found; anything else is a failure
		# (bit 3: a generated message could not be read).
		if [ $((rc & ~3)) -ne 0 ]; then
			echo "scan.sh: sagi scan $* $dir exited $rc:" >&2
			head -n 20 "$tmp/err" >&2
			exit 1
		fi
		us=$((t1 - t0))
		if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
		k=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
		[ "${k:-0}" -gt "$rss" ] && rss=$k
	done
	best=$(calc "%.3f" "$best / 1e6")
}

ncpu=$(nproc)
echo "warm-up and sanity run (sagi scan --json) ..." >&2
"$sagi" scan --json "${sagi_opts[@]}" "$md" >"$tmp/scan.jsonl" 2>"$tmp/err"
rc=$?
if [ $((rc & ~3)) -ne 0 ]; then
	echo "scan.sh: sagi scan --json exited $rc:" >&2
	head -n 20 "$tmp/err" >&2
	exit 1
fi
sanity=$(python3 - "$tmp/scan.jsonl" "$md/bench-labels.tsv" <<'EOF'
import json, sys
labels = {}
for line in open(sys.argv[2], encoding="utf-8"):
    path, label, _ = line.rstrip("\n").split("\t")
    labels[path] = label
n = err = bad = 0
# label -> [messages, phish verdicts, suspicious verdicts]
seen = {"phish": [0, 0, 0], "ham": [0, 0, 0]}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        v = json.loads(line)
    except ValueError:
        bad += 1
        continue
    n += 1
    if "error" in v:
        err += 1
        continue
    lab = labels.get("/".join(v.get("path", "").split("/")[-2:]))
    if lab:
        seen[lab][0] += 1
        seen[lab][1] += v.get("level") == "phish"
        seen[lab][2] += v.get("level") == "suspicious"
p, h = seen["phish"], seen["ham"]
print("%d results (%d errors, %d unparsable lines); phish-style mail: %d phish + %d "
      "suspicious of %d; ham: %d phish + %d suspicious of %d"
      % (n, err, bad, p[1], p[2], p[0], h[1], h[2], h[0]))
EOF
)

echo "timing sagi scan --jobs 1 ($runs runs) ..." >&2
time_sagi "$md" --jobs 1
s1=$best rss_n=$rss
echo "timing sagi scan, default jobs ($runs runs) ..." >&2
time_sagi "$md"
sd=$best rss_d=$rss
rss_1k=
if [ -n "$md1k" ]; then
	echo "memory: sagi scan --jobs 1 on 1000 messages ..." >&2
	time_sagi "$md1k" --jobs 1
	rss_1k=$rss
fi

# --- SpamAssassin ------------------------------------------------------------
sa_mode='' sa_seq='' sa_par='' sa_n=0 sa_verdicts=''
children=2
if [ "$sa_sample" -gt 0 ]; then
	# An evenly spread sample, so that it has the corpus's share of phish.
	python3 - "$md/bench-labels.tsv" "$sa_sample" "$md" >"$tmp/sample" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
k = min(int(sys.argv[2]), len(rows))
for j in range(k):
    path, label, _ = rows[j * len(rows) // k]
    print("%s/%s\t%s" % (sys.argv[3], path, label))
EOF
	if command -v spamd >/dev/null; then
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		# -L: no network tests; -x: no per-user config; log to a file.
		# HOME (and, as root, spamc -u nobody): SpamAssassin's state
		# directory goes to $tmp, not into anyone's home.
		mkdir -p "$tmp/home"
		spamc_user=()
		if [ "$(id -u)" -eq 0 ]; then spamc_user=(-u nobody); fi
		HOME=$tmp/home spamd --listen "127.0.0.1:$port" -L -x --max-children "$children" \
		    --pidfile "$tmp/spamd.pid" -s "$tmp/spamd.log" >/dev/null 2>&1 &
		spamd_pid=$!
		echo "starting spamd on 127.0.0.1:$port ..." >&2
		for ((w = 0; w < 240; w++)); do
			spamc -d 127.0.0.1 -p "$port" -K >/dev/null 2>&1 && { sa_mode=spamd; break; }
			kill -0 "$spamd_pid" 2>/dev/null || break
			sleep 0.5
		done
		if [ "$sa_mode" != spamd ]; then
			echo "scan.sh: spamd did not start; falling back to spamassassin -L -t" >&2
			kill "$spamd_pid" 2>/dev/null; wait "$spamd_pid" 2>/dev/null
			spamd_pid=''
		fi
	fi
	if [ "$sa_mode" = spamd ]; then
		check() { spamc -x -t 60 "${spamc_user[@]}" -d 127.0.0.1 -p "$port" -c <"$1" >/dev/null; }
	else
		sa_mode=spamassassin
		# One perl start-up per message: keep the sample small.
		[ "$sa_sample" -gt 50 ] && head -n 50 "$tmp/sample" >"$tmp/s" && mv "$tmp/s" "$tmp/sample"
		# HOME: keep its Bayes and prefs files out of the user's home.
		mkdir -p "$tmp/home"
		check() { HOME=$tmp/home spamassassin -L -x -t <"$1" >/dev/null; }
	fi
	# sa_pass LIST RESULT: check every message in LIST; one "label rc" line
	# per message into RESULT (rc 0 ham, 1 spam, other: error).
	sa_pass() {
		local f lab
		while IFS=$'\t' read -r f lab; do
			check "$f"
			echo "$lab $?"
		done <"$1" >"$2"
	}
	# Warm both children up (first use loads per-child state).
	head -n 4 "$tmp/sample" >"$tmp/warm"; sa_pass "$tmp/warm" "$tmp/r.warm"
	sa_n=$(wc -l <"$tmp/sample")
	echo "timing $sa_mode on $sa_n messages, 1 client ..." >&2
	t0=${EPOCHREALTIME/./}
	sa_pass "$tmp/sample" "$tmp/r.seq"
	t1=${EPOCHREALTIME/./}
	ok=$(awk '$2 == 0 || $2 == 1' "$tmp/r.seq" | wc -l)
	[ "$ok" -gt 0 ] || die "$sa_mode checked no message (see $tmp)"
	sa_seq=$(calc "%.2f" "$ok / (($t1 - $t0) / 1e6)")
	sa_verdicts=$(awk '$2 == 1 { s[$1]++ } { n[$1]++ }
	    END { printf "%d of %d phish-style and %d of %d ham", s["phish"], n["phish"], s["ham"], n["ham"] }' "$tmp/r.seq")
	if [ "$sa_mode" = spamd ]; then
		echo "timing spamd on $sa_n messages, $children clients ..." >&2
		split -n "r/$children" "$tmp/sample" "$tmp/part."
		t0=${EPOCHREALTIME/./}
		pids=()
		for p in "$tmp"/part.*; do
			sa_pass "$p" "$p.r" &
			pids+=($!)
		done
		wait "${pids[@]}"
		t1=${EPOCHREALTIME/./}
		ok=$(cat "$tmp"/part.*.r | awk '$2 == 0 || $2 == 1' | wc -l)
		sa_par=$(calc "%.2f" "$ok / (($t1 - $t0) / 1e6)")
		kill "$spamd_pid" 2>/dev/null; wait "$spamd_pid" 2>/dev/null
		spamd_pid=''
	fi
fi

# --- report ------------------------------------------------------------------
rate() { calc "%.0f" "$1 / $2"; }
r1=$(rate "$count" "$s1") rd=$(rate "$count" "$sd")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ver=$("$sagi" --version 2>/dev/null | head -n 1)
echo
echo "sagi scan benchmark: $count messages, $(mib "$bytes") MiB (seed $seed), $ncpu CPUs${cpu:+ ($cpu)}"
echo "sagi: ${ver:-?} ($sagi); timings are the best of $runs runs"
printf '  %-30s %8ss %9s msgs/s %7s MiB/s   max RSS %s MiB\n' \
    "sagi scan --jobs 1" "$s1" "$r1" "$(calc "%.1f" "$bytes / 1048576 / $s1")" "$(kmib "$rss_n")"
printf '  %-30s %8ss %9s msgs/s %7s MiB/s   max RSS %s MiB\n' \
    "sagi scan (default: $ncpu jobs)" "$sd" "$rd" "$(calc "%.1f" "$bytes / 1048576 / $sd")" "$(kmib "$rss_d")"
if [ -n "$sa_mode" ]; then
	sav=$(spamassassin --version 2>/dev/null | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1)
	if [ "$sa_mode" = spamd ]; then
		echo "baseline: SpamAssassin ${sav:-?} spamd -L, $children children, spamc per message, sample of $sa_n"
		printf '  %-30s %9s msgs/s   (%s s extrapolated to %d messages)\n' \
		    "spamd, 1 client" "$sa_seq" "$(calc "%.0f" "$count / $sa_seq")" "$count"
		printf '  %-30s %9s msgs/s   (%s s extrapolated to %d messages)\n' \
		    "spamd, $children clients" "$sa_par" "$(calc "%.0f" "$count / $sa_par")" "$count"
	else
		echo "baseline: SpamAssassin ${sav:-?} spamassassin -L -t (spamd unavailable), sample of $sa_n"
		printf '  %-30s %9s msgs/s\n' "spamassassin, 1 process" "$sa_seq"
	fi
	echo "  SpamAssassin called spam: $sa_verdicts of the sample"
fi
echo "ratios"
if [ -n "$sa_mode" ]; then
	echo "  sagi --jobs 1 / SpamAssassin 1 client:            $(calc "%.0f" "$r1 / $sa_seq")x"
	[ -n "$sa_par" ] &&
	    echo "  sagi default / spamd $children clients:                  $(calc "%.0f" "$rd / $sa_par")x"
fi
echo "  sagi default / sagi --jobs 1:                      $(calc "%.2f" "$rd / $r1")x"
if [ -n "$rss_1k" ]; then
	echo "  max RSS --jobs 1, $count vs 1000 messages:  $(kmib "$rss_n") MiB vs $(kmib "$rss_1k") MiB = $(calc "%.2f" "$rss_n / $rss_1k")x"
fi
echo "targets (for reading the figures, not asserted: the machine is shared and noisy)"
echo "  >= 5,000 msgs/s on 2 cores (default jobs): $rd msgs/s on $ncpu CPUs"
if [ -n "$sa_par" ]; then
	echo "  >= 300x spamd:                              $(calc "%.0f" "$rd / $sa_par")x"
elif [ -n "$sa_mode" ]; then
	echo "  >= 300x spamd:                              n/a (spamd did not run)"
fi
[ -n "$rss_1k" ] &&
    echo "  flat memory (RSS ratio close to 1):         $(calc "%.2f" "$rss_n / $rss_1k")x"
echo "sanity (synthetic mail, not an accuracy figure): $sanity"
exit 0
