<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ETLS: TLS failure; never retried. */
class TlsException extends NavoiException
{
}
