<?php

declare(strict_types=1);

namespace Navoi;

use Navoi\Exception\NavoiException;

/** Library-wide functions of libnavoi. */
final class Navoi
{
    /** Runtime version of libnavoi, e.g. "0.1.0". */
    public static function version(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_version());
    }

    /** (major << 16) | (minor << 8) | patch. */
    public static function versionNum(): int
    {
        return Ffi::lib()->navoi_version_num();
    }

    public static function strerror(int $code): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_strerror($code));
    }

    /** "RECEIVED" ... "ABORTED", "UNKNOWN". */
    public static function statusName(int|Status $status): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_status_name($status instanceof Status ? $status->value : $status));
    }

    /** Triage category of an error code and NAV errorCode (PROTOCOL.md 7). */
    public static function errorCategory(int $code, ?string $navErrorCode = null, bool $manage = false): Category
    {
        return Category::tryFrom(Ffi::lib()->navoi_error_category($code, $navErrorCode, $manage ? 1 : 0)) ?? Category::NONE;
    }

    /**
     * Reads a key or password file (regular, owned by you, mode 0600/0400)
     * with one trailing line break removed. Wipe the result with
     * sodium_memzero() when done; Client's *File arguments avoid the copy.
     */
    public static function secretFileRead(string $path): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        NavoiException::check($ffi->navoi_secret_file_read($path, \FFI::addr($out)), null, 'secret file');
        return (string) Ffi::takeString($out);
    }

    /**
     * Recomputes the requestSignature of a saved NAV request. A mismatch is
     * SignCheck(ok: false); a document that is not a NAV request throws
     * XmlException.
     */
    public static function signCheck(string $xml, #[\SensitiveParameter] string $signKey): SignCheck
    {
        $ffi = Ffi::lib();
        $report = $ffi->new('char*');
        $rc = $ffi->navoi_sign_check($xml, strlen($xml), $signKey, \FFI::addr($report));
        $text = (string) Ffi::takeString($report);
        if ($rc === ErrorCode::ESIGNATURE->value) {
            return new SignCheck(false, $text);
        }
        NavoiException::check($rc, null, 'signCheck');
        return new SignCheck(true, $text);
    }

    /** Name of an outbox item state ("PENDING" ... "NEEDS_ATTENTION"). */
    public static function outboxStateName(int|ItemState $state): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_outbox_state_name($state instanceof ItemState ? $state->value : $state));
    }

    /** Name of a connection status ("NO_CONFIG", "ACTIVE", "ERROR"; "UNKNOWN" for other values). */
    public static function connStatusName(int|ConnStatus $status): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_conn_status_name($status instanceof ConnStatus ? $status->value : $status));
    }

    /** Name of a diagnosis ("WRONG_PASSWORD", "CLOCK_SKEW", ...; "UNKNOWN" for other values). */
    public static function diagnosisName(int|Diagnosis $diagnosis): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_diagnosis_name($diagnosis instanceof Diagnosis ? $diagnosis->value : $diagnosis));
    }

    /**
     * Pre-submission validation of an Invoice or InvoiceData XML (see Validator::validate()).
     */
    public static function validate(Invoice|string $document, ?Client $client = null, ?Operation $operation = null): Findings
    {
        return Validator::validate($document, $client, $operation);
    }

    /** @return array<string,int> C handles currently owned by PHP objects, per kind. */
    public static function liveHandles(): array
    {
        return Ffi::liveHandles();
    }
}
