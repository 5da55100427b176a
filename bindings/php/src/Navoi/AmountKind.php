<?php

declare(strict_types=1);

namespace Navoi;

/** Which amount InvoiceBuilder::amount() computes. */
enum AmountKind: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_AMOUNT_';

    case NET = 1;
    case VAT = 2;
    case GROSS = 3;
    case NET_HUF = 4;
    case VAT_HUF = 5;
    case GROSS_HUF = 6;
}
