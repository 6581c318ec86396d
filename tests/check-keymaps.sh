#!/bin/sh
# Loads every shipped keymap, alone and after default.keys as users load
# them, with the action names of tui/actions.c: zero diagnostics required.
# Checks that a broken keymap is reported with file:line:col, and that
# every action the keymaps bind is documented in sagi-keys(5).  The loader
# is tests/unit/test-keymap, which does this when given file arguments.
: "${top_srcdir:?}" "${top_builddir:?}"
load="$top_builddir/tests/unit/test-keymap"
[ -x "$load" ] || { echo "$load is not built"; exit 99; }
rc=0
n=0
for f in "$top_srcdir"/keymaps/*.keys; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if "$load" "$f"; then
		echo "ok: $f"
	else
		echo "FAIL: $f has problems"; rc=1
	fi
	case $f in */default.keys) continue ;; esac
	if "$load" "$top_srcdir/keymaps/default.keys" "$f"; then
		echo "ok: $f after default.keys"
	else
		echo "FAIL: $f after default.keys has problems"; rc=1
	fi
done
[ $n -ge 3 ] || { echo "FAIL: expected at least 3 keymaps, found $n"; rc=1; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/broken.keys" <<'KEYS'
# one good line, three bad ones
bind index   j        next-message
bind index   PgDown   page-down
bind pagr    q        close-message
bind pager   q        junk-it
KEYS
out=$("$load" "$tmp/broken.keys")
status=$?
printf '%s\n' "$out"
[ $status -eq 1 ] ||
	{ echo "FAIL: a broken keymap must fail (got $status)"; rc=1; }
for want in "broken.keys:3:14: unknown key \"PgDown\"" \
    "broken.keys:4:6: unknown context \"pagr\"" \
    "broken.keys:5:23: unknown action \"junk-it\""; do
	printf '%s\n' "$out" | grep -qF "$want" ||
		{ echo "FAIL: missing diagnostic: $want"; rc=1; }
done
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] ||
	{ echo "FAIL: expected exactly 3 diagnostics"; rc=1; }
"$load" "$tmp/missing.keys" > "$tmp/out" &&
	{ echo "FAIL: a missing file must fail"; rc=1; }
grep -qF "$tmp/missing.keys: " "$tmp/out" ||
	{ echo "FAIL: a missing file must be named"; rc=1; }

# Every bound action has a line in the man page's ACTIONS list.
man="$top_srcdir/doc/sagi-keys.5"
for a in $(awk '$1 == "bind" { print $4 }' "$top_srcdir"/keymaps/*.keys |
    sort -u); do
	grep -qx "\.It Ic $a" "$man" ||
		{ echo "FAIL: $a is not in $man"; rc=1; }
done
exit $rc
