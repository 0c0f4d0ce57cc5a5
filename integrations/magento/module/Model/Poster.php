<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

use Magento\Framework\HTTP\Client\Curl;
use Magento\Framework\HTTP\Client\CurlFactory;
use Psr\Log\LoggerInterface;

/**
 * Posts stock changes to Stockbell's /webhooks/magento, signed; a post
 * Stockbell does not acknowledge waits in the queue for the cron, unless
 * the answer shows the Stockbell URL names no Stockbell (logged as an error).
 */
class Poster
{
    private const PATH = '/webhooks/magento';
    /** Where the merchant sets the Stockbell URL and the secret. */
    private const SETTINGS = 'Stores > Configuration > Services > Stockbell Back in Stock';

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
     * (see acknowledged), else why not. An answer no re-send mends (see
     * wrongUrl) is logged as an error here, for the merchant, and is
     * permanent.
     */
    public function send(string $body): ?PostFailure
    {
        $url = $this->config->url() . self::PATH;
        try {
            $curl = $this->post($url, $body);
        } catch (\Exception $e) {
            return new PostFailure($e->getMessage());
        }
        $status = $curl->getStatus();
        $answer = (string) $curl->getBody();
        if ($this->acknowledged($status, $answer)) {
            return null;
        }
        $wrong = $this->wrongUrl($url, $status, $curl->getHeaders());
        if ($wrong !== null) {
            $reason = $wrong . ' (' . self::SETTINGS . ': the address of your Stockbell server,'
                . ' as its identity page showed). The post is not re-sent; Stockbell reads the stock again once it is reached.';
            $this->logger->error('Stockbell was not told of a stock change: ' . $reason);
            return new PostFailure($reason, true);
        }
        return new PostFailure($this->refused($status, $answer));
    }

    /**
     * Why Stockbell refused a post, in words (the queue's last_error, which
     * the merchant reads): Stockbell's own message rather than its JSON,
     * and for a 401 the setting to check.
     */
    private function refused(int $status, string $answer): string
    {
        $decoded = json_decode($answer, true);
        $message = $decoded['error']['message'] ?? null;
        if (!is_string($message)) {
            return 'Stockbell answered ' . $status . ': ' . substr($answer, 0, 200);
        }
        if ($status < 400 || $status >= 500) {
            return 'Stockbell answered ' . $status . ': ' . $message; // its own failure, not a refusal
        }
        $reason = 'Stockbell refused the post (' . $status . '): ' . $message;
        if ($status === 401) {
            $reason .= ' Check that the secret in ' . self::SETTINGS . ' is the one Stockbell showed.';
        }
        return $reason;
    }

    /** Posts the signed body to url; Magento's Curl throws when nothing answered. */
    private function post(string $url, string $body): Curl
    {
        $curl = $this->curlFactory->create();
        $curl->setTimeout(5);
        $curl->addHeader('Content-Type', 'application/json');
        $curl->addHeader('X-Stockbell-Shop', $this->config->shop());
        $curl->addHeader(Signer::HEADER, Signer::sign($this->config->secret(), time(), $body));
        $curl->post($url, $body);
        return $curl;
    }

    /**
     * Whether the answer is Stockbell's to a stored post: 200 with
     * {"received":true,…} (also for a post it already had). Any other 2xx
     * comes from elsewhere, and a post taken for acknowledged is lost.
     */
    private function acknowledged(int $status, string $answer): bool
    {
        $decoded = json_decode($answer, true);
        return $status === 200 && is_array($decoded) && ($decoded['received'] ?? null) === true;
    }

    /**
     * Why the answer says the URL names no Stockbell endpoint, or null.
     * Stockbell always serves POST /webhooks/magento, so 404 (a path
     * Stockbell does not serve, or another site), 405 and 410 come from
     * elsewhere, as does a 2xx that is not Stockbell's acknowledgement (a
     * site answering any POST); a redirect (http:// for an https server) is
     * not followed by Magento's Curl. Each repeats until the URL setting
     * changes. Other refusals are re-sent: a 401 (wrong secret, shop's
     * clock) or 5xx can be mended meanwhile, and a re-send is signed anew
     * with the settings of that moment.
     *
     * @param array<string, string> $headers the answer's headers
     */
    private function wrongUrl(string $url, int $status, array $headers): ?string
    {
        if (in_array($status, [301, 302, 303, 307, 308], true)) {
            return $this->redirected($url, $status, $this->location($url, $headers));
        }
        if ($status >= 200 && $status < 300) {
            return $url . ' answered ' . $status . ' but not as Stockbell acknowledges a stock post (200 {"received":true}):'
                . ' check the Stockbell URL';
        }
        if (in_array($status, [404, 405, 410], true)) {
            return $url . ' answered ' . $status . ', which is not Stockbell\'s answer to a stock post: check the Stockbell URL';
        }
        return null;
    }

    /** What a redirect to location says to set the Stockbell URL to. */
    private function redirected(string $url, int $status, string $location): string
    {
        $said = $url . ' answered ' . $status;
        if ($location === '') {
            return $said . ', a redirect without a Location, which Magento does not follow: check the Stockbell URL';
        }
        $said .= ', a redirect to ' . $location . ', which Magento does not follow: ';
        if (str_ends_with($location, self::PATH)) {
            return $said . 'set the Stockbell URL to ' . substr($location, 0, -strlen(self::PATH));
        }
        return $said . 'check the Stockbell URL';
    }

    /**
     * The answer's Location (header names as the server wrote them), made
     * absolute against url (see absolute).
     *
     * @param array<string, string> $headers
     */
    private function location(string $url, array $headers): string
    {
        $location = '';
        foreach ($headers as $name => $value) {
            if (strcasecmp((string) $name, 'Location') === 0) {
                $location = trim((string) $value);
            }
        }
        return $location === '' ? '' : $this->absolute($url, $location);
    }

    /**
     * location resolved against url as a browser or curl resolves it
     * (RFC 3986): with a scheme as it is; //host/path with url's scheme;
     * /path on url's host; a relative path beside url's last segment,
     * dot segments removed.
     */
    private function absolute(string $url, string $location): string
    {
        if (preg_match('{^[a-z][a-z0-9+.-]*:}i', $location) === 1) {
            return $location;
        }
        $parts = parse_url($url);
        $scheme = ($parts['scheme'] ?? 'https');
        if (str_starts_with($location, '//')) {
            return $scheme . ':' . $location;
        }
        $origin = $scheme . '://' . ($parts['host'] ?? '') . (isset($parts['port']) ? ':' . $parts['port'] : '');
        if (!str_starts_with($location, '/')) {
            $path = $parts['path'] ?? '/';
            $location = substr($path, 0, (int) strrpos($path, '/') + 1) . $location;
        }
        return $origin . $this->withoutDotSegments($location);
    }

    /** path with its "." and ".." segments resolved (its query or fragment kept as written). */
    private function withoutDotSegments(string $path): string
    {
        $rest = strcspn($path, '?#');
        $out = [];
        $segments = explode('/', substr($path, 0, $rest));
        foreach ($segments as $i => $segment) {
            if ($segment === '..' && count($out) > 1) {
                array_pop($out); // never the empty segment before the first /
            } elseif ($segment !== '.' && $segment !== '..') {
                $out[] = $segment;
            }
            if (($segment === '.' || $segment === '..') && $i === count($segments) - 1) {
                $out[] = ''; // a path ending in a dot segment names a folder
            }
        }
        return implode('/', $out) . substr($path, $rest);
    }
}
