#!/usr/bin/env bash
# cli-e2e.sh - suite 'cli': the navoi program end to end against a
# navoi-sim process: every subcommand's --help, exit codes, --json output
# parsed with jq, secrets only from 0600 files, the outbox commands
# (enqueue, worker, submit, status, failed, retry, annul, metrics, report,
# worker --metrics-listen), the seven queries, sync with list/export and
# check-connection diagnoses.
#   cli-e2e.sh NAVOI NAVOI-SIM DATADIR
set -uo pipefail
navoi=$1 sim=$2 data=$3
command -v jq >/dev/null || { echo "SKIP: jq not found"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not found"; exit 77; }

tmp=$(mktemp -d)
simpid=
cleanup() { [ -n "$simpid" ] && kill "$simpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
# expect RC DESCRIPTION -- command...
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
    bad "$what: exit $rc, want $want"; sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20; fi
}
json() { # json DESCRIPTION JQ-FILTER: the last output parses and the filter holds
  if jq -e "$2" "$tmp/out" >/dev/null 2>&1; then ok "$1"; else
    bad "$1: jq '$2' on:"; head -c 2000 "$tmp/out" | sed 's/^/  | /'; fi
}

cat >"$tmp/sim.ini" <<'EOF'
[settings]
receivedDelayMs = 0
processingDelayMs = 0
pageSize = 2
[user]
login = navoicli01
password = Cli-Teszt-Jelszo-07
taxNumber = 12345676
signKey = c1-4d2a-9c7e3f51a0b8CLIKEY02Q7XW
exchangeKey = 7kQ2CLIxx9LmP4Zr
[taxpayer]
taxNumber = 12345676
name = Navoi Demo Kft.
[taxpayer]
taxNumber = 99999999
name = Ertekesito Kft
EOF
"$sim" --config "$tmp/sim.ini" --port 0 >"$tmp/sim.out" 2>&1 &
simpid=$!
for _ in $(seq 50); do grep -q listening "$tmp/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL: navoi-sim did not start"; cat "$tmp/sim.out"; exit 1; }
base=${url%/invoiceService/v3}

printf 'Cli-Teszt-Jelszo-07\n' >"$tmp/pw"
printf 'c1-4d2a-9c7e3f51a0b8CLIKEY02Q7XW\n' >"$tmp/sk"
printf '7kQ2CLIxx9LmP4Zr' >"$tmp/xk"
chmod 600 "$tmp/pw" "$tmp/sk" "$tmp/xk"
conf() { # conf FILE [extra lines]
  local f=$1
  cat >"$f" <<EOF
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
sync_pace_ms = 0
min_interval_ms = 0
poll_first_ms = 10
poll_cap_ms = 100
backoff_base_ms = 10
backoff_cap_ms = 50
EOF
  shift; for l in "$@"; do echo "$l" >>"$f"; done
}
conf "$tmp/navoi.conf"
C=(--config "$tmp/navoi.conf")

# ---- help and usage ----
expect 0 "navoi --help" -- "$navoi" --help
cmds=$("$navoi" --help | awk '/^commands:/ {on=1; next} on && /^$/ {exit} on {print $1}')
for c in $cmds; do
  expect 0 "navoi $c --help" -- "$navoi" "$c" --help
  grep -q "^usage: navoi $c" "$tmp/out" || bad "navoi $c --help has no usage line"
done
for c in demo sim enqueue submit worker status annul query sync check-connection metrics \
         failed retry report sign-check version; do
  grep -qx "$c" <<<"$cmds" && ok "navoi --help lists $c" || bad "navoi --help lacks $c"
done
expect 2 "unknown command" -- "$navoi" no-such-command
expect 2 "sync with a bad option" -- "$navoi" sync --bogus
expect 2 "query without a kind" -- "$navoi" query "${C[@]}"

