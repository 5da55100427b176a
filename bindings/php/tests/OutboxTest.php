<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\AnnulmentCode;
use Navoi\Client;
use Navoi\Exception;
use Navoi\Ffi;
use Navoi\InvoiceBuilder;
use Navoi\ItemState;
use Navoi\Navoi;
use Navoi\Operation;
use Navoi\Outbox;
use PHPUnit\Framework\TestCase;

/**
 * The outbox through the PHP binding: enqueue, worker steps, status, failed
 * items, annulment, halt and resume, against navoi-sim. The tests of the
 * flow depend on each other in declaration order.
 */
final class OutboxTest extends TestCase
{
    private static ?Sim $sim = null;
    private static ?Client $client = null;
    private static ?Outbox $ob = null;
    private static string $dir = '';

    public static function setUpBeforeClass(): void
    {
        if (in_array('navoi_outbox_open_sqlite', Ffi::missing(), true)) {
            self::markTestSkipped('libnavoi built without the outbox');
        }
        self::$sim = new Sim();
        self::$dir = sys_get_temp_dir() . '/navoi-php-outbox-' . bin2hex(random_bytes(6));
        mkdir(self::$dir, 0700);
        self::$client = self::$sim->client();
        self::$ob = Outbox::openSqlite(self::$client, self::$dir . '/outbox.db');
        self::$ob->setBatchPolicy(maxItems: 100, minIntervalMs: 0);
        self::$ob->setPollPolicy(firstMs: 10, capMs: 50);
        self::$ob->setWorker('php-tests', 60000);
    }

    public static function tearDownAfterClass(): void
    {
        self::$ob = null;
        self::$client = null;
        self::$sim?->stop();
        self::$sim = null;
        array_map('unlink', glob(self::$dir . '/*') ?: []);
        @rmdir(self::$dir);
    }

    /**
     * Steps the worker until $done() holds. Polls become due a little later
     * in real time, so idle turns sleep briefly; $limit bounds a hang and is
     * not a timing assertion.
     */
    private static function runUntil(Outbox $ob, callable $done, float $limit = 60.0): void
    {
        $deadline = microtime(true) + $limit;
        while (!$done()) {
            if (microtime(true) > $deadline) {
                throw new \RuntimeException("outbox did not get there in $limit s");
            }
            if (!$ob->step()) {
                usleep(20000);
            }
        }
    }

    private static function inv(string $name, Operation $op = Operation::CREATE): \Navoi\Invoice
    {
        return self::$client->invoiceFromFile(Sim::invoice($name), $op);
    }

    public function testEnqueueAndReport(): void
    {
        $ob = self::$ob;
        $a = self::inv('demo-create-1.xml');
        $this->assertTrue($ob->enqueue('K1', $a));
        $this->assertFalse($ob->enqueue('K1', $a), 'same key, same invoice: no-op');
        $this->assertTrue($ob->enqueue('K2', self::inv('demo-create-2.xml')));
        $this->assertTrue($ob->enqueue('K1-M', self::inv('demo-modify-1.xml', Operation::MODIFY), 'K1'));
        try {
            $ob->enqueue('K1', self::inv('demo-create-2.xml'));
            $this->fail('no exception');
        } catch (Exception\StateException) {
        }
        $this->assertSame(3, $ob->count(ItemState::PENDING));
        $this->assertSame(['K1', 'K2', 'K1-M'], $ob->keys(ItemState::PENDING));
        $this->assertSame(3, $ob->backlog()[0]);
        $this->assertNotNull($ob->nextDue());
        self::runUntil($ob, static fn () => $ob->backlog()[0] === 0);
        $this->assertNull($ob->haltReason());
        $this->assertSame(3, $ob->count(ItemState::DONE));
        $it = $ob->item('K1');
        $this->assertSame(ItemState::DONE, $it->state);
        $this->assertTrue($it->isFinal());
        $this->assertSame(Operation::CREATE, $it->operation);
        $this->assertSame('DEMO-2026-0001', $it->invoiceNumber);
        $this->assertMatchesRegularExpression('/^[0-9A-Z]{16}$/', $it->transactionId);
        $this->assertGreaterThanOrEqual(1, $it->index);
        $this->assertSame(1, $it->attempts);
        $this->assertNotSame('', $it->requestId);
        $this->assertNull($it->error);
        $this->assertNotEmpty($it->history);
        $this->assertSame('K1', $ob->item('K1-M')->originalKey);
        $this->assertSame('K1', $ob->findByNumber('DEMO-2026-0001'));
        $this->assertSame('K1', $ob->findByTransaction($it->transactionId, $it->index));
        $this->assertNull($ob->findByNumber('DEMO-2026-9999'));
        $this->assertSame(['K1-M'], $ob->amendments('K1'));
        $this->assertMatchesRegularExpression('/^accepted=1 /', self::$sim->admin('ledger?supplier=12345676&number=DEMO-2026-0001'));
        try {
            $ob->item('no-such-key');
            $this->fail('no exception');
        } catch (Exception\NotFoundException) {
        }
        $this->expectException(Exception\StateException::class);
        $ob->retry('K1');
    }

