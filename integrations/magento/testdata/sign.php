<?php
/**
 * Signs a body with the module's own signer, for the tests that check it
 * against Stockbell's verifier.
 *
 * Usage: php sign.php SECRET UNIX_SECONDS < body
 * Prints the X-Stockbell-Signature value.
 */
declare(strict_types=1);

require __DIR__ . '/../module/Model/Signer.php';

$body = (string) stream_get_contents(STDIN);
echo \Stockbell\BackInStock\Model\Signer::sign($argv[1], (int) $argv[2], $body);
