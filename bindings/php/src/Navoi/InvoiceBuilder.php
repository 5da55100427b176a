<?php

declare(strict_types=1);

namespace Navoi;

use Navoi\Exception\NavoiException;

/**
 * Builds an InvoiceData document without writing XML
 * (navoi_invoice_builder). The setters mirror navoi_invoice_builder_*; each
 * copies its inputs, throws InvalidArgumentException naming the field for a
 * malformed value (NotFoundException for an unknown line number) and
 * returns the builder, so calls chain. addLine() returns the line number.
 *
 *     $b = (new Navoi\InvoiceBuilder('INV-2026-0001', '2026-11-02'))
 *         ->setSupplier('12345676-2-41', 'Navoi Demo Kft.', 'HU', '1055', 'Budapest', 'Kossuth tér 1.')
 *         ->setCustomerDomestic('22222222-2-13', 'Vevő Bt.', 'HU', '2000', 'Szentendre', 'Fő tér 2.');
 *     $b->lineSetVatRate($b->addLine('Szék', '2', 'PIECE', '1000.50'), '0.27');
 *     $invoice = $b->build(client: $client);
 *
 * Amounts go in and come out as decimal strings ("1234.5", "-3"; int is
 * accepted too), never as binary floating point. One thread at a time.
 */
final class InvoiceBuilder extends Handle
{
    protected const KIND = 'invoice_builder';
    protected const FREE_FN = 'navoi_invoice_builder_free';

    public function __construct(string $invoiceNumber, string|\DateTimeInterface $issueDate,
        InvoiceCategory $category = InvoiceCategory::NORMAL)
    {
        $ffi = Ffi::lib();
        $p = $ffi->new('navoi_invoice_builder*');
        NavoiException::check($ffi->navoi_invoice_builder_new(\FFI::addr($p), $invoiceNumber, self::date($issueDate),
            $category->value), null, 'invoiceBuilder');
        parent::__construct($p);
    }

    private static function date(string|\DateTimeInterface|null $d): ?string
    {
        return $d instanceof \DateTimeInterface ? $d->format('Y-m-d') : $d;
    }

    private static function dec(string|int|null $v): ?string
    {
        return $v === null ? null : (string) $v;
    }

