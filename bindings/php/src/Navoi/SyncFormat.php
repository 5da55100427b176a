<?php

declare(strict_types=1);

namespace Navoi;

/** Format of Sync::summary(). */
enum SyncFormat: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_SYNC_';

    case CSV = 1;
    case JSON = 2;
}
