<?php

declare(strict_types=1);

namespace Navoi;

/** What a person has to change after a connection check. */
enum Diagnosis: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_DIAG_';

    case NONE = 0;
    case MISSING_CONFIG = 1;
    case KEY_WHITESPACE = 2;
    case KEY_LENGTH = 3;
    case WRONG_PASSWORD = 4;
    case SIGNING_KEY = 5;
    case EXCHANGE_KEY = 6;
    case PERMISSION = 7;
    case NOT_REGISTERED = 8;
    case USER_RELATION = 9;
    case CLOCK_SKEW = 10;
    case WRONG_ENVIRONMENT = 11;
    case TLS = 12;
    case NETWORK = 13;
    case HTTP = 14;
    case MAINTENANCE = 15;
    case OTHER = 16;
}
