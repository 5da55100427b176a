<?php

declare(strict_types=1);

namespace Navoi;

/** Where a validation message points in the invoice. */
final readonly class MessagePointer
{
    public function __construct(
        public string $tag,
        public string $value,
        public string $line,
        public string $originalInvoiceNumber,
    ) {
    }
}
