<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Client;
use Navoi\ConnStatus;
use Navoi\Diagnosis;
use Navoi\Exception;
use Navoi\Ffi;
use Navoi\ItemState;
use Navoi\Navoi;
use Navoi\Outbox;
use Navoi\Sync;
use Navoi\SyncCursor;
use Navoi\SyncStat;
use PHPUnit\Framework\TestCase;

/**
 * Connection check, incoming-invoice sync and outbox metrics through the PHP
 * binding, against navoi-sim. The sync tests depend on each other in
 * declaration order.
 */
final class SyncTest extends TestCase
{
    private const SEEDED = ['PHP-IN-0001', 'PHP-IN-0002', 'PHP-IN-0003'];

    private static ?Sim $sim = null;
    private static ?Client $client = null;
    private static string $dir = '';
    /** @var array<string,string> number => seeded XML */
    private static array $seeded = [];
    private static ?\DateTimeImmutable $start = null;

    public static function setUpBeforeClass(): void
    {
        if (in_array('navoi_sync_open_sqlite', Ffi::missing(), true)) {
            self::markTestSkipped('libnavoi built without sync');
        }
        self::$sim = new Sim();
        self::$dir = sys_get_temp_dir() . '/navoi-php-sync-' . bin2hex(random_bytes(6));
        mkdir(self::$dir, 0700);
        self::$client = self::$sim->client();
        foreach (self::SEEDED as $n) {
            self::$seeded[$n] = self::seed($n);
        }
        self::$start = (new \DateTimeImmutable())->modify('-1 day');
    }

    public static function tearDownAfterClass(): void
    {
        self::$client = null;
        self::$sim?->stop();
        self::$sim = null;
        array_map('unlink', glob(self::$dir . '/*') ?: []);
        @rmdir(self::$dir);
    }

    /** The fixture (supplier 22222222, customer 12345676) numbered $number. */
    public static function inboundXml(string $number): string
    {
        $xml = (string) file_get_contents(Sim::testData() . '/bindings/inbound-from-22222222.xml');
        $tag = '<invoiceNumber>BIND-IN-0001</invoiceNumber>';
        if (substr_count($xml, $tag) !== 1) {
            throw new \LogicException('fixture changed');
        }
        return str_replace($tag, "<invoiceNumber>$number</invoiceNumber>", $xml);
    }

    private static function seed(string $number, ?Sim $sim = null): string
    {
        $xml = self::inboundXml($number);
        $r = ($sim ?? self::$sim)->admin('seed', $xml);
        if ($r !== "ok\n") {
            throw new \RuntimeException("seed $number: $r");
        }
        return $xml;
    }

    private function open(string $name = 'sync.db'): Sync
    {
        return Sync::openSqlite(self::$client, self::$dir . '/' . $name, paceMs: 0);
    }

    // ---- connection check ----

    public function testConnectionActiveWithGoodSettings(): void
    {
        $c = self::$sim->client();
        $r = $c->checkConnection();
        $this->assertSame(ConnStatus::ACTIVE, $r->status);
        $this->assertSame(Diagnosis::NONE, $r->diagnosis);
        $this->assertSame('', $r->message);
        $this->assertTrue($r->ok());
        $this->assertSame('ACTIVE', (string) $r);
        $this->assertTrue($c->checkConnection(queryOnly: true)->ok());
        $this->assertSame('NO_CONFIG', Navoi::connStatusName(ConnStatus::NO_CONFIG));
        $this->assertSame('CLOCK_SKEW', Navoi::diagnosisName(Diagnosis::CLOCK_SKEW));
        $this->assertSame('UNKNOWN', Navoi::diagnosisName(999));
    }

    public function testConnectionWrongPasswordIsDiagnosed(): void
    {
        $wrong = 'Wrong-Jelszo-99';
        $r = self::$sim->client(password: $wrong)->checkConnection();
        $this->assertSame(ConnStatus::ERROR, $r->status);
        $this->assertSame(Diagnosis::WRONG_PASSWORD, $r->diagnosis);
        $this->assertSame('INVALID_SECURITY_USER', $r->navErrorCode);
        $this->assertStringContainsString('INVALID_SECURITY_USER', $r->message);
        $this->assertFalse($r->ok());
        foreach ([$r->message, (string) $r, print_r($r, true)] as $text) {
            $this->assertStringNotContainsString($wrong, $text);
            $this->assertStringNotContainsString(Sim::PASSWORD, $text);
        }
    }

