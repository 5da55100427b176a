<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ETIMEOUT: no answer in time. */
class TimeoutException extends NavoiException
{
}
