<?php

declare(strict_types=1);

namespace Navoi;

/** Log levels; a client logs at its level and below. */
enum LogLevel: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_LOG_';

    case ERROR = 1;
    case WARN = 2;
    case INFO = 3;
    case DEBUG = 4;
    case TRACE = 5;
}
