<?php

declare(strict_types=1);

namespace Navoi;

/**
 * The findings of one validation (Validator::validate()).
 * @implements \IteratorAggregate<int,Finding>
 */
final readonly class Findings implements \Countable, \IteratorAggregate
{
    /** @param list<Finding> $findings */
    public function __construct(
        public array $findings,
        /** Some finding has severity ERROR: NAV would answer ABORTED. */
        public bool $hasErrors,
    ) {
    }

    public function count(): int
    {
        return count($this->findings);
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->findings);
    }

    /** @return list<string> */
    public function codes(): array
    {
        return array_map(static fn (Finding $f) => $f->code, $this->findings);
    }

    /** @return list<Finding> the findings with severity ERROR */
    public function errors(): array
    {
        return array_values(array_filter($this->findings, static fn (Finding $f) => $f->isError()));
    }
}
