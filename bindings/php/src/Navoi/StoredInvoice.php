<?php

declare(strict_types=1);

namespace Navoi;

/**
 * One synchronised incoming invoice: its id
 * ("SUPPLIERTAX/NUMBER/BATCHINDEX/TRANSACTIONID/INDEX"), the digest fields by
 * NAV's element names (invoiceNumber, supplierTaxNumber, insDate, ...) and
 * the invoice XML (null when only the digest could be stored).
 */
final readonly class StoredInvoice
{
    /** @param array<string,string> $meta */
    public function __construct(public string $id, public array $meta, public ?string $xml)
    {
    }

    public function invoiceNumber(): string
    {
        return $this->meta['invoiceNumber'] ?? '';
    }

    public function supplierTaxNumber(): string
    {
        return $this->meta['supplierTaxNumber'] ?? '';
    }
}
