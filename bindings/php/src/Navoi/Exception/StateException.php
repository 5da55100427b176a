<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ESTATE: illegal state or state transition. */
class StateException extends NavoiException
{
}
