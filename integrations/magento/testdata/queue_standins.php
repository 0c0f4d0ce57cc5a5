<?php
/**
 * Stand-ins for the database connection the module's Model/Queue.php
 * uses: one in-memory table whose every row is due whenever it is read
 * (the cron's pause is printed, "pause MINUTES", not waited for). Used by
 * retry.php and resend.php.
 */
declare(strict_types=1);

namespace Magento\Framework\App {
    class Select
    {
        public function from(string $table, array $columns): self
        {
            return $this;
        }

        public function where(string $condition, string $value): self
        {
            return $this;
        }

        public function order(string $order): self
        {
            return $this;
        }

        public function limit(int $limit): self
        {
            return $this;
        }
    }

    /** One table, its rows by entity_id. */
    class Connection
    {
        public array $rows = [];
        private int $next = 1;

        public function insert(string $table, array $row): void
        {
            $row['entity_id'] = (string) $this->next;
            $this->rows[$this->next++] = array_map('strval', $row);
        }

        public function select(): Select
        {
            return new Select();
        }

        public function fetchAll(Select $select): array
        {
            return array_values($this->rows);
        }

        public function update(string $table, array $set, array $where): void
        {
            $id = (int) $where['entity_id = ?'];
            // In whole minutes: a second may pass between Queue's clock and this one.
            echo 'pause ', round((strtotime($set['next_attempt_at'] . ' UTC') - time()) / 60), "\n";
            $this->rows[$id] = array_merge($this->rows[$id], array_map('strval', $set));
        }

        public function delete(string $table, array $where): void
        {
            unset($this->rows[(int) $where['entity_id = ?']]);
        }
    }

    class ResourceConnection
    {
        private Connection $connection;

        public function __construct()
        {
            $this->connection = new Connection();
        }

        public function getConnection(): Connection
        {
            return $this->connection;
        }

        public function getTableName(string $name): string
        {
            return $name;
        }
    }
}
