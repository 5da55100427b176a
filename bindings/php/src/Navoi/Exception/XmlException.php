<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EXML: input XML is not well-formed or has the wrong root. */
class XmlException extends NavoiException
{
}
