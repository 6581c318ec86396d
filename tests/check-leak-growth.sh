#!/bin/sh
# SPDX-License-Identifier: ISC
# No leak grows with the number of messages: sagi scan over a Maildir and
# an mbox of N and of 8N messages (bench/gen-maildir.py) must peak at about
# the same memory.  A leak of 1 KB a message would add 7N KB at 8N; the
# check allows half of that.  The figure is the peak of RssAnon (the heap
# and other private memory) sampled from /proc every 5 ms, not VmHWM: sagi
# maps an mbox, and the mapped file's pages count in VmHWM, growing with
# the file, not with what sagi keeps.  --jobs 1, because each worker thread
# has its own malloc arena whose fragmentation adds a few hundred KB,
# growing slowly with the count (measured: 6.0, 6.4, 6.6 MB at 200, 1600,
# 6400 messages with two workers, against 5.2, 5.3, 5.3 MB with one); the
# code a leak would sit in is the same either way.  sagi is linked with
# jemalloc when configure finds it; jemalloc keeps freed pages for a few
# seconds (its decay) in an arena per CPU and a cache per thread, so its
# peak follows how long the run took: MALLOC_CONF asks it to keep nothing,
# and the peak follows the memory in use (glibc's malloc ignores it).
# A memory bound, never a time bound.
: "${SAGI:?}" "${top_srcdir:?}"
PY=${PYTHON3:-python3}
if [ -n "${VALGRIND_SAGI:-}" ]; then
	# make check-valgrind: memory would be valgrind's, and memcheck finds
	# the leaks itself.
	echo "sagi runs under valgrind: skipping"; exit 77
fi
if grep -q __asan_init "$SAGI" 2> /dev/null; then
	# ASan keeps freed blocks in a quarantine (256 MB) and pads each with
	# redzones, so its memory follows bytes allocated, not bytes leaked;
	# LeakSanitizer is on in that build and fails any run that leaks.
	echo "sagi is built with AddressSanitizer: skipping"; exit 77
fi
[ -r /proc/self/status ] || { echo "no /proc: skipping"; exit 77; }
export MALLOC_CONF=narenas:1,tcache:false,dirty_decay_ms:0,muzzy_decay_ms:0
N=200
M=$((8 * N))
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib.sh"

# 8N messages; the N set is every 8th of them, hard-linked, so both sets
# have the same mix of shapes and sizes.
$PY "$top_srcdir/bench/gen-maildir.py" --count $M --seed 7 --out "$tmp/big" \
    > "$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log"; exit 99; }
mkdir -p "$tmp/small/cur" "$tmp/small/new" "$tmp/small/tmp" || exit 99
i=0
for f in $(cd "$tmp/big" && ls cur/* new/* | sort); do
	[ $((i % 8)) -eq 0 ] && { ln "$tmp/big/$f" "$tmp/small/$f" || exit 99; }
	i=$((i + 1))
done
$PY - "$tmp" <<'EOF' || exit 99
import mailbox, sys
d = sys.argv[1]
for name in ("small", "big"):
    src = mailbox.Maildir(d + "/" + name, factory=None, create=False)
    out = mailbox.mbox(d + "/" + name + ".mbox", create=True)
    for key in sorted(src.keys()):
        out.add(src.get_bytes(key))
    out.close()
EOF

# peak ARG...: runs sagi ARG..., prints "PEAK_RSSANON_KB VMHWM_KB COUNT"
# (COUNT = output lines), fails when sagi fails (status 4 or more).
peak() {
	$PY - "$SAGI" "$@" <<'EOF'
import subprocess, sys, threading, time
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
anon = hwm = 0
# Read the output on the side, so a full pipe never stalls sagi.
lines = []
t = threading.Thread(target=lambda: lines.extend(p.stdout))
t.start()
while p.poll() is None:
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "RssAnon":
                    anon = max(anon, int(v.split()[0]))
                elif k == "VmHWM":
                    hwm = max(hwm, int(v.split()[0]))
    except (OSError, ValueError):
        pass
    time.sleep(0.005)
t.join()
print(anon, hwm, len(lines))
sys.exit(1 if p.returncode >= 4 or p.returncode < 0 or anon == 0 else 0)
EOF
}

# measure KIND SMALL BIG: scans both and compares the peaks.
measure() {
	kind=$1
	small=$(peak scan --json --jobs 1 "$2") || { fail "$kind: scan of $N failed"; return; }
	big=$(peak scan --json --jobs 1 "$3") || { fail "$kind: scan of $M failed"; return; }
	set -- $small $big
	[ "$3" -eq $N ] && [ "$6" -eq $M ] ||
		{ fail "$kind: $3 and $6 lines, not $N and $M"; return; }
	grow=$(($4 - $1))
	# Half of what 1 KB a message would add over the extra messages.
	bound=$(((M - N) / 2))
	echo "# $kind: peak RssAnon $1 KB at $N, $4 KB at $M (VmHWM $2 KB, $5 KB)"
	if [ $grow -lt $bound ]; then
		pass "$kind: grows $grow KB from $N to $M messages (bound $bound KB)"
	else
		fail "$kind: grows $grow KB from $N to $M messages (bound $bound KB)"
	fi
}

measure Maildir "$tmp/small" "$tmp/big"
measure mbox "$tmp/small.mbox" "$tmp/big.mbox"

echo "1..$n"
[ $fails -eq 0 ]
