#!/bin/sh
# Regression test for the fuzz targets: each fuzz/replay-NAME (the target
# with fuzz/replay.c instead of libFuzzer, built like the unit tests) runs
# over every input of fuzz/corpus/NAME, seeds and crash inputs alike.  A
# crash, a sanitizer report (--enable-sanitizers) or an input not replayed
# fails.
: "${top_srcdir:?}" "${top_builddir:?}"
n=0
fails=0
for t in msg rfc2047 html rules keymap conf imap; do
	n=$((n + 1))
	bin="$top_builddir/fuzz/replay-$t"
	dir="$top_srcdir/fuzz/corpus/$t"
	[ -x "$bin" ] || { echo "Bail out! $bin is not built"; exit 99; }
	want=$(find "$dir" -type f ! -name '.*' | wc -l)
	if [ "$want" -eq 0 ]; then
		echo "not ok $n - $t: no inputs in $dir"
		fails=$((fails + 1))
		continue
	fi
	out=$(SAGI_RULES_DIR="$top_srcdir/rules" "$bin" "$dir" 2>&1)
	st=$?
	got=$(printf '%s\n' "$out" | sed -n 's/^replayed \([0-9]*\) inputs$/\1/p')
	if [ $st -eq 0 ] && [ "$got" = "$want" ]; then
		echo "ok $n - $t: $got inputs"
	else
		echo "not ok $n - $t: exit $st, replayed ${got:-?} of $want"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		fails=$((fails + 1))
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
