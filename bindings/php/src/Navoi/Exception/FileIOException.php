<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EIO: a local file could not be read or written. */
class FileIOException extends NavoiException
{
}
