#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs the test suite under valgrind's memcheck (make check-valgrind sets
# this script as LOG_COMPILER).  A unit test program runs under memcheck
# itself; a script test runs as it is, with SAGI pointing back at this
# script, so that every sagi it starts runs under memcheck.  Either way the
# verdict comes from valgrind's own log files, not from exit statuses: a
# script ignores sagi's status in places, and a status would not say which
# run was at fault.  A test that passed fails when any run it made had a
# memcheck error or a definite or indirect leak; the offending logs are
# printed into the test's .log.
#
#   valgrind.sh PROGRAM [ARG...]   LOG_COMPILER use (PROGRAM is the test)
#   VALGRIND_SAGI=path valgrind.sh [ARG...]
#                                  standing in for sagi inside a script
#
# Extra valgrind options may come from VALGRIND_OPTS, which valgrind reads.
here=$(cd "$(dirname "$0")" && pwd) || exit 99
self="$here/$(basename "$0")"

memcheck() {
	# --log-file with %p: one file per process, as scripts start many.
	# sagi may be linked with jemalloc (configure.ac): memcheck must
	# replace its malloc as it does the C library's, or it sees nothing.
	exec valgrind --tool=memcheck --leak-check=full \
	    --soname-synonyms=somalloc=libjemalloc.so* \
	    --errors-for-leak-kinds=definite,indirect \
	    --show-leak-kinds=definite,indirect \
	    --error-exitcode=97 --num-callers=30 --gen-suppressions=all \
	    --suppressions="$here/valgrind.supp" \
	    --log-file="$VALGRIND_LOGDIR/%p.log" "$@"
}

# Stand-in for sagi inside a script test.
if [ -n "${VALGRIND_SAGI:-}" ]; then
	: "${VALGRIND_LOGDIR:?}"
	memcheck "$VALGRIND_SAGI" "$@"
fi

[ $# -ge 1 ] || { echo "usage: valgrind.sh PROGRAM [ARG...]" >&2; exit 99; }
command -v valgrind > /dev/null || { echo "valgrind not installed: skipping"; exit 77; }
[ -f "$here/valgrind.supp" ] || { echo "$here/valgrind.supp missing"; exit 99; }
VALGRIND_LOGDIR=$(mktemp -d) || exit 99
# Tests with a time bound against a runaway (test-html) widen it by this.
SAGI_TEST_SLOWDOWN=50
export VALGRIND_LOGDIR SAGI_TEST_SLOWDOWN
trap 'rm -rf "$VALGRIND_LOGDIR"' EXIT

case $(head -c 4 "$1" | od -An -c | tr -d ' ') in
177ELF)
	(memcheck "$@")
	;;
*)
	# A script: its sagi runs go through this file.  Programs the script
	# starts directly (python, dovecot, tmux) are not traced.
	: "${SAGI:?SAGI must name the sagi binary}"
	VALGRIND_SAGI=$SAGI SAGI=$self
	export VALGRIND_SAGI SAGI
	"$@"
	;;
esac
st=$?

runs=0
bad=0
for log in "$VALGRIND_LOGDIR"/*.log; do
	[ -f "$log" ] || continue
	runs=$((runs + 1))
	# A run killed before its summary (a timeout) shows no verdict; the
	# script saw the timeout and judges it.
	if grep -q 'ERROR SUMMARY: [1-9]' "$log"; then
		bad=$((bad + 1))
		echo "# ---- memcheck errors: $log"
		sed 's/^/# /' "$log"
	fi
done
echo "# memcheck: $runs runs, $bad with errors or leaks"
if [ $st -eq 0 ] && [ $bad -gt 0 ]; then
	exit 1
fi
exit $st
