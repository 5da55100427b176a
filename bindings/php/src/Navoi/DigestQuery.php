<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * Parameters of queryInvoiceDigest. Exactly one mandatory criterion:
 * issueDate, insDate or originalInvoiceNumber.
 *
 * params: additional criteria by XSD name (taxNumber, groupMemberTaxNumber,
 * name, invoiceCategory, paymentMethod, invoiceAppearance, source,
 * currency). relations: list of [field, QueryOperator, value] with field
 * invoiceDelivery, paymentDate, invoiceNetAmount(HUF), invoiceVatAmount(HUF).
 * transaction: [transactionId, index or 0, Operation or null].
 */
final readonly class DigestQuery
{
    /**
     * @param array{0:string,1:string}|null $issueDate YYYY-MM-DD from, to
     * @param array{0:int|\DateTimeInterface,1:int|\DateTimeInterface}|null $insDate ms since the epoch or dates
     * @param array<string,string> $params
     * @param list<array{0:string,1:QueryOperator,2:string}> $relations
     * @param array{0:string,1:int,2:?Operation}|null $transaction
     */
    public function __construct(
        public Direction $direction = Direction::OUTBOUND,
        public int $page = 1,
        public ?array $issueDate = null,
        public ?array $insDate = null,
        public ?string $originalInvoiceNumber = null,
        public array $params = [],
        public array $relations = [],
        public ?array $transaction = null,
    ) {
    }

    public static function ms(int|\DateTimeInterface $t): int
    {
        return $t instanceof \DateTimeInterface ? (int) $t->format('Uv') : $t;
    }

    /** A navoi_digest_query handle with these parameters; free with free(). */
    public function build(): CData
    {
        $ffi = Ffi::lib();
        $q = $ffi->new('navoi_digest_query*');
        NavoiException::check($ffi->navoi_digest_query_new(\FFI::addr($q), $this->direction->value, $this->page), null, 'digest query');
        Ffi::track('digest_query', 1);
        try {
            if ($this->issueDate !== null) {
                NavoiException::check($ffi->navoi_digest_query_set_issue_date($q, $this->issueDate[0], $this->issueDate[1]), null, 'issueDate');
            }
            if ($this->insDate !== null) {
                NavoiException::check($ffi->navoi_digest_query_set_ins_date($q, self::ms($this->insDate[0]), self::ms($this->insDate[1])), null, 'insDate');
            }
            if ($this->originalInvoiceNumber !== null) {
                NavoiException::check($ffi->navoi_digest_query_set_original_invoice_number($q, $this->originalInvoiceNumber), null, 'originalInvoiceNumber');
            }
            foreach ($this->params as $name => $value) {
                NavoiException::check($ffi->navoi_digest_query_set_param($q, (string) $name, $value), null, "param $name");
            }
            foreach ($this->relations as [$field, $op, $value]) {
                NavoiException::check($ffi->navoi_digest_query_add_relation($q, $field, $op->value, $value), null, "relation $field");
            }
            if ($this->transaction !== null) {
                [$id, $index, $op] = $this->transaction + [1 => 0, 2 => null];
                NavoiException::check($ffi->navoi_digest_query_set_transaction($q, $id, $index, $op?->value ?? 0), null, 'transaction');
            }
            NavoiException::check($ffi->navoi_digest_query_set_page($q, $this->page), null, 'page');
        } catch (\Throwable $e) {
            self::free($q);
            throw $e;
        }
        return $q;
    }

    public static function free(CData $q): void
    {
        Ffi::lib()->navoi_digest_query_free($q);
        Ffi::track('digest_query', -1);
    }
}
