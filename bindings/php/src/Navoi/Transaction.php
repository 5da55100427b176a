<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * A manageInvoice/manageAnnulment transaction, or the answer of
 * queryTransactionStatus (navoi_txn). poll() and wait() update it through
 * the client that made it; the accessors return plain PHP values.
 */
final class Transaction extends Handle
{
    protected const KIND = 'txn';
    protected const FREE_FN = 'navoi_txn_free';

    /** @internal made by Client */
    public function __construct(CData $ptr, private ?Client $client)
    {
        parent::__construct($ptr);
    }

    /** transactionId. */
    public function id(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_txn_id($this->ptr()));
    }

    /** requestId of the manage request ("" if not known). */
    public function requestId(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_txn_request_id($this->ptr()));
    }

    /** Every item is DONE or ABORTED (and there is at least one). */
    public function isFinal(): bool
    {
        return Ffi::lib()->navoi_txn_is_final($this->ptr()) !== 0;
    }

    /** annulmentVerificationStatus ("" if none). */
    public function annulmentStatus(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_txn_annulment_status($this->ptr()));
    }

    public function originalRequestVersion(): string
    {
        return (string) Ffi::str(Ffi::lib()->navoi_txn_original_request_version($this->ptr()));
    }

    /** The primary user's decision on a technical annulment, or null. */
    public function annulmentDecision(): ?AnnulmentDecision
    {
        $ffi = Ffi::lib();
        $d = $ffi->new('const char*');
        $u = $ffi->new('const char*');
        if ($ffi->navoi_txn_annulment_decision($this->ptr(), \FFI::addr($d), \FFI::addr($u)) !== 0) {
            return null;
        }
        return new AnnulmentDecision((string) Ffi::str($d), (string) Ffi::str($u));
    }

    /** @return list<TransactionItem> the per-index results (empty before the first poll) */
    public function items(): array
    {
        $ffi = Ffi::lib();
        $p = $this->ptr();
        $out = [];
        $n = $ffi->navoi_txn_item_count($p);
        for ($i = 0; $i < $n; $i++) {
            $len = $ffi->new('size_t');
            $orig = $ffi->navoi_txn_item_original($p, $i, \FFI::addr($len));
            $messages = [];
            $m = $ffi->navoi_txn_message_count($p, $i);
            for ($k = 0; $k < $m; $k++) {
                $messages[] = $this->message($i, $k);
            }
            $status = $ffi->navoi_txn_item_status($p, $i);
            $out[] = new TransactionItem(
                $ffi->navoi_txn_item_index($p, $i),
                $ffi->navoi_txn_item_batch_index($p, $i),
                Status::tryFrom($status) ?? Status::UNKNOWN,
                $messages,
                Ffi::str($orig),
            );
        }
        return $out;
    }

    private function message(int $i, int $k): ValidationMessage
    {
        $ffi = Ffi::lib();
        $kind = $ffi->new('int');
        $sev = $ffi->new('int');
        $code = $ffi->new('const char*');
        $text = $ffi->new('const char*');
        NavoiException::check($ffi->navoi_txn_message($this->ptr(), $i, $k, \FFI::addr($kind), \FFI::addr($sev), \FFI::addr($code), \FFI::addr($text)));
        $parts = [];
        foreach (['tag', 'value', 'line', 'orig'] as $name) {
            $parts[$name] = $ffi->new('const char*');
        }
        $pointer = null;
        if ($ffi->navoi_txn_message_pointer($this->ptr(), $i, $k, \FFI::addr($parts['tag']), \FFI::addr($parts['value']), \FFI::addr($parts['line']), \FFI::addr($parts['orig'])) === 0) {
            $v = array_map(static fn ($c) => (string) Ffi::str($c), array_values($parts));
            if (implode('', $v) !== '') {
                $pointer = new MessagePointer(...$v);
            }
        }
        return new ValidationMessage(
            MessageKind::tryFrom($kind->cdata) ?? MessageKind::TECHNICAL,
            Severity::tryFrom($sev->cdata) ?? Severity::ERROR,
            (string) Ffi::str($code),
            (string) Ffi::str($text),
            $pointer,
        );
    }

    /** Runs queryTransactionStatus once and updates the items. */
    public function poll(bool $returnOriginal = false): self
    {
        $c = $this->client ?? throw new \LogicException('transaction has no client');
        $flags = $returnOriginal ? Flag::STATUS_RETURN_ORIGINAL : 0;
        NavoiException::check(Ffi::lib()->navoi_txn_poll($c->ptr(), $this->ptr(), $flags), $c->ptr(), 'queryTransactionStatus');
        return $this;
    }

    /**
     * Polls until every item is DONE or ABORTED.
     * @throws \RuntimeException when that takes longer than $timeout seconds
     */
    public function wait(float $timeout = 300.0, float $interval = 1.0, bool $returnOriginal = false): self
    {
        $deadline = hrtime(true) + (int) ($timeout * 1e9);
        while (true) {
            $this->poll($returnOriginal);
            if ($this->isFinal()) {
                return $this;
            }
            if (hrtime(true) >= $deadline) {
                throw new \RuntimeException(sprintf('transaction %s not final after %.0f s', $this->id(), $timeout));
            }
            usleep((int) ($interval * 1e6));
        }
    }

    public function close(): void
    {
        parent::close();
        $this->client = null;
    }
}
