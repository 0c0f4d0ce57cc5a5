<?php
/**
 * Stand-ins for what the module's Model/Poster.php uses from Magento and
 * PSR, the smallest classes that do the same: an HTTP client over PHP's
 * streams (Curl::$answers keeps each answer's body), the module's settings
 * as given, and a logger that prints what it is given ("log LEVEL
 * MESSAGE"). Used by post.php and resend.php.
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
        /** @var list<string> the body of every answer, in order */
        public static array $answers = [];
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
            self::$answers[] = $body;
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
}

namespace {
    /** Prints each log line: "log LEVEL MESSAGE". */
    final class PrintingLogger implements \Psr\Log\LoggerInterface
    {
        public function warning(string $message, array $context = []): void
        {
            echo 'log warning ', $message, "\n";
        }

        public function error(string $message, array $context = []): void
        {
            echo 'log error ', $message, "\n";
        }
    }
}
