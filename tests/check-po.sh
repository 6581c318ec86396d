#!/bin/sh
# Every interface string marked with _() or N_() in tui/ has a Japanese
# translation in po/ja.po, and the catalog compiles with format checks.
: "${top_srcdir:?}"
for tool in xgettext msgmerge msgattrib msgfmt; do
	command -v $tool > /dev/null || { echo "$tool missing (gettext): skipping"; exit 77; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
xgettext --from-code=UTF-8 -k_ -kN_ -o "$tmp/sagi.pot" "$top_srcdir"/tui/*.c || exit 99
msgmerge -q --no-fuzzy-matching -o "$tmp/ja.po" "$top_srcdir/po/ja.po" "$tmp/sagi.pot" || exit 99
rc=0
msgfmt -c -o /dev/null "$top_srcdir/po/ja.po" || { echo "po/ja.po does not compile"; rc=1; }
msgattrib --untranslated --no-obsolete "$tmp/ja.po" | grep '^msgid "..*"' > "$tmp/missing"
if [ -s "$tmp/missing" ]; then
	echo "untranslated in po/ja.po (run make update-po, then translate):"
	cat "$tmp/missing"
	rc=1
fi
[ $rc -eq 0 ] && echo "ok: every interface string is translated"
exit $rc