    /** @depends testEnqueueAndReport */
    public function testFailedItems(): void
    {
        $ob = self::$ob;
        $this->assertTrue($ob->enqueue('K3', self::inv('demo-create-1.xml')));
        self::runUntil($ob, static fn () => $ob->item('K3')->isFinal());
        $failed = $ob->failed();
        $this->assertSame(['K3'], array_map(static fn ($i) => $i->key, $failed));
        $this->assertSame(ItemState::ABORTED, $failed[0]->state);
        $this->assertContains('INVOICE_NUMBER_NOT_UNIQUE', array_map(static fn ($m) => $m->code, $failed[0]->messages));
        $this->assertSame('ABORTED', Navoi::outboxStateName($failed[0]->state));
        $this->assertNotSame('', $failed[0]->advice, 'what a person should do about it');
        $this->assertSame('', $ob->item('K1')->advice);
    }

    /** @depends testEnqueueAndReport */
    public function testBatch(): void
    {
        $ob = self::$ob;
        $today = new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
        $stamp = time();
        $invs = [];
        for ($i = 0; $i < 3; $i++) {
            $b = (new InvoiceBuilder("PHP-BATCH-$stamp-$i", $today))
                ->setSupplier('12345676-2-41', 'Navoi Demo Kft.', 'HU', '1055', 'Budapest', 'Fő tér 1.')
                ->setCustomerPrivatePerson();
            $b->lineSetVatRate($b->addLine('Könyv', '1', 'PIECE', '4990'), '0.05');
            $invs[] = $b->build();
        }
        $pending = $ob->count(ItemState::PENDING);
        try {
            // all or nothing: K2 holds another invoice, so B0 is not stored either
            $ob->enqueueBatch(['B0' => $invs[0], 'K2' => $invs[1]]);
            $this->fail('no exception');
        } catch (Exception\StateException) {
        }
        $this->assertSame($pending, $ob->count(ItemState::PENDING));
        $this->assertSame(['B0' => true, 'B1' => true, 'B2' => true],
            $ob->enqueueBatch(['B0' => $invs[0], 'B1' => $invs[1], 'B2' => $invs[2]]));
        $this->assertSame(['B0' => false, 'K2' => false],
            $ob->enqueueBatch(['B0' => $invs[0], 'K2' => self::inv('demo-create-2.xml')]));
        $this->assertSame([], $ob->enqueueBatch([]));
        self::runUntil($ob, static fn () => $ob->backlog()[0] === 0);
        foreach (['B0', 'B1', 'B2'] as $k) {
            $this->assertSame(ItemState::DONE, $ob->item($k)->state);
        }
    }

    public function testPostgresUnreachable(): void
    {
        $secret = 'Pg-Secret-Jelszo-77';
        $c = self::$sim->client();
        foreach (["host=127.0.0.1 port=1 dbname=navoi user=navoi password=$secret connect_timeout=5",
            "postgresql://navoi:$secret@127.0.0.1:1/navoi"] as $conninfo) {
            try {
                Outbox::openPostgres($c, $conninfo);
                $this->fail('no exception');
            } catch (Exception\FileIOException|Exception\ConfigException $e) {
                $this->assertStringNotContainsString($secret, $e->getMessage());
                $this->assertStringNotContainsString($secret, $e->getTraceAsString());
            }
        }
        try {
            Outbox::openPostgres($c, "no-such-keyword=1 password=$secret");
            $this->fail('no exception');
        } catch (Exception\InvalidArgumentException $e) {
            $this->assertStringNotContainsString($secret, $e->getMessage());
        }
    }

