<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * Synchronises the invoices other suppliers issued to the taxpayer
 * (INBOUND) into an SQLite database, which may be the outbox's (navoi_sync).
 *
 *     $sync = Navoi\Sync::openSqlite($client, '/var/lib/erp/inbound.db');
 *     $sync->run(new DateTimeImmutable('2026-01-01'));   // the first run needs a start
 *     $sync->run();                                      // later: incremental
 *     foreach ($sync->list() as $id) { $inv = $sync->invoice($id); }
 *
 * The client is borrowed by libnavoi: this object keeps it alive, closing
 * the client closes the sync first, and the client must not be used
 * elsewhere while run() is going on. One thread at a time.
 */
final class Sync extends Handle
{
    protected const KIND = 'sync';
    protected const FREE_FN = 'navoi_sync_free';

    /** Far enough in the future for "up to the end" of a stored range (9999-12-31). */
    private const END_MS = 253402300799999;

    private ?\Closure $progressCallback = null;
    private ?\Closure $progressFn = null;
    private ?\Throwable $progressException = null;
    private bool $inRun = false;

    private function __construct(CData $ptr, private ?Client $client)
    {
        parent::__construct($ptr);
        $client->lend($this);
    }

    /**
     * Opens (creating with mode 0600) an SQLite database. $paceMs: minimum
     * spacing of NAV requests (default 1000, NAV's limit; 0 for simulators);
     * $overlapMs: how far incremental runs reach back before the cursor
     * (default 3 days).
     */
    public static function openSqlite(Client $client, string $path, ?int $paceMs = null, ?int $overlapMs = null): self
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_sync*');
        NavoiException::check($ffi->navoi_sync_open_sqlite(\FFI::addr($out), $client->ptr(), $path), $client->ptr(), 'sync');
        $s = new self($out, $client);
        try {
            if ($paceMs !== null) {
                $s->setPace($paceMs);
            }
            if ($overlapMs !== null) {
                $s->setOverlap($overlapMs);
            }
        } catch (\Throwable $e) {
            $s->close();
            throw $e;
        }
        return $s;
    }

    public function close(): void
    {
        if ($this->inRun) {
            throw new \LogicException('Sync::close() from its own progress hook');
        }
        parent::close();
        $this->client = null;
        $this->progressCallback = null;
        $this->progressFn = null;
    }

    /** The handle for calls other than stat(): refused inside run()'s hook. */
    private function q(): CData
    {
        if ($this->inRun) {
            throw new \LogicException('only stat()/stats() may be called from the progress hook');
        }
        return $this->ptr();
    }

    private function check(int $rc, string $what): void
    {
        if ($rc !== 0) {
            $msg = (string) Ffi::str(Ffi::lib()->navoi_sync_errmsg($this->ptr()));
            $class = NavoiException::classFor($rc);
            throw new $class($rc, $msg !== '' ? $msg : $what . ': ' . Navoi::strerror($rc), '', 0,
                Navoi::errorCategory($rc), $what);
        }
    }

    private static function ms(int|\DateTimeInterface $t): int
    {
        return DigestQuery::ms($t);
    }

    // ---- settings ----

    /** 0 .. 35 days (default 3 days). */
    public function setOverlap(int $overlapMs): void
    {
        $this->check(Ffi::lib()->navoi_sync_set_overlap($this->q(), $overlapMs), 'setOverlap');
    }

    /** Minimum spacing of NAV requests (default 1000 ms; 0 for simulators). */
    public function setPace(int $minIntervalMs): void
    {
        $this->check(Ffi::lib()->navoi_sync_set_pace($this->q(), $minIntervalMs), 'setPace');
    }

    /**
     * $fn(Sync $sync) runs after every page and every stored invoice and may
     * read $sync->stats(). Returning false stops the run (run() throws
     * CallbackException; the next run resumes); an exception it throws stops
     * the run too and is rethrown by run(). null removes the hook. PHP's FFI
     * keeps callback trampolines until the end of the request: set it once.
     */
    public function setProgress(?callable $fn): void
    {
        $ffi = Ffi::lib();
        if ($fn === null) {
            $ffi->navoi_sync_set_progress($this->q(), null, null);
            $this->progressCallback = null;
            $this->progressFn = null;
            return;
        }
        $this->progressFn = \Closure::fromCallable($fn);
        if ($this->progressCallback === null) {
            $self = \WeakReference::create($this); // no cycle through the closure
            $this->progressCallback = static function ($sync, $ud) use ($self): int {
                $s = $self->get();
                if ($s === null) {
                    return 1;
                }
                return $s->progress();
            };
        }
        $ffi->navoi_sync_set_progress($this->q(), $this->progressCallback, null);
    }

    /** @internal the progress trampoline: must not throw through C */
    public function progress(): int
    {
        try {
            return ($this->progressFn !== null && ($this->progressFn)($this) === false) ? 1 : 0;
        } catch (\Throwable $e) {
            $this->progressException = $e;
            return 1;
        }
    }

    // ---- running ----

    /**
     * Synchronises up to now. $from null: continues an interrupted run, else
     * incremental from the cursor minus the overlap (the first run needs a
     * $from: ConfigException otherwise). $from given: a full
     * resynchronisation from then; stored invoices are skipped. Blocks for
     * the whole run; after any failure the next call resumes.
     */
    public function run(int|\DateTimeInterface|null $from = null): SyncStats
    {
        $ffi = Ffi::lib();
        $p = $this->q();
        $this->progressException = null;
        $this->inRun = true;
        try {
            $rc = $ffi->navoi_sync_run($p, $from === null ? 0 : self::ms($from));
        } finally {
            $this->inRun = false;
        }
        $e = $this->progressException;
        $this->progressException = null;
        if ($e !== null) {
            throw $e;
        }
        if ($rc !== 0) {
            $msg = (string) Ffi::str($ffi->navoi_sync_errmsg($p));
            $err = NavoiException::fromCode($rc, $this->client?->ptr(), 'sync');
            if ($msg !== '') {
                $class = $err::class;
                $err = new $class($rc, $msg, $err->navErrorCode, $err->httpStatus, $err->category, 'sync');
            }
            throw $err;
        }
        return $this->stats();
    }

    /** One counter of the current or last run. */
    public function stat(SyncStat $which): int
    {
        return Ffi::lib()->navoi_sync_stat($this->ptr(), $which->value);
    }

    public function stats(): SyncStats
    {
        return new SyncStats(
            $this->stat(SyncStat::RUN_FROM), $this->stat(SyncStat::RUN_TO), $this->stat(SyncStat::WINDOWS),
            $this->stat(SyncStat::WINDOW), $this->stat(SyncStat::PAGE), $this->stat(SyncStat::PAGES),
            $this->stat(SyncStat::SEEN), $this->stat(SyncStat::FETCHED), $this->stat(SyncStat::SKIPPED),
            $this->stat(SyncStat::INCOMPLETE), $this->stat(SyncStat::REQUESTS), $this->stat(SyncStat::RESUMED) !== 0,
        );
    }

    public function cursor(): SyncCursor
    {
        $ffi = Ffi::lib();
        $c = $ffi->new('int64_t');
        $i = $ffi->new('int');
        $this->check($ffi->navoi_sync_cursor($this->q(), \FFI::addr($c), \FFI::addr($i)), 'cursor');
        return new SyncCursor($c->cdata, $i->cdata !== 0);
    }

    // ---- the stored invoices ----

    /** @return list<string> ids of stored invoices with insDate in [$from, $to], oldest first */
    public function list(int|\DateTimeInterface $from = 0, int|\DateTimeInterface|null $to = null, int $offset = 0,
        int $limit = 1000): array
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $n = $ffi->new('size_t');
        $this->check($ffi->navoi_sync_list($this->q(), self::ms($from), $to === null ? self::END_MS : self::ms($to),
            $offset, $limit, \FFI::addr($out), \FFI::addr($n)), 'list');
        $text = (string) Ffi::takeString($out);
        return array_values(array_filter(explode("\n", $text), static fn ($k) => $k !== ''));
    }

    /** One stored invoice; NotFoundException for an unknown id. */
    public function invoice(string $id): StoredInvoice
    {
        $ffi = Ffi::lib();
        $meta = $ffi->new('char*');
        $xml = $ffi->new('char*');
        $n = $ffi->new('size_t');
        $rc = $ffi->navoi_sync_invoice($this->q(), $id, \FFI::addr($meta), \FFI::addr($xml), \FFI::addr($n));
        $text = (string) Ffi::takeString($meta);
        $doc = Ffi::takeString($xml, $n->cdata);
        $this->check($rc, 'invoice');
        $fields = [];
        foreach (explode("\n", $text) as $line) {
            $eq = strpos($line, '=');
            if ($eq !== false) {
                $fields[substr($line, 0, $eq)] = self::unescape(substr($line, $eq + 1));
            }
        }
        return new StoredInvoice($id, $fields, $doc);
    }

    /** Undoes navoi_sync_invoice()'s escaping of values (\\ and \n). */
    private static function unescape(string $v): string
    {
        return (string) preg_replace_callback('/\\\\(.)/s', static fn ($m) => $m[1] === 'n' ? "\n" : $m[1], $v);
    }

    /**
     * The stored invoices with insDate in [$from, $to] as CSV (with a header
     * line) or a JSON array: id, invoiceNumber, invoiceOperation,
     * invoiceIssueDate, supplierTaxNumber, supplierName, currency, amounts,
     * insDate, hasXml.
     */
    public function summary(int|\DateTimeInterface $from = 0, int|\DateTimeInterface|null $to = null,
        SyncFormat $format = SyncFormat::CSV): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_sync_summary($this->q(), self::ms($from), $to === null ? self::END_MS : self::ms($to),
            $format->value, \FFI::addr($out)), 'summary');
        return (string) Ffi::takeString($out);
    }

    /** @return list<array<string,mixed>> summary() parsed from JSON, one array per stored invoice */
    public function summaryRecords(int|\DateTimeInterface $from = 0, int|\DateTimeInterface|null $to = null): array
    {
        $json = $this->summary($from, $to, SyncFormat::JSON);
        return $json === '' ? [] : json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}
