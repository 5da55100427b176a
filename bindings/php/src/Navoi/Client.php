<?php

declare(strict_types=1);

namespace Navoi;

use FFI\CData;
use Navoi\Exception\NavoiException;

/**
 * A NAV client (navoi_client): configuration, credentials and the ten NAV
 * operations. Configure with named arguments:
 *
 *     $client = new Navoi\Client(login: '...', password: $pw, taxNumber: '12345678',
 *         signingKeyFile: 'sign.key', exchangeKeyFile: 'exchange.key',
 *         software: new Navoi\Software('HU12345678-ERP0001', 'My ERP', devName: 'Me', devContact: 'me@example.com'));
 *
 * Secrets are handed to libnavoi (which hashes the password at once) and not
 * stored in this object; *File arguments read key files in C so the secret
 * never becomes a PHP string. The handle is freed when the object goes away
 * or on close().
 */
final class Client extends Handle
{
    protected const KIND = 'client';
    protected const FREE_FN = 'navoi_client_free';

    /** @var array{0:float,1:float,2:float} libnavoi's defaults: 5 s, 10 s, 70 s */
    private array $timeouts = [5.0, 10.0, 70.0];
    private ?\Closure $logCallback = null;
    /** @var list<\WeakReference<Handle>> outboxes borrowing this client's handle */
    private array $borrowers = [];

    public function __construct(
        ?Environment $environment = null,
        ?string $baseUrl = null,
        ?string $login = null,
        #[\SensitiveParameter] ?string $password = null,
        ?string $passwordFile = null,
        ?string $passwordHash = null,
        ?string $taxNumber = null,
        #[\SensitiveParameter] ?string $signingKey = null,
        ?string $signingKeyFile = null,
        #[\SensitiveParameter] ?string $exchangeKey = null,
        ?string $exchangeKeyFile = null,
        ?Software $software = null,
        ?string $caFile = null,
        ?float $connectTimeout = null,
        ?float $queryTimeout = null,
        ?float $manageTimeout = null,
        ?int $maxResponse = null,
        ?string $schemaDir = null,
        ?InvoiceHashMode $invoiceHashMode = null,
        ?callable $log = null,
        LogLevel $logLevel = LogLevel::INFO,
    ) {
        $settings = get_defined_vars(); // every parameter by name
        $ffi = Ffi::lib();
        $p = $ffi->new('navoi_client*');
        NavoiException::check($ffi->navoi_client_new(\FFI::addr($p)));
        parent::__construct($p);
        try {
            $this->configure(...$settings);
            unset($settings, $password, $signingKey, $exchangeKey);
        } catch (\Throwable $e) {
            $this->close();
            throw $e;
        }
    }

