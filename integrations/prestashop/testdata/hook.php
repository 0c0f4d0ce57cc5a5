<?php
/**
 * Runs the module's displayProductAdditionalInfo hook with stand-ins for
 * the PrestaShop classes it uses, and prints the variables it gives the
 * template (product.tpl) as JSON, for the tests that read them.
 *
 * Usage: php hook.php PRODUCT_NAME
 */
define('_PS_VERSION_', '8.1.0');

class Module
{
    public $context;
    public $_path = '/modules/stockbell/';

    public function __construct()
    {
    }

    public function l($text)
    {
        return $text;
    }

    public function display($file, $template)
    {
        return $template;
    }
}

class Configuration
{
    public static function get($key)
    {
        $values = array('STOCKBELL_URL' => 'https://app.example/', 'PS_STOCK_MANAGEMENT' => '1');
        return isset($values[$key]) ? $values[$key] : false;
    }
}

/** Every combination is out of stock. */
class StockAvailable
{
    public static function getQuantityAvailableByProduct($idProduct, $idProductAttribute)
    {
        return 0;
    }

    public static function outOfStock($idProduct)
    {
        return 0;
    }
}

class Product
{
    public static function isAvailableWhenOutOfStock($outOfStock)
    {
        return false;
    }

    public static function getProductAttributesIds($idProduct)
    {
        return array(array('id_product_attribute' => 11));
    }
}

class Shop
{
    public function getBaseURL($ssl)
    {
        return 'https://shop.example/';
    }
}

/** Smarty's assign, keeping what was assigned. */
class Smarty
{
    public $vars = array();

    public function assign($vars)
    {
        $this->vars = array_merge($this->vars, $vars);
    }
}

require __DIR__ . '/../module/stockbell/stockbell.php';

$module = new Stockbell();
$module->context = (object) array('shop' => new Shop(), 'smarty' => new Smarty());
$module->hookDisplayProductAdditionalInfo(array('product' => array('id_product' => 1, 'id_product_attribute' => 11, 'name' => $argv[1])));
echo json_encode($module->context->smarty->vars);
