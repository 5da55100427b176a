<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Client;
use Navoi\Software;
use Navoi\SoftwareOperation;
use PHPUnit\Framework\SkippedTestError;

/**
 * One navoi-sim process on an ephemeral port for a test class.
 * Environment (bindings/meson.build): NAVOI_SIM, NAVOI_TEST_DATA, NAVOI_NAV_DATA.
 */
final class Sim
{
    // The user of tests/data/bindings/sim.ini (invented, simulator only).
    public const LOGIN = 'navoibind01';
    public const PASSWORD = 'Bind-Teszt-Jelszo-06';
    public const TAX_NUMBER = '12345676';
    public const SIGN_KEY = 'b1-4d2a-9c7e3f51a0b8BINDKEY2Q7XW';
    public const EXCHANGE_KEY = '7kQ2BINDx9LmP4Zr';
    public const SOFTWARE_ID = 'HU12345676-NAVOIPH';

    public readonly string $url;
    public readonly string $root;
    /** @var resource */
    private $proc;
    /** @var array<int,resource> */
    private array $pipes = [];
    private string $log = '';

    public static function testData(): string
    {
        return getenv('NAVOI_TEST_DATA') ?: dirname(__DIR__, 3) . '/tests/data';
    }

    public static function navData(): string
    {
        return getenv('NAVOI_NAV_DATA') ?: dirname(__DIR__, 4) . '/shared/nav';
    }

    public static function invoice(string $name): string
    {
        return self::testData() . '/invoices/' . $name;
    }

    public function __construct()
    {
        $exe = getenv('NAVOI_SIM') ?: '';
        if ($exe === '' || !is_file($exe)) {
            throw new SkippedTestError('navoi-sim not built (NAVOI_SIM unset)');
        }
        $cmd = [$exe, '--config', self::testData() . '/bindings/sim.ini', '--port', '0'];
        // SIGTERM to the simulator when this php dies, so a fatal error or a
        // killed test run leaves no simulator behind (util-linux setpriv).
        $setpriv = trim((string) shell_exec('command -v setpriv 2>/dev/null'));
        if ($setpriv !== '') {
            $cmd = array_merge([$setpriv, '--pdeathsig', 'TERM', '--'], $cmd);
        }
        if (is_file(self::navData() . '/schemas/invoiceApi.xsd')) {
            array_push($cmd, '--schemas', self::navData() . '/schemas');
        }
        // stderr to a file: a pipe nobody reads could fill up and stall the server
        $this->log = (string) tempnam(sys_get_temp_dir(), 'navoi-sim-');
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['file', $this->log, 'w']], $this->pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start navoi-sim');
        }
        $this->proc = $proc;
        $read = [$this->pipes[1]];
        $none = null;
        // a bound on a hang, not a timing assertion
        $line = stream_select($read, $none, $none, 60) ? (string) fgets($this->pipes[1]) : '';
        if (!str_contains($line, 'listening on ')) {
            $err = (string) @file_get_contents($this->log);
            $this->stop();
            throw new \RuntimeException('navoi-sim did not start: ' . $line . ' ' . substr($err, -2000));
        }
        $this->url = trim(explode('listening on ', $line, 2)[1]);
        register_shutdown_function([$this, 'stop']);
        $this->root = explode('/invoiceService', $this->url, 2)[0];
    }

    public function admin(string $what, string $body = ''): string
    {
        $ctx = stream_context_create(['http' => ['method' => 'POST', 'content' => $body, 'timeout' => 30,
            'header' => "Content-Type: application/octet-stream\r\n", 'ignore_errors' => true]]);
        return (string) file_get_contents($this->root . '/admin/' . $what, false, $ctx);
    }

    public function __destruct()
    {
        $this->stop();
    }

    public function stop(): void
    {
        if (!is_resource($this->proc)) {
            return;
        }
        proc_terminate($this->proc, 15);
        foreach ($this->pipes as $p) {
            fclose($p);
        }
        proc_close($this->proc);
        if ($this->log !== '' && is_file($this->log)) {
            @unlink($this->log);
        }
    }

    /** Named arguments of a Client for this simulator's user. */
    public function config(mixed ...$over): array
    {
        return array_merge([
            'baseUrl' => $this->url,
            'login' => self::LOGIN,
            'password' => self::PASSWORD,
            'taxNumber' => self::TAX_NUMBER,
            'signingKey' => self::SIGN_KEY,
            'exchangeKey' => self::EXCHANGE_KEY,
            'software' => new Software(self::SOFTWARE_ID, 'navoi PHP binding tests', SoftwareOperation::LOCAL, '0.1',
                'navoi', 'dev@example.com', 'HU'),
        ], $over);
    }

    public function client(mixed ...$over): Client
    {
        return new Client(...$this->config(...$over));
    }
}
