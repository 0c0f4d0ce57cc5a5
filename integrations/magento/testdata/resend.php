<?php
/**
 * Runs the module's Model/Poster.php, Model/Queue.php and
 * Cron/RetryPosts.php outside Magento (poster_standins.php,
 * queue_standins.php) for a post whose answer the store never saw: the
 * body is posted, then queued as Poster::postChange queues a post it saw
 * no acknowledgement of (a timeout at the store's end, Stockbell having
 * stored it), and the cron runs once, re-sending it signed anew.
 *
 * Usage: php resend.php STOCKBELL_URL SHOP SECRET BODY
 * Prints "posted STATUS" per post, "log LEVEL MESSAGE" per log line,
 * "pause MINUTES" per re-send postponed, then "answered BODY" per answer
 * and "queued N", the posts left in the queue.
 */
declare(strict_types=1);

namespace {
    require __DIR__ . '/poster_standins.php';
    require __DIR__ . '/queue_standins.php';
    require __DIR__ . '/../module/Model/Signer.php';
    require __DIR__ . '/../module/Model/PostFailure.php';
    require __DIR__ . '/../module/Model/Queue.php';
    require __DIR__ . '/../module/Model/Poster.php';
    require __DIR__ . '/../module/Cron/RetryPosts.php';

    [, $url, $shop, $secret, $body] = $argv;
    $resource = new \Magento\Framework\App\ResourceConnection();
    $queue = new \Stockbell\BackInStock\Model\Queue($resource);
    $poster = new \Stockbell\BackInStock\Model\Poster(new \Stockbell\BackInStock\Model\Config($url, $shop, $secret), $queue,
        new \Magento\Framework\HTTP\Client\CurlFactory(), new \PrintingLogger());
    $poster->send($body);
    $queue->add($body, 'Operation timed out after 5001 milliseconds with 0 bytes received');
    (new \Stockbell\BackInStock\Cron\RetryPosts($queue, $poster))->execute();
    foreach (\Magento\Framework\HTTP\Client\Curl::$answers as $answer) {
        echo 'answered ', trim($answer), "\n";
    }
    echo 'queued ', count($resource->getConnection()->rows), "\n";
}
