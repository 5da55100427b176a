<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ENOMEM: an allocation failed; nothing was changed. */
class OutOfMemoryException extends NavoiException
{
}
