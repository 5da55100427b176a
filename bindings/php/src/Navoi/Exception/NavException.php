<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ENAV: NAV answered funcCode ERROR; see $navErrorCode. */
class NavException extends NavoiException
{
}
