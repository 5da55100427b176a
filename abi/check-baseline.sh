#!/usr/bin/env bash
# check-baseline.sh - compares the built libnavoi with the committed ABI
# baseline (abi/libnavoi.abi, written by abidw) using abidiff from
# libabigail (Debian: abigail-tools). Policy: docs/ABI.md.
#   - identical ABI                    -> ok
#   - symbols or types removed/changed -> FAIL: incompatible change
#   - only additions                   -> FAIL until the change also adds the
#     symbols to the version-script node and regenerates the baseline
#     (./scripts/update-abi-baseline), so the two are reviewed together
# Skips (exit 77) when abidiff is missing or the library has no DWARF
# (a release build: types cannot be compared, only a full check counts).
set -uo pipefail
baseline=$1 # abi/libnavoi.abi
lib=$2      # the built libnavoi.so
headers=$3  # include/navoi of the source tree
map=$4      # src/navoi.map

if ! command -v abidiff >/dev/null 2>&1; then
  echo "SKIP: abidiff not found (install abigail-tools; ./scripts/setup does)"
  exit 77
fi
# grep -c reads all input (grep -q would make readelf die of SIGPIPE,
# which pipefail reports as "no debug info").
if [ "$(readelf -S "$lib" 2>/dev/null | grep -c '\.debug_info')" -eq 0 ]; then
  echo "SKIP: $lib has no debug info; the ABI check needs a build with -g"
  exit 77
fi
if [ ! -f "$baseline" ]; then
  echo "FAIL: no baseline at $baseline; create it with ./scripts/update-abi-baseline"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abidiff --no-show-locs \
  "$baseline" "$lib" >"$tmp/report" 2>&1
rc=$?

if [ $rc -eq 0 ]; then
  echo "ok: the ABI of $(basename "$lib") equals the baseline $(basename "$baseline")"
  exit 0
fi
cat "$tmp/report"
echo
if [ $((rc & 3)) -ne 0 ]; then
  echo "FAIL: abidiff could not compare (exit $rc)"
  exit 1
fi

# abidiff exit bits: 4 = the ABI changed, 8 = incompatibly. Beyond the
# bits, only a change that consists of added functions and variables is
# an addition; anything removed or changed breaks existing binaries.
summary() { # kind: Functions|Variables -> "removed changed added"
  sed -n "s/^ *$1 changes summary: \([0-9]*\) Removed[^,]*, \([0-9]*\) Changed[^,]*, \([0-9]*\) Added.*/\1 \2 \3/p" \
    "$tmp/report" | head -n 1
}
read -r fr fc fa < <(summary Functions; echo)
read -r vr vc va < <(summary Variables; echo)
fr=${fr:-0} fc=${fc:-0} fa=${fa:-0} vr=${vr:-0} vc=${vc:-0} va=${va:-0}
other=0
if grep -qE 'Removed function symbols not referenced|Removed variable symbols not referenced|SONAME changed' "$tmp/report"; then
  other=1
fi

if [ $((rc & 8)) -ne 0 ] || [ "$fr" -ne 0 ] || [ "$fc" -ne 0 ] || [ "$vr" -ne 0 ] ||
   [ "$vc" -ne 0 ] || [ $other -ne 0 ]; then
  echo "FAIL: incompatible ABI change against $baseline"
  echo "  (functions: $fr removed, $fc changed; variables: $vr removed, $vc changed)."
  echo "  libnavoi.so.0 only grows: never remove or change an exported function,"
  echo "  a public type or a version node (docs/ABI.md). Restore the old ABI; an"
  echo "  intended break needs a new SONAME, which is a maintainers' decision."
  exit 1
fi

echo "FAIL: compatible ABI addition ($fa function(s), $va variable(s) added)."
echo "  Additions are fine, but they are reviewed: in the same change,"
echo "   1. list the new symbols in the version-script node of the coming"
echo "      release in $(basename "$map") (see docs/ABI.md: one node per release),"
echo "   2. give them @since in navoi.h, and"
echo "   3. regenerate the baseline: ./scripts/update-abi-baseline"
exit 1
