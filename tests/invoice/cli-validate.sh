#!/usr/bin/env bash
# cli-validate.sh - `navoi validate`: NAV's 30 data samples, an invoice
# with an error and one with a warning, JSON and Hungarian output, and the
# documented exit codes (0 no ERROR, 1 ERROR, 2 usage, 3 unreadable).
set -u
navoi=$1
nav=${NAVOI_NAV_DATA:-../shared/nav}
samples=$nav/samples/data
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
expect_out() { # description, fixed string that must appear in the last output
  if grep -qF -- "$2" "$tmp/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1: output lacks '$2'"; sed 's/^/  | /' "$tmp/out"; fi
}

ok_samples=()
for f in "$samples"/*.xml; do
  [ "$(basename "$f")" = Teteladatok_modositasa.xml ] || ok_samples+=("$f")
done
[ "${#ok_samples[@]}" -eq 29 ] || { echo "FAIL: expected 29 samples, found ${#ok_samples[@]}"; fail=$((fail + 1)); }
check "29 samples valid" 0 "$navoi" validate --schemas "$nav/schemas" "${ok_samples[@]}"
seller=()
for f in "${ok_samples[@]}"; do
  case $f in *AFA_csoportok_kozott.xml) ;; *) seller+=("$f") ;; esac  # supplier 98765432
done
check "28 samples of supplier 99999999" 0 "$navoi" validate --schemas "$nav/schemas" --tax-number 99999999 "${seller[@]}"
check "schemas from NAVOI_NAV_DATA" 0 env NAVOI_NAV_DATA="$nav" "$navoi" validate "$samples/Belfoldi_termekertekesites.xml"
expect_out "valid" "Belfoldi_termekertekesites.xml: valid"
if grep -q NAVOI_SCHEMA_NOT_CHECKED "$tmp/out"; then echo "FAIL: schemas not taken from NAVOI_NAV_DATA"; fail=$((fail + 1)); fi

# Teteladatok_modositasa.xml predates INVALID_LINE_OPERATION (PROTOCOL.md 10)
check "lineOperation MODIFY" 1 "$navoi" validate --schemas "$nav/schemas" "$samples/Teteladatok_modositasa.xml"
expect_out "code" "ERROR INVALID_LINE_OPERATION"
expect_out "path" "InvoiceData/invoiceMain/invoice/invoiceLines/line[1]/lineModificationReference/lineOperation"
check "other user" 1 "$navoi" validate --schemas "$nav/schemas" --tax-number 11111111 "$samples/Belfoldi_termekertekesites.xml"
expect_out "mismatch" "SUPPLIER_TAX_NUMBER_MISMATCH"

# a warning only: exit 0
sed 's/<quantity>40.00</<quantity>50.00</' "$samples/Belfoldi_termekertekesites.xml" >"$tmp/warn.xml"
check "warning only" 0 "$navoi" validate --schemas "$nav/schemas" "$tmp/warn.xml"
expect_out "warning" "WARN  INCORRECT_LINE_CALCULATION_NET_AMOUNT"
expect_out "verdict" "valid, with warnings"

# Hungarian text and JSON
check "hungarian" 1 "$navoi" validate --lang hu --schemas "$nav/schemas" "$samples/Teteladatok_modositasa.xml"
expect_out "hu text" "A tételművelet csak CREATE lehet"
check "json" 1 "$navoi" validate --json --schemas "$nav/schemas" "$samples/Teteladatok_modositasa.xml" "$tmp/warn.xml"
if command -v python3 >/dev/null; then
  if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and d[0]["valid"] is False and d[0]["findings"][0]["code"]=="INVALID_LINE_OPERATION" and d[1]["valid"] is True' "$tmp/out"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: JSON output"; sed 's/^/  | /' "$tmp/out"; fi
fi
# gzip input
gzip -c "$samples/Belfoldi_termekertekesites.xml" >"$tmp/inv.xml.gz"
check "gzip" 0 "$navoi" validate --schemas "$nav/schemas" "$tmp/inv.xml.gz"
# an amendment sent as CREATE
check "operation create" 1 "$navoi" validate --schemas "$nav/schemas" --operation create "$samples/Teves_termek_helyesbitese.xml"
expect_out "reference" "INVOICE_REFERENCE_NOT_EXPECTED"
# not XML at all
printf 'hello' >"$tmp/junk.xml"
check "junk" 1 "$navoi" validate --schemas "$nav/schemas" "$tmp/junk.xml"
expect_out "junk" "SCHEMA_VIOLATION"

# exit codes 2 and 3
check "no file" 2 "$navoi" validate
check "bad lang" 2 "$navoi" validate --lang de "$tmp/warn.xml"
check "bad operation" 2 "$navoi" validate --operation delete "$tmp/warn.xml"
check "unknown option" 2 "$navoi" validate --frobnicate "$tmp/warn.xml"
check "bad tax number" 2 "$navoi" validate --tax-number 12 "$tmp/warn.xml"
check "missing file" 3 "$navoi" validate --schemas "$nav/schemas" "$tmp/nope.xml"
check "missing file among errors" 3 "$navoi" validate --schemas "$nav/schemas" "$samples/Teteladatok_modositasa.xml" "$tmp/nope.xml"
check "bad schema dir" 3 "$navoi" validate --schemas "$tmp" "$tmp/warn.xml"
check "help" 0 "$navoi" validate --help
expect_out "help text" "exit codes"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
