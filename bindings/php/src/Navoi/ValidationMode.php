<?php

declare(strict_types=1);

namespace Navoi;

/** What outbox enqueue does with the pre-submission validator. */
enum ValidationMode: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_OUTBOX_VALIDATE_';

    case OFF = 0;
    case FLAG = 1;
    case REFUSE = 2;
}
