<?php
/**
 * Posts to Stockbell: signed stock changes, and the connect call of the
 * configuration page. Calls are short (3 s to connect, 5 s in all) so the
 * back office never waits long on Stockbell; a post that fails is logged,
 * and Stockbell's reconciliation reads the stock again within 15 minutes.
 */
if (!defined('_PS_VERSION_')) {
    exit;
}

require_once dirname(__FILE__) . '/StockbellSigner.php';

class StockbellClient
{
    const STOCK_PATH = '/webhooks/prestashop';
    const CONNECT_PATH = '/auth/prestashop/connect';
    /** The setting to check when the Stockbell URL answers as Stockbell does not. */
    const CHECK_URL = 'check the Stockbell URL (the address of your Stockbell server, such as https://stockbell.example.com).';

    private $baseUrl;
    private $secret;

    public function __construct($baseUrl, $secret)
    {
        $this->baseUrl = rtrim((string) $baseUrl, '/');
        $this->secret = (string) $secret;
    }

    /**
     * Whether the Stockbell URL and the module secret are both set.
     */
    public function isConfigured()
    {
        return $this->baseUrl !== '' && $this->secret !== '';
    }

    /**
     * Whether a module secret is set.
     */
    public function hasSecret()
    {
        return $this->secret !== '';
    }

    /**
     * Posts one stock change; returns array(HTTP status, answer body, where
     * a redirect points), the status 0 with why when Stockbell was not
     * reached. The post was delivered only when acknowledged says so.
     */
    public function postStock($shop, $idProduct, $idProductAttribute, $quantity)
    {
        $now = time();
        $body = StockbellSigner::stockBody($shop, $idProduct, $idProductAttribute, $quantity, $now);
        return $this->post(self::STOCK_PATH, $body, StockbellSigner::headers($this->secret, $shop, $body, $now));
    }

    /**
     * Whether an answer to a stock post is Stockbell's to a stored post:
     * 200 with {"received":true,…} (also for a post it already had). Any
     * other answer, a 2xx included, comes from elsewhere (a site answering
     * any POST) and the post did not reach Stockbell.
     */
    public static function acknowledged($status, $answer)
    {
        $decoded = json_decode((string) $answer, true);
        return $status === 200 && is_array($decoded) && isset($decoded['received']) && $decoded['received'] === true;
    }

    /**
     * Asks Stockbell to connect the shop with a webservice key; returns
     * array(HTTP status, decoded answer, answer body, where a redirect points).
     */
    public function connect($shopUrl, $webserviceKey)
    {
        $body = json_encode(array('shop_url' => $shopUrl, 'webservice_key' => $webserviceKey), JSON_UNESCAPED_SLASHES);
        list($status, $answer, $location) = $this->post(self::CONNECT_PATH, $body, array('Content-Type: application/json'));
        return array($status, json_decode($answer, true), $answer, $location);
    }

    /**
     * What went wrong with a call to path that was not accepted, for the
     * merchant: where Stockbell could not be reached and why, Stockbell's
     * own words for a refusal, or, for an answer that is not Stockbell's
     * (the Stockbell URL names another site, or redirects), what answered
     * where and what to set.
     */
    public function explain($path, $status, $answer, $location = '')
    {
        if ($this->baseUrl === '') {
            return 'The Stockbell URL is not set.';
        }
        $url = $this->baseUrl . $path;
        if ($status === 0) {
            return sprintf('Stockbell could not be reached at %s: %s', $url, $answer);
        }
        if ($status >= 300 && $status < 400) {
            return $this->redirected($url, $path, $status, (string) $location);
        }
        $decoded = json_decode((string) $answer, true);
        if (isset($decoded['error']['message'])) {
            return sprintf('Stockbell answered %d: %s', $status, $decoded['error']['message']);
        }
        if ($path === self::STOCK_PATH && $status >= 200 && $status < 300) {
            return sprintf('%s answered %d but not as Stockbell acknowledges a stock post (200 {"received":true}): %s', $url, $status, self::CHECK_URL);
        }
        return sprintf('%s answered %d, which is not an answer of Stockbell: %s', $url, $status, self::CHECK_URL);
    }

    /**
     * What a redirect of the call to url says: where it points and, when
     * that is Stockbell's path on another base, the Stockbell URL to set.
     * The client follows no redirect: a POST redirected may arrive as a
     * GET, or carry the shop's signature to another host.
     */
    private function redirected($url, $path, $status, $location)
    {
        $said = sprintf('%s answered %d', $url, $status);
        if ($location === '') {
            return $said . ', a redirect without a Location, which the module does not follow: ' . self::CHECK_URL;
        }
        $said .= sprintf(', a redirect to %s, which the module does not follow: ', $location);
        if (substr($location, -strlen($path)) === $path) {
            return $said . 'set the Stockbell URL to ' . substr($location, 0, -strlen($path)) . '.';
        }
        return $said . self::CHECK_URL;
    }

    private function post($path, $body, array $headers)
    {
        if ($this->baseUrl === '') {
            return array(0, 'The Stockbell URL is not set.', '');
        }
        $ch = curl_init($this->baseUrl . $path);
        curl_setopt_array($ch, array(
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => 3,
            CURLOPT_TIMEOUT => 5,
        ));
        $answer = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_HTTP_CODE);
        // Where a redirect points, made absolute by curl, which does not follow it.
        $location = (string) curl_getinfo($ch, CURLINFO_REDIRECT_URL);
        if ($answer === false) {
            $answer = curl_error($ch);
        }
        curl_close($ch);
        return array($status, (string) $answer, $location);
    }
}
