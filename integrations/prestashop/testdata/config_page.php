<?php
/**
 * Runs the module's configuration page (getContent) with stand-ins for the
 * PrestaShop classes it uses, as the merchant submits one of its buttons,
 * and prints what the page says and the module's settings after it, as
 * JSON: {"messages": ["confirmation: …" | "error: …"], "config": {…}}.
 * The module's client is the real one: it posts to the Stockbell URL.
 *
 * Usage: php config_page.php SHOP_URL STOCKBELL_URL SECRET BUTTON [WEBSERVICE_KEY]
 * BUTTON is "connect" (Connect, with STOCKBELL_URL in the form) or "test"
 * (Test the connection, with STOCKBELL_URL and SECRET saved before).
 * The shop's first product, 1, has 7 units.
 */
define('_PS_VERSION_', '8.1.0');
define('_DB_PREFIX_', 'ps_');

class Module
{
    public $context;
    public $name;

    public function __construct()
    {
    }

    public function l($text)
    {
        return $text;
    }

    public function displayConfirmation($text)
    {
        return "confirmation: " . $text . "\n";
    }

    public function displayError($text)
    {
        return "error: " . $text . "\n";
    }
}

class Configuration
{
    public static $values = array();

    public static function get($key)
    {
        return isset(self::$values[$key]) ? self::$values[$key] : false;
    }

    public static function updateValue($key, $value)
    {
        self::$values[$key] = $value;
        return true;
    }
}

/** The submitted form: the button pressed and the fields. */
class Tools
{
    public static $form = array();

    public static function isSubmit($name)
    {
        return isset(self::$form[$name]);
    }

    public static function getValue($name)
    {
        return isset(self::$form[$name]) ? self::$form[$name] : false;
    }

    public static function substr($s, $start, $length)
    {
        return substr($s, $start, $length);
    }

    public static function getAdminTokenLite($tab)
    {
        return 'token';
    }
}

class Db
{
    public static function getInstance()
    {
        return new Db();
    }

    public function getValue($sql)
    {
        return '1';
    }
}

class StockAvailable
{
    public static function getQuantityAvailableByProduct($idProduct, $idProductAttribute)
    {
        return 7;
    }
}

class AdminController
{
    public static $currentIndex = 'index.php?controller=AdminModules';
}

class HelperForm
{
    public function generateForm($forms)
    {
        return '';
    }
}

class Shop
{
    public function getBaseURL($ssl)
    {
        global $argv;
        return $argv[1];
    }
}

require __DIR__ . '/curl.php';
require __DIR__ . '/../module/stockbell/stockbell.php';

list(, , $stockbellUrl, $secret, $button) = $argv;
if ($button === 'connect') {
    Tools::$form = array('submitStockbellConnect' => '1', 'STOCKBELL_URL' => $stockbellUrl, 'STOCKBELL_SECRET' => '',
        'STOCKBELL_WEBSERVICE_KEY' => isset($argv[5]) ? $argv[5] : '');
} else {
    Configuration::$values = array('STOCKBELL_URL' => $stockbellUrl, 'STOCKBELL_SECRET' => $secret);
    Tools::$form = array('submitStockbellTest' => '1');
}
$module = new Stockbell();
$module->context = (object) array('shop' => new Shop(), 'controller' => (object) array('confirmations' => array()));
$page = $module->getContent();
echo json_encode(array('messages' => array_values(array_filter(explode("\n", $page))), 'config' => Configuration::$values),
    JSON_UNESCAPED_SLASHES);
