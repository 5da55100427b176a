<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;

/**
 * Loads libnavoi through PHP's FFI extension with the declarations the build
 * derives from navoi.h (bindings/gen_ffi.py): nothing here repeats the C API
 * by hand.
 *
 * Where things are found:
 *  - a preloaded FFI scope "NAVOI" (ffi.preload=.../navoi_ffi_php.h, or
 *    preload.php under opcache.preload): required under PHP-FPM, where
 *    ffi.enable=preload forbids FFI::cdef at request time;
 *  - otherwise FFI::cdef with: the library from $NAVOI_LIBRARY, else the
 *    newest non-sanitized build tree of this checkout (build*\/src,
 *    build/*\/src), else the soname libnavoi.so.0; the declarations
 *    (navoi_ffi.h, navoi_ffi.json) from $NAVOI_FFI_DIR, else bindings/ of
 *    that build tree, else /usr/local/share/navoi/ffi, /usr/share/navoi/ffi.
 */
final class Ffi
{
    public const SCOPE = 'NAVOI';
    public const SONAME = 'libnavoi.so.0';

    /** navoi.h functions this binding deliberately does not expose (the tests accept exactly these). */
    public const NOT_EXPOSED = [
        'navoi_set_allocator' => 'process-wide C allocator hook that must precede every other call',
        'navoi_client_set_clock' => 'deterministic-test hook for C callers (issue 6: not exposed)',
        'navoi_client_set_random' => 'deterministic-test hook for C callers (issue 6: not exposed)',
        'navoi_result_get' => 'results are copied whole into arrays (field_name/field_value)',
        'navoi_storage_ops_init' => 'custom storage backends (ops table of C callbacks) are C-only',
        'navoi_outbox_new' => 'custom storage backends are C-only; see Outbox::openSqlite()',
        'navoi_sync_new' => 'custom storage backends are C-only; see Sync::openSqlite()',
    ];

    /**
     * Sections of navoi.h (its @@NAME-SECTION@@ markers) not covered yet.
     * Empty: every section is bound (BUILDER and SYNC since issue 6 was finished).
     * @var array<string,string>
     */
    public const DEFERRED_SECTIONS = [];

    private static ?\FFI $ffi = null;
    /** @var list<string> functions of the header the library lacks */
    private static array $missing = [];
    /** @var array<string,int> */
    private static array $live = [];

    public static function lib(): \FFI
    {
        if (self::$ffi !== null) {
            return self::$ffi;
        }
        try {
            return self::$ffi = \FFI::scope(self::SCOPE);
        } catch (\FFI\Exception) {
            // not preloaded: load it ourselves (CLI, ffi.enable=1)
        }
        [$lib, $dir] = self::locate();
        [$decls, self::$missing] = self::resolvable(self::declarations($dir), $lib);
        return self::$ffi = \FFI::cdef($decls, $lib);
    }

    /**
     * For opcache.preload: defines the FFI scope "NAVOI" unless ffi.preload
     * already did. FFI::load() is refused when PHP runs the preload script
     * through opcache.preload_user (as root); then set
     * ffi.preload=DATADIR/navoi/ffi/navoi_ffi_php.h instead.
     */
    public static function preload(?string $library = null, ?string $ffiDir = null): void
    {
        try {
            \FFI::scope(self::SCOPE);
            return;
        } catch (\FFI\Exception) {
        }
        [$lib, $dir] = self::locate($library, $ffiDir);
        $tmp = tempnam(sys_get_temp_dir(), 'navoi-ffi-');
        if ($tmp === false) {
            throw new \RuntimeException('navoi: cannot create a temporary header for FFI::load');
        }
        try {
            file_put_contents($tmp, self::scopeHeader($lib, $dir));
            \FFI::load($tmp);
        } finally {
            @unlink($tmp);
        }
    }

    /** The FFI::load/ffi.preload text for a library path (only functions it has). */
    public static function scopeHeader(?string $library = null, ?string $ffiDir = null): string
    {
        [$lib, $dir] = self::locate($library, $ffiDir);
        [$decls] = self::resolvable(self::declarations($dir), $lib);
        return sprintf("#define FFI_SCOPE \"%s\"\n#define FFI_LIB \"%s\"\n%s", self::SCOPE, $lib, $decls);
    }

    /** @return list<string> functions of navoi.h that the loaded library lacks */
    public static function missing(): array
    {
        self::lib();
        return self::$missing;
    }

