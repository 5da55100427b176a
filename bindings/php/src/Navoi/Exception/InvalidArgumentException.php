<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EINVAL: bad argument (NULL, out of range, malformed setting). */
class InvalidArgumentException extends NavoiException
{
}
