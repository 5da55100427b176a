<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ENOTFOUND: the requested item does not exist. */
class NotFoundException extends NavoiException
{
}
