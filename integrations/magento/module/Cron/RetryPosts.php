<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Cron;

use Stockbell\BackInStock\Model\Poster;
use Stockbell\BackInStock\Model\Queue;

/**
 * Re-sends, every minute, the posts that are due; each is signed anew (the
 * body is the one first signed, so Stockbell applies it once). A post
 * answered as no re-send mends (the Stockbell URL names no Stockbell
 * endpoint) leaves the queue at once.
 */
class RetryPosts
{
    public function __construct(
        private readonly Queue $queue,
        private readonly Poster $poster
    ) {
    }

    public function execute(): void
    {
        foreach ($this->queue->due() as $row) {
            $id = (int) $row['entity_id'];
            $attempts = (int) $row['attempts'] + 1;
            $failure = $this->poster->send((string) $row['body']);
            // A permanent failure (the URL names no Stockbell) was logged by the poster; re-sends would repeat it.
            if ($failure === null || $failure->permanent || $attempts >= Queue::MAX_ATTEMPTS) {
                $this->queue->remove($id);
                continue;
            }
            $this->queue->postpone($id, $attempts, $failure->reason);
        }
    }
}
