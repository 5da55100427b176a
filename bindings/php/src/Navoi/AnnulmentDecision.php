<?php

declare(strict_types=1);

namespace Navoi;

/** A primary user's decision on a technical annulment. */
final readonly class AnnulmentDecision
{
    public function __construct(public string $date, public string $user)
    {
    }
}
