<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EPROTO: the response is not a valid NAV response. */
class ProtocolException extends NavoiException
{
}