    /**
     * Applies settings; null leaves a setting as it is. Takes the same named
     * arguments as the constructor.
     */
    public function configure(
        ?Environment $environment = null,
        ?string $baseUrl = null,
        ?string $login = null,
        #[\SensitiveParameter] ?string $password = null,
        ?string $passwordFile = null,
        ?string $passwordHash = null,
        ?string $taxNumber = null,
        #[\SensitiveParameter] ?string $signingKey = null,
        ?string $signingKeyFile = null,
        #[\SensitiveParameter] ?string $exchangeKey = null,
        ?string $exchangeKeyFile = null,
        ?Software $software = null,
        ?string $caFile = null,
        ?float $connectTimeout = null,
        ?float $queryTimeout = null,
        ?float $manageTimeout = null,
        ?int $maxResponse = null,
        ?string $schemaDir = null,
        ?InvoiceHashMode $invoiceHashMode = null,
        ?callable $log = null,
        LogLevel $logLevel = LogLevel::INFO,
    ): self {
        $ffi = Ffi::lib();
        $p = $this->ptr();
        $ok = static fn (int $rc, string $what) => NavoiException::check($rc, $p, $what);
        $fromFile = static function (string $path, string $setter, string $what) use ($ffi, $p, $ok): void {
            $out = $ffi->new('char*');
            NavoiException::check($ffi->navoi_secret_file_read($path, \FFI::addr($out)), null, $what);
            try {
                $ok($ffi->{$setter}($p, $out), $what);
            } finally {
                $ffi->navoi_free($out); // wipes it
            }
        };

        if ($environment !== null) {
            $ok($ffi->navoi_client_set_environment($p, $environment->value), 'environment');
        }
        if ($baseUrl !== null) {
            $ok($ffi->navoi_client_set_base_url($p, $baseUrl), 'baseUrl');
        }
        if ($login !== null) {
            $ok($ffi->navoi_client_set_login($p, $login), 'login');
        }
        if ($password !== null) {
            $ok($ffi->navoi_client_set_password($p, $password), 'password');
        }
        if ($passwordFile !== null) {
            $fromFile($passwordFile, 'navoi_client_set_password', 'passwordFile');
        }
        if ($passwordHash !== null) {
            $ok($ffi->navoi_client_set_password_hash($p, $passwordHash), 'passwordHash');
        }
        if ($taxNumber !== null) {
            $ok($ffi->navoi_client_set_tax_number($p, $taxNumber), 'taxNumber');
        }
        if ($signingKey !== null) {
            $ok($ffi->navoi_client_set_signing_key($p, $signingKey), 'signingKey');
        }
        if ($signingKeyFile !== null) {
            $fromFile($signingKeyFile, 'navoi_client_set_signing_key', 'signingKeyFile');
        }
        if ($exchangeKey !== null) {
            $ok($ffi->navoi_client_set_exchange_key($p, $exchangeKey), 'exchangeKey');
        }
        if ($exchangeKeyFile !== null) {
            $fromFile($exchangeKeyFile, 'navoi_client_set_exchange_key', 'exchangeKeyFile');
        }
        if ($software !== null) {
            $s = $software;
            $ok($ffi->navoi_client_set_software($p, $s->id, $s->name, $s->operation->value, $s->mainVersion,
                $s->devName, $s->devContact, $s->devCountry, $s->devTaxNumber), 'software');
        }
        if ($caFile !== null) {
            $ok($ffi->navoi_client_set_ca_file($p, $caFile), 'caFile');
        }
        if ($connectTimeout !== null || $queryTimeout !== null || $manageTimeout !== null) {
            $this->timeouts = [$connectTimeout ?? $this->timeouts[0], $queryTimeout ?? $this->timeouts[1],
                $manageTimeout ?? $this->timeouts[2]];
            $ok($ffi->navoi_client_set_timeouts($p, ...array_map(static fn ($t) => (int) ($t * 1000), $this->timeouts)), 'timeouts');
        }
        if ($maxResponse !== null) {
            $ok($ffi->navoi_client_set_max_response($p, $maxResponse), 'maxResponse');
        }
        if ($schemaDir !== null) {
            $ok($ffi->navoi_client_set_schema_dir($p, $schemaDir), 'schemaDir');
        }
        if ($invoiceHashMode !== null) {
            $ok($ffi->navoi_client_set_invoice_hash_mode($p, $invoiceHashMode->value), 'invoiceHashMode');
        }
        if ($log !== null) {
            $this->setLog($log, $logLevel);
        }
        return $this;
    }

    /**
     * Sets the log callback fn(LogLevel $level, string $correlationId, string $message)
     * (null removes it). Exceptions it throws are swallowed: a log hook must
     * not unwind through C. PHP's FFI keeps callback trampolines until the
     * end of the request, so set it once per client.
     */
    public function setLog(?callable $fn, LogLevel $level = LogLevel::INFO): void
    {
        $ffi = Ffi::lib();
        if ($fn === null) {
            $ffi->navoi_client_set_log($this->ptr(), null, $level->value, null);
            $this->logCallback = null;
            return;
        }
        $this->logCallback = static function (int $lvl, ?string $corr, ?string $msg, $ud) use ($fn): void {
            try {
                $fn(LogLevel::tryFrom($lvl) ?? LogLevel::TRACE, (string) $corr, (string) $msg);
            } catch (\Throwable) {
            }
        };
        $ffi->navoi_client_set_log($this->ptr(), $this->logCallback, $level->value, null);
    }

    /** @internal an outbox or sync borrows this client; close() closes it first */
    public function lend(Handle $borrower): void
    {
        $this->borrowers = array_values(array_filter($this->borrowers, static fn ($r) => $r->get() !== null));
        $this->borrowers[] = \WeakReference::create($borrower);
    }

    /** Frees the client; outboxes and syncs opened on it are closed first (navoi.h: the client must outlive them). */
    public function close(): void
    {
        foreach ($this->borrowers as $ref) {
            $ref->get()?->close();
        }
        $this->borrowers = [];
        if (!$this->isClosed() && $this->logCallback !== null) {
            Ffi::lib()->navoi_client_set_log($this->ptr(), null, LogLevel::INFO->value, null);
        }
        parent::close();
        $this->logCallback = null;
    }

    /** HTTP status of the last response (0 if none). */
    public function httpStatus(): int
    {
        return Ffi::lib()->navoi_client_http_status($this->ptr());
    }

    /** Server clock minus local clock seen in the last response, ms. */
    public function serverSkewMs(): int
    {
        return Ffi::lib()->navoi_client_server_skew_ms($this->ptr());
    }

