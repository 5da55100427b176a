<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ECRYPTO: token decryption failed (wrong exchange key?). */
class CryptoException extends NavoiException
{
}
