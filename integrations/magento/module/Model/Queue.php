<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

use Magento\Framework\App\ResourceConnection;

/**
 * The stockbell_post_queue table: posts Stockbell did not acknowledge,
 * re-sent by the cron with a growing pause.
 */
class Queue
{
    private const TABLE = 'stockbell_post_queue';
    /** A post is dropped once it has been sent this many times in all, the first post included (Stockbell's reconciliation still reads the stock). */
    public const MAX_ATTEMPTS = 48;

    public function __construct(private readonly ResourceConnection $resource)
    {
    }

    /** Keeps a body to re-send. */
    public function add(string $body, string $error): void
    {
        $connection = $this->resource->getConnection();
        $connection->insert($this->resource->getTableName(self::TABLE), [
            'body' => $body,
            'attempts' => 1,
            'last_error' => substr($error, 0, 255),
            'next_attempt_at' => gmdate('Y-m-d H:i:s', time() + 60),
        ]);
    }

    /** @return array<int, array{entity_id: string, body: string, attempts: string}> the posts due now, oldest first */
    public function due(int $limit = 100): array
    {
        $connection = $this->resource->getConnection();
        $select = $connection->select()
            ->from($this->resource->getTableName(self::TABLE), ['entity_id', 'body', 'attempts'])
            ->where('next_attempt_at <= ?', gmdate('Y-m-d H:i:s'))
            ->order('entity_id ASC')
            ->limit($limit);
        return $connection->fetchAll($select);
    }

    /** Forgets an acknowledged (or abandoned) post. */
    public function remove(int $id): void
    {
        $connection = $this->resource->getConnection();
        $connection->delete($this->resource->getTableName(self::TABLE), ['entity_id = ?' => $id]);
    }

    /** Records a failed attempt and pauses the post (1, 4, 9… minutes, at most an hour). */
    public function postpone(int $id, int $attempts, string $error): void
    {
        $pause = min(3600, 60 * $attempts * $attempts);
        $connection = $this->resource->getConnection();
        $connection->update($this->resource->getTableName(self::TABLE), [
            'attempts' => $attempts,
            'last_error' => substr($error, 0, 255),
            'next_attempt_at' => gmdate('Y-m-d H:i:s', time() + $pause),
        ], ['entity_id = ?' => $id]);
    }
}
