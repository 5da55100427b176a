<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EKEY: a key or password has the wrong form. */
class KeyFormatException extends NavoiException
{
}
