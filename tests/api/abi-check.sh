#!/usr/bin/env bash
# abi-check.sh - the header is the contract:
#  1. navoi.h compiles as C89 -pedantic -Werror and as C++;
#  2. the dynamic symbols exported by libnavoi.so equal the version script's list;
#  3. every exported function is declared in the header;
#  4. the SONAME is libnavoi.so.0.
set -euo pipefail
src_inc=$1   # include/ of the source tree
build_inc=$2 # include/navoi of the build tree (navoi-version.h)
lib=$3
map=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '#include <navoi/navoi.h>\nint main(void) { return navoi_version() == 0; }\n' >"$tmp/c89.c"
cc -std=c89 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$src_inc" -I"$build_inc" "$tmp/c89.c"
echo "ok: header compiles as C89 -pedantic -Werror"
cp "$tmp/c89.c" "$tmp/cxx.cpp"
c++ -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$src_inc" -I"$build_inc" "$tmp/cxx.cpp"
echo "ok: header compiles as C++"

nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" {print $3}' \
  | sed 's/@.*//' | grep -v '^NAVOI_' | sort -u >"$tmp/exported"
sed -n 's/^ *\(navoi_[a-z0-9_]*\);$/\1/p' "$map" | sort -u >"$tmp/listed"
if ! diff -u "$tmp/listed" "$tmp/exported"; then
  echo "FAIL: exported symbols differ from $map (- listed only, + exported only)"
  exit 1
fi
echo "ok: $(wc -l <"$tmp/exported") exported symbols equal the version script"

grep -v '^#' "$src_inc/navoi/navoi.h" | tr '\n' ' ' | grep -oE 'NAVOI_API [^;(]*\(' \
  | sed -E 's/.*[ *]([a-z_0-9]+) *\($/\1/' | sort -u >"$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
  echo "FAIL: header declarations differ from exported symbols"
  exit 1
fi
echo "ok: every exported symbol is declared in navoi.h and vice versa"

soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
if [ "$soname" != "libnavoi.so.0" ]; then
  echo "FAIL: SONAME is '$soname', expected libnavoi.so.0"
  exit 1
fi
echo "ok: SONAME libnavoi.so.0"
# grep -c reads all input: grep -q would close the pipe early and, with
# pipefail, objdump's SIGPIPE would fail the check at random.
if [ "$(objdump -T "$lib" | grep -c 'NAVOI_0.1')" -eq 0 ]; then
  echo "FAIL: symbols carry no NAVOI_0.1 version"
  exit 1
fi
echo "ok: symbols are versioned NAVOI_0.1"
