<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\AnnulmentCode;
use Navoi\Client;
use Navoi\Exception;
use Navoi\Ffi;
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
