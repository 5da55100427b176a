<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ETOOBIG: a size limit was exceeded. */
class TooBigException extends NavoiException
{
}
