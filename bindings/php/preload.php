<?php

declare(strict_types=1);

/*
 * opcache.preload script of the navoi PHP binding.
 *
 * PHP-FPM normally runs with ffi.enable=preload: FFI is usable only through
 * a scope defined at startup. This script preloads every Navoi class and
 * defines the FFI scope "NAVOI" that Navoi\Ffi::lib() picks up:
 *
 *   ; php.ini (FPM master started as root, the usual case)
 *   opcache.preload=/path/to/bindings/php/preload.php
 *   opcache.preload_user=www-data
 *   ffi.preload=/usr/share/navoi/ffi/navoi_ffi_php.h   ; installed by meson install
 *
 * With opcache.preload_user, PHP refuses FFI::load() inside the preload
 * script, so the scope comes from ffi.preload. Without it (not root) this
 * script defines the scope itself with FFI::load(), for the library that
 * $NAVOI_LIBRARY / the build tree / the soname names (see Navoi\Ffi).
 */

require __DIR__ . '/autoload.php';

$base = __DIR__ . '/src/';
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($base, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    if ($file->getExtension() === 'php') {
        $class = 'Navoi\\' . str_replace('/', '\\', substr($file->getPathname(), strlen($base) + strlen('Navoi/'), -4));
        class_exists($class) || interface_exists($class) || enum_exists($class);
    }
}

Navoi\Ffi::preload();
