<?php
/**
 * Renders the module's marker.phtml as Magento would, with stand-ins for
 * the block, the escaper and the view model, for the tests that read what
 * it prints.
 *
 * Usage: php marker.php simple|configurable PRODUCT_NAME
 */
declare(strict_types=1);

require __DIR__ . '/standins.php';

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

$block = new Block(new Product($argv[2], 'SWEATER', false), new Storefront($argv[1] === 'configurable'));
$escaper = new Escaper();
require __DIR__ . '/../module/view/frontend/templates/marker.phtml';
