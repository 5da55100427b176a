<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ECONFIG: a required setting is missing or unusable. */
class ConfigException extends NavoiException
{
}
