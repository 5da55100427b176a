#!/usr/bin/env bash
# cli-sign-check.sh - `navoi sign-check` on NAV's 11 official requests:
# each verifies with the signing key from its own XML comment (exit 0),
# any altered signed field is reported (exit 1), unsafe key files and bad
# command lines are refused (exit 3 / exit 2).
set -u
navoi=$1
samples=${NAVOI_NAV_DATA:-../shared/nav}/samples/api
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0; pass=0

check() { # description, expected exit, command...
  local what=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>&1
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $what: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out"; fi
}

n=0
for f in "$samples"/*.xml; do
  key=$(sed -n 's/.*<!--<signKey>\(.*\)<\/signKey>-->.*/\1/p' "$f")
  [ -n "$key" ] || { echo "FAIL: no signKey comment in $f"; fail=$((fail + 1)); continue; }
  n=$((n + 1))
  printf '%s\n' "$key" >"$tmp/key"; chmod 600 "$tmp/key"
  check "$(basename "$f") verifies" 0 "$navoi" sign-check "$f" --sign-key-file "$tmp/key"
  grep -q '^signature OK$' "$tmp/out" || { echo "FAIL: no 'signature OK' for $f"; fail=$((fail + 1)); }
  if grep -q "$key" "$tmp/out"; then echo "FAIL: report prints the signing key"; fail=$((fail + 1)); fi
  # Alter one signed field at a time.
  sed 's/\(<common:requestId>\)./\1Z/' "$f" >"$tmp/rid.xml"
  check "$(basename "$f") altered requestId" 1 "$navoi" sign-check "$tmp/rid.xml" --sign-key-file "$tmp/key"
  sed 's/\(<common:timestamp>20\)../\118/' "$f" >"$tmp/ts.xml"
  if ! cmp -s "$f" "$tmp/ts.xml"; then
    check "$(basename "$f") altered timestamp" 1 "$navoi" sign-check "$tmp/ts.xml" --sign-key-file "$tmp/key"
  fi
  printf '%s\n' "${key%?}Q" >"$tmp/wrong"; chmod 600 "$tmp/wrong"
  if [ "${key: -1}" != "Q" ]; then
    check "$(basename "$f") wrong key" 1 "$navoi" sign-check "$f" --sign-key-file "$tmp/wrong"
  fi
done
[ "$n" -eq 11 ] || { echo "FAIL: expected 11 samples, found $n"; fail=$((fail + 1)); }

# A manage payload altered in one base64 character.
f=$samples/manageInvoice.xml
key=$(sed -n 's/.*<!--<signKey>\(.*\)<\/signKey>-->.*/\1/p' "$f")
printf '%s\n' "$key" >"$tmp/key"; chmod 600 "$tmp/key"
sed '0,/<invoiceData>PD94/s//<invoiceData>PD95/' "$f" >"$tmp/data.xml"
check "manageInvoice altered invoiceData" 1 "$navoi" sign-check "$tmp/data.xml" --sign-key-file "$tmp/key"

chmod 644 "$tmp/key"
check "key file mode 0644 refused" 3 "$navoi" sign-check "$f" --sign-key-file "$tmp/key"
grep -q "0600" "$tmp/out" || { echo "FAIL: refusal does not explain the mode"; fail=$((fail + 1)); }
check "missing key file argument" 2 "$navoi" sign-check "$f"
check "unknown command" 2 "$navoi" frobnicate
check "version" 0 "$navoi" version
check "help" 0 "$navoi" --help
check "sign-check help" 0 "$navoi" sign-check --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
