<?php

declare(strict_types=1);

namespace Navoi;

/** Triage category of an error: what to do about it. */
enum Category: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_CAT_';

    case NONE = 0;
    case CONFIG = 1;
    case DATA = 2;
    case TRANSIENT = 3;
    case AMBIGUOUS = 4;
    case SECURITY = 5;
}
