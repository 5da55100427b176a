<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ESCHEMA: a document failed XSD validation. */
class SchemaException extends NavoiException
{
}