# ---- check-connection ----
expect 0 "check-connection ACTIVE" -- "$navoi" check-connection "${C[@]}"
expect 0 "check-connection --json" -- "$navoi" check-connection "${C[@]}" --json
json "check-connection JSON says ACTIVE" '.status == "ACTIVE" and .diagnosis == "NONE"'
printf 'c1-4d2a-9c7e3f51a0b8CLIKEY02Q7XW \n' >"$tmp/sk2"; chmod 600 "$tmp/sk2"
conf "$tmp/ws.conf" "signing_key_file = $tmp/sk2"
expect 1 "check-connection: key with trailing space" -- "$navoi" check-connection --config "$tmp/ws.conf" --json
json "diagnosis KEY_WHITESPACE" '.status == "ERROR" and .diagnosis == "KEY_WHITESPACE"'
printf 'Wrong-Jelszo-01' >"$tmp/pw2"; chmod 600 "$tmp/pw2"
conf "$tmp/pw.conf" "password_file = $tmp/pw2"
expect 1 "check-connection: wrong password" -- "$navoi" check-connection --config "$tmp/pw.conf" --json
json "diagnosis WRONG_PASSWORD" '.diagnosis == "WRONG_PASSWORD" and .navErrorCode == "INVALID_SECURITY_USER"'
grep -q 'Wrong-Jelszo' "$tmp/out" "$tmp/err" && bad "the password was printed" || ok "password not printed"
grep -v '^login\|^password_file' "$tmp/navoi.conf" >"$tmp/nocfg.conf"
expect 3 "check-connection: NO_CONFIG" -- "$navoi" check-connection --config "$tmp/nocfg.conf" --json
json "NO_CONFIG names login and password" '.status == "NO_CONFIG" and (.message | test("login")) and (.message | test("password"))'
chmod 644 "$tmp/sk2"
expect 3 "a key file readable by others is refused" -- "$navoi" check-connection --config "$tmp/ws.conf"
echo "password = x" >"$tmp/secret.conf"
expect 3 "secrets in the configuration are refused" -- "$navoi" status --config "$tmp/secret.conf"

# ---- outbox: enqueue, worker, submit, status, failed, retry ----
expect 0 "enqueue" -- "$navoi" enqueue "${C[@]}" --json --key inv-1 "$data/invoices/demo-create-1.xml"
json "enqueue created" '.created == true and .key == "inv-1"'
expect 0 "enqueue again is a no-op" -- "$navoi" enqueue "${C[@]}" --json --key inv-1 "$data/invoices/demo-create-1.xml"
json "enqueue not created again" '.created == false'
expect 3 "enqueue: same key, other document" -- "$navoi" enqueue "${C[@]}" --key inv-1 "$data/invoices/demo-create-2.xml"
expect 0 "worker --until-idle" -- "$navoi" worker "${C[@]}" --until-idle
expect 0 "status inv-1 --json" -- "$navoi" status "${C[@]}" inv-1 --json
json "inv-1 is DONE" '.state == "DONE" and (.transactionId | length) > 0 and (.history | length) > 2'
expect 0 "submit from stdin" -- sh -c "'$navoi' submit --config '$tmp/navoi.conf' --json --key inv-2 - <'$data/invoices/demo-create-2.xml'"
json "submit DONE" '.state == "DONE"'
sed 's/DEMO-2026-0001/DEMO-2026-0001/' "$data/invoices/demo-create-1.xml" >"$tmp/dup.xml"
expect 1 "submit a duplicate number: ABORTED" -- "$navoi" submit "${C[@]}" --json --key inv-dup "$tmp/dup.xml"
json "duplicate ABORTED" '.state == "ABORTED"'
expect 1 "failed lists the item" -- "$navoi" failed "${C[@]}" --json
json "failed: key, code, advice" '.[0].key == "inv-dup" and .[0].state == "ABORTED" and (.[0].advice | length) > 10 and ([.[0].navErrorCode, (.[0].messages[].code)] | index("INVOICE_NUMBER_NOT_UNIQUE") != null)'
expect 1 "failed (text)" -- "$navoi" failed "${C[@]}"
grep -q "to do:" "$tmp/out" && ok "failed says what to do" || bad "failed has no advice"
expect 0 "status overview --json" -- "$navoi" status "${C[@]}" --json
json "overview counts" '.states.DONE == 2 and .states.ABORTED == 1 and .backlog == 0'
expect 0 "metrics" -- "$navoi" metrics "${C[@]}"
grep -q '^navoi_outbox_items{state="DONE"} 2$' "$tmp/out" && ok "metrics: DONE 2" || bad "metrics: DONE"
grep -q '^navoi_outbox_submissions_total{outcome="aborted"} 1$' "$tmp/out" && ok "metrics: aborted 1" || bad "metrics: aborted"
grep -q '^navoi_outbox_nav_errors_total{code="INVOICE_NUMBER_NOT_UNIQUE",category="DATA"} 1$' "$tmp/out" \
  && ok "metrics: NAV code counted" || bad "metrics: NAV code"
