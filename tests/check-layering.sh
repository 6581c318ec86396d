#!/bin/sh
# Boundary check: core never sees a terminal; tui never parses mail.
# See STYLE.md 2.3.  Fails on a forbidden #include in either direction,
# on core code that prints or reads the environment, and on curses in a
# tui file that must stay curses-free.
cd "${top_srcdir:?}" || exit 99
rc=0
if grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses\.h|ncursesw/|term\.h|tui/)' \
    core/*.[ch]; then
	echo "core/ reaches into the terminal"; rc=1
fi
if grep -nE '#[[:space:]]*include[[:space:]]*"(core/)?(mime|rfc2047|charset|rulepack|html|url|norm|measure|facts|auth|imap-session|imap-utf7|tlsverify|secret|cache|journal|verdict-codec|store-int)\.h"' \
    tui/*.[ch]; then
	echo "tui/ reaches into message parsing"; rc=1
fi
if grep -nE '\b(printf|fprintf|puts|fputs|perror|getenv|exit)[[:space:]]*\(' core/*.c |
    grep -vE '^\S+:[0-9]+:[[:space:]]*(/\*|\*)' | grep -vE 'snprintf|vsnprintf|asprintf'; then
	echo "core/ prints, exits or reads the environment"; rc=1
fi
if grep -nE 'mailmime_parse|mailimf_|pcre2_compile|mailimap_|iconv_open' tui/*.c; then
	echo "tui/ calls parsing, rule or IMAP functions directly"; rc=1
fi
for f in tui/*.c; do
	case $f in tui/input.c|tui/main.c|tui/tui.c|tui/screen-*.c|tui/pane-*.c) continue ;; esac
	if grep -n 'curses-shim\.h' "$f"; then
		echo "$f must stay curses-free"; rc=1
	fi
done
exit $rc
