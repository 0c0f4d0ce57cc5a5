<?php
/**
 * Renders a product page of a Magento store as the module prints it: the
 * marker of a sold-out simple product (marker.phtml) and the snippet's
 * script tag (snippet.phtml), through the module's own view model and
 * settings, the store and its configuration played by stand-ins.
 *
 * Usage: php page.php STORE_BASE_URL STOCKBELL_URL SKU PRODUCT_NAME
 */
declare(strict_types=1);

require __DIR__ . '/standins.php';
require __DIR__ . '/../module/Model/Config.php';
require __DIR__ . '/../module/ViewModel/Storefront.php';

/** Stores > Configuration > Services > Stockbell Back in Stock, as saved. */
final class ScopeConfig implements \Magento\Framework\App\Config\ScopeConfigInterface
{
    public function __construct(private array $values)
    {
    }

    public function getValue($path)
    {
        return $this->values[$path] ?? null;
    }

    public function isSetFlag($path)
    {
        return (bool) ($this->values[$path] ?? false);
    }
}

/** The settings' secret is kept as the merchant typed it. */
final class Encryptor implements \Magento\Framework\Encryption\EncryptorInterface
{
    public function decrypt($data)
    {
        return $data;
    }
}

/** The store the page is rendered for, at its base URL. */
final class StoreManager implements \Magento\Store\Model\StoreManagerInterface
{
    public function __construct(private string $baseUrl)
    {
    }

    public function getStore()
    {
        return new class ($this->baseUrl) {
            public function __construct(private string $baseUrl)
            {
            }

            public function getBaseUrl(): string
            {
                return $this->baseUrl;
            }
        };
    }
}

$config = new \Stockbell\BackInStock\Model\Config(
    new ScopeConfig(['stockbell/general/enabled' => '1', 'stockbell/general/url' => $argv[2], 'stockbell/general/secret' => 'secret']),
    new Encryptor(),
    new StoreManager($argv[1])
);
$storefront = new \Stockbell\BackInStock\ViewModel\Storefront($config);
$escaper = new Escaper();
echo '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>', $escaper->escapeHtmlAttr($argv[4]), "</title></head><body>\n";
$block = new Block(new Product($argv[4], $argv[3], false), $storefront);
require __DIR__ . '/../module/view/frontend/templates/marker.phtml';
require __DIR__ . '/../module/view/frontend/templates/snippet.phtml';
echo "</body></html>\n";
