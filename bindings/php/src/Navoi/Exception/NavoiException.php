<?php

declare(strict_types=1);

namespace Navoi\Exception;

use Navoi\Category;
use Navoi\ErrorCode;
use Navoi\Ffi;

/**
 * A navoi call failed. getCode() is the negative NAVOI_E... code; the
 * properties carry what the client handle knew right after the call. These
 * texts come from libnavoi, which never puts a secret into them.
 */
class NavoiException extends \RuntimeException
{
    /** Constant name in navoi.h => class (the tests check it covers every NAVOI_E* of the header). */
    public const BY_NAME = [
        'NAVOI_EINVAL' => InvalidArgumentException::class,
        'NAVOI_ENOMEM' => OutOfMemoryException::class,
        'NAVOI_EIO' => FileIOException::class,
        'NAVOI_ECONFIG' => ConfigException::class,
        'NAVOI_EKEY' => KeyFormatException::class,
        'NAVOI_EPERM' => UnsafeKeyFileException::class,
        'NAVOI_EXML' => XmlException::class,
        'NAVOI_ESCHEMA' => SchemaException::class,
        'NAVOI_ENET' => NetworkException::class,
        'NAVOI_ETIMEOUT' => TimeoutException::class,
        'NAVOI_ETLS' => TlsException::class,
        'NAVOI_EHTTP' => HttpStatusException::class,
        'NAVOI_ENAV' => NavException::class,
        'NAVOI_EPROTO' => ProtocolException::class,
        'NAVOI_ETOOBIG' => TooBigException::class,
        'NAVOI_ECRYPTO' => CryptoException::class,
        'NAVOI_EUSER' => CallbackException::class,
        'NAVOI_ENOTFOUND' => NotFoundException::class,
        'NAVOI_ESTATE' => StateException::class,
        'NAVOI_EAMBIGUOUS' => AmbiguousOutcomeException::class,
        'NAVOI_ESIGNATURE' => SignatureMismatchException::class,
        'NAVOI_EVALIDATION' => ValidationException::class,
    ];

    public function __construct(
        int $code,
        string $message,
        /** NAV's errorCode ("" if none). */
        public readonly string $navErrorCode = '',
        /** HTTP status of the last response (0 if none). */
        public readonly int $httpStatus = 0,
        /** What to do about it. */
        public readonly Category $category = Category::NONE,
        /** The call or setting that failed, e.g. "manageInvoice", "login". */
        public readonly string $operation = '',
    ) {
        parent::__construct($message, $code);
    }

    /** "ENAV", "EINVAL", ... */
    public function getName(): string
    {
        return ErrorCode::tryFrom($this->getCode())?->name ?? ('E' . -$this->getCode());
    }

    /** @return class-string<NavoiException> */
    public static function classFor(int $code): string
    {
        $name = ErrorCode::tryFrom($code)?->name;
        return self::BY_NAME['NAVOI_' . $name] ?? self::class;
    }

    /** The exception for $code with the detail of the client handle that failed (if any). */
    public static function fromCode(int $code, ?\FFI\CData $client = null, string $operation = ''): self
    {
        $ffi = Ffi::lib();
        $class = self::classFor($code);
        if ($client !== null) {
            $msg = (string) Ffi::str($ffi->navoi_client_errmsg($client));
            $nav = (string) Ffi::str($ffi->navoi_client_nav_error_code($client));
            $http = (int) $ffi->navoi_client_http_status($client);
            $cat = Category::tryFrom((int) $ffi->navoi_client_error_category($client)) ?? Category::NONE;
        } else {
            $msg = '';
            $nav = '';
            $http = 0;
            $cat = Category::tryFrom((int) $ffi->navoi_error_category($code, null, 0)) ?? Category::NONE;
        }
        if ($msg === '') {
            $msg = ($operation !== '' ? $operation . ': ' : '') . Ffi::str($ffi->navoi_strerror($code));
        }
        return new $class($code, $msg, $nav, $http, $cat, $operation);
    }

    /** Throws the mapped exception unless $code is NAVOI_OK. */
    public static function check(int $code, ?\FFI\CData $client = null, string $operation = ''): void
    {
        if ($code !== 0) {
            throw self::fromCode($code, $client, $operation);
        }
    }
}
