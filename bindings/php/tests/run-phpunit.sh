#!/bin/sh
# run-phpunit.sh - the PHP binding tests (meson suite 'bindings').
# Skips (exit 77) where PHP's CLI, its FFI extension or PHPUnit is missing;
# scripts/setup installs them (php8.2-cli, phpunit).
cd "$(dirname "$0")/.." || exit 1
command -v php >/dev/null 2>&1 || { echo "php not installed"; exit 77; }
php -m | grep -qx FFI || { echo "php has no FFI extension"; exit 77; }
command -v phpunit >/dev/null 2>&1 || { echo "phpunit not installed"; exit 77; }
# The CLI default ffi.enable=preload allows FFI::cdef; PreloadTest covers FPM-style preloading.
exec php -d memory_limit=512M "$(command -v phpunit)" -c phpunit.xml.dist "$@"
