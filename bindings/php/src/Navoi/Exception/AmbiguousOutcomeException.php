<?php

declare(strict_types=1);

namespace Navoi\Exception;

/** NAVOI_EAMBIGUOUS: a manage request may have reached NAV; reconcile before resubmitting. */
class AmbiguousOutcomeException extends NavoiException
{
}
