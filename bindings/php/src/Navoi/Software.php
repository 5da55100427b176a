<?php

declare(strict_types=1);

namespace Navoi;

/** The software block NAV receives with every request. */
final readonly class Software
{
    public function __construct(
        /** softwareId: 18 characters of [0-9A-Z-]. */
        public string $id,
        public string $name,
        public SoftwareOperation $operation = SoftwareOperation::LOCAL,
        public string $mainVersion = '1.0',
        public string $devName = '',
        /** An e-mail address. */
        public string $devContact = '',
        public ?string $devCountry = null,
        public ?string $devTaxNumber = null,
    ) {
    }
}