    public function testReportThroughPostgres(): void
    {
        $conninfo = getenv('NAVOI_TEST_PG');
        if (!$conninfo) {
            $this->markTestSkipped('NAVOI_TEST_PG (a PostgreSQL connection string, e.g. from scripts/pg-test-server) not set');
        }
        $sim = new Sim(); // its own ledger
        try {
            $c = $sim->client();
            try {
                $ob = Outbox::openPostgres($c, $conninfo);
            } catch (Exception\ConfigException $e) {
                $this->markTestSkipped('libnavoi without PostgreSQL: ' . $e->getMessage());
            }
            $ob->setBatchPolicy(minIntervalMs: 0);
            $ob->setPollPolicy(firstMs: 10, capMs: 50);
            $ob->setWorker('php-pg-' . getmypid(), 60000);
            $key = 'PG-PHP-' . getmypid();
            $ob->enqueue($key, $c->invoiceFromFile(Sim::invoice('demo-create-1.xml')));
            self::runUntil($ob, static fn () => $ob->item($key)->isFinal());
            $this->assertSame(ItemState::DONE, $ob->item($key)->state);
        } finally {
            $sim->stop();
        }
    }

    /** @depends testEnqueueAndReport */
    public function testAnnulment(): void
    {
        $ob = self::$ob;
        $this->assertTrue($ob->enqueueAnnulment('A2', 'K2', AnnulmentCode::ERRATIC_DATA, 'binding test'));
        self::runUntil($ob, static fn () => $ob->item('A2')->annulmentStatus === 'VERIFICATION_PENDING');
        $a2 = $ob->item('A2');
        $this->assertSame(Operation::ANNUL, $a2->operation);
        self::$sim->admin('annulment?transactionId=' . $a2->transactionId . '&decision=approve&user=' . Sim::LOGIN);
        self::runUntil($ob, static fn () => $ob->item('A2')->isFinal());
        $this->assertSame(ItemState::DONE, $ob->item('A2')->state);
        $this->assertContains('A2', $ob->amendments('K2'));
    }

    public function testClosingTheClientClosesItsOutbox(): void
    {
        $c = self::$sim->client();
        $ob = Outbox::openSqlite($c, self::$dir . '/borrow.db');
        $c->close(); // the outbox borrowed the client's handle
        $this->assertTrue($ob->isClosed());
        $this->expectException(\LogicException::class);
        $ob->step();
    }

    public function testConfigurationErrorHaltsAndResumes(): void
    {
        $sim = new Sim(); // its own ledger
        try {
            $c = $sim->client(password: 'Wrong-Jelszo-99');
            $ob = Outbox::openSqlite($c, self::$dir . '/halt.db');
            $ob->setBatchPolicy(minIntervalMs: 0);
            $ob->enqueue('H1', $c->invoiceFromFile(Sim::invoice('demo-create-2.xml')));
            try {
                self::runUntil($ob, static fn () => false, 30.0);
                $this->fail('no exception');
            } catch (Exception\ConfigException $e) {
                $this->assertStringNotContainsString('Wrong-Jelszo-99', $e->getMessage());
            }
            $this->assertNotNull($ob->haltReason());
            $this->assertSame(ItemState::PENDING, $ob->item('H1')->state);
            $c->configure(password: Sim::PASSWORD);
            $ob->resume();
            $this->assertNull($ob->haltReason());
            self::runUntil($ob, static fn () => $ob->item('H1')->isFinal());
            $this->assertSame(ItemState::DONE, $ob->item('H1')->state);
            $ob = null;
            $this->assertSame(1, Navoi::liveHandles()['outbox'] ?? 0, 'only the class outbox is left');
        } finally {
            $sim->stop();
        }
    }
}
