<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\ViewModel;

use Magento\Catalog\Api\Data\ProductInterface;
use Magento\ConfigurableProduct\Model\Product\Type\Configurable;
use Magento\Framework\View\Element\Block\ArgumentInterface;
use Stockbell\BackInStock\Model\Config;

/**
 * What the storefront templates print: the snippet's script tag and the
 * markers of a product page (the variant's SKU and whether it is salable).
 */
class Storefront implements ArgumentInterface
{
    public function __construct(private readonly Config $config)
    {
    }

    /** Whether Stockbell's URL is configured (the snippet has a server to load from). */
    public function hasServer(): bool
    {
        return $this->config->url() !== '';
    }

    public function snippetUrl(): string
    {
        return $this->config->url() . '/snippet.js';
    }

    /** The shop key the snippet sends: the store's host, the shop's domain in Stockbell. */
    public function shop(): string
    {
        return $this->config->shop();
    }

    public function isConfigurable(ProductInterface $product): bool
    {
        return $product->getTypeId() === Configurable::TYPE_CODE;
    }

    /**
     * A configurable product's children by entity id: their SKU and whether
     * they are salable.
     *
     * @return array<string, array{sku: string, available: bool}>
     */
    public function children(ProductInterface $product): array
    {
        $children = [];
        foreach ($product->getTypeInstance()->getUsedProducts($product) as $child) {
            $children[(string) $child->getId()] = ['sku' => (string) $child->getSku(), 'available' => (bool) $child->isSalable()];
        }
        return $children;
    }
}
