<?php

declare(strict_types=1);

namespace Navoi;

/** State of an outbox item. */
enum ItemState: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_ITEM_';

    case PENDING = 1;
    case SENDING = 2;
    case SENT = 3;
    case DONE = 4;
    case ABORTED = 5;
    case FAILED = 6;
    case NEEDS_ATTENTION = 7;
}
