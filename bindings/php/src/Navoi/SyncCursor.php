<?php

declare(strict_types=1);

namespace Navoi;

/**
 * Where a synchronisation stands: $cursorMs is the end of the last complete
 * run (0: never ran); $interrupted means the next run continues a stopped one.
 */
final readonly class SyncCursor
{
    public function __construct(public int $cursorMs, public bool $interrupted)
    {
    }
}
