# Sourced by the tests/check-*.sh scripts (. "$top_srcdir/tests/lib.sh"):
# TAP-like lines, "ok N - what" and "not ok N - what", counted in $fails;
# a script ends with [ $fails -eq 0 ].  A script may redefine fail to say
# more (check-tui.sh prints the screen).
fails=0
n=0
fail() { n=$((n + 1)); echo "not ok $n - $*"; fails=$((fails + 1)); }
pass() { n=$((n + 1)); echo "ok $n - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