    /** Message of the last failed call ("" if none). */
    public function errmsg(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_invoice_builder_errmsg($this->ptr()));
    }

    private function check(int $rc, string $what, ?Client $client = null): void
    {
        if ($rc === 0) {
            return;
        }
        $msg = $this->errmsg();
        if ($client !== null && !$client->isClosed()) {
            $e = NavoiException::fromCode($rc, $client->ptr(), $what);
            if ($msg !== '' && (string) Ffi::str(Ffi::lib()->navoi_client_errmsg($client->ptr())) === '') {
                $class = $e::class;
                $e = new $class($rc, $msg, $e->navErrorCode, $e->httpStatus, $e->category, $what);
            }
            throw $e;
        }
        $class = NavoiException::classFor($rc);
        throw new $class($rc, $msg !== '' ? $msg : $what . ': ' . Navoi::strerror($rc), '', 0, Navoi::errorCategory($rc), $what);
    }

    // ---- parties ----

    /** supplierInfo; $taxNumber "12345678-1-42" or "12345678142". */
    public function setSupplier(string $taxNumber, string $name, string $countryCode, string $postalCode,
        string $city, string $addressDetail): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_supplier($this->ptr(), $taxNumber, $name, $countryCode,
            $postalCode, $city, $addressDetail), 'supplier');
        return $this;
    }

    /** supplierBankAccountNumber, or null to clear it. */
    public function setSupplierBankAccount(?string $account): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_supplier_bank_account($this->ptr(), $account), 'supplierBankAccount');
        return $this;
    }

    /** A Hungarian VAT subject (customerVatStatus DOMESTIC). */
    public function setCustomerDomestic(string $taxNumber, string $name, string $countryCode, string $postalCode,
        string $city, string $addressDetail): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_customer_domestic($this->ptr(), $taxNumber, $name,
            $countryCode, $postalCode, $city, $addressDetail), 'customer');
        return $this;
    }

    /** A private person (no name, address or tax number is sent). */
    public function setCustomerPrivatePerson(): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_customer_private_person($this->ptr()), 'customer');
        return $this;
    }

    /** A business in another EU member state (communityVatNumber). */
    public function setCustomerEu(string $communityVatNumber, string $name, string $countryCode, string $postalCode,
        string $city, string $addressDetail): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_customer_eu($this->ptr(), $communityVatNumber, $name,
            $countryCode, $postalCode, $city, $addressDetail), 'customer');
        return $this;
    }

    /** A business outside the EU (thirdStateTaxId, or null). */
    public function setCustomerThirdCountry(?string $taxId, string $name, string $countryCode, string $postalCode,
        string $city, string $addressDetail): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_customer_third_country($this->ptr(), $taxId, $name,
            $countryCode, $postalCode, $city, $addressDetail), 'customer');
        return $this;
    }

    // ---- head ----

    public function setDeliveryDate(string|\DateTimeInterface $date): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_delivery_date($this->ptr(), self::date($date)), 'deliveryDate');
        return $this;
    }

    /** ISO 4217 code and HUF per unit ("392.45"; "1" for HUF). */
    public function setCurrency(string $currencyCode, string|int $exchangeRate): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_currency($this->ptr(), $currencyCode,
            self::dec($exchangeRate)), 'currency');
        return $this;
    }

    /** paymentMethod (TRANSFER, CASH, CARD, VOUCHER, OTHER) and paymentDate; null leaves one out. */
    public function setPayment(?string $method = null, string|\DateTimeInterface|null $date = null): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_payment($this->ptr(), $method, self::date($date)), 'payment');
        return $this;
    }

    /** PAPER (default), ELECTRONIC, EDI or UNKNOWN. */
    public function setAppearance(string $appearance): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_appearance($this->ptr(), $appearance), 'appearance');
        return $this;
    }

    /** Makes the document a MODIFY or STORNO of $originalInvoiceNumber. */
    public function setReference(string $originalInvoiceNumber, int $modificationIndex,
        bool $modifyWithoutMaster = false, int $chainLastLine = 0): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_set_reference($this->ptr(), $originalInvoiceNumber,
            $modificationIndex, $modifyWithoutMaster ? 1 : 0, $chainLastLine), 'reference');
        return $this;
    }

    // ---- lines ----

    /**
     * Adds a line (net unit price; gross on SIMPLIFIED invoices) and returns
     * its number (1, 2, ...). Give it a VAT treatment next.
     */
    public function addLine(string $description, string|int $quantity, string $unit, string|int $unitPrice,
        string|int|null $discount = null): int
    {
        $ffi = Ffi::lib();
        $line = $ffi->new('int32_t');
        $this->check($ffi->navoi_invoice_builder_add_line($this->ptr(), $description, self::dec($quantity), $unit,
            self::dec($unitPrice), self::dec($discount), \FFI::addr($line)), 'line');
        return $line->cdata;
    }

    /** vatPercentage ("0.27"); vatContent on SIMPLIFIED invoices. */
    public function lineSetVatRate(int $line, string $rate): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_vat_rate($this->ptr(), $line, $rate), 'vatRate');
        return $this;
    }

    /** vatExemption: AAM, TAM, KBAET, KBAUK, EAM or NAM, with the legal reason. */
    public function lineSetVatExemption(int $line, string $exemptionCase, string $reason): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_vat_exemption($this->ptr(), $line, $exemptionCase, $reason),
            'vatExemption');
        return $this;
    }

    /** vatOutOfScope: ATK, EUFAD37, EUFADE, EUE or HO, with the reason. */
    public function lineSetVatOutOfScope(int $line, string $outOfScopeCase, string $reason): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_vat_out_of_scope($this->ptr(), $line, $outOfScopeCase,
            $reason), 'vatOutOfScope');
        return $this;
    }

    /** vatDomesticReverseCharge (the customer must be DOMESTIC). */
    public function lineSetReverseCharge(int $line): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_reverse_charge($this->ptr(), $line), 'reverseCharge');
        return $this;
    }

    /** productCode: VTSZ, SZJ, KN, TESZOR, OWN, ... */
    public function lineAddProductCode(int $line, string $category, string $value): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_add_product_code($this->ptr(), $line, $category, $value),
            'productCode');
        return $this;
    }

    /** lineNatureIndicator: PRODUCT, SERVICE or OTHER. */
    public function lineSetNature(int $line, string $nature): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_nature($this->ptr(), $line, $nature), 'nature');
        return $this;
    }

    /** lineDeliveryDate (AGGREGATE invoices). */
    public function lineSetDeliveryDate(int $line, string|\DateTimeInterface $date): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_delivery_date($this->ptr(), $line, self::date($date)),
            'lineDeliveryDate');
        return $this;
    }

    /** lineNumberReference (MODIFY/STORNO). */
    public function lineSetNumberReference(int $line, int $reference): self
    {
        $this->check(Ffi::lib()->navoi_invoice_builder_line_set_number_reference($this->ptr(), $line, $reference),
            'numberReference');
        return $this;
    }

    // ---- results ----

    /** One computed amount of a line, or of the invoice with $line 0, as a decimal string ("-1234.50"). */
    public function amount(AmountKind $which, int $line = 0): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('const char*');
        $this->check($ffi->navoi_invoice_builder_amount($this->ptr(), $line, $which->value, \FFI::addr($out)), 'amount');
        return (string) Ffi::str($out);
    }

    /** @return array<string,string> every AmountKind (by case name) of a line, or of the invoice with $line 0 */
    public function amounts(int $line = 0): array
    {
        $out = [];
        foreach (AmountKind::cases() as $k) {
            $out[$k->name] = $this->amount($k, $line);
        }
        return $out;
    }

    /**
     * The InvoiceData document as an Invoice. With a client, its schema
     * directory also validates it against invoiceData.xsd. The builder stays usable.
     */
    public function build(Operation $operation = Operation::CREATE, ?Client $client = null): Invoice
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_invoice*');
        $this->check($ffi->navoi_invoice_builder_build($this->ptr(), $client?->ptr(), $operation->value, \FFI::addr($out)),
            'build', $client);
        return Invoice::adopt($out);
    }
}
