<?php

declare(strict_types=1);

namespace Navoi;

/** Outcome of Navoi::signCheck(). */
final readonly class SignCheck
{
    public function __construct(public bool $ok, public string $report)
    {
    }
}
