#!/bin/sh
# Runs libFuzzer targets one after the other, FUZZ_TIME seconds each (and
# at most FUZZ_RUNS executions when set), on a copy of each seed corpus
# with its dictionary, and prints what each run did.  Called by `make fuzz`;
# by hand: FUZZ_BUILDDIR=. FUZZ_SRCDIR=.. fuzz/run.sh msg imap
#
# Work files go to $FUZZ_BUILDDIR/fuzz/work/NAME/: corpus/ (seeds plus what
# the fuzzer found, kept between runs), crashes/ and log.  Exit status 1
# when a target found a crash, a leak or a timeout.
: "${FUZZ_BUILDDIR:=.}" "${FUZZ_SRCDIR:=.}" "${FUZZ_TIME:=60}"
[ $# -gt 0 ] || set -- msg rfc2047 html rules keymap conf imap
work=$FUZZ_BUILDDIR/fuzz/work
fails=0
for t in "$@"; do
	bin=$FUZZ_BUILDDIR/fuzz/fuzz-$t
	[ -x "$bin" ] || { echo "$t: $bin not built" >&2; exit 2; }
	case $t in
	msg|rfc2047)	dict=mime.dict ;;
	*)		dict=$t.dict ;;
	esac
	[ -f "$FUZZ_SRCDIR/fuzz/$dict" ] || dict=
	# libetpan 1.9.4's response parser leaks what it built when a
	# response breaks off half-way, on many paths (a section spec, the
	# astrings of a header list: two in the first 90 s).  sagi never
	# holds those, so a leak stop there says nothing about sagi; its own
	# IMAP code is leak-checked by LSan and valgrind over the hostile
	# server tests (make check, make check-valgrind).
	leaks=
	[ "$t" = imap ] && leaks=-detect_leaks=0
	mkdir -p "$work/$t/corpus" "$work/$t/crashes" || exit 2
	cp "$FUZZ_SRCDIR/fuzz/corpus/$t/"* "$work/$t/corpus/" || exit 2
	echo "$t: ${FUZZ_TIME}s${FUZZ_RUNS:+ or $FUZZ_RUNS runs}..."
	# -timeout: the IMAP target waits up to 10 s for a stuck client.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${leaks:+:detect_leaks=0}" \
	"$bin" ${dict:+"-dict=$FUZZ_SRCDIR/fuzz/$dict"} $leaks \
	    -max_total_time="$FUZZ_TIME" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} \
	    -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
	    -artifact_prefix="$work/$t/crashes/" "$work/$t/corpus" \
	    > "$work/$t/log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t/log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/$t/log" | tail -n 1)
	echo "$t: ${runs:-?} runs, ${rate:-?} exec/s, $cov, exit $st"
	if [ $st -ne 0 ]; then
		fails=$((fails + 1))
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
		    "$work/$t/log" | head -n 5
	fi
done
[ $fails -eq 0 ]
