<?php

declare(strict_types=1);

namespace Navoi;

/** Processing result of one index of a transaction. */
final readonly class TransactionItem
{
    /** @param list<ValidationMessage> $messages */
    public function __construct(
        public int $index,
        public int $batchIndex,
        public Status $status,
        public array $messages = [],
        /** The original request of the item after a poll with returnOriginal. */
        public ?string $original = null,
    ) {
    }
}
