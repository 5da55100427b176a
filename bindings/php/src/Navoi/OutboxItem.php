<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;

/** Snapshot of one outbox item (Outbox::item()). */
final readonly class OutboxItem
{
    /**
     * @param list<ValidationMessage> $messages
     * @param list<HistoryEntry> $history
     */
    public function __construct(
        public string $key,
        public ItemState $state,
        public Operation $operation,
        public string $invoiceNumber,
        public string $originalKey,
        public string $transactionId,
        public int $index,
        public string $requestId,
        public int $attempts,
        public int $enqueuedMs,
        public int $dueMs,
        public ?ItemError $error,
        public array $messages,
        public string $annulmentStatus,
        public array $history,
        /** What a person should do about an item in FAILED, ABORTED or NEEDS_ATTENTION ("" otherwise). */
        public string $advice = '',
    ) {
    }

    public function isFinal(): bool
    {
        return $this->state === ItemState::DONE || $this->state === ItemState::ABORTED;
    }

    /** @internal copies a navoi_outbox_item (the caller frees it) */
    public static function fromHandle(CData $it): self
    {
        $ffi = Ffi::lib();
        $index = $ffi->new('int32_t');
        $tid = (string) Ffi::str($ffi->navoi_outbox_item_transaction_id($it, \FFI::addr($index)));
        $enq = $ffi->new('int64_t');
        $due = $ffi->new('int64_t');
        $ffi->navoi_outbox_item_times($it, \FFI::addr($enq), \FFI::addr($due));
        $code = $ffi->new('int');
        $cat = $ffi->new('int');
        $http = $ffi->new('int');
        $nav = $ffi->new('const char*');
        $msg = (string) Ffi::str($ffi->navoi_outbox_item_error($it, \FFI::addr($code), \FFI::addr($cat), \FFI::addr($http), \FFI::addr($nav)));
        $error = ($code->cdata !== 0 || $msg !== '')
            ? new ItemError($code->cdata, Category::tryFrom($cat->cdata) ?? Category::NONE, $http->cdata, (string) Ffi::str($nav), $msg)
            : null;
        $messages = [];
        $n = $ffi->navoi_outbox_item_message_count($it);
        for ($k = 0; $k < $n; $k++) {
            $kind = $ffi->new('int');
            $sev = $ffi->new('int');
            $s = [];
            foreach (['code', 'text', 'tag', 'value', 'line'] as $f) {
                $s[$f] = $ffi->new('const char*');
            }
            if ($ffi->navoi_outbox_item_message($it, $k, \FFI::addr($kind), \FFI::addr($sev), \FFI::addr($s['code']),
                \FFI::addr($s['text']), \FFI::addr($s['tag']), \FFI::addr($s['value']), \FFI::addr($s['line'])) !== 0) {
                continue;
            }
            $v = array_map(static fn ($c) => (string) Ffi::str($c), $s);
            $pointer = ($v['tag'] . $v['value'] . $v['line']) !== '' ? new MessagePointer($v['tag'], $v['value'], $v['line'], '') : null;
            $messages[] = new ValidationMessage(MessageKind::tryFrom($kind->cdata) ?? MessageKind::TECHNICAL,
                Severity::tryFrom($sev->cdata) ?? Severity::ERROR, $v['code'], $v['text'], $pointer);
        }
        $history = [];
        $n = $ffi->navoi_outbox_item_history_count($it);
        for ($k = 0; $k < $n; $k++) {
            $t = $ffi->new('int64_t');
            $text = Ffi::str($ffi->navoi_outbox_item_history($it, $k, \FFI::addr($t)));
            if ($text !== null) {
                $history[] = new HistoryEntry($t->cdata, $text);
            }
        }
        return new self(
            (string) Ffi::str($ffi->navoi_outbox_item_key($it)),
            ItemState::from($ffi->navoi_outbox_item_state($it)),
            Operation::from($ffi->navoi_outbox_item_operation($it)),
            (string) Ffi::str($ffi->navoi_outbox_item_invoice_number($it)),
            (string) Ffi::str($ffi->navoi_outbox_item_original_key($it)),
            $tid,
            $index->cdata,
            (string) Ffi::str($ffi->navoi_outbox_item_request_id($it)),
            $ffi->navoi_outbox_item_attempts($it),
            $enq->cdata,
            $due->cdata,
            $error,
            $messages,
            (string) Ffi::str($ffi->navoi_outbox_item_annulment_status($it)),
            $history,
            (string) Ffi::str($ffi->navoi_outbox_item_advice($it)),
        );
    }
}