expect 0 "report --html" -- "$navoi" report "${C[@]}" --html "$tmp/report.html"
if grep -Eiq '<link|src=|url\(|@import' "$tmp/report.html"; then bad "report refers to external assets"; else ok "report is self-contained"; fi
grep -q 'inv-dup' "$tmp/report.html" && ok "report lists the failed item" || bad "report lacks the failed item"
[ "$(stat -c %a "$tmp/report.html")" = 600 ] && ok "report mode 0600" || bad "report mode"
expect 0 "retry" -- "$navoi" retry "${C[@]}" inv-dup --json
json "retry requeued" '.requeued == true'
expect 1 "retry of an item that is not failed" -- "$navoi" retry "${C[@]}" inv-1
expect 3 "retry of an unknown key" -- "$navoi" retry "${C[@]}" nope
expect 0 "annul" -- "$navoi" annul "${C[@]}" inv-2 --code ERRATIC_DATA --reason "wrong data" --json
json "annul created" '.created == true and .key == "inv-2-annul"'
expect 2 "annul with a bad code" -- "$navoi" annul "${C[@]}" inv-2 --code NOPE --reason x

# worker --metrics-listen serves the same text over HTTP. The port is
# picked below Linux's ephemeral range (32768-60999), where outgoing
# connections of other tests cannot hold it; a port some listener holds
# makes the worker exit at once, and the next one is tried.
got=
for _try in 1 2 3 4 5 6 7 8; do
  port=$(( (RANDOM % 12000) + 20000 ))
  "$navoi" worker "${C[@]}" --metrics-listen "127.0.0.1:$port" >"$tmp/w.out" 2>&1 &
  wpid=$!
  for _ in $(seq 50); do
    got=$(curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null) && break
    kill -0 "$wpid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$got" ] && break
  if ! kill -0 "$wpid" 2>/dev/null && grep -q 'cannot listen' "$tmp/w.out"; then
    wait "$wpid"; continue
  fi
  break
done
grep -q '^navoi_outbox_backlog_items ' <<<"$got" && ok "worker --metrics-listen serves /metrics" \
  || bad "worker --metrics-listen: nothing served"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
[ "$code" = 404 ] && ok "other paths 404" || bad "other path gave $code"
kill -TERM $wpid; wait $wpid; rc=$?
[ $rc = 0 ] && ok "worker stops on SIGTERM (exit 0)" || { bad "worker exit $rc"; cat "$tmp/w.out"; }

