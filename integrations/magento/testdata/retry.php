<?php
/**
 * Runs the module's Model/Queue.php and Cron/RetryPosts.php outside
 * Magento, for the test of how often a post Stockbell never acknowledges
 * is sent: the database connection is stood in for by an in-memory table
 * (every queued post is due whenever the cron runs), and the poster by one
 * that Stockbell never answers.
 *
 * Usage: php retry.php [wrong-url]
 * Prints "sent N" (the first post and every re-send) and one "pause
 * MINUTES" line per re-send postponed. With wrong-url, every re-send is
 * answered as no re-send mends (the Stockbell URL names no Stockbell).
 */
declare(strict_types=1);

namespace Stockbell\BackInStock\Model {
    class Poster
    {
        public int $sent = 0;

        public function __construct(private bool $wrongUrl)
        {
        }

        public function send(string $body): ?PostFailure
        {
            $this->sent++;
            if ($this->wrongUrl && $this->sent > 1) {
                return new PostFailure('https://shop.example/webhooks/magento answered 404', true);
            }
            return new PostFailure('could not reach Stockbell');
        }
    }
}

namespace {
    require __DIR__ . '/queue_standins.php';
    require __DIR__ . '/../module/Model/PostFailure.php';
    require __DIR__ . '/../module/Model/Queue.php';
    require __DIR__ . '/../module/Cron/RetryPosts.php';

    $resource = new \Magento\Framework\App\ResourceConnection();
    $queue = new \Stockbell\BackInStock\Model\Queue($resource);
    $poster = new \Stockbell\BackInStock\Model\Poster(($argv[1] ?? '') === 'wrong-url');
    $poster->send('{"sku":"TEE-S"}'); // the first post, as Poster::postChange sends it
    $queue->add('{"sku":"TEE-S"}', 'could not reach Stockbell');
    $cron = new \Stockbell\BackInStock\Cron\RetryPosts($queue, $poster);
    for ($run = 0; $resource->getConnection()->rows !== [] && $run < 1000; $run++) {
        $cron->execute();
    }
    echo 'sent ', $poster->sent, "\n";
}
