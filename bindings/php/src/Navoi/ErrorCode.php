<?php

declare(strict_types=1);

namespace Navoi;

/** NAVOI_OK and the NAVOI_E* error codes. */
enum ErrorCode: int
{
    /** Prefix of the matching constants in navoi.h (the tests compare every case). */
    public const PREFIX = 'NAVOI_';

    case OK = 0;
    case EINVAL = -1;
    case ENOMEM = -2;
    case EIO = -3;
    case ECONFIG = -4;
    case EKEY = -5;
    case EPERM = -6;
    case EXML = -7;
    case ESCHEMA = -8;
    case ENET = -9;
    case ETIMEOUT = -10;
    case ETLS = -11;
    case EHTTP = -12;
    case ENAV = -13;
    case EPROTO = -14;
    case ETOOBIG = -15;
    case ECRYPTO = -16;
    case EUSER = -17;
    case ENOTFOUND = -18;
    case ESTATE = -19;
    case EAMBIGUOUS = -20;
    case ESIGNATURE = -21;
    case EVALIDATION = -22;
}
