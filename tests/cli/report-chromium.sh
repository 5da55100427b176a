#!/usr/bin/env bash
# report-chromium.sh - suite 'cli': `navoi report --html` opens in headless
# Chromium (Debian's chromium package) without console errors, and its
# inline script runs (it adds #navoi-report-ok when both charts and the
# failed-items table are present). Skips (77) without chromium.
#   report-chromium.sh NAVOI NAVOI-SIM DATADIR
set -uo pipefail
navoi=$1 sim=$2 data=$3
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "SKIP: chromium not installed (apt-get install chromium)"; exit 77; }

tmp=$(mktemp -d)
simpid=
cleanup() { [ -n "$simpid" ] && kill "$simpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cat >"$tmp/sim.ini" <<'EOF'
[settings]
receivedDelayMs = 0
processingDelayMs = 0
[user]
login = navoicli01
password = Cli-Teszt-Jelszo-07
taxNumber = 12345676
signKey = c1-4d2a-9c7e3f51a0b8CLIKEY02Q7XW
exchangeKey = 7kQ2CLIxx9LmP4Zr
EOF
"$sim" --config "$tmp/sim.ini" --port 0 >"$tmp/sim.out" 2>&1 &
simpid=$!
for _ in $(seq 50); do grep -q listening "$tmp/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL: navoi-sim did not start"; exit 1; }
printf 'Cli-Teszt-Jelszo-07' >"$tmp/pw"
printf 'c1-4d2a-9c7e3f51a0b8CLIKEY02Q7XW' >"$tmp/sk"
printf '7kQ2CLIxx9LmP4Zr' >"$tmp/xk"
chmod 600 "$tmp/pw" "$tmp/sk" "$tmp/xk"
cat >"$tmp/navoi.conf" <<EOF
base_url = $url
login = navoicli01
tax_number = 12345676
password_file = $tmp/pw
signing_key_file = $tmp/sk
exchange_key_file = $tmp/xk
software_id = HU12345676-CLI0001
software_name = navoi cli test
software_main_version = 0.1
software_dev_name = navoi developers
software_dev_contact = dev@navoi.example
storage = $tmp/outbox.sqlite
min_interval_ms = 0
poll_first_ms = 10
EOF
C=(--config "$tmp/navoi.conf")
"$navoi" submit "${C[@]}" --key r-1 "$data/invoices/demo-create-1.xml" >/dev/null || { echo "FAIL: submit"; exit 1; }
"$navoi" submit "${C[@]}" --key r-dup "$data/invoices/demo-create-1.xml" >/dev/null
"$navoi" report "${C[@]}" --html "$tmp/report.html" || { echo "FAIL: report"; exit 1; }

# a fresh profile, no network, no first-run UI; root needs --no-sandbox
"$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --disable-extensions \
  --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
  --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/chrome.log"
rc=$?
status=0
if [ $rc != 0 ]; then echo "FAIL: chromium exit $rc"; tail -20 "$tmp/chrome.log"; exit 1; fi
if grep -q 'id="navoi-report-ok"' "$tmp/dom.html"; then
  echo "ok: the report's script ran and found both charts and the table"
else
  echo "FAIL: no #navoi-report-ok in the DOM"; status=1
fi
# console messages of the page: errors, CSP refusals, failed loads
if grep -E 'CONSOLE|Uncaught|Refused to|Failed to load|net::ERR' "$tmp/chrome.log" |
   grep -v 'dbus\|DevTools' >"$tmp/errors"; then
  echo "FAIL: console errors:"; cat "$tmp/errors"; status=1
else
  echo "ok: no console errors"
fi
grep -q '<svg class="chart" id="chart-delay"' "$tmp/dom.html" && echo "ok: delay chart" || { echo "FAIL: delay chart"; status=1; }
grep -q 'r-dup' "$tmp/dom.html" && echo "ok: failed item in the table" || { echo "FAIL: failed item missing"; status=1; }
exit $status
