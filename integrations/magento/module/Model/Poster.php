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
        $failure = $this->send($body);
        if ($failure !== null && !$failure->permanent) {
            $this->logger->warning('Stockbell did not acknowledge a stock change; it will be re-sent', ['sku' => $sku, 'error' => $failure->reason]);
            $this->queue->add($body, $failure->reason);
        }
    }

    /**
     * Sends a body, signed now. Returns null once Stockbell acknowledged it
     * (2xx), else why not. An answer no re-send mends (see wrongUrl) is
     * logged as an error here, for the merchant, and is permanent.
     */
    public function send(string $body): ?PostFailure
    {
        $url = $this->config->url() . self::PATH;
        try {
            $curl = $this->curlFactory->create();
            $curl->setTimeout(5);
            $curl->addHeader('Content-Type', 'application/json');
            $curl->addHeader('X-Stockbell-Shop', $this->config->shop());
            $curl->addHeader(Signer::HEADER, Signer::sign($this->config->secret(), time(), $body));
            $curl->post($url, $body);
            $status = $curl->getStatus();
        } catch (\Exception $e) {
            return new PostFailure($e->getMessage());
        }
        if ($status >= 200 && $status < 300) {
            return null;
        }
        if ($this->wrongUrl($status)) {
            $reason = $url . ' answered ' . $status . ', which is not Stockbell\'s answer to a stock post: check the Stockbell URL'
                . ' (Stores > Configuration > Services > Stockbell Back in Stock: the address of your Stockbell server,'
                . ' as its identity page showed). The post is not re-sent; Stockbell reads the stock again once it is reached.';
            $this->logger->error('Stockbell was not told of a stock change: ' . $reason);
            return new PostFailure($reason, true);
        }
        return new PostFailure('Stockbell answered ' . $status . ': ' . substr((string) $curl->getBody(), 0, 200));
    }

    /**
     * Whether an answer says the URL names no Stockbell endpoint: Stockbell
     * always serves POST /webhooks/magento, so 404 (a path Stockbell does
     * not serve, or another site), 405 and 410 come from elsewhere, and
     * repeat until the URL setting changes. Other refusals are re-sent: a
     * 401 (wrong secret, shop's clock) or 5xx can be mended meanwhile, and a
     * re-send is signed anew with the settings of that moment.
     */
    private function wrongUrl(int $status): bool
    {
        return in_array($status, [404, 405, 410], true);
    }
}
