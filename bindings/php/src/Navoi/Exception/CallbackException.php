<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EUSER: a callback stopped the operation. */
class CallbackException extends NavoiException
{
}
