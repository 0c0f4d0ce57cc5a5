<?php
/**
 * Stockbell back-in-stock alerts for Magento 2: posts stock changes to
 * Stockbell and prints the storefront button's markers.
 */
declare(strict_types=1);

use Magento\Framework\Component\ComponentRegistrar;

ComponentRegistrar::register(ComponentRegistrar::MODULE, 'Stockbell_BackInStock', __DIR__);