    public function testConnectionCheckWithRawSecrets(): void
    {
        $c = self::$sim->client(password: 'Wrong-Jelszo-99');
        // as read from a file with its line break: diagnosed, not sent
        $r = $c->checkConnectionWith(password: Sim::PASSWORD . "\n");
        $this->assertSame([ConnStatus::ERROR, Diagnosis::KEY_WHITESPACE], [$r->status, $r->diagnosis]);
        $this->assertStringContainsString('password', $r->message);
        $this->assertStringNotContainsString(Sim::PASSWORD, $r->message);
        $r = $c->checkConnectionWith(signingKey: substr(Sim::SIGN_KEY, 0, 31));
        $this->assertSame(Diagnosis::KEY_LENGTH, $r->diagnosis);
        // well-formed secrets are set on the client, then checked
        $r = $c->checkConnectionWith(Sim::PASSWORD, Sim::SIGN_KEY, Sim::EXCHANGE_KEY);
        $this->assertSame(ConnStatus::ACTIVE, $r->status, $r->message);
        $this->assertTrue($c->checkConnection()->ok(), 'the client kept them');
        $this->assertStringNotContainsString(Sim::PASSWORD, print_r($c, true));
        // a failing call does not show the secrets in its trace
        try {
            $c->checkConnectionWith(password: Sim::PASSWORD, queryOnly: true);
            $c->close();
            $c->checkConnectionWith(password: Sim::PASSWORD);
            $this->fail('no exception');
        } catch (\LogicException $e) {
            $this->assertStringNotContainsString(Sim::PASSWORD, $e->getTraceAsString());
        }
    }

    public function testConnectionMissingSettings(): void
    {
        $r = (new Client(baseUrl: self::$sim->url, login: Sim::LOGIN))->checkConnection();
        $this->assertSame(ConnStatus::NO_CONFIG, $r->status);
        $this->assertSame(Diagnosis::MISSING_CONFIG, $r->diagnosis);
        $this->assertStringContainsString('password', $r->message);
    }

    // ---- incoming invoices ----

    public function testSyncListAndRead(): void
    {
        $s = $this->open();
        $this->assertEquals(new SyncCursor(0, false), $s->cursor());
        try {
            $s->run();
            $this->fail('the first run needs a start');
        } catch (Exception\ConfigException) {
        }
        $seen = [];
        $s->setProgress(static function (Sync $sync) use (&$seen): void {
            $seen[] = $sync->stat(SyncStat::FETCHED);
        });
        $st = $s->run(self::$start);
        $this->assertSame(3, $st->fetched);
        $this->assertSame(3, $st->seen);
        $this->assertSame(0, $st->incomplete);
        $this->assertGreaterThanOrEqual(4, $st->requests, 'a digest page and 3 invoices');
        $this->assertSame(1, $st->windows);
        $this->assertFalse($st->resumed);
        $this->assertEquals($st, $s->stats());
        $this->assertNotEmpty($seen);
        $this->assertSame(3, max($seen));
        $cur = $s->cursor();
        $this->assertFalse($cur->interrupted);
        $this->assertGreaterThan(self::$start->getTimestamp() * 1000, $cur->cursorMs);

        $ids = $s->list();
        $this->assertCount(3, $ids);
        $numbers = array_map(static fn ($i) => explode('/', $i)[1], $ids);
        sort($numbers);
        $this->assertSame(self::SEEDED, $numbers);
        foreach ($ids as $id) {
            $this->assertStringStartsWith('22222222/PHP-IN-000', $id);
            $inv = $s->invoice($id);
            $this->assertSame($id, $inv->id);
            $this->assertSame(self::$seeded[$inv->invoiceNumber()], $inv->xml);
            $this->assertSame('22222222', $inv->supplierTaxNumber());
            $this->assertSame('12345676', $inv->meta['customerTaxNumber']);
            $this->assertSame('616000', explode('.', $inv->meta['invoiceNetAmount'])[0]);
            $this->assertArrayHasKey('insDate', $inv->meta);
        }
        $this->assertSame(array_slice($ids, 0, 1), $s->list(limit: 1));
        $this->assertSame(array_slice($ids, 1), $s->list(offset: 1, limit: 10));
        $this->assertSame([], $s->list(to: self::$start));
        try {
            $s->invoice('22222222/NO-SUCH/0/0000000000000000/1');
            $this->fail('no exception');
        } catch (Exception\NotFoundException) {
        }
        $csv = explode("\n", trim($s->summary()));
        $this->assertStringStartsWith('id,invoiceNumber,', $csv[0]);
        $this->assertCount(4, $csv);
        $recs = $s->summaryRecords();
        $numbers = array_column($recs, 'invoiceNumber');
        sort($numbers);
        $this->assertSame(self::SEEDED, $numbers);
        $this->assertSame(['22222222'], array_values(array_unique(array_column($recs, 'supplierTaxNumber'))));

        // incremental: nothing new, the stored ones are skipped
        $st = $s->run();
        $this->assertSame(0, $st->fetched);
        $this->assertSame(3, $st->skipped);
    }

