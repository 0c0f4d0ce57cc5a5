<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use Magento\Store\Model\StoreManagerInterface;

/**
 * The module's settings (Stores > Configuration > Services > Stockbell Back in Stock).
 */
class Config
{
    private const PATH_ENABLED = 'stockbell/general/enabled';
    private const PATH_URL = 'stockbell/general/url';
    private const PATH_SECRET = 'stockbell/general/secret';

    public function __construct(
        private readonly ScopeConfigInterface $scopeConfig,
        private readonly EncryptorInterface $encryptor,
        private readonly StoreManagerInterface $storeManager
    ) {
    }

    /** Whether stock changes are posted: on, with a URL and a secret. */
    public function isEnabled(): bool
    {
        return $this->scopeConfig->isSetFlag(self::PATH_ENABLED) && $this->url() !== '' && $this->secret() !== '';
    }

    /** Stockbell's base URL, without a trailing slash. */
    public function url(): string
    {
        return rtrim(trim((string) $this->scopeConfig->getValue(self::PATH_URL)), '/');
    }

    /** The shared secret the activation showed. */
    public function secret(): string
    {
        return trim($this->encryptor->decrypt((string) $this->scopeConfig->getValue(self::PATH_SECRET)));
    }

    /**
     * The store's host (with a port other than the scheme's default, which
     * browsers never write in an Origin): the shop's name in Stockbell.
     */
    public function shop(): string
    {
        $base = (string) $this->storeManager->getStore()->getBaseUrl();
        $host = strtolower((string) parse_url($base, PHP_URL_HOST));
        $port = parse_url($base, PHP_URL_PORT);
        $default = ['https' => 443, 'http' => 80][strtolower((string) parse_url($base, PHP_URL_SCHEME))] ?? null;
        return $port && $port !== $default ? $host . ':' . $port : $host;
    }
}
