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
     * Posts one stock change; returns array(HTTP status, answer body), the
     * status 0 with why when Stockbell was not reached.
     */
    public function postStock($shop, $idProduct, $idProductAttribute, $quantity)
    {
        $now = time();
        $body = StockbellSigner::stockBody($shop, $idProduct, $idProductAttribute, $quantity, $now);
        return $this->post(self::STOCK_PATH, $body, StockbellSigner::headers($this->secret, $shop, $body, $now));
    }

    /**
     * Asks Stockbell to connect the shop with a webservice key; returns
     * array(HTTP status, decoded answer, answer body).
     */
    public function connect($shopUrl, $webserviceKey)
    {
        $body = json_encode(array('shop_url' => $shopUrl, 'webservice_key' => $webserviceKey), JSON_UNESCAPED_SLASHES);
        list($status, $answer) = $this->post(self::CONNECT_PATH, $body, array('Content-Type: application/json'));
        return array($status, json_decode($answer, true), $answer);
    }

    /**
     * What went wrong with a call to path that was not accepted, for the
     * merchant: where Stockbell could not be reached and why, Stockbell's
     * own words for a refusal, or, for an answer that is not Stockbell's
     * (the Stockbell URL names another site), what answered where.
     */
    public function explain($path, $status, $answer)
    {
        if ($this->baseUrl === '') {
            return 'The Stockbell URL is not set.';
        }
        $url = $this->baseUrl . $path;
        if ($status === 0) {
            return sprintf('Stockbell could not be reached at %s: %s', $url, $answer);
        }
        $decoded = json_decode((string) $answer, true);
        if (isset($decoded['error']['message'])) {
            return sprintf('Stockbell answered %d: %s', $status, $decoded['error']['message']);
        }
        return sprintf('%s answered %d, which is not an answer of Stockbell: check the Stockbell URL (the address of your Stockbell server, such as https://stockbell.example.com).', $url, $status);
    }

    private function post($path, $body, array $headers)
    {
        if ($this->baseUrl === '') {
            return array(0, 'The Stockbell URL is not set.');
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
        if ($answer === false) {
            $answer = curl_error($ch);
        }
        curl_close($ch);
        return array($status, (string) $answer);
    }
}
