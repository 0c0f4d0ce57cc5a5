<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Observer;

use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\CatalogInventory\Api\Data\StockItemInterface;
use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Stockbell\BackInStock\Model\Poster;

/**
 * Posts every saved legacy stock item (cataloginventory_stock_item_save_after).
 */
class StockItemSaved implements ObserverInterface
{
    public function __construct(
        private readonly Poster $poster,
        private readonly ProductRepositoryInterface $products
    ) {
    }

    public function execute(Observer $observer): void
    {
        $item = $observer->getEvent()->getData('item');
        if (!$item instanceof StockItemInterface || !$item->getProductId()) {
            return;
        }
        try {
            $sku = (string) $this->products->getById((int) $item->getProductId())->getSku();
        } catch (\Exception $e) {
            return;
        }
        $this->poster->postChange($sku, (float) $item->getQty(), (bool) $item->getIsInStock(), 'default');
    }
}