# ---- queries, every one with --json ----
expect 0 "query taxpayer" -- "$navoi" query taxpayer 12345676 "${C[@]}" --json
json "taxpayer JSON" '.meta.taxpayerValidity == "true" and (.records | length) == 1'
expect 0 "query invoice-data" -- "$navoi" query invoice-data DEMO-2026-0001 "${C[@]}" --json
json "invoice-data JSON" '.records[0].invoiceNumber == "DEMO-2026-0001" or (.records | length) == 1'
expect 0 "query invoice-data --xml" -- "$navoi" query invoice-data DEMO-2026-0001 "${C[@]}" --xml
grep -q '<invoiceNumber>DEMO-2026-0001</invoiceNumber>' "$tmp/out" && ok "invoice XML" || bad "invoice XML"
expect 0 "query invoice-check" -- "$navoi" query invoice-check DEMO-2026-0001 "${C[@]}" --json
json "invoice-check JSON" '.exists == true'
expect 1 "query invoice-check: absent" -- "$navoi" query invoice-check NO-SUCH-1 "${C[@]}" --json
today=$(date -u +%Y-%m-%d)
expect 0 "query digest" -- "$navoi" query digest --from 2026-11-01 --to 2026-11-30 "${C[@]}" --json
json "digest JSON" '(.meta.availablePage | tonumber) >= 1 and (.records | length) >= 1'
expect 0 "query chain-digest" -- "$navoi" query chain-digest DEMO-2026-0001 "${C[@]}" --json
json "chain-digest JSON" '(.records | length) >= 1'
expect 0 "query transaction-list" -- "$navoi" query transaction-list --from "$today" --to "$today" "${C[@]}" --json
json "transaction-list JSON" '(.records | length) >= 1'
txid=$(jq -r '.records[0].transactionId' "$tmp/out")
expect 0 "query transaction-status" -- "$navoi" query transaction-status "$txid" "${C[@]}" --json
json "transaction-status JSON" '.transactionId != null and (.items | length) >= 1'
expect 2 "query digest over more than 35 days is refused" -- "$navoi" query digest --from 2026-01-01 --to 2026-03-30 "${C[@]}" --json
grep -q '35 days' "$tmp/err" && ok "range error explained" || bad "range error not explained"
expect 3 "query error carries the NAV code" -- "$navoi" query transaction-status NOSUCHTXID "${C[@]}" --config "$tmp/pw.conf" --json
json "error JSON with NAV code" '.navErrorCode == "INVALID_SECURITY_USER" and .httpStatus == 401'

# ---- sync ----
for i in 1 2 3 4 5; do
  sed -e "s/E2E-IN-0001/CLI-IN-000$i/" -e 's/>12345676</>SUPPLIERX</' -e 's/>99999999</>12345676</' \
      -e 's/>SUPPLIERX</>99999999</' "$data/e2e/inbound-from-12345676.xml" |
    curl -sf -X POST --data-binary @- "$base/admin/seed" >/dev/null || bad "seed $i"
done
expect 3 "sync: first run needs a start" -- "$navoi" sync "${C[@]}"
expect 0 "sync --from" -- "$navoi" sync "${C[@]}" --from "$today" --json
json "sync fetched 5" '.ok == true and .fetched == 5'
expect 0 "sync incremental" -- "$navoi" sync "${C[@]}" --json
json "sync fetched 0 again" '.fetched == 0 and .alreadyStored == 5'
expect 0 "sync status" -- "$navoi" sync status "${C[@]}" --json
json "sync status" '.stored == 5 and .interrupted == false and .cursor != null'
expect 0 "sync list --json" -- "$navoi" sync list "${C[@]}" --json
json "sync list" 'length == 5 and .[0].supplierTaxNumber == "99999999" and .[0].hasXml == true'
expect 0 "sync list --csv" -- "$navoi" sync list "${C[@]}" --csv
[ "$(wc -l <"$tmp/out")" = 6 ] && ok "CSV has a header and 5 lines" || bad "CSV lines"
expect 0 "sync export" -- "$navoi" sync export "$tmp/export" "${C[@]}"
[ "$(ls "$tmp/export"/*.xml | wc -l)" = 5 ] && ok "5 XML files exported" || bad "export files"
jq -e 'length == 5' "$tmp/export/summary.json" >/dev/null && ok "summary.json" || bad "summary.json"
id=$(jq -r '.[0].id' "$tmp/export/summary.json")
expect 0 "sync show --json" -- "$navoi" sync show "$id" "${C[@]}" --json
json "sync show" '.invoiceNumber == "CLI-IN-0001"'

# ---- sim and demo run the sibling programs ----
expect 0 "navoi sim --help" -- "$navoi" sim --help
"$navoi" sim --config /nonexistent >"$tmp/out" 2>&1; rc=$?
[ $rc != 0 ] && grep -qi 'nonexistent\|cannot\|No such' "$tmp/out" && ok "navoi sim runs navoi-sim" \
  || bad "navoi sim: exit $rc"
expect 0 "navoi version" -- "$navoi" version

echo "$checks checks, $fails failed"
[ $fails = 0 ]
