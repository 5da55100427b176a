#!/usr/bin/env bash
# check-man.sh - the man pages render without groff warnings, and navoi.1
# documents every subcommand that `navoi --help` lists.
set -euo pipefail
navoi=$1; shift
status=0
for page in "$@"; do
  if command -v groff >/dev/null 2>&1; then
    warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
    if [ -n "$warn" ]; then
      echo "FAIL: $page: groff warnings:"; echo "$warn"; status=1
    else
      echo "ok: $(basename "$page") renders without warnings"
    fi
  fi
done
page1=""
for page in "$@"; do
  [ "$(basename "$page")" = navoi.1 ] && page1=$page
done
if [ -n "$page1" ]; then
  # "  name   summary" lines between "commands:" and the first blank line
  cmds=$("$navoi" --help | awk '/^commands:/ {on=1; next} on && /^$/ {exit} on {print $1}')
  for c in $cmds; do
    if ! grep -q "^\.SS ${c//-/\\\\-}\( \|$\)" "$page1"; then
      echo "FAIL: navoi.1 has no section '.SS $c' for the subcommand '$c' (docs/man/navoi.1)"
      status=1
    else
      echo "ok: navoi.1 documents '$c'"
    fi
  done
fi
exit $status
