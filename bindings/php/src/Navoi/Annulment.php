<?php

declare(strict_types=1);

namespace Navoi;

/** One technical annulment of manageAnnulment. */
final readonly class Annulment
{
    public function __construct(
        /** Invoice or amending-document number. */
        public string $reference,
        public AnnulmentCode $code,
        public string $reason,
    ) {
    }
}
