<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EVALIDATION: the pre-submission validator found ERROR findings (the outbox refused the invoice). */
class ValidationException extends NavoiException
{
}
