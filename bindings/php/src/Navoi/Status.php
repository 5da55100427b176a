<?php

declare(strict_types=1);

namespace Navoi;

/** Processing status of one transaction item. */
enum Status: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_STATUS_';

    case UNKNOWN = 0;
    case RECEIVED = 1;
    case PROCESSING = 2;
    case SAVED = 3;
    case DONE = 4;
    case ABORTED = 5;
}
