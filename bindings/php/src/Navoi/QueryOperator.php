<?php

declare(strict_types=1);

namespace Navoi;

/** Relational operator of queryInvoiceDigest. */
enum QueryOperator: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_QOP_';

    case EQ = 1;
    case GT = 2;
    case GTE = 3;
    case LT = 4;
    case LTE = 5;
}
