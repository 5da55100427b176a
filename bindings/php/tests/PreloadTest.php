<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Ffi;
use PHPUnit\Framework\TestCase;

/**
 * The opcache.preload setup of PHP-FPM, in a separate php process: classes
 * and the FFI scope come from preload.php (and ffi.preload), and the script
 * works without an autoloader and without FFI::cdef at request time.
 */
final class PreloadTest extends TestCase
{
    private static ?Sim $sim = null;
    private static string $dir = '';

    public static function setUpBeforeClass(): void
    {
        self::$sim = new Sim();
        self::$dir = sys_get_temp_dir() . '/navoi-preload-' . bin2hex(random_bytes(6));
        mkdir(self::$dir, 0755);
    }

    public static function tearDownAfterClass(): void
    {
        self::$sim?->stop();
        self::$sim = null;
        array_map('unlink', glob(self::$dir . '/*') ?: []);
        @rmdir(self::$dir);
    }

    /** @param list<string> $prefix @param list<string> $ini */
    private function runPhp(array $prefix, array $ini): array
    {
        $php = PHP_BINARY;
        $base = dirname(__DIR__);
        $cmd = $prefix;
        $cmd[] = 'env';
        foreach (['NAVOI_LIBRARY', 'NAVOI_FFI_DIR'] as $v) {
            if (getenv($v) !== false) {
                $cmd[] = $v . '=' . getenv($v);
            }
        }
        $lib = getenv('NAVOI_LIBRARY');
        if ($lib) {
            $cmd[] = 'LD_LIBRARY_PATH=' . dirname($lib);
        }
        $cmd[] = 'NAVOI_SIM_URL=' . self::$sim->url;
        $cmd[] = 'NAVOI_SIM_PASSWORD=' . Sim::PASSWORD;
        $cmd[] = $php;
        foreach (array_merge(['opcache.enable=1', 'opcache.enable_cli=1', 'ffi.enable=preload',
            'opcache.preload=' . $base . '/preload.php'], $ini) as $i) {
            $cmd[] = '-d';
            $cmd[] = $i;
        }
        $cmd[] = $base . '/tests/fixtures/preloaded.php';
        $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $this->assertIsResource($p);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $rc = proc_close($p);
        $this->assertSame(0, $rc, "php failed: $stdout $stderr");
        $r = json_decode(trim((string) $stdout), true);
        $this->assertIsArray($r, "output: $stdout $stderr");
        return $r;
    }

    private function assertPreloaded(array $r): void
    {
        $this->assertTrue($r['classes'], 'classes preloaded');
        $this->assertSame(0, $r['autoloaders'], 'no autoloader needed');
        $this->assertTrue($r['scope'], 'FFI scope NAVOI');
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', $r['version']);
        $this->assertSame('EINVAL', $r['exception']);
        $this->assertSame('Navoi Demo Kft.', $r['taxpayer']);
        $this->assertSame('ACTIVE', $r['connection']);
        $this->assertSame('5239.50', $r['gross']);
        $this->assertSame(['NAVOI_SCHEMA_NOT_CHECKED'], $r['findings']);
    }

    /** The FPM case: master runs as root, preload as opcache.preload_user, scope from ffi.preload. */
    public function testFfiPreloadWithPreloadUser(): void
    {
        if (!function_exists('posix_geteuid') || posix_geteuid() !== 0) {
            $this->markTestSkipped('opcache.preload_user is only used when PHP starts as root');
        }
        $header = self::$dir . '/navoi_ffi_php.h';
        // the installed navoi_ffi_php.h names the soname; this one the tree's library
        file_put_contents($header, Ffi::scopeHeader());
        chmod($header, 0644);
        $this->assertPreloaded($this->runPhp([], ['opcache.preload_user=nobody', 'ffi.preload=' . $header]));
    }

    /** Not root: preload.php defines the scope itself with FFI::load(). */
    public function testFfiLoadInPreloadScript(): void
    {
        $prefix = [];
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            $runuser = trim((string) shell_exec('command -v runuser'));
            if ($runuser === '') {
                $this->markTestSkipped('running as root without runuser');
            }
            $prefix = [$runuser, '-u', 'nobody', '--'];
        }
        $this->assertPreloaded($this->runPhp($prefix, []));
    }
}
