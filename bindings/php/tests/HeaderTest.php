<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Exception\NavoiException;
use Navoi\Ffi;
use Navoi\Flag;
use Navoi\Navoi;
use PHPUnit\Framework\TestCase;

/** The derived declarations agree with navoi.h; the binding covers all of it. */
final class HeaderTest extends TestCase
{
    private const ENUMS = [
        \Navoi\ErrorCode::class, \Navoi\Category::class, \Navoi\Environment::class,
        \Navoi\SoftwareOperation::class, \Navoi\Operation::class, \Navoi\AnnulmentCode::class,
        \Navoi\Direction::class, \Navoi\Status::class, \Navoi\ItemState::class, \Navoi\MessageKind::class, \Navoi\ValidationMode::class,
        \Navoi\Severity::class, \Navoi\InvoiceHashMode::class, \Navoi\QueryOperator::class, \Navoi\LogLevel::class,
        \Navoi\InvoiceCategory::class, \Navoi\AmountKind::class, \Navoi\SyncStat::class, \Navoi\SyncFormat::class,
        \Navoi\ConnStatus::class, \Navoi\Diagnosis::class,
    ];

    private static function header(): string
    {
        return (string) file_get_contents(getenv('NAVOI_HEADER') ?: dirname(__DIR__, 3) . '/include/navoi/navoi.h');
    }

    /** Every NAVOI_API function of navoi.h, found independently of gen_ffi.py. */
    private static function headerFunctions(): array
    {
        $text = (string) preg_replace('#/\*.*?\*/#s', ' ', self::header());
        preg_match_all('/^\s*NAVOI_API\b([^;]*);/m', $text, $m);
        $names = [];
        foreach ($m[1] as $decl) {
            if (preg_match('/\b(navoi_\w+)\s*\(/', $decl, $f)) {
                $names[] = $f[1];
            }
        }
        sort($names);
        return $names;
    }

    private static function deferred(array $model): array
    {
        $fns = [];
        foreach ($model['functions'] as $f) {
            if (isset(Ffi::DEFERRED_SECTIONS[$f['section'] ?? ''])) {
                $fns[] = $f['name'];
            }
        }
        $consts = array_keys(array_filter($model['constant_sections'], static fn ($s) => isset(Ffi::DEFERRED_SECTIONS[$s])));
        return [$fns, $consts];
    }

    public function testDerivedHeaderIsPlainCAndComplete(): void
    {
        [, $dir] = Ffi::locate();
        $cdef = (string) file_get_contents($dir . '/navoi_ffi.h');
        $this->assertStringNotContainsString('#', $cdef);
        $this->assertStringNotContainsString('/*', $cdef);
        $this->assertStringNotContainsString('NAVOI_API', $cdef);
        $model = Ffi::model();
        $this->assertSame([], $model['errors'], 'declarations left out of the bindings');
        $names = array_column($model['functions'], 'name');
        sort($names);
        $this->assertGreaterThan(80, count($names));
        $this->assertSame(self::headerFunctions(), $names);
        foreach ($names as $n) {
            $this->assertMatchesRegularExpression('/\b' . $n . '\s*\(/', $cdef);
        }
        $php = (string) file_get_contents($dir . '/navoi_ffi_php.h');
        $this->assertSame("#define FFI_SCOPE \"NAVOI\"\n#define FFI_LIB \"libnavoi.so.0\"\n" . $cdef, $php);
    }

    public function testPhpFfiAcceptsTheDerivedHeader(): void
    {
        // FFI::cdef parses every declaration and binds each function; only
        // functions a (older) library lacks may be left out, and the abi
        // suite checks the library against the header.
        $this->assertInstanceOf(\FFI::class, Ffi::lib());
        $this->assertSame([], array_values(array_diff(Ffi::missing(), array_column(Ffi::model()['functions'], 'name'))));
    }

    public function testEveryFunctionBound(): void
    {
        $model = Ffi::model();
        $src = '';
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(dirname(__DIR__) . '/src', \FilesystemIterator::SKIP_DOTS));
        foreach ($it as $f) {
            if ($f->getExtension() === 'php' && $f->getFilename() !== 'Ffi.php') {
                $src .= file_get_contents($f->getPathname());
            }
        }
        // calls ->navoi_x( and names passed as strings 'navoi_x' (FREE_FN, dynamic calls)
        preg_match_all("/->(navoi_[a-z0-9_]+)\\(|'(navoi_[a-z0-9_]+)'/", $src, $m);
        $used = array_values(array_unique(array_filter(array_merge($m[1], $m[2]))));
        $functions = array_column($model['functions'], 'name');
        [$deferred] = self::deferred($model);
        $missing = array_values(array_diff($functions, $used, array_keys(Ffi::NOT_EXPOSED), $deferred));
        sort($missing);
        $this->assertSame([], $missing, 'navoi.h functions without a PHP binding');
        $this->assertSame([], array_values(array_diff($used, $functions)), 'bound functions navoi.h lacks');
        $this->assertSame([], array_values(array_diff(array_keys(Ffi::NOT_EXPOSED), $functions)));
    }

    public function testEnumsMatchConstants(): void
    {
        $model = Ffi::model();
        $consts = $model['constants'];
        $claimed = array_keys(Flag::CONSTANTS);
        foreach (Flag::CONSTANTS as $name => $value) {
            $this->assertSame($consts[$name] ?? null, $value, $name);
        }
        foreach (self::ENUMS as $enum) {
            foreach ($enum::cases() as $case) {
                $name = $enum::PREFIX . $case->name;
                $this->assertArrayHasKey($name, $consts, $enum . '::' . $case->name);
                $this->assertSame($consts[$name], $case->value, $name);
                $claimed[] = $name;
            }
        }
        [, $deferred] = self::deferred($model);
        $unclaimed = array_values(array_diff(array_keys($consts), $claimed, $deferred));
        $this->assertSame([], $unclaimed, 'navoi.h constants without an enum case');
    }

    public function testEveryErrorCodeHasAnException(): void
    {
        $codes = array_filter(array_keys(Ffi::model()['constants']), static fn ($k) => preg_match('/^NAVOI_E[A-Z]+$/', $k));
        $this->assertSame([], array_values(array_diff($codes, array_keys(NavoiException::BY_NAME))));
        foreach (NavoiException::BY_NAME as $name => $class) {
            $this->assertSame($class, NavoiException::classFor(Ffi::constant($name)));
            $this->assertTrue(is_subclass_of($class, NavoiException::class));
        }
        $this->assertSame(NavoiException::class, NavoiException::classFor(-9999));
    }

    public function testVersion(): void
    {
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', Navoi::version());
        [$a, $b, $c] = array_map('intval', explode('.', Navoi::version()));
        $this->assertSame(($a << 16) | ($b << 8) | $c, Navoi::versionNum());
    }
}
