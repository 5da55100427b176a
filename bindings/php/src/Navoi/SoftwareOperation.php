<?php

declare(strict_types=1);

namespace Navoi;

/** softwareOperation. */
enum SoftwareOperation: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_SOFTWARE_';

    case LOCAL = 1;
    case ONLINE = 2;
}
