<?php

declare(strict_types=1);

namespace Navoi;

/**
 * Outcome of Client::checkConnection(): status, diagnosis, libnavoi's
 * diagnosis text (what a person has to change; never a secret; "" when
 * ACTIVE) and NAV's errorCode behind it ("" if none).
 */
final readonly class ConnectionCheck implements \Stringable
{
    public function __construct(
        public ConnStatus $status,
        public Diagnosis $diagnosis,
        public string $message,
        public string $navErrorCode = '',
    ) {
    }

    /** NAV accepted the credentials. */
    public function ok(): bool
    {
        return $this->status === ConnStatus::ACTIVE;
    }

    public function __toString(): string
    {
        $s = Navoi::connStatusName($this->status);
        if ($this->diagnosis !== Diagnosis::NONE) {
            $s .= ' (' . Navoi::diagnosisName($this->diagnosis) . ')';
        }
        return $this->message !== '' ? $s . ': ' . $this->message : $s;
    }
}
