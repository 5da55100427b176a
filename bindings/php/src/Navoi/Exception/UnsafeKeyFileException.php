<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EPERM: a key file has an unsafe mode or owner, or is a symlink. */
class UnsafeKeyFileException extends NavoiException
{
}
