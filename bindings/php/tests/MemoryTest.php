<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Client;
use Navoi\DigestQuery;
use Navoi\Exception;
use Navoi\AmountKind;
use Navoi\Invoice;
use Navoi\InvoiceBuilder;
use Navoi\Navoi;
use Navoi\Outbox;
use Navoi\Sync;
use Navoi\Validator;
use PHPUnit\Framework\TestCase;

/**
 * No memory or handle growth across 10,000 calls: resident set size
 * (/proc/self/statm, so C-side leaks count) and PHP's own heap after a
 * warm-up, and the live C handles the binding counts. No timing asserted.
 */
final class MemoryTest extends TestCase
{
    private const N = 10000;
    private const WARMUP = 500;
    // A leaked client, invoice or result costs far more than 200 bytes.
    private const MAX_GROWTH = 2 * 1024 * 1024;

    private static ?Sim $sim = null;

    public static function setUpBeforeClass(): void
    {
        self::$sim = new Sim();
    }

    public static function tearDownAfterClass(): void
    {
        self::$sim?->stop();
        self::$sim = null;
    }

    private static function rss(): int
    {
        $f = explode(' ', (string) file_get_contents('/proc/self/statm'));
        return (int) $f[1] * 4096;
    }

    /** assert() is compiled out under Debian's php.ini; this is not. */
    private static function ensure(bool $ok): void
    {
        if (!$ok) {
            throw new \LogicException('unexpected result inside the loop');
        }
    }

    private function assertNoGrowth(callable $step): void
    {
        $handles = Navoi::liveHandles();
        for ($i = 0; $i < self::WARMUP; $i++) {
            $step($i);
        }
        gc_collect_cycles();
        $rss = self::rss();
        $heap = memory_get_usage();
        for ($i = 0; $i < self::N; $i++) {
            $step($i);
        }
        gc_collect_cycles();
        $this->assertSame($handles, Navoi::liveHandles());
        $grown = self::rss() - $rss;
        $this->assertLessThan(self::MAX_GROWTH, $grown, "RSS grew by $grown bytes over " . self::N . ' calls');
        $this->assertLessThan(256 * 1024, memory_get_usage() - $heap, 'PHP heap growth');
    }

    public function testClientsCreatedAndFreed(): void
    {
        $cfg = self::$sim->config();
        $this->assertNoGrowth(static function () use ($cfg) {
            $c = new Client(...$cfg);
            $c->configure(queryTimeout: 9.0);
            $c->close();
        });
    }

    public function testInvoicesCreatedAndDropped(): void
    {
        $xml = (string) file_get_contents(Sim::invoice('demo-create-1.xml'));
        $this->assertNoGrowth(static function () use ($xml) {
            $inv = Invoice::fromString($xml);
            self::ensure($inv->number() === 'DEMO-2026-0001');
            // no close(): dropping the object frees the handle
        });
    }

    public function testErrorsThrown(): void
    {
        $c = new Client();
        $this->assertNoGrowth(static function () use ($c) {
            try {
                $c->configure(login: 'x');
                throw new \LogicException('no exception');
            } catch (Exception\InvalidArgumentException) {
            }
        });
    }

    public function testQueriesAgainstSimulator(): void
    {
        $c = self::$sim->client();
        $now = new \DateTimeImmutable();
        $q = new DigestQuery(insDate: [$now->modify('-1 day'), $now]);
        $this->assertNoGrowth(static function (int $i) use ($c, $q) {
            if ($i % 2) {
                $r = $c->queryTaxpayer('12345676');
                self::ensure($r->meta['taxpayerValidity'] === 'true');
            } else {
                $r = $c->queryInvoiceDigest($q);
                self::ensure(in_array($r->currentPage(), [0, 1], true));
            }
        });
    }

    public function testTransactionsDropped(): void
    {
        $c = self::$sim->client();
        $this->assertNoGrowth(static function () use ($c) {
            $t = $c->queryTransactionStatus('0000000000000000');
            self::ensure($t->items() === []);
        });
    }

    public function testBuildersAndFindings(): void
    {
        $xml = (string) file_get_contents(Sim::invoice('demo-create-1.xml'));
        $bad = str_replace('<quantity>40</quantity>', '<quantity>41</quantity>', $xml);
        $this->assertNoGrowth(static function (int $i) use ($bad) {
            $b = (new InvoiceBuilder("MEM-$i", '2026-11-02'))
                ->setSupplier('12345676-2-41', 'Navoi Demo Kft.', 'HU', '1055', 'Budapest', 'Fő tér 1.')
                ->setCustomerPrivatePerson();
            $b->lineSetVatRate($b->addLine('Könyv', '3', 'PIECE', '4990'), '0.05');
            self::ensure($b->amount(AmountKind::GROSS) === '15718.50');
            self::ensure(!Validator::validate($b->build())->hasErrors);
            $codes = Validator::validate($bad)->codes();
            self::ensure(end($codes) === 'INCORRECT_LINE_CALCULATION_NET_AMOUNT');
        });
    }

    public function testSyncAndMetricsReads(): void
    {
        $dir = sys_get_temp_dir() . '/navoi-php-mem-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        try {
            $xml = (string) file_get_contents(Sim::testData() . '/bindings/inbound-from-22222222.xml');
            $this->assertSame("ok\n", self::$sim->admin('seed', $xml));
            $c = self::$sim->client();
            $s = Sync::openSqlite($c, $dir . '/sync.db', paceMs: 0);
            $this->assertSame(1, $s->run((new \DateTimeImmutable())->modify('-1 day'))->fetched);
            $id = $s->list()[0];
            $ob = Outbox::openSqlite($c, $dir . '/outbox.db');
            $ob->enqueue('MEM-1', $c->invoiceFromFile(Sim::invoice('demo-create-2.xml')));
            $this->assertNoGrowth(static function (int $i) use ($s, $id, $ob) {
                if ($i % 2) {
                    self::ensure($s->invoice($id)->invoiceNumber() === 'BIND-IN-0001');
                    self::ensure($s->list() === [$id]);
                } else {
                    $m = $ob->metrics();
                    self::ensure($m->value('navoi_outbox_backlog_items') === 1.0);
                    self::ensure(str_contains($m->text(), 'navoi_outbox_items'));
                }
            });
            $ob = null;
            $s = null;
            $c = null;
        } finally {
            array_map('unlink', glob($dir . '/*') ?: []);
            @rmdir($dir);
        }
    }
}
