<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * The pre-submission validator (navoi_validate, navoi_validate_xml):
 * invoiceData.xsd when the client has a schema directory, and NAV's
 * business rules, so that data errors are found before they cost a NAV
 * round trip.
 */
final class Validator
{
    /**
     * Validates an Invoice (its operation selects the rules) or InvoiceData
     * XML, plain or gzip, that need not even be well-formed; for XML a null
     * $operation infers it (MODIFY with an invoiceReference, else CREATE).
     * Returns the findings, possibly none; throws only for bad arguments.
     */
    public static function validate(Invoice|string $document, ?Client $client = null, ?Operation $operation = null): Findings
    {
        $ffi = Ffi::lib();
        $cp = $client?->ptr();
        $out = $ffi->new('navoi_findings*');
        if ($document instanceof Invoice) {
            if ($operation !== null && $operation !== $document->operation()) {
                throw new \InvalidArgumentException('an Invoice carries its operation; got ' . $operation->name
                    . ' for a ' . $document->operation()->name);
            }
            $rc = $ffi->navoi_validate($cp, $document->ptr(), \FFI::addr($out));
        } else {
            $rc = $ffi->navoi_validate_xml($cp, $document, strlen($document), $operation?->value ?? 0, \FFI::addr($out));
        }
        if ($rc !== 0) {
            if (!\FFI::isNull($out)) {
                $ffi->navoi_findings_free($out);
            }
            throw NavoiException::fromCode($rc, $cp, 'validate');
        }
        return self::take($out);
    }

    /** @internal copies and frees a navoi_findings */
    private static function take(CData $f): Findings
    {
        $ffi = Ffi::lib();
        Ffi::track('findings', 1);
        try {
            $list = [];
            $n = $ffi->navoi_findings_count($f);
            for ($i = 0; $i < $n; $i++) {
                $s = [];
                foreach (['code', 'path', 'en', 'hu'] as $k) {
                    $s[$k] = $ffi->new('const char*');
                }
                $sev = $ffi->new('int');
                if ($ffi->navoi_findings_get($f, $i, \FFI::addr($s['code']), \FFI::addr($sev), \FFI::addr($s['path']),
                    \FFI::addr($s['en']), \FFI::addr($s['hu'])) !== 0) {
                    continue;
                }
                $list[] = new Finding((string) Ffi::str($s['code']), Severity::tryFrom($sev->cdata) ?? Severity::ERROR,
                    (string) Ffi::str($s['path']), (string) Ffi::str($s['en']), (string) Ffi::str($s['hu']));
            }
            return new Findings($list, $ffi->navoi_findings_has_errors($f) !== 0);
        } finally {
            $ffi->navoi_findings_free($f);
            Ffi::track('findings', -1);
        }
    }
}
