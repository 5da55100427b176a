<?php

declare(strict_types=1);

namespace Navoi\Tests;

use Navoi\AmountKind;
use Navoi\Client;
use Navoi\Exception;
use Navoi\Ffi;
use Navoi\InvoiceBuilder;
use Navoi\Navoi;
use Navoi\Operation;
use Navoi\Severity;
use Navoi\Status;
use Navoi\Validator;
use PHPUnit\Framework\TestCase;

/** Invoice builder and pre-submission validator; a built invoice reaches DONE at navoi-sim. */
final class BuilderTest extends TestCase
{
    private static ?Sim $sim = null;

    public static function setUpBeforeClass(): void
    {
        if (in_array('navoi_invoice_builder_new', Ffi::missing(), true)) {
            self::markTestSkipped('libnavoi built without the builder');
        }
        self::$sim = new Sim();
    }

    public static function tearDownAfterClass(): void
    {
        self::$sim?->stop();
        self::$sim = null;
    }

    private static function today(): \DateTimeImmutable
    {
        return new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
    }

    /** 2 x 1000.50 HUF at 27 % and 3 hours x 15000 HUF - 500 at 5 %, to 22222222. */
    public static function baseBuilder(string $number): InvoiceBuilder
    {
        $b = (new InvoiceBuilder($number, self::today()))
            ->setSupplier('12345676-2-41', 'Navoi Demo Kft.', 'HU', '1055', 'Budapest', 'Kossuth Lajos tér 1.')
            ->setSupplierBankAccount('11111111-22222222-33333333')
            ->setCustomerDomestic('22222222-2-13', 'Vevő Bt.', 'HU', '2000', 'Szentendre', 'Fő tér 2.')
            ->setPayment('TRANSFER', self::today()->modify('+8 days'))
            ->setAppearance('ELECTRONIC');
        $one = $b->addLine('Szék', '2', 'PIECE', '1000.50');
        $b->lineSetVatRate($one, '0.27')->lineSetNature($one, 'PRODUCT')->lineAddProductCode($one, 'VTSZ', '94017100');
        $two = $b->addLine('Tanácsadás', 3, 'HOUR', '15000', discount: '500');
        $b->lineSetVatRate($two, '0.05')->lineSetNature($two, 'SERVICE');
        return $b;
    }

    private static function schemaClient(mixed ...$over): Client
    {
        $schemas = Sim::navData() . '/schemas';
        if (is_file($schemas . '/invoiceData.xsd')) {
            $over['schemaDir'] = $schemas;
        }
        return self::$sim->client(...$over);
    }

    public function testAmountsAreExactDecimalStrings(): void
    {
        $b = self::baseBuilder('PHP-AMT-1');
        $this->assertSame('2001.00', $b->amount(AmountKind::NET, 1));
        $this->assertSame('540.27', $b->amount(AmountKind::VAT, 1));
        $this->assertSame('2541.27', $b->amount(AmountKind::GROSS, 1));
        $this->assertSame('44500.00', $b->amount(AmountKind::NET, 2));
        $this->assertSame('2225.00', $b->amount(AmountKind::VAT, 2));
        $totals = $b->amounts();
        $this->assertSame('46501.00', $totals['NET']);
        $this->assertSame('2765.27', $totals['VAT']);
        $this->assertSame('49266.27', $totals['GROSS']);
        $this->assertSame('49266.27', $totals['GROSS_HUF']);
        $eur = (new InvoiceBuilder('PHP-EUR-1', self::today()))->setCurrency('EUR', '392.45');
        $line = $eur->addLine('Licenc', '1', 'PIECE', '10.01');
        $eur->lineSetVatRate($line, '0.27');
        $this->assertSame('3928.42', $eur->amount(AmountKind::NET_HUF, $line));
    }

