<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_ESIGNATURE: a requestSignature does not match. */
class SignatureMismatchException extends NavoiException
{
}