    private function check(int $rc, string $what): void
    {
        NavoiException::check($rc, $this->ptr(), $what);
    }

    // ---- connection check ----

    /**
     * Checks the configuration against NAV (tokenExchange unless $queryOnly,
     * and queryTaxpayer of the own tax number). Whatever the outcome,
     * returns a ConnectionCheck; throws only for bad arguments.
     */
    public function checkConnection(bool $queryOnly = false): ConnectionCheck
    {
        $ffi = Ffi::lib();
        $st = $ffi->new('int');
        $dg = $ffi->new('int');
        $this->check($ffi->navoi_check_connection($this->ptr(), $queryOnly ? Flag::CHECK_QUERY_ONLY : 0,
            \FFI::addr($st), \FFI::addr($dg)), 'checkConnection');
        return $this->connResult($st->cdata, $dg->cdata);
    }

    /**
     * checkConnection() with secrets as read from their files or environment
     * variables (null keeps the client's): their form is diagnosed first
     * (whitespace, line breaks, length), then they are set on the client and
     * the check runs. The strings go to libnavoi without copies and are not
     * kept by any object.
     */
    public function checkConnectionWith(
        #[\SensitiveParameter] ?string $password = null,
        #[\SensitiveParameter] ?string $signingKey = null,
        #[\SensitiveParameter] ?string $exchangeKey = null,
        bool $queryOnly = false,
    ): ConnectionCheck {
        $ffi = Ffi::lib();
        $st = $ffi->new('int');
        $dg = $ffi->new('int');
        $rc = $ffi->navoi_check_connection_with($this->ptr(), $queryOnly ? Flag::CHECK_QUERY_ONLY : 0,
            $password, $signingKey, $exchangeKey, \FFI::addr($st), \FFI::addr($dg));
        unset($password, $signingKey, $exchangeKey);
        $this->check($rc, 'checkConnection');
        return $this->connResult($st->cdata, $dg->cdata);
    }

    private function connResult(int $status, int $diagnosis): ConnectionCheck
    {
        $ffi = Ffi::lib();
        return new ConnectionCheck(
            ConnStatus::tryFrom($status) ?? ConnStatus::ERROR,
            Diagnosis::tryFrom($diagnosis) ?? Diagnosis::OTHER,
            (string) Ffi::str($ffi->navoi_client_errmsg($this->ptr())),
            (string) Ffi::str($ffi->navoi_client_nav_error_code($this->ptr())),
        );
    }

    // ---- invoices ----

    public function invoice(string $xml, Operation $operation = Operation::CREATE): Invoice
    {
        return Invoice::fromString($xml, $operation, $this);
    }

    public function invoiceFromFile(string $path, Operation $operation = Operation::CREATE): Invoice
    {
        return Invoice::fromFile($path, $operation, $this);
    }

    /**
     * Validator::validate() with this client: its schema directory enables
     * the XSD check, its tax number SUPPLIER_TAX_NUMBER_MISMATCH, its clock
     * the date checks.
     */
    public function validate(Invoice|string $document, ?Operation $operation = null): Findings
    {
        return Validator::validate($document, $this, $operation);
    }

    // ---- the ten operations ----

