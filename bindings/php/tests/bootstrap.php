<?php

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Navoi\\Tests\\')) {
        $file = __DIR__ . '/' . substr($class, strlen('Navoi\\Tests\\')) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
