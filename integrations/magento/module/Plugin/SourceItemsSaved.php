<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Plugin;

use Magento\InventoryApi\Api\Data\SourceItemInterface;
use Magento\InventoryApi\Api\SourceItemsSaveInterface;
use Stockbell\BackInStock\Model\Poster;

/**
 * Posts every source item multi-source inventory saves.
 */
class SourceItemsSaved
{
    public function __construct(private readonly Poster $poster)
    {
    }

    /**
     * @param SourceItemInterface[] $sourceItems
     */
    public function afterExecute(SourceItemsSaveInterface $subject, mixed $result, array $sourceItems): mixed
    {
        foreach ($sourceItems as $item) {
            $this->poster->postChange(
                (string) $item->getSku(),
                (float) $item->getQuantity(),
                (int) $item->getStatus() === SourceItemInterface::STATUS_IN_STOCK,
                (string) $item->getSourceCode()
            );
        }
        return $result;
    }
}
