<?php

declare(strict_types=1);

namespace Navoi;

/** NAV's test or production service. */
enum Environment: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_ENV_';

    case TEST = 1;
    case PRODUCTION = 2;
}