    /** @depends testSyncListAndRead */
    public function testSyncStoppedRunResumes(): void
    {
        self::seed('PHP-IN-0004');
        $s = $this->open();
        $s->setProgress(static fn () => false);
        try {
            $s->run();
            $this->fail('no exception');
        } catch (Exception\CallbackException) {
        }
        $this->assertTrue($s->cursor()->interrupted);
        $s->setProgress(static function (): void {
            throw new \DomainException('from the hook');
        });
        try {
            $s->run();
            $this->fail('no exception');
        } catch (\DomainException $e) {
            $this->assertSame('from the hook', $e->getMessage());
        }
        $s->setProgress(null);
        $st = $s->run();
        $this->assertTrue($st->resumed);
        $this->assertFalse($s->cursor()->interrupted);
        $this->assertContains('PHP-IN-0004', array_map(static fn ($i) => explode('/', $i)[1], $s->list()));
        $this->assertCount(4, $s->list());
    }

    public function testClosingTheClientClosesItsSync(): void
    {
        $c = self::$sim->client();
        $s = Sync::openSqlite($c, self::$dir . '/borrow.db');
        $c->close();
        $this->assertTrue($s->isClosed());
        $this->expectException(\LogicException::class);
        $s->list();
    }

    // ---- metrics ----

    public function testMetricsAfterASubmission(): void
    {
        $sim = new Sim(); // its own ledger: the demo invoice is new there
        try {
            $c = $sim->client();
            $ob = Outbox::openSqlite($c, self::$dir . '/metrics.db');
            $ob->setBatchPolicy(minIntervalMs: 0);
            $ob->setPollPolicy(firstMs: 10, capMs: 50);
            $ob->enqueue('M1', $c->invoiceFromFile(Sim::invoice('demo-create-1.xml')));
            $m = $ob->metrics();
            $this->assertSame(1.0, $m->value('navoi_outbox_backlog_items'));
            $deadline = microtime(true) + 60; // bounds a hang; not a timing assertion
            while (!$ob->item('M1')->isFinal()) {
                $this->assertLessThan($deadline, microtime(true));
                if (!$ob->step()) {
                    usleep(20000);
                }
            }
            $this->assertSame(ItemState::DONE, $ob->item('M1')->state);
            $this->assertSame('', $ob->item('M1')->advice);
            $text = "\n" . $m->refresh()->text();
            foreach (['navoi_outbox_items', 'navoi_outbox_backlog_items', 'navoi_outbox_enqueued_total',
                'navoi_outbox_submissions_total', 'navoi_outbox_processing_delay_seconds',
                'navoi_outbox_success_ratio', 'navoi_outbox_last_success_timestamp_seconds'] as $name) {
                $this->assertStringContainsString("\n# TYPE $name ", $text);
            }
            $this->assertSame(1.0, $m->value('navoi_outbox_items{state="DONE"}'));
            $this->assertSame(1.0, $m->value('navoi_outbox_submissions_total{outcome="done"}'));
            $this->assertSame(0.0, $m->value('navoi_outbox_backlog_items'));
            $this->assertGreaterThan(1.7e9, $m->value('navoi_outbox_last_success_timestamp_seconds'));
            $this->assertNull($m->get('navoi_outbox_nope'));
            try {
                $m->value('navoi_outbox_nope');
                $this->fail('no exception');
            } catch (Exception\NotFoundException) {
            }
            $timeline = explode("\n", trim($m->timeline(60000)));
            $this->assertSame('time_ms,enqueued,done,aborted,failed,needs_attention,backlog,delay_avg_ms,delay_max_ms',
                $timeline[0]);
            $this->assertGreaterThanOrEqual(2, count($timeline));
            try {
                $m->timeline(1000);
                $this->fail('no exception');
            } catch (Exception\InvalidArgumentException) {
            }
            $this->assertStringContainsString('navoi_outbox_items{state="DONE"} 1', $ob->metricsText());
            $ob->close();
            $this->assertTrue($m->isClosed(), 'closing the outbox closed its metrics');
            $this->assertArrayNotHasKey('metrics', Navoi::liveHandles());
        } finally {
            $sim->stop();
        }
    }
}
