<?php

declare(strict_types=1);

namespace Navoi;

/** A technical or business validation message of NAV. */
final readonly class ValidationMessage
{
    public function __construct(
        public MessageKind $kind,
        public Severity $severity,
        public string $code,
        public string $text,
        public ?MessagePointer $pointer = null,
    ) {
    }
}
