<?php

declare(strict_types=1);

namespace Navoi;

/** validationResultCode. */
enum Severity: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_SEVERITY_';

    case INFO = 1;
    case WARN = 2;
    case ERROR = 3;
    case CRITICAL = 4;
}
