<?php

declare(strict_types=1);

namespace Navoi;

/** invoiceDirection. */
enum Direction: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_';

    case OUTBOUND = 1;
    case INBOUND = 2;
}
