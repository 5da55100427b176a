<?php

declare(strict_types=1);

namespace Navoi;

/**
 * Flag constants of navoi.h that the PHP API takes as named boolean
 * arguments, and constants of C-only features. The tests compare each value
 * with the header.
 */
final class Flag
{
    /** NAVOI_MANAGE_COMPRESS: Client::manageInvoice(compress: true). */
    public const MANAGE_COMPRESS = 1;
    /** NAVOI_STATUS_RETURN_ORIGINAL: returnOriginal: true. */
    public const STATUS_RETURN_ORIGINAL = 1;
    /** NAVOI_CHECK_QUERY_ONLY: Client::checkConnection(queryOnly: true). */
    public const CHECK_QUERY_ONLY = 1;

    /** navoi.h constant => value, for constants not expressed by an enum. */
    public const CONSTANTS = [
        'NAVOI_MANAGE_COMPRESS' => self::MANAGE_COMPRESS,
        'NAVOI_STATUS_RETURN_ORIGINAL' => self::STATUS_RETURN_ORIGINAL,
        'NAVOI_CHECK_QUERY_ONLY' => self::CHECK_QUERY_ONLY,
        // custom storage backends are C-only (Ffi::NOT_EXPOSED)
        'NAVOI_STORAGE_OPS_VERSION' => 3,
        'NAVOI_STORAGE_BY_KEY' => 1,
        'NAVOI_STORAGE_BY_STATE' => 2,
        'NAVOI_STORAGE_BY_DUE' => 3,
        'NAVOI_STORAGE_BY_NUMBER' => 4,
        'NAVOI_STORAGE_BY_GROUP' => 5,
        'NAVOI_STORAGE_BY_ORIGINAL' => 6,
    ];
}
