<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Category;
use Navoi\Client;
use Navoi\ErrorCode;
use Navoi\Exception;
use Navoi\LogLevel;
use Navoi\Navoi;
use Navoi\Status;
use PHPUnit\Framework\TestCase;

/** Configuration, errors mapped to exceptions, secrets, library functions. */
final class ClientTest extends TestCase
{
    private static ?Sim $sim = null;
    private string $dir = '';

    public static function setUpBeforeClass(): void
    {
        self::$sim = new Sim();
    }

    public static function tearDownAfterClass(): void
    {
        self::$sim?->stop();
        self::$sim = null;
    }

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/navoi-php-' . bin2hex(random_bytes(6));
        mkdir($this->dir, 0700);
    }

    protected function tearDown(): void
    {
        array_map('unlink', glob($this->dir . '/*') ?: []);
        rmdir($this->dir);
    }

    private function write(string $name, string $content, int $mode = 0600): string
    {
        $p = $this->dir . '/' . $name;
        file_put_contents($p, $content . "\n");
        chmod($p, $mode);
        return $p;
    }

    public function testNamedArgumentConfiguration(): void
    {
        $c = self::$sim->client(connectTimeout: 2.0, queryTimeout: 8.0, maxResponse: 1 << 20);
        $c->configure(manageTimeout: 65.0);
        $this->assertFalse($c->isClosed());
        $c->close();
        $this->assertTrue($c->isClosed());
        $this->expectException(\LogicException::class);
        $c->tokenExchange();
    }

    /** @return iterable<string, array{0:array<string,string>,1:class-string,2:ErrorCode}> */
    public static function badSettings(): iterable
    {
        yield 'login' => [['login' => 'ab'], Exception\InvalidArgumentException::class, ErrorCode::EINVAL];
        yield 'tax number' => [['taxNumber' => '1234'], Exception\InvalidArgumentException::class, ErrorCode::EINVAL];
        yield 'signing key' => [['signingKey' => 'short'], Exception\KeyFormatException::class, ErrorCode::EKEY];
        yield 'exchange key' => [['exchangeKey' => str_repeat('x', 15)], Exception\KeyFormatException::class, ErrorCode::EKEY];
        yield 'password' => [['password' => "Sz3cr3t-Jelszo\n"], Exception\KeyFormatException::class, ErrorCode::EKEY];
        yield 'url' => [['baseUrl' => 'ftp://x'], Exception\InvalidArgumentException::class, ErrorCode::EINVAL];
        yield 'plain http to NAV' => [['baseUrl' => 'http://api.onlineszamla.nav.gov.hu/invoiceService/v3'], Exception\TlsException::class, ErrorCode::ETLS];
    }

    /** @dataProvider badSettings */
    public function testBadSettingsThrowMappedExceptions(array $args, string $class, ErrorCode $code): void
    {
        $before = Navoi::liveHandles();
        try {
            new Client(...$args);
            $this->fail('no exception');
        } catch (Exception\NavoiException $e) {
            $this->assertInstanceOf($class, $e);
            $this->assertSame($code->value, $e->getCode());
            $this->assertSame($code->name, $e->getName());
            $this->assertNotSame('', $e->getMessage());
            $this->assertSame(array_key_first($args), $e->operation);
            if (preg_match('/key|password/i', (string) array_key_first($args))) {
                $this->assertStringNotContainsString(trim((string) reset($args)), $e->getMessage());
            }
        }
        $this->assertSame($before, Navoi::liveHandles(), 'the failed constructor freed its handle');
    }

    public function testMissingCredentialsIsConfigCategory(): void
    {
        $c = new Client(baseUrl: self::$sim->url);
        try {
            $c->queryTaxpayer(Sim::TAX_NUMBER);
            $this->fail('no exception');
        } catch (Exception\NavoiException $e) {
            $this->assertSame(Category::CONFIG, $e->category);
        }
    }

    public function testLogCallbackGetsLinesWithoutSecrets(): void
    {
        $lines = [];
        $c = self::$sim->client(log: function (LogLevel $l, string $corr, string $msg) use (&$lines) {
            $lines[] = [$l, $corr, $msg];
        }, logLevel: LogLevel::TRACE);
        $c->tokenExchange();
        $c->queryTaxpayer(Sim::TAX_NUMBER);
        $c->close();
        $this->assertNotEmpty($lines);
        $all = implode("\n", array_column($lines, 2));
        $this->assertStringContainsString('tokenExchange', $all);
        foreach ([Sim::PASSWORD, Sim::SIGN_KEY, Sim::EXCHANGE_KEY] as $secret) {
            $this->assertStringNotContainsString($secret, $all);
        }
    }

    public function testWrongPasswordIsNavException(): void
    {
        $c = self::$sim->client(password: 'Wrong-Jelszo-99');
        try {
            $c->tokenExchange();
            $this->fail('no exception');
        } catch (Exception\NavException $e) {
            $this->assertSame(ErrorCode::ENAV->value, $e->getCode());
            $this->assertSame('ENAV', $e->getName());
            $this->assertSame('INVALID_SECURITY_USER', $e->navErrorCode);
            $this->assertSame(401, $e->httpStatus);
            $this->assertSame(Category::CONFIG, $e->category);
            $this->assertSame('tokenExchange', $e->operation);
            $this->assertStringNotContainsString('Wrong-Jelszo-99', $e->getMessage());
            // #[SensitiveParameter]: the trace does not show the password either
            $this->assertStringNotContainsString('Wrong-Jelszo-99', (string) $e);
        }
    }

    public function testWrongExchangeKeyIsCryptoException(): void
    {
        $c = self::$sim->client(exchangeKey: '0000000000000000');
        $this->expectException(Exception\CryptoException::class);
        $c->tokenExchange();
    }

    public function testUnreachableServerIsTransient(): void
    {
        $c = self::$sim->client(baseUrl: 'http://127.0.0.1:9/invoiceService/v3');
        try {
            $c->queryTaxpayer(Sim::TAX_NUMBER);
            $this->fail('no exception');
        } catch (Exception\NetworkException $e) {
            $this->assertSame(Category::TRANSIENT, $e->category);
        }
    }

    public function testLibraryFunctions(): void
    {
        $this->assertSame(Category::CONFIG, Navoi::errorCategory(ErrorCode::ENAV->value, 'INVALID_SECURITY_USER'));
        $this->assertSame(Category::TRANSIENT, Navoi::errorCategory(ErrorCode::ENAV->value, 'MAINTENANCE_MODE'));
        $this->assertSame('NAV reported an error', Navoi::strerror(ErrorCode::ENAV->value));
        $this->assertSame('DONE', Navoi::statusName(Status::DONE));
    }

    public function testKeyFilesConfigureTheClient(): void
    {
        $cfg = self::$sim->config(
            passwordFile: $this->write('password', Sim::PASSWORD),
            signingKeyFile: $this->write('sign.key', Sim::SIGN_KEY),
            exchangeKeyFile: $this->write('exchange.key', Sim::EXCHANGE_KEY, 0400),
        );
        unset($cfg['password'], $cfg['signingKey'], $cfg['exchangeKey']);
        $c = new Client(...$cfg);
        $this->assertInstanceOf(\DateTimeImmutable::class, $c->tokenExchange());
    }

    public function testUnsafeKeyFileRefused(): void
    {
        $p = $this->write('sign.key', Sim::SIGN_KEY, 0644);
        try {
            new Client(signingKeyFile: $p);
            $this->fail('no exception');
        } catch (Exception\UnsafeKeyFileException $e) {
            $this->assertSame(Category::SECURITY, $e->category);
            $this->assertStringNotContainsString(Sim::SIGN_KEY, $e->getMessage());
        }
        $this->expectException(Exception\UnsafeKeyFileException::class);
        Navoi::secretFileRead($p);
    }

    public function testSecretFileRead(): void
    {
        $this->assertSame(Sim::SIGN_KEY, Navoi::secretFileRead($this->write('sign.key', Sim::SIGN_KEY)));
        $this->expectException(Exception\FileIOException::class);
        Navoi::secretFileRead($this->dir . '/missing');
    }

    public function testClientKeepsNoSecret(): void
    {
        $c = self::$sim->client();
        $dump = print_r($c, true) . var_export((array) $c, true);
        foreach ([Sim::PASSWORD, Sim::SIGN_KEY, Sim::EXCHANGE_KEY] as $secret) {
            $this->assertStringNotContainsString($secret, $dump);
        }
    }

    public function testSignCheckOnNavSamples(): void
    {
        $files = glob(Sim::navData() . '/samples/api/*.xml') ?: [];
        if (!$files) {
            $this->markTestSkipped('NAV samples not found');
        }
        $n = 0;
        foreach ($files as $f) {
            $xml = (string) file_get_contents($f);
            if (!preg_match('#<!--<signKey>(.*?)</signKey>-->#', $xml, $m)) {
                continue;
            }
            $r = Navoi::signCheck($xml, $m[1]);
            $this->assertTrue($r->ok, basename($f) . ': ' . $r->report);
            $this->assertStringNotContainsString($m[1], $r->report);
            $altered = (string) preg_replace('#(<common:requestId>).#', '${1}Z', $xml, 1);
            $r = Navoi::signCheck($altered, $m[1]);
            $this->assertFalse($r->ok, basename($f));
            $this->assertNotSame('', $r->report);
            $n++;
        }
        $this->assertGreaterThan(0, $n);
        $this->expectException(Exception\XmlException::class);
        Navoi::signCheck('<a/>', Sim::SIGN_KEY);
    }
}
