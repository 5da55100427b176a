<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;

/**
 * Ownership of one C handle: freed by close() or when the object is
 * destroyed (PHP's reference counting makes that deterministic).
 */
abstract class Handle
{
    protected const KIND = '';
    protected const FREE_FN = '';

    private ?CData $ptr;

    protected function __construct(CData $ptr)
    {
        if (\FFI::isNull($ptr)) {
            throw new \LogicException('NULL handle');
        }
        $this->ptr = $ptr;
        Ffi::track(static::KIND, 1);
    }

    /** The C pointer; throws when the handle is closed. */
    public function ptr(): CData
    {
        if ($this->ptr === null) {
            throw new \LogicException(static::class . ' is closed');
        }
        return $this->ptr;
    }

    public function isClosed(): bool
    {
        return $this->ptr === null;
    }

    /** Frees the C handle. Idempotent. */
    public function close(): void
    {
        $p = $this->ptr;
        $this->ptr = null;
        if ($p !== null) {
            Ffi::lib()->{static::FREE_FN}($p);
            Ffi::track(static::KIND, -1);
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    /** Handles cannot be copied: two objects would free one pointer. */
    public function __clone()
    {
        throw new \LogicException('navoi handles cannot be cloned');
    }
}
