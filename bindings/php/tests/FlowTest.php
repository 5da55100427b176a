<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\Annulment;
use Navoi\AnnulmentCode;
use Navoi\Category;
use Navoi\Client;
use Navoi\DigestQuery;
use Navoi\Direction;
use Navoi\Exception;
use Navoi\MessageKind;
use Navoi\Navoi;
use Navoi\Operation;
use Navoi\QueryOperator;
use Navoi\Severity;
use Navoi\Status;
use PHPUnit\Framework\TestCase;

/**
 * A full submission to DONE and every query operation, against navoi-sim.
 * The tests depend on each other in declaration order (@depends).
 */
final class FlowTest extends TestCase
{
    private static ?Sim $sim = null;
    private static ?Client $client = null;

    public static function setUpBeforeClass(): void
    {
        self::$sim = new Sim();
        self::$client = self::$sim->client();
    }

    public static function tearDownAfterClass(): void
    {
        self::$client = null;
        self::$sim?->stop();
        self::$sim = null;
    }

    public function testTokenExchange(): void
    {
        $validTo = self::$client->tokenExchange();
        $this->assertSame('UTC', $validTo->getTimezone()->getName());
        $this->assertSame(200, self::$client->httpStatus());
    }

    public function testSubmissionReachesDone(): string
    {
        $c = self::$client;
        $a = $c->invoiceFromFile(Sim::invoice('demo-create-1.xml'));
        $b = $c->invoiceFromFile(Sim::invoice('demo-create-2.xml'));
        $this->assertSame('DEMO-2026-0001', $a->number());
        $this->assertSame('2026-11-02', $a->issueDate());
        $this->assertSame(Operation::CREATE, $a->operation());
        $this->assertFalse($a->isElectronic());
        $this->assertSame(file_get_contents(Sim::invoice('demo-create-1.xml')), $a->xml());
        $txn = $c->manageInvoice([$a, $b], compress: true);
        $this->assertMatchesRegularExpression('/^[0-9A-Z]{16}$/', $txn->id());
        $this->assertNotSame('', $txn->requestId());
        $this->assertSame([], $txn->items());
        $txn->wait(timeout: 120, interval: 0.2);
        $this->assertTrue($txn->isFinal());
        $items = $txn->items();
        $this->assertSame([1, 2], array_map(static fn ($i) => $i->index, $items));
        $this->assertSame([Status::DONE, Status::DONE], array_map(static fn ($i) => $i->status, $items));
        $this->assertSame('3.0', $txn->originalRequestVersion());
        $this->assertMatchesRegularExpression('/^accepted=1 .*status=DONE annulled=0/',
            self::$sim->admin('ledger?supplier=12345676&number=DEMO-2026-0001'));
        return $txn->id();
    }

    /** @depends testSubmissionReachesDone */
    public function testQueryTransactionStatus(string $id): void
    {
        $t = self::$client->queryTransactionStatus($id, returnOriginal: true);
        $this->assertSame($id, $t->id());
        $items = $t->items();
        $this->assertCount(2, $items);
        $this->assertSame(Status::DONE, $items[0]->status);
        $this->assertStringContainsString('DEMO-2026-0001', (string) $items[0]->original);
        $this->assertSame([], self::$client->queryTransactionStatus('0000000000000000')->items());
    }

    /** @depends testSubmissionReachesDone */
    public function testQueryTransactionList(string $id): void
    {
        $now = new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
        $r = self::$client->queryTransactionList($now->modify('-1 day'), $now->modify('+1 day'));
        $this->assertSame(1, $r->currentPage());
        $this->assertSame(1, $r->availablePage());
        $ids = array_column($r->records, 'transactionId');
        $this->assertContains($id, $ids);
        $this->assertSame('2', $r->records[array_search($id, $ids, true)]['itemCount']);
        $this->expectException(Exception\InvalidArgumentException::class);
        self::$client->queryTransactionList($now->modify('-40 days'), $now);
    }

    /** @depends testSubmissionReachesDone */
    public function testQueryInvoiceCheck(): void
    {
        $this->assertTrue(self::$client->queryInvoiceCheck('DEMO-2026-0001'));
        $this->assertFalse(self::$client->queryInvoiceCheck('DEMO-2026-9999'));
    }

    /** @depends testSubmissionReachesDone */
    public function testQueryInvoiceData(string $id): void
    {
        $r = self::$client->queryInvoiceData('DEMO-2026-0001');
        $this->assertCount(1, $r);
        $this->assertSame($id, $r->record()['auditData/transactionId']);
        $this->assertSame('true', $r->record()['compressedContentIndicator']);
        $this->assertSame(file_get_contents(Sim::invoice('demo-create-1.xml')), $r->content);
        $none = self::$client->queryInvoiceData('DEMO-2026-9999');
        $this->assertSame([], $none->records);
        $this->assertNull($none->content);
    }

