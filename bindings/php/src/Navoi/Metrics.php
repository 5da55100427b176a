<?php

declare(strict_types=1);

namespace Navoi;

use Navoi\Exception\NavoiException;

/**
 * Monitoring values of an outbox (navoi_metrics): items per state, backlog,
 * outcomes, processing delays, NAV error codes, retries. Reads the item
 * histories incrementally on each refresh(). Borrows the outbox: closing the
 * outbox closes its metrics first.
 *
 *     $m = $outbox->metrics();            // refreshed once
 *     echo $m->refresh()->text();          // Prometheus text format
 */
final class Metrics extends Handle
{
    protected const KIND = 'metrics';
    protected const FREE_FN = 'navoi_metrics_free';

    private ?Outbox $outbox;

    public function __construct(Outbox $outbox, bool $refresh = true)
    {
        $ffi = Ffi::lib();
        $p = $ffi->new('navoi_metrics*');
        $outbox->checkRc($ffi->navoi_metrics_new(\FFI::addr($p), $outbox->ptr()), 'metrics');
        parent::__construct($p);
        $this->outbox = $outbox;
        $outbox->lend($this);
        if ($refresh) {
            $this->refresh();
        }
    }

    public function close(): void
    {
        parent::close();
        $this->outbox = null;
    }

    private function check(int $rc, string $what): void
    {
        if ($rc !== 0) {
            if ($this->outbox !== null && !$this->outbox->isClosed()) {
                $this->outbox->checkRc($rc, $what);
            }
            NavoiException::check($rc, null, $what);
        }
    }

    /** Reads the history entries added since the last refresh and the current counts. */
    public function refresh(): self
    {
        $this->check(Ffi::lib()->navoi_metrics_refresh($this->ptr()), 'metricsRefresh');
        return $this;
    }

    /** Prometheus text exposition format (0.0.4), of the last refresh. */
    public function text(): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_metrics_text($this->ptr(), \FFI::addr($out)), 'metricsText');
        return (string) Ffi::takeString($out);
    }

    /** One series by its name with labels, e.g. 'navoi_outbox_items{state="DONE"}'; NotFoundException if none. */
    public function value(string $series): float
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('double');
        $this->check($ffi->navoi_metrics_value($this->ptr(), $series, \FFI::addr($v)), 'metricsValue');
        return $v->cdata;
    }

    /** value(), or $default for an unknown series. */
    public function get(string $series, ?float $default = null): ?float
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('double');
        $rc = $ffi->navoi_metrics_value($this->ptr(), $series, \FFI::addr($v));
        if ($rc === ErrorCode::ENOTFOUND->value) {
            return $default;
        }
        $this->check($rc, 'metricsValue');
        return $v->cdata;
    }

    /**
     * Activity over time as CSV ("time_ms,enqueued,done,aborted,failed,
     * needs_attention,backlog,delay_avg_ms,delay_max_ms"), one line per
     * bucket of at least a minute.
     */
    public function timeline(int $bucketMs = 60000): string
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('char*');
        $this->check($ffi->navoi_metrics_timeline($this->ptr(), $bucketMs, \FFI::addr($out)), 'metricsTimeline');
        return (string) Ffi::takeString($out);
    }
}
