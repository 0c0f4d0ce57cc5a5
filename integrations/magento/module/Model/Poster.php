<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

use Magento\Framework\HTTP\Client\CurlFactory;
use Psr\Log\LoggerInterface;

/**
 * Posts stock changes to Stockbell's /webhooks/magento, signed; a post
 * Stockbell does not acknowledge waits in the queue for the cron.
 */
class Poster
{
    private const PATH = '/webhooks/magento';

    public function __construct(
        private readonly Config $config,
        private readonly Queue $queue,
        private readonly CurlFactory $curlFactory,
        private readonly LoggerInterface $logger
    ) {
    }

    /**
     * Posts one saved level: the SKU's quantity and stock status at a
     * source ("default" without multi-source inventory).
     */
    public function postChange(string $sku, float $qty, bool $inStock, string $source): void
    {
        if (!$this->config->isEnabled() || $sku === '') {
            return;
        }
        try {
            $body = json_encode([
                'shop' => $this->config->shop(),
                'sku' => $sku,
                'qty' => $qty,
                'is_in_stock' => $inStock,
                'source' => $source === '' ? 'default' : $source,
                'updated_at' => gmdate('Y-m-d H:i:s'),
            ], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            // A SKU that is not UTF-8 cannot be put in JSON (nor matched by
            // Stockbell); an empty body would be refused and queued forever.
            $this->logger->error('Stockbell cannot be told of this stock change: ' . $e->getMessage(),
                ['sku_hex' => bin2hex($sku)]);
            return;
        }
        $error = $this->send($body);
        if ($error !== null) {
            $this->logger->warning('Stockbell did not acknowledge a stock change; it will be re-sent', ['sku' => $sku, 'error' => $error]);
            $this->queue->add($body, $error);
        }
    }

    /**
     * Sends a body, signed now. Returns null once Stockbell acknowledged it
     * (2xx), else why not.
     */
    public function send(string $body): ?string
    {
        try {
            $curl = $this->curlFactory->create();
            $curl->setTimeout(5);
            $curl->addHeader('Content-Type', 'application/json');
            $curl->addHeader('X-Stockbell-Shop', $this->config->shop());
            $curl->addHeader(Signer::HEADER, Signer::sign($this->config->secret(), time(), $body));
            $curl->post($this->config->url() . self::PATH, $body);
            $status = $curl->getStatus();
        } catch (\Exception $e) {
            return $e->getMessage();
        }
        if ($status >= 200 && $status < 300) {
            return null;
        }
        return 'Stockbell answered ' . $status . ': ' . substr((string) $curl->getBody(), 0, 200);
    }
}
