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

# dovecot_start NAME [OPTION...]: a private Dovecot (tests/imap/dovecot.py
# start NAME OPTION...) in $tmp/NAME with the demo mailbox in INBOX; its
# settings ($IMAP_PORT, $CA_FILE, ...) land in the environment and its
# directory in $servers, for the script's cleanup.  Without Dovecot the
# script is skipped (77).  Needs $tmp, $DV and $top_srcdir.
dovecot_start() {
	dovecot_dir=$tmp/$1
	shift
	$DV start "$dovecot_dir" "$@" > "$dovecot_dir.start" 2>&1
	case $? in
	0)	;;
	77)	echo "dovecot not installed: skipping"; exit 77 ;;
	*)	cat "$dovecot_dir.start"; exit 99 ;;
	esac
	servers="$servers $dovecot_dir"
	. "$dovecot_dir/env"
	$DV append "$dovecot_dir" INBOX "$top_srcdir"/demo/cur/* \
	    "$top_srcdir"/demo/new/* > /dev/null || exit 99
}
