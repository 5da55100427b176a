<?php

declare(strict_types=1);

// PSR-4 autoloader for Navoi\ without Composer (composer.json maps the same).
spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Navoi\\')) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', $class) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
