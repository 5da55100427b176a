<?php

declare(strict_types=1);

namespace Navoi;

use Navoi\Exception\NavoiException;

/**
 * An InvoiceData document to report, plain or gzip XML (navoi_invoice).
 * Pass a client to validate against its schemas and to get its error detail.
 */
final class Invoice extends Handle
{
    protected const KIND = 'invoice';
    protected const FREE_FN = 'navoi_invoice_free';

    public static function fromString(string $xml, Operation $operation = Operation::CREATE, ?Client $client = null): self
    {
        $ffi = Ffi::lib();
        $p = $ffi->new('navoi_invoice*');
        $cp = $client?->ptr();
        NavoiException::check($ffi->navoi_invoice_new(\FFI::addr($p), $cp, $xml, strlen($xml), $operation->value), $cp, 'invoice');
        return new self($p);
    }

    public static function fromFile(string $path, Operation $operation = Operation::CREATE, ?Client $client = null): self
    {
        $ffi = Ffi::lib();
        $p = $ffi->new('navoi_invoice*');
        $cp = $client?->ptr();
        NavoiException::check($ffi->navoi_invoice_new_from_file(\FFI::addr($p), $cp, $path, $operation->value), $cp, $path);
        return new self($p);
    }

    /** @internal takes ownership of a navoi_invoice the library made (InvoiceBuilder::build()) */
    public static function adopt(\FFI\CData $p): self
    {
        return new self($p);
    }

    /** invoiceNumber. */
    public function number(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_invoice_number($this->ptr()));
    }

    /** invoiceIssueDate, YYYY-MM-DD. */
    public function issueDate(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_invoice_issue_date($this->ptr()));
    }

    public function operation(): Operation
    {
        return Operation::from(Ffi::lib()->navoi_invoice_operation($this->ptr()));
    }

    /** completenessIndicator: the report is the e-invoice itself. */
    public function isElectronic(): bool
    {
        return Ffi::lib()->navoi_invoice_is_electronic($this->ptr()) !== 0;
    }

    /** The document bytes. */
    public function xml(): string
    {
        $ffi = Ffi::lib();
        $n = $ffi->new('size_t');
        return (string) Ffi::str($ffi->navoi_invoice_xml($this->ptr(), \FFI::addr($n)));
    }
}
