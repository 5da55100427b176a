<?php

declare(strict_types=1);

namespace Navoi;

/** Outcome of a connection check (Client::checkConnection()). */
enum ConnStatus: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_CONN_';

    case NO_CONFIG = 1;
    case ACTIVE = 2;
    case ERROR = 3;
}
