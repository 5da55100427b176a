<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;

/**
 * Records of a query response. Each record maps field paths
 * ("invoiceNumber", "auditData/insdate", "x/y[2]/z", "path@attr") to text
 * in document order; meta holds response-level values (currentPage,
 * availablePage, taxpayerValidity, infoDate ...); content is the decoded
 * invoice XML of queryInvoiceData.
 */
final readonly class QueryResult implements \Countable, \IteratorAggregate
{
    /** Response-level values navoi.h documents (navoi_result_meta). */
    public const META_NAMES = ['currentPage', 'availablePage', 'invoiceCheckResult', 'taxpayerValidity', 'infoDate'];

    /**
     * @param list<array<string,string>> $records
     * @param array<string,string> $meta
     */
    public function __construct(
        public array $records = [],
        public array $meta = [],
        public ?string $content = null,
    ) {
    }

    /** @return array<string,string>|null the first record */
    public function record(): ?array
    {
        return $this->records[0] ?? null;
    }

    public function currentPage(): ?int
    {
        return isset($this->meta['currentPage']) ? (int) $this->meta['currentPage'] : null;
    }

    public function availablePage(): ?int
    {
        return isset($this->meta['availablePage']) ? (int) $this->meta['availablePage'] : null;
    }

    public function count(): int
    {
        return count($this->records);
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->records);
    }

    /** Copies a navoi_result into a QueryResult and frees it. */
    public static function take(CData $r): self
    {
        $ffi = Ffi::lib();
        Ffi::track('result', 1);
        try {
            $records = [];
            $n = $ffi->navoi_result_count($r);
            for ($i = 0; $i < $n; $i++) {
                $rec = [];
                $k = $ffi->navoi_result_field_count($r, $i);
                for ($j = 0; $j < $k; $j++) {
                    $name = Ffi::str($ffi->navoi_result_field_name($r, $i, $j));
                    if ($name !== null) {
                        $rec[$name] = (string) Ffi::str($ffi->navoi_result_field_value($r, $i, $j));
                    }
                }
                $records[] = $rec;
            }
            $meta = [];
            foreach (self::META_NAMES as $m) {
                $v = Ffi::str($ffi->navoi_result_meta($r, $m));
                if ($v !== null) {
                    $meta[$m] = $v;
                }
            }
            $len = $ffi->new('size_t');
            $content = Ffi::str($ffi->navoi_result_content($r, \FFI::addr($len)));
            return new self($records, $meta, $content);
        } finally {
            $ffi->navoi_result_free($r);
            Ffi::track('result', -1);
        }
    }
}
