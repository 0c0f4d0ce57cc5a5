<?php
/**
 * Runs the module's Model/Poster.php outside Magento, for the tests that
 * check its posts against Stockbell: the Magento and PSR classes it uses
 * are stood in for by the smallest classes that do the same (an HTTP
 * client over PHP's streams, a logger and a queue that print what they
 * are given).
 *
 * Usage: php post.php STOCKBELL_URL SHOP SECRET SKU_HEX QTY IN_STOCK(0|1)
 * Prints one line per thing that happened: "posted STATUS", "queued
 * ERROR", "log LEVEL MESSAGE".
 */
declare(strict_types=1);

namespace Stockbell\BackInStock\Model {
    class Queue
    {
        public function add(string $body, string $error): void
        {
            echo 'queued ', $error, "\n";
        }
    }
}

namespace {
    require __DIR__ . '/poster_standins.php';
    require __DIR__ . '/../module/Model/Signer.php';
    require __DIR__ . '/../module/Model/PostFailure.php';
    require __DIR__ . '/../module/Model/Poster.php';

    $logger = new \PrintingLogger();
    [, $url, $shop, $secret, $skuHex, $qty, $inStock] = $argv;
    $config = new \Stockbell\BackInStock\Model\Config($url, $shop, $secret);
    $poster = new \Stockbell\BackInStock\Model\Poster($config, new \Stockbell\BackInStock\Model\Queue(),
        new \Magento\Framework\HTTP\Client\CurlFactory(), $logger);
    $poster->postChange((string) hex2bin($skuHex), (float) $qty, $inStock === '1', 'default');
}
