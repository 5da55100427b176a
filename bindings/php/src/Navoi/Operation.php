<?php

declare(strict_types=1);

namespace Navoi;

/** invoiceOperation; ANNUL only as the operation of an outbox item. */
enum Operation: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_OP_';

    case CREATE = 1;
    case MODIFY = 2;
    case STORNO = 3;
    case ANNUL = 4;
}
