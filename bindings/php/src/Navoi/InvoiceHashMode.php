<?php

declare(strict_types=1);

namespace Navoi;

/** electronicInvoiceHash input. */
enum InvoiceHashMode: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_EHASH_';

    case BASE64_TEXT = 1;
    case DECODED_XML = 2;
}
