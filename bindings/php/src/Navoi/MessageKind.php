<?php

declare(strict_types=1);

namespace Navoi;

/** Kind of a validation message. */
enum MessageKind: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_MSG_';

    case TECHNICAL = 1;
    case BUSINESS = 2;
}
