<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ENET: network failure before the request body was sent. */
class NetworkException extends NavoiException
{
}
