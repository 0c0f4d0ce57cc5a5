<?php
/**
 * Stand-ins for the parts of Magento the module's storefront code uses, so
 * that tests run its templates, view model and settings under php-cli:
 * the interfaces it types against, a product, the escaper and the blocks.
 */
declare(strict_types=1);

namespace Magento\Catalog\Api\Data {
    interface ProductInterface
    {
    }
}

namespace Magento\ConfigurableProduct\Model\Product\Type {
    class Configurable
    {
        public const TYPE_CODE = 'configurable';
    }
}

namespace Magento\Framework\View\Element\Block {
    interface ArgumentInterface
    {
    }
}

namespace Magento\Framework\App\Config {
    interface ScopeConfigInterface
    {
        public function getValue($path);

        public function isSetFlag($path);
    }
}

namespace Magento\Framework\Encryption {
    interface EncryptorInterface
    {
        public function decrypt($data);
    }
}

namespace Magento\Store\Model {
    interface StoreManagerInterface
    {
        public function getStore();
    }
}

namespace {
    /** A product with the fields the templates read. */
    final class Product implements \Magento\Catalog\Api\Data\ProductInterface
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

        public function getTypeId(): string
        {
            return 'simple';
        }
    }

    /** Magento's escaper escapes at least as htmlspecialchars does. */
    final class Escaper
    {
        public function escapeHtmlAttr(string $value): string
        {
            return htmlspecialchars($value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
        }

        public function escapeUrl(string $url): string
        {
            return $this->escapeHtmlAttr($url);
        }
    }

    /** A template block: the product page's, with the storefront view model. */
    final class Block
    {
        public function __construct(private ?Product $product, private object $storefront)
        {
        }

        public function getProduct(): ?Product
        {
            return $this->product;
        }

        public function getData(string $key): mixed
        {
            return $key === 'storefront' ? $this->storefront : null;
        }
    }
}
