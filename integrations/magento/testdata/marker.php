<?php
/**
 * Renders the module's marker.phtml as Magento would, with stand-ins for
 * the block, the escaper and the view model, for the tests that read what
 * it prints.
 *
 * Usage: php marker.php simple|configurable PRODUCT_NAME
 */
declare(strict_types=1);

/** A product with the fields the template reads. */
final class Product
{
    public function __construct(private string $name, private string $sku, private bool $salable)
    {
    }

    public function getName(): string
    {
        return $this->name;
    }

    public function getSku(): string
    {
        return $this->sku;
    }

    public function isSalable(): bool
    {
        return $this->salable;
    }
}

/** Magento's escaper escapes attribute values at least as htmlspecialchars does. */
final class Escaper
{
    public function escapeHtmlAttr(string $value): string
    {
        return htmlspecialchars($value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}

/** The view model: the configurable product's one child is sold out. */
final class Storefront
{
    public function __construct(private bool $configurable)
    {
    }

    public function isConfigurable(Product $product): bool
    {
        return $this->configurable;
    }

    public function children(Product $product): array
    {
        return ['7' => ['sku' => 'SWEATER-M', 'available' => false]];
    }
}

/** The product view block. */
final class Block
{
    public function __construct(private Product $product, private Storefront $storefront)
    {
    }

    public function getProduct(): Product
    {
        return $this->product;
    }

    public function getData(string $key): mixed
    {
        return $key === 'storefront' ? $this->storefront : null;
    }
}

$block = new Block(new Product($argv[2], 'SWEATER', false), new Storefront($argv[1] === 'configurable'));
$escaper = new Escaper();
require __DIR__ . '/../module/view/frontend/templates/marker.phtml';
