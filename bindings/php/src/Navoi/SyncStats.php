<?php

declare(strict_types=1);

namespace Navoi;

/** The counters of the current or last Sync::run(). */
final readonly class SyncStats
{
    public function __construct(
        /** Start of the run's insDate range (ms). */
        public int $runFrom,
        /** End of the run's insDate range (ms). */
        public int $runTo,
        /** Date windows of the run (at most 35 days each). */
        public int $windows,
        /** Current window, 1-based. */
        public int $window,
        /** Current digest page of the window. */
        public int $page,
        /** Pages of the current window. */
        public int $pages,
        /** Digest records read. */
        public int $seen,
        /** Invoices fetched and stored. */
        public int $fetched,
        /** Digest records that were already stored. */
        public int $skipped,
        /** Stored without XML. */
        public int $incomplete,
        /** NAV requests made. */
        public int $requests,
        /** The run continued an interrupted one. */
        public bool $resumed,
    ) {
    }
}
