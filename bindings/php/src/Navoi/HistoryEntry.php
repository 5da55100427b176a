<?php

declare(strict_types=1);

namespace Navoi;

/** One history entry of an outbox item: "event key=value ...". */
final readonly class HistoryEntry
{
    public function __construct(public int $timeMs, public string $text)
    {
    }
}
