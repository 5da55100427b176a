<?php

declare(strict_types=1);

namespace Navoi;

/** Last error of an outbox item. */
final readonly class ItemError
{
    public function __construct(
        public int $code,
        public Category $category,
        public int $httpStatus,
        /** NAV errorCode or the deciding validationErrorCode. */
        public string $navCode,
        public string $message,
    ) {
    }
}
