<?php
/**
 * Runs the module's actionUpdateQuantity hook with stand-ins for the
 * PrestaShop classes it uses, in a multistore of three shops: shop 1 (at
 * SHOP_URL) and shop 2 (at https://second.example/) in group 1, and shop 3
 * (at https://third.example/) in group 2, which shares stock. The module's
 * configuration (Stockbell URL, module secret) is set for all shops.
 * The environment sets the rest: STOCKBELL_TEST_CONTEXT_SHOP the shop the
 * request is in (1 by default), STOCKBELL_TEST_SHARE_STOCK=1 makes group 1
 * share stock, STOCKBELL_TEST_CONNECTED=N keeps shop N's URL as the shop
 * the module secret was made for (as the connect form does).
 * Instead of posting, the module's client signs each post with the
 * module's own signer at UNIX_TIME and prints them all as JSON:
 * [{"body": …, "headers": ["Name: value", …]}]. With
 * STOCKBELL_TEST_STOCKBELL_URL set, that is the Stockbell URL and the
 * module's real client also posts there (STATUS is then ignored).
 *
 * Usage: php stock_hook.php SHOP_URL SECRET UNIX_TIME ID_SHOP ID_PRODUCT ID_PRODUCT_ATTRIBUTE QUANTITY [CALLS [STATUS]]
 * (ID_SHOP "-" leaves id_shop out of the hook's parameters). The hook runs
 * CALLS times (1 by default) in one request, for the combinations
 * ID_PRODUCT_ATTRIBUTE, ID_PRODUCT_ATTRIBUTE+1, …; the client answers each
 * post with STATUS (200 by default, Stockbell's acknowledgement; 0 is
 * Stockbell not reached; 404 is another site's page, any other refusal
 * Stockbell's JSON error). The
 * module's logs (PrestaShopLogger::addLog) are printed on stderr.
 */
define('_PS_VERSION_', '8.1.0');

class Module
{
    public $context;

    public function __construct()
    {
    }

    public function l($text)
    {
        return $text;
    }
}

class Configuration
{
    public static function get($key, $idLang = null, $idShopGroup = null, $idShop = null)
    {
        global $argv;
        $url = getenv('STOCKBELL_TEST_STOCKBELL_URL') ?: 'https://app.example';
        $values = array('STOCKBELL_URL' => $url, 'STOCKBELL_SECRET' => $argv[2]);
        if (getenv('STOCKBELL_TEST_CONNECTED')) {
            $values['STOCKBELL_SHOP'] = (new Shop((int) getenv('STOCKBELL_TEST_CONNECTED')))->getBaseURL(true);
        }
        return isset($values[$key]) ? $values[$key] : false;
    }
}

class PrestaShopLogger
{
    public static function addLog($message)
    {
        fwrite(STDERR, $message . "\n");
    }
}

class Tools
{
    public static function substr($s, $start, $length)
    {
        return substr($s, $start, $length);
    }
}

/** Shops 1 and 2 in group 1, shop 3 in group 2. */
class Shop
{
    public $id;
    public $id_shop_group;

    public function __construct($id = null)
    {
        $this->id = (int) $id;
        $this->id_shop_group = $this->id === 3 ? 2 : 1;
    }

    public function getBaseURL($ssl)
    {
        global $argv;
        $urls = array(1 => $argv[1], 2 => 'https://second.example/', 3 => 'https://third.example/');
        return $urls[$this->id];
    }

    public function getGroup()
    {
        return new ShopGroup($this->id_shop_group);
    }

    /** The ids of the active shops of a group, as Shop::getShops(true, $group, true). */
    public static function getShops($active, $idShopGroup, $getAsListId)
    {
        return $idShopGroup === 2 ? array(3) : array(1, 2);
    }
}

/** Group 1 shares stock when STOCKBELL_TEST_SHARE_STOCK=1; group 2 always does. */
class ShopGroup
{
    public $id;
    public $share_stock;

    public function __construct($id)
    {
        $this->id = (int) $id;
        $this->share_stock = $this->id === 2 || getenv('STOCKBELL_TEST_SHARE_STOCK') === '1';
    }
}

require __DIR__ . '/curl.php';
require __DIR__ . '/../module/stockbell/stockbell.php';

/** The module's client, signing as it does but printing instead of posting. */
class RecordingClient extends StockbellClient
{
    public static $posts = array();
    private $recordSecret;

    public function __construct($baseUrl, $secret)
    {
        parent::__construct($baseUrl, $secret);
        $this->recordSecret = (string) $secret;
    }

    public function postStock($shop, $idProduct, $idProductAttribute, $quantity)
    {
        global $argv;
        $now = (int) $argv[3];
        $body = StockbellSigner::stockBody($shop, $idProduct, $idProductAttribute, $quantity, $now);
        self::$posts[] = array('body' => $body, 'headers' => StockbellSigner::headers($this->recordSecret, $shop, $body, $now));
        if (getenv('STOCKBELL_TEST_STOCKBELL_URL')) {
            return parent::postStock($shop, $idProduct, $idProductAttribute, $quantity);
        }
        $status = isset($argv[9]) ? (int) $argv[9] : 200;
        return array($status, self::answer($status), '');
    }

    /**
     * What answers with status: Stockbell's JSON for 200 and its
     * refusals, a shop's HTML page for 404 (a Stockbell URL naming another
     * site), curl's error when Stockbell is not reached.
     */
    private static function answer($status)
    {
        if ($status === 0) {
            return 'Connection timed out after 3001 milliseconds';
        }
        if ($status === 404) {
            return '<html><body><h1>Page introuvable</h1></body></html>';
        }
        if ($status >= 400) {
            return '{"error":{"code":"unauthorized","message":"The X-Stockbell-Signature header does not match the body and the shop\'s module secret."}}';
        }
        return '{"received":true,"duplicate":false}';
    }
}

class RecordingStockbell extends Stockbell
{
    protected function client($idShop = null)
    {
        $real = parent::client($idShop);
        $read = function () {
            return array($this->baseUrl, $this->secret);
        };
        list($url, $secret) = Closure::bind($read, $real, 'StockbellClient')();
        return new RecordingClient($url, $secret);
    }
}

date_default_timezone_set('Europe/Paris');
$module = new RecordingStockbell();
$module->context = (object) array('shop' => new Shop(getenv('STOCKBELL_TEST_CONTEXT_SHOP') ?: 1));
$calls = isset($argv[8]) ? (int) $argv[8] : 1;
for ($i = 0; $i < $calls; $i++) {
    $params = array('id_product' => (int) $argv[5], 'id_product_attribute' => (int) $argv[6] + $i, 'quantity' => (int) $argv[7]);
    if ($argv[4] !== '-') {
        $params['id_shop'] = (int) $argv[4];
    }
    $module->hookActionUpdateQuantity($params);
}
echo json_encode(RecordingClient::$posts, JSON_UNESCAPED_SLASHES);