    /** The derived model (navoi_ffi.json): functions, constants, sections. */
    public static function model(?string $ffiDir = null): array
    {
        [, $dir] = self::locate(null, $ffiDir);
        $json = file_get_contents($dir . '/navoi_ffi.json');
        return json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR);
    }

    /** Value of a NAVOI_* constant of navoi.h. */
    public static function constant(string $name): int
    {
        static $constants = null;
        $constants ??= self::model()['constants'];
        if (!isset($constants[$name])) {
            throw new \OutOfBoundsException("navoi.h has no constant $name");
        }
        return $constants[$name];
    }

    /** @return array{0:string,1:string} library path or soname, declarations directory */
    public static function locate(?string $library = null, ?string $ffiDir = null): array
    {
        $lib = $library ?? (getenv('NAVOI_LIBRARY') ?: '');
        $build = null;
        if ($lib === '') {
            $trees = self::buildTrees();
            if ($trees) {
                $build = $trees[0];
                $lib = $build . '/src/' . self::SONAME;
            } else {
                $lib = self::SONAME;
            }
        } elseif (str_contains($lib, '/')) {
            $parent = dirname((string) realpath($lib) ?: $lib);
            if (basename($parent) === 'src') {
                $build = dirname($parent);
            }
        }
        $candidates = [];
        $env = $ffiDir ?? (getenv('NAVOI_FFI_DIR') ?: '');
        if ($env !== '') {
            $candidates[] = $env;
        }
        if ($build !== null) {
            $candidates[] = $build . '/bindings';
        }
        $candidates[] = '/usr/local/share/navoi/ffi';
        $candidates[] = '/usr/share/navoi/ffi';
        foreach ($candidates as $d) {
            if (is_file($d . '/navoi_ffi.h') && is_file($d . '/navoi_ffi.json')) {
                return [$lib, $d];
            }
        }
        throw new \RuntimeException('navoi: navoi_ffi.h not found (looked in ' . implode(', ', $candidates)
            . '); build libnavoi with meson or set NAVOI_FFI_DIR');
    }

    /** @return list<string> */
    private static function buildTrees(): array
    {
        $root = dirname(__DIR__, 4);
        $found = [];
        foreach (array_merge(glob($root . '/build*', GLOB_ONLYDIR) ?: [], glob($root . '/build/*', GLOB_ONLYDIR) ?: []) as $d) {
            $lib = $d . '/src/' . self::SONAME;
            if (is_file($lib) && !self::sanitized($d)) {
                $found[$d] = filemtime($lib);
            }
        }
        arsort($found);
        return array_keys($found);
    }

    private static function sanitized(string $build): bool
    {
        $f = $build . '/meson-info/intro-buildoptions.json';
        if (!is_file($f)) {
            return false;
        }
        foreach (json_decode((string) file_get_contents($f), true) ?: [] as $opt) {
            if (($opt['name'] ?? '') === 'b_sanitize') {
                $v = $opt['value'] ?? 'none';
                return $v !== 'none' && $v !== ['none'] && $v !== '' && $v !== [];
            }
        }
        return false;
    }

    private static function declarations(string $dir): string
    {
        return (string) file_get_contents($dir . '/navoi_ffi.h');
    }

    /**
     * FFI::cdef binds every function at once and fails on the first one the
     * library lacks (a library older than the header). Such declarations
     * are dropped, one per line of the derived header, and remembered.
     * @return array{0:string,1:list<string>}
     */
    private static function resolvable(string $decls, string $lib): array
    {
        $missing = [];
        for ($tries = 0; $tries < 1000; $tries++) {
            try {
                \FFI::cdef($decls, $lib);
                return [$decls, $missing];
            } catch (\FFI\Exception $e) {
                if (!preg_match("/Failed resolving C function '(navoi_\\w+)'/", $e->getMessage(), $m)) {
                    throw $e;
                }
                $missing[] = $m[1];
                $decls = (string) preg_replace('/^[^\n]*\b' . $m[1] . '\s*\([^\n]*\n/m', '', $decls, 1);
            }
        }
        throw new \RuntimeException('navoi: cannot bind ' . $lib);
    }

    // ---- live handle accounting (the memory test reads it) ----

    public static function track(string $kind, int $delta): void
    {
        self::$live[$kind] = (self::$live[$kind] ?? 0) + $delta;
        if (self::$live[$kind] === 0) {
            unset(self::$live[$kind]);
        }
    }

    /** @return array<string,int> C handles currently owned by PHP objects, per kind */
    public static function liveHandles(): array
    {
        return self::$live;
    }

    /** A borrowed C string (or NULL) as a PHP string. */
    public static function str(mixed $v): ?string
    {
        if ($v === null) {
            return null;
        }
        if (is_string($v)) {
            return $v;
        }
        return \FFI::isNull($v) ? null : \FFI::string($v);
    }

    /** Frees a char* the library returned through a char ** out parameter ($len bytes, or up to the NUL). */
    public static function takeString(CData $p, ?int $len = null): ?string
    {
        if (\FFI::isNull($p)) {
            return null;
        }
        try {
            return $len === null ? \FFI::string($p) : \FFI::string($p, $len);
        } finally {
            self::lib()->navoi_free($p);
        }
    }
}
