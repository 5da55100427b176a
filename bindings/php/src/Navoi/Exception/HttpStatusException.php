<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EHTTP: HTTP error status without a NAV XML body. */
class HttpStatusException extends NavoiException
{
}