    public function testMalformedInputNamesTheField(): void
    {
        $b = new InvoiceBuilder('PHP-BAD-1', self::today());
        try {
            $b->setSupplier('123', 'X', 'HU', '1055', 'Budapest', 'Utca 1.');
            $this->fail('no exception');
        } catch (Exception\InvalidArgumentException $e) {
            $this->assertStringContainsString('tax number', $e->getMessage());
            $this->assertSame($b->errmsg(), $e->getMessage());
        }
        try {
            $b->lineSetVatRate(7, '0.27');
            $this->fail('no exception');
        } catch (Exception\NotFoundException) {
        }
        try {
            $b->build();
            $this->fail('no supplier, customer or lines');
        } catch (Exception\InvalidArgumentException $e) {
            $this->assertNotSame('', $e->getMessage());
        }
        $this->expectException(Exception\InvalidArgumentException::class);
        new InvoiceBuilder('PHP-BAD-2', '2026-13-45');
    }

    public function testBuiltInvoiceValidatesAndReachesDone(): void
    {
        $number = 'PHP-BUILD-' . (int) (microtime(true) * 1000);
        $c = self::schemaClient();
        $b = self::baseBuilder($number);
        $inv = $b->build(Operation::CREATE, $c);
        $this->assertSame($number, $inv->number());
        $this->assertSame(Operation::CREATE, $inv->operation());
        $f = Validator::validate($inv, $c);
        $this->assertFalse($f->hasErrors, implode("\n", array_map('strval', $f->findings)));
        $this->assertSame([], $f->errors());
        $this->assertSame($f->codes(), $c->validate($inv->xml())->codes());
        $txn = $c->manageInvoice([$inv])->wait(60.0, 0.05);
        $this->assertSame([Status::DONE], array_map(static fn ($i) => $i->status, $txn->items()));
        $this->assertMatchesRegularExpression('/^accepted=1 /', self::$sim->admin('ledger?supplier=12345676&number=' . $number));
        // the builder stays usable: a STORNO of it
        $b->setReference($number, 1, chainLastLine: 2);
        $this->assertSame(Operation::STORNO, $b->build(Operation::STORNO)->operation());
    }

    public function testCalculationErrorGivesNavsCode(): void
    {
        $xml = (string) file_get_contents(Sim::invoice('demo-create-1.xml'));
        $c = self::schemaClient();
        $this->assertCount(0, $c->validate($xml));
        $f = $c->validate(str_replace('<quantity>40</quantity>', '<quantity>41</quantity>', $xml));
        $this->assertSame(['INCORRECT_LINE_CALCULATION_NET_AMOUNT'], $f->codes());
        $this->assertSame(Severity::WARN, $f->findings[0]->severity);
        $this->assertFalse($f->hasErrors);
        $this->assertStringEndsWith('line[1]/lineAmountsNormal/lineNetAmountData/lineNetAmount', $f->findings[0]->path);
        $this->assertStringContainsString('615000.00', $f->findings[0]->messageEn);
        $this->assertStringContainsString('615000.00', $f->findings[0]->messageHu);
    }

    public function testBlockingError(): void
    {
        // an invoice of another supplier than the client's tax number
        $xml = (string) file_get_contents(Sim::testData() . '/bindings/inbound-from-22222222.xml');
        $c = self::schemaClient();
        $f = $c->validate($xml, Operation::CREATE);
        $this->assertTrue($f->hasErrors);
        $this->assertSame(['SUPPLIER_TAX_NUMBER_MISMATCH'], array_map(static fn ($x) => $x->code, $f->errors()));
        $this->assertTrue($f->findings[0]->isError());
        $this->assertSame(['SUPPLIER_TAX_NUMBER_MISMATCH'], Navoi::validate($c->invoice($xml), $c)->codes());
    }

    public function testNotWellFormed(): void
    {
        $f = Validator::validate('<InvoiceData');
        $this->assertSame(['SCHEMA_VIOLATION'], $f->codes());
        $this->assertTrue($f->hasErrors);
        $this->assertSame(['NAVOI_SCHEMA_NOT_CHECKED'],
            Validator::validate((string) file_get_contents(Sim::invoice('demo-create-1.xml')))->codes());
    }
}
