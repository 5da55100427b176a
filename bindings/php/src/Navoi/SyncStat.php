<?php

declare(strict_types=1);

namespace Navoi;

/** Counters of the current or last Sync::run(). */
enum SyncStat: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_SYNC_STAT_';

    case RUN_FROM = 1;
    case RUN_TO = 2;
    case WINDOWS = 3;
    case WINDOW = 4;
    case PAGE = 5;
    case PAGES = 6;
    case SEEN = 7;
    case FETCHED = 8;
    case SKIPPED = 9;
    case INCOMPLETE = 10;
    case REQUESTS = 11;
    case RESUMED = 12;
}