    /** tokenExchange: checks the credentials; returns tokenValidityTo (UTC). */
    public function tokenExchange(): \DateTimeImmutable
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('int64_t');
        $this->check($ffi->navoi_token_exchange($this->ptr(), \FFI::addr($v)), 'tokenExchange');
        return (new \DateTimeImmutable('@' . intdiv($v->cdata, 1000)))->setTimezone(new \DateTimeZone('UTC'));
    }

    /**
     * manageInvoice: reports 1 to 100 invoices in one transaction.
     * @param list<Invoice> $invoices
     * @throws Exception\AmbiguousOutcomeException when the request may have reached NAV without an answer
     */
    public function manageInvoice(array $invoices, bool $compress = false): Transaction
    {
        $ffi = Ffi::lib();
        $n = count($invoices);
        $arr = $ffi->new('navoi_invoice*[' . max($n, 1) . ']');
        foreach (array_values($invoices) as $i => $inv) {
            $arr[$i] = $inv->ptr();
        }
        $out = $ffi->new('navoi_txn*');
        $this->check($ffi->navoi_manage_invoice($this->ptr(), $arr, $n, $compress ? Flag::MANAGE_COMPRESS : 0, \FFI::addr($out)), 'manageInvoice');
        return new Transaction($out, $this);
    }

    /**
     * manageAnnulment: technical annulment of 1 to 100 reports.
     * @param list<Annulment> $annulments
     */
    public function manageAnnulment(array $annulments): Transaction
    {
        $ffi = Ffi::lib();
        $n = count($annulments);
        $refs = $ffi->new('const char*[' . max($n, 1) . ']');
        $codes = $ffi->new('int[' . max($n, 1) . ']');
        $reasons = $ffi->new('const char*[' . max($n, 1) . ']');
        $keep = [];
        $cstr = static function (string $s) use ($ffi, &$keep): CData {
            $buf = $ffi->new('char[' . (strlen($s) + 1) . ']');
            \FFI::memcpy($buf, $s, strlen($s));
            $keep[] = $buf; // alive until the call returns
            return $ffi->cast('const char*', \FFI::addr($buf[0]));
        };
        foreach (array_values($annulments) as $i => $a) {
            $refs[$i] = $cstr($a->reference);
            $codes[$i] = $a->code->value;
            $reasons[$i] = $cstr($a->reason);
        }
        $out = $ffi->new('navoi_txn*');
        $this->check($ffi->navoi_manage_annulment($this->ptr(), $refs, $codes, $reasons, $n, \FFI::addr($out)), 'manageAnnulment');
        return new Transaction($out, $this);
    }

    /** queryTransactionStatus (an unknown id gives a transaction without items). */
    public function queryTransactionStatus(string $transactionId, bool $returnOriginal = false): Transaction
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_txn*');
        $this->check($ffi->navoi_query_transaction_status($this->ptr(), $transactionId,
            $returnOriginal ? Flag::STATUS_RETURN_ORIGINAL : 0, \FFI::addr($out)), 'queryTransactionStatus');
        return new Transaction($out, $this);
    }

    private function result(string $fn, string $what, mixed ...$args): QueryResult
    {
        $ffi = Ffi::lib();
        $out = $ffi->new('navoi_result*');
        $rc = $ffi->{$fn}($this->ptr(), ...[...$args, \FFI::addr($out)]);
        if ($rc !== 0) {
            $e = NavoiException::fromCode($rc, $this->ptr(), $what);
            if (!\FFI::isNull($out)) {
                $ffi->navoi_result_free($out);
            }
            throw $e;
        }
        return QueryResult::take($out);
    }

    /** queryTransactionList: transactions inserted in [from, to] (at most 35 days). */
    public function queryTransactionList(int|\DateTimeInterface $from, int|\DateTimeInterface $to, int $page = 1,
        ?string $requestStatus = null): QueryResult
    {
        return $this->result('navoi_query_transaction_list', 'queryTransactionList',
            DigestQuery::ms($from), DigestQuery::ms($to), $page, $requestStatus);
    }

    /** queryInvoiceCheck: true if exactly one valid instance is visible. */
    public function queryInvoiceCheck(string $invoiceNumber, Direction $direction = Direction::OUTBOUND,
        int $batchIndex = 0, ?string $supplierTaxNumber = null): bool
    {
        $ffi = Ffi::lib();
        $v = $ffi->new('int');
        $this->check($ffi->navoi_query_invoice_check($this->ptr(), $invoiceNumber, $direction->value, $batchIndex,
            $supplierTaxNumber, \FFI::addr($v)), 'queryInvoiceCheck');
        return $v->cdata !== 0;
    }

    /** queryInvoiceData: no record when NAV found nothing; else one record and the XML in content. */
    public function queryInvoiceData(string $invoiceNumber, Direction $direction = Direction::OUTBOUND,
        int $batchIndex = 0, ?string $supplierTaxNumber = null): QueryResult
    {
        return $this->result('navoi_query_invoice_data', 'queryInvoiceData', $invoiceNumber, $direction->value,
            $batchIndex, $supplierTaxNumber);
    }

    /** queryInvoiceDigest. */
    public function queryInvoiceDigest(DigestQuery $query): QueryResult
    {
        $q = $query->build();
        try {
            return $this->result('navoi_query_invoice_digest', 'queryInvoiceDigest', $q);
        } finally {
            DigestQuery::free($q);
        }
    }

    /** queryInvoiceChainDigest: the chain of a base invoice. */
    public function queryInvoiceChainDigest(string $invoiceNumber, Direction $direction = Direction::OUTBOUND,
        ?string $taxNumber = null, int $page = 1): QueryResult
    {
        return $this->result('navoi_query_invoice_chain_digest', 'queryInvoiceChainDigest', $invoiceNumber,
            $direction->value, $taxNumber, $page);
    }

    /** queryTaxpayer: meta taxpayerValidity/infoDate; one record when NAV knows the taxpayer. */
    public function queryTaxpayer(string $taxNumber): QueryResult
    {
        return $this->result('navoi_query_taxpayer', 'queryTaxpayer', $taxNumber);
    }
}
