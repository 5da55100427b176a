#!/usr/bin/env bash
# pkgconfig-check.sh BUILD_DIR - installs navoi into a scratch root and builds
# examples/report_invoice.c the way an integrator would: pkg-config only.
set -euo pipefail
build=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR="$root" meson install -C "$build" --quiet >/dev/null
pc=$(find "$root" -name navoi.pc | head -n 1)
[ -n "$pc" ] || { echo "navoi.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
# The .pc file is relative to ${prefix}; point it at the scratch root.
prefix=$root$(pkg-config --variable=prefix navoi)
flags=$(pkg-config --define-variable=prefix="$prefix" --cflags --libs navoi)
cc -std=c99 -Wall -Wextra -Werror examples/report_invoice.c $flags -o "$root/report_invoice"
libdir=$(pkg-config --define-variable=prefix="$prefix" --variable=libdir navoi)
# Without arguments the example must load libnavoi and exit with usage (2).
status=0
LD_LIBRARY_PATH="$libdir" "$root/report_invoice" >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || { echo "example exited $status, expected 2"; exit 1; }
linked=$(LD_LIBRARY_PATH="$libdir" ldd "$root/report_invoice")
case "$linked" in *"libnavoi.so.0 => $libdir"*) ;; *) echo "not linked to the installed libnavoi.so.0"; exit 1 ;; esac
echo "pkg-config: $(pkg-config --modversion navoi), example builds and links libnavoi.so.0"
