<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * The durable outbox (navoi_outbox) on SQLite: every enqueued invoice is
 * reported to NAV exactly once, through outages and restarts.
 *
 *     $ob = Navoi\Outbox::openSqlite($client, '/var/lib/erp/outbox.db');
 *     $ob->enqueue('erp-4711', $invoice);      // durable once it returns
 *     while ($ob->step()) {}                   // one bounded unit of work each
 *
 * The client is borrowed by libnavoi; this object keeps it alive, and
 * closing the client closes the outbox first. Use one
 * outbox per process and thread (or distinct worker ids, setWorker()).
 */
final class Outbox extends Handle
{
    protected const KIND = 'outbox';
    protected const FREE_FN = 'navoi_outbox_free';

    /** @var list<\WeakReference<Handle>> metrics borrowing this outbox's handle */
    private array $borrowers = [];

    private function __construct(CData $ptr, private ?Client $client)
    {
        parent::__construct($ptr);
        $client->lend($this);
    }

    /** Opens (creating with mode 0600) an SQLite outbox database. */
    public static function openSqlite(Client $client, string $path): self
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_outbox*');
        NavoiException::check($ffi->navoi_outbox_open_sqlite(\FFI::addr($out), $client->ptr(), $path), $client->ptr(), 'outbox');
        return new self($out, $client);
    }

    /**
     * Opens an outbox on a PostgreSQL database (libpq connection string or
     * URI, e.g. "host=db dbname=navoi user=navoi"), creating or migrating
     * navoi's tables. Several workers (processes or machines) may share the
     * database; give each its own setWorker() id. Prefer a password file
     * (PGPASSFILE, ~/.pgpass) to a password in $conninfo; the string is not
     * kept and never appears in an error message. ConfigException when
     * libnavoi was built without PostgreSQL support.
     */
    public static function openPostgres(Client $client, #[\SensitiveParameter] string $conninfo): self
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_outbox*');
        $rc = $ffi->navoi_outbox_open_postgres(\FFI::addr($out), $client->ptr(), $conninfo);
        unset($conninfo);
        NavoiException::check($rc, $client->ptr(), 'outbox');
        return new self($out, $client);
    }

    /** @internal metrics borrow this outbox; close() closes them first */
    public function lend(Handle $borrower): void
    {
        $this->borrowers = array_values(array_filter($this->borrowers, static fn ($r) => $r->get() !== null));
        $this->borrowers[] = \WeakReference::create($borrower);
    }

    /** Frees the outbox; metrics opened on it are closed first. */
    public function close(): void
    {
        foreach ($this->borrowers as $ref) {
            $ref->get()?->close();
        }
        $this->borrowers = [];
        parent::close();
        $this->client = null; // only after the outbox that borrowed it is gone
    }

    /** @internal throws the exception of $rc with this outbox's message */
    public function checkRc(int $rc, string $what): void
    {
        $this->check($rc, $what);
    }

    private function check(int $rc, string $what): void
    {
        if ($rc !== 0) {
            $msg = (string) Ffi::str(Ffi::lib()->navoi_outbox_errmsg($this->ptr()));
            $class = NavoiException::classFor($rc);
            throw new $class($rc, $msg !== '' ? $msg : $what . ': ' . Navoi::strerror($rc), '', 0,
                Navoi::errorCategory($rc), $what);
        }
    }

    // ---- enqueue ----

    /** Stores an invoice durably; true if created, false if the same key and invoice were there. */
    public function enqueue(string $key, Invoice $invoice, ?string $originalKey = null): bool
    {
        $ffi = Ffi::lib();
        $created = $ffi->new('int');
        $this->check($ffi->navoi_outbox_enqueue($this->ptr(), $key, $invoice->ptr(), $originalKey, \FFI::addr($created)), 'enqueue');
        return $created->cdata !== 0;
    }

    /**
     * Stores several invoices in one storage transaction (one commit). All
     * or nothing: when any is refused none is stored. Amendments find their
     * original by originalInvoiceNumber, also among earlier items of the batch.
     * @param array<string,Invoice> $items key => invoice
     * @return array<string,bool> key => true if created, false if the key already held the same invoice
     */
    public function enqueueBatch(array $items): array
    {
        $n = count($items);
        if ($n === 0) {
            return [];
        }
        $ffi = Ffi::lib();
        $keys = $ffi->new("const char*[$n]");
        $invs = $ffi->new("navoi_invoice*[$n]");
        $created = $ffi->new("int[$n]");
        $keep = [];
        $i = 0;
        foreach ($items as $key => $inv) {
            $key = (string) $key;
            $buf = $ffi->new('char[' . (strlen($key) + 1) . ']');
            \FFI::memcpy($buf, $key, strlen($key));
            $keep[] = $buf; // alive until the call returns
            $keys[$i] = $ffi->cast('const char*', \FFI::addr($buf[0]));
            $invs[$i] = $inv->ptr();
            $i++;
        }
        $this->check($ffi->navoi_outbox_enqueue_batch($this->ptr(), $keys, $invs, $n, $created), 'enqueueBatch');
        $out = [];
        $i = 0;
        foreach (array_keys($items) as $key) {
            $out[(string) $key] = $created[$i++] !== 0;
        }
        return $out;
    }

    /** Stores a technical annulment of the item $originalKey. */
    public function enqueueAnnulment(string $key, string $originalKey, AnnulmentCode $code, string $reason): bool
    {
        $ffi = Ffi::lib();
        $created = $ffi->new('int');
        $this->check($ffi->navoi_outbox_enqueue_annulment($this->ptr(), $key, $originalKey, $code->value, $reason,
            \FFI::addr($created)), 'enqueueAnnulment');
        return $created->cdata !== 0;
    }

    // ---- worker ----

    /**
     * One bounded unit of work; false when nothing was due.
     * @throws Exception\ConfigException while sending is halted (haltReason())
     */
    public function step(): bool
    {
        $ffi = Ffi::lib();
        $did = $ffi->new('int');
        $this->check($ffi->navoi_outbox_step($this->ptr(), \FFI::addr($did)), 'step');
        return $did->cdata !== 0;
    }

    /** step() until nothing is due; returns the number of steps that did work. Never sleeps. */
    public function runUntilIdle(int $maxSteps = 10000): int
    {
        $n = 0;
        while ($n < $maxSteps && $this->step()) {
            $n++;
        }
        return $n;
    }

    /** When the next unit of work is due (ms since epoch), or null when nothing waits. */
    public function nextDue(): ?int
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('int64_t');
        $this->check($ffi->navoi_outbox_next_due($this->ptr(), \FFI::addr($v)), 'nextDue');
        return $v->cdata !== 0 ? $v->cdata : null;
    }

    /** Why sending is halted after a configuration error, or null. */
    public function haltReason(): ?string
    {
        return Ffi::str(Ffi::lib()->navoi_outbox_halt_reason($this->ptr()));
    }

    public function resume(): void
    {
        Ffi::lib()->navoi_outbox_resume($this->ptr());
    }

    /** Re-queues an item in FAILED, ABORTED or NEEDS_ATTENTION. */
    public function retry(string $key): void
    {
        $this->check(Ffi::lib()->navoi_outbox_retry($this->ptr(), $key), 'retry');
    }

    // ---- policies ----

    public function setRetryPolicy(int $baseMs = 30000, int $capMs = 300000, int $jitterPercent = 20, int $horizonMs = 86400000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_policy_retry($this->ptr(), $baseMs, $capMs, $jitterPercent, $horizonMs), 'setRetryPolicy');
    }

    public function setPollPolicy(int $firstMs = 1000, int $capMs = 60000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_policy_poll($this->ptr(), $firstMs, $capMs), 'setPollPolicy');
    }

    public function setLostPolicy(int $waitMs = 300000, int $marginMs = 600000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_policy_lost($this->ptr(), $waitMs, $marginMs), 'setLostPolicy');
    }

    /** Following of annulments awaiting approval (horizonMs 0: never follow). */
    public function setAnnulmentPolicy(int $firstMs = 3600000, int $capMs = 86400000, int $horizonMs = 5184000000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_policy_annulment($this->ptr(), $firstMs, $capMs, $horizonMs), 'setAnnulmentPolicy');
    }

    public function setBatchPolicy(int $maxItems = 100, int $minIntervalMs = 1000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_policy_batch($this->ptr(), $maxItems, $minIntervalMs), 'setBatchPolicy');
    }

    /** Refuse (default), flag or skip invoices with validator ERRORs at enqueue. */
    public function setValidation(ValidationMode $mode): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_validation($this->ptr(), $mode->value), 'setValidation');
    }

    public function setWorker(string $workerId, int $leaseMs = 600000): void
    {
        $this->check(Ffi::lib()->navoi_outbox_set_worker($this->ptr(), $workerId, $leaseMs), 'setWorker');
    }

    // ---- status ----

    public function count(ItemState $state): int
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('int64_t');
        $this->check($ffi->navoi_outbox_count($this->ptr(), $state->value, \FFI::addr($v)), 'count');
        return $v->cdata;
    }

    /** @return array{0:int,1:int} items not yet final, age in ms of the oldest */
    public function backlog(): array
    {
        $ffi = Ffi::lib();
        $n = $ffi->new('int64_t');
        $age = $ffi->new('int64_t');
        $this->check($ffi->navoi_outbox_backlog($this->ptr(), \FFI::addr($n), \FFI::addr($age)), 'backlog');
        return [$n->cdata, $age->cdata];
    }

    /** @return list<string> keys of items in a state, oldest first */
    public function keys(ItemState $state, int $offset = 0, int $limit = 1000): array
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_outbox_list($this->ptr(), $state->value, $offset, $limit, \FFI::addr($out), null), 'list');
        return self::lines(Ffi::takeString($out));
    }

    /** @return list<OutboxItem> items a person must look at: FAILED, NEEDS_ATTENTION, ABORTED */
    public function failed(int $limit = 1000): array
    {
        $items = [];
        foreach ([ItemState::FAILED, ItemState::NEEDS_ATTENTION, ItemState::ABORTED] as $st) {
            foreach ($this->keys($st, 0, $limit) as $k) {
                $items[] = $this->item($k);
            }
        }
        return $items;
    }

    /** @return list<string> keys of the amendments and annulments of an item */
    public function amendments(string $originalKey): array
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_outbox_list_amendments($this->ptr(), $originalKey, \FFI::addr($out), null), 'listAmendments');
        return self::lines(Ffi::takeString($out));
    }

    /** Key of the item carrying an invoice number, or null. */
    public function findByNumber(string $invoiceNumber): ?string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $rc = $ffi->navoi_outbox_find_by_number($this->ptr(), $invoiceNumber, \FFI::addr($out));
        return $this->found($rc, $out, 'findByNumber');
    }

    public function findByTransaction(string $transactionId, int $index): ?string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $rc = $ffi->navoi_outbox_find_by_transaction($this->ptr(), $transactionId, $index, \FFI::addr($out));
        return $this->found($rc, $out, 'findByTransaction');
    }

    private function found(int $rc, CData $out, string $what): ?string
    {
        if ($rc === ErrorCode::ENOTFOUND->value) {
            return null;
        }
        $this->check($rc, $what);
        return (string) Ffi::takeString($out);
    }

    /** Snapshot of an item; NotFoundException for an unknown key. */
    public function item(string $key): OutboxItem
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_outbox_item*');
        $this->check($ffi->navoi_outbox_item_get($this->ptr(), $key, \FFI::addr($out)), 'item');
        Ffi::track('outbox_item', 1);
        try {
            return OutboxItem::fromHandle($out);
        } finally {
            $ffi->navoi_outbox_item_free($out);
            Ffi::track('outbox_item', -1);
        }
    }

    // ---- metrics ----

    /** A Metrics reader of this outbox, refreshed once (refresh() it later; it reads only new history entries). */
    public function metrics(): Metrics
    {
        return new Metrics($this);
    }

    /** One-shot: the metrics in Prometheus text format. */
    public function metricsText(): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_outbox_metrics_text($this->ptr(), \FFI::addr($out)), 'metricsText');
        return (string) Ffi::takeString($out);
    }

    /** @return list<string> */
    private static function lines(?string $text): array
    {
        return $text === null ? [] : array_values(array_filter(explode("\n", $text), static fn ($k) => $k !== ''));
    }
}
