<?php

declare(strict_types=1);

namespace Navoi;

/** annulmentCode. */
enum AnnulmentCode: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_ANNUL_';

    case ERRATIC_DATA = 1;
    case ERRATIC_INVOICE_NUMBER = 2;
    case ERRATIC_INVOICE_ISSUE_DATE = 3;
    case ERRATIC_ELECTRONIC_HASH_VALUE = 4;
}