    /** @depends testSubmissionReachesDone */
    public function testQueryInvoiceDigest(): void
    {
        $before = Navoi::liveHandles();
        $r = self::$client->queryInvoiceDigest(new DigestQuery(issueDate: ['2026-11-01', '2026-11-30']));
        $numbers = array_column($r->records, 'invoiceNumber');
        sort($numbers);
        $this->assertSame(['DEMO-2026-0001', 'DEMO-2026-0002'], $numbers);
        $r = self::$client->queryInvoiceDigest(new DigestQuery(
            direction: Direction::OUTBOUND,
            issueDate: ['2026-11-01', '2026-11-30'],
            params: ['currency' => 'HUF'],
            relations: [['invoiceNetAmount', QueryOperator::GT, '200000']],
        ));
        $this->assertSame(['DEMO-2026-0001'], array_column($r->records, 'invoiceNumber'));
        $this->assertSame('616000', $r->record()['invoiceNetAmount']);
        try {
            self::$client->queryInvoiceDigest(new DigestQuery(page: 0));
            $this->fail('no exception');
        } catch (Exception\InvalidArgumentException) {
        }
        $this->assertSame($before, Navoi::liveHandles());
    }

    /** @depends testSubmissionReachesDone */
    public function testModifyAndChainDigest(): void
    {
        $m = self::$client->invoiceFromFile(Sim::invoice('demo-modify-1.xml'), Operation::MODIFY);
        $txn = self::$client->manageInvoice([$m])->wait(timeout: 120, interval: 0.2);
        $this->assertSame(Status::DONE, $txn->items()[0]->status);
        $r = self::$client->queryInvoiceChainDigest('DEMO-2026-0001', Direction::OUTBOUND);
        $numbers = array_column($r->records, 'invoiceChainDigest/invoiceNumber');
        $this->assertSame('DEMO-2026-0001', $numbers[0]);
        $this->assertContains('DEMO-2026-0001-M1', $numbers);
    }

    public function testQueryTaxpayer(): void
    {
        $r = self::$client->queryTaxpayer('12345676');
        $this->assertSame('true', $r->meta['taxpayerValidity']);
        $this->assertSame('Navoi Demo Kft.', $r->record()['taxpayerName']);
        $this->assertSame('2', $r->record()['taxNumberDetail/vatCode']);
        $r = self::$client->queryTaxpayer('99999999');
        $this->assertSame([], $r->records);
        $this->assertSame('false', $r->meta['taxpayerValidity']);
    }

    /** @depends testSubmissionReachesDone */
    public function testAnnulment(): void
    {
        $txn = self::$client->manageAnnulment([new Annulment('DEMO-2026-0002', AnnulmentCode::ERRATIC_DATA, 'binding test')]);
        $txn->poll();
        $this->assertSame('VERIFICATION_PENDING', $txn->annulmentStatus());
        $this->assertNull($txn->annulmentDecision());
        self::$sim->admin('annulment?transactionId=' . $txn->id() . '&decision=approve&user=' . Sim::LOGIN);
        $txn->poll();
        $this->assertSame('VERIFICATION_DONE', $txn->annulmentStatus());
        $this->assertSame(Sim::LOGIN, $txn->annulmentDecision()?->user);
        $this->assertFalse(self::$client->queryInvoiceCheck('DEMO-2026-0002'));
    }

    /** @depends testAnnulment */
    public function testDuplicateIsAbortedWithMessages(): void
    {
        // NAV's business outcome is data on the transaction, not an exception.
        $a = self::$client->invoiceFromFile(Sim::invoice('demo-create-1.xml'));
        $b = self::$client->invoiceFromFile(Sim::invoice('demo-create-1.xml'));
        $items = self::$client->manageInvoice([$a, $b])->wait(timeout: 120, interval: 0.2)->items();
        $this->assertSame([Status::ABORTED, Status::ABORTED], array_map(static fn ($i) => $i->status, $items));
        $codes = [];
        foreach ($items as $i) {
            foreach ($i->messages as $m) {
                $codes[] = $m->code;
                $this->assertInstanceOf(MessageKind::class, $m->kind);
                $this->assertInstanceOf(Severity::class, $m->severity);
            }
        }
        $this->assertNotEmpty(array_intersect($codes, ['DUPLICATE_IN_REQUEST', 'INVOICE_NUMBER_NOT_UNIQUE']));
    }

    public function testNotAnInvoice(): void
    {
        try {
            self::$client->invoice('<notInvoiceData/>');
            $this->fail('no exception');
        } catch (Exception\XmlException $e) {
            $this->assertSame(Category::DATA, $e->category);
        }
        $this->expectException(Exception\FileIOException::class);
        self::$client->invoiceFromFile(Sim::invoice('missing.xml'));
    }

    public function testTooManyInvoices(): void
    {
        $a = self::$client->invoiceFromFile(Sim::invoice('demo-create-2.xml'));
        $this->expectException(Exception\TooBigException::class);
        self::$client->manageInvoice(array_fill(0, 101, $a));
    }
}
