<?php
/**
 * Runs the module's Model/Poster.php outside Magento, for the tests that
 * check its posts against Stockbell: the Magento and PSR classes it uses
 * are stood in for by the smallest classes that do the same (an HTTP
 * client over PHP's streams, a logger and a queue that print what they
 * are given).
 *
 * Usage: php post.php STOCKBELL_URL SHOP SECRET SKU_HEX QTY IN_STOCK(0|1)
 * Prints one line per thing that happened: "posted STATUS", "queued
 * ERROR", "log LEVEL MESSAGE".
 */
declare(strict_types=1);

namespace Psr\Log {
    interface LoggerInterface
    {
        public function warning(string $message, array $context = []): void;
        public function error(string $message, array $context = []): void;
    }
}

namespace Magento\Framework\HTTP\Client {
    class Curl
    {
        private array $headers = [];
        private int $timeout = 30;
        private int $status = 0;
        private string $body = '';
        private array $responseHeaders = [];

        public function setTimeout(int $seconds): void
        {
            $this->timeout = $seconds;
        }

        public function addHeader(string $name, string $value): void
        {
            $this->headers[] = $name . ': ' . $value;
        }

        public function post(string $url, string $body): void
        {
            $context = stream_context_create(['http' => ['method' => 'POST', 'header' => implode("\r\n", $this->headers),
                'content' => $body, 'timeout' => $this->timeout, 'ignore_errors' => true,
                'follow_location' => 0]]); // Magento's Curl does not follow redirects
            $body = @file_get_contents($url, false, $context);
            if ($body === false) {
                throw new \Exception('could not reach ' . $url); // as Magento's Curl throws
            }
            $this->body = $body;
            preg_match('{^HTTP/\S+ (\d+)}', $http_response_header[0] ?? '', $m);
            $this->status = (int) ($m[1] ?? 0);
            foreach (array_slice($http_response_header, 1) as $line) {
                [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
                $this->responseHeaders[trim($name)] = trim($value); // as Magento's Curl keeps them: name as sent
            }
            echo 'posted ', $this->status, "\n";
        }

        public function getStatus(): int
        {
            return $this->status;
        }

        /** @return array<string, string> the answer's headers, by name as the server wrote it */
        public function getHeaders(): array
        {
            return $this->responseHeaders;
        }

        public function getBody(): string
        {
            return $this->body;
        }
    }

    class CurlFactory
    {
        public function create(): Curl
        {
            return new Curl();
        }
    }
}

namespace Stockbell\BackInStock\Model {
    class Config
    {
        public function __construct(private string $url, private string $shop, private string $secret)
        {
        }

        public function isEnabled(): bool
        {
            return true;
        }

        public function url(): string
        {
            return $this->url;
        }

        public function secret(): string
        {
            return $this->secret;
        }

        public function shop(): string
        {
            return $this->shop;
        }
    }

    class Queue
    {
        public function add(string $body, string $error): void
        {
            echo 'queued ', $error, "\n";
        }
    }
}

namespace {
    require __DIR__ . '/../module/Model/Signer.php';
    require __DIR__ . '/../module/Model/PostFailure.php';
    require __DIR__ . '/../module/Model/Poster.php';

    $logger = new class implements \Psr\Log\LoggerInterface {
        public function warning(string $message, array $context = []): void
        {
            echo 'log warning ', $message, "\n";
        }

        public function error(string $message, array $context = []): void
        {
            echo 'log error ', $message, "\n";
        }
    };
    [, $url, $shop, $secret, $skuHex, $qty, $inStock] = $argv;
    $config = new \Stockbell\BackInStock\Model\Config($url, $shop, $secret);
    $poster = new \Stockbell\BackInStock\Model\Poster($config, new \Stockbell\BackInStock\Model\Queue(),
        new \Magento\Framework\HTTP\Client\CurlFactory(), $logger);
    $poster->postChange((string) hex2bin($skuHex), (float) $qty, $inStock === '1', 'default');
}
