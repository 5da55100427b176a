<?php

declare(strict_types=1);

namespace Navoi;

/** invoiceCategory of a built invoice (InvoiceBuilder). */
enum InvoiceCategory: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_CATEGORY_';

    case NORMAL = 1;
    case SIMPLIFIED = 2;
    case AGGREGATE = 3;
}
