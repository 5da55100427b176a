<?php

declare(strict_types=1);

namespace Navoi;

/**
 * One validation finding: NAV's validation code where NAV has one (ERROR:
 * NAV would abort the invoice; WARN: NAV would warn), NAVOI_* otherwise,
 * with the element's path and NAV's English and Hungarian texts.
 */
final readonly class Finding implements \Stringable
{
    public function __construct(
        public string $code,
        public Severity $severity,
        public string $path,
        public string $messageEn,
        public string $messageHu,
    ) {
    }

    public function isError(): bool
    {
        return $this->severity === Severity::ERROR;
    }

    public function __toString(): string
    {
        return $this->severity->name . ' ' . $this->code . ' at ' . $this->path . ': ' . $this->messageEn;
    }
}
