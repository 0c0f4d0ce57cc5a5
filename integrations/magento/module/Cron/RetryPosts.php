<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Cron;

use Stockbell\BackInStock\Model\Poster;
use Stockbell\BackInStock\Model\Queue;

/**
 * Re-sends, every minute, the posts that are due; each is signed anew (the
 * body is the one first signed, so Stockbell applies it once).
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
            $error = $this->poster->send((string) $row['body']);
            if ($error === null || $attempts >= Queue::MAX_ATTEMPTS) {
                $this->queue->remove($id);
                continue;
            }
            $this->queue->postpone($id, $attempts, $error);
        }
    }
}
