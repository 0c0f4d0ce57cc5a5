<?php
/**
 * Stockbell: back-in-stock alerts for PrestaShop 8 and 9.
 *
 * - actionUpdateQuantity: every stock change of a product or combination is
 *   posted, signed with the shop's module secret, to Stockbell's
 *   /webhooks/prestashop.
 * - displayProductAdditionalInfo: prints the storefront snippet and the
 *   marker of the selected combination, which follows the shopper's choice
 *   (PrestaShop re-renders the block on updateProduct; views/js/follow.js
 *   keeps the marker right when a theme does not).
 * - The configuration page keeps the Stockbell URL and the module secret,
 *   and can connect the shop with a webservice key.
 */
if (!defined('_PS_VERSION_')) {
    exit;
}

require_once dirname(__FILE__) . '/classes/StockbellClient.php';

class Stockbell extends Module
{
    const CONFIG_URL = 'STOCKBELL_URL';
    const CONFIG_SECRET = 'STOCKBELL_SECRET';
    /** The URL of the shop the module secret was made for (kept by the connect form). */
    const CONFIG_SHOP = 'STOCKBELL_SHOP';

    /**
     * Set once a post of this request got no answer from Stockbell: the
     * request's other stock changes are not posted (see
     * hookActionUpdateQuantity).
     */
    private static $unreachable = false;

    public function __construct()
    {
        $this->name = 'stockbell';
        $this->tab = 'front_office_features';
        $this->version = '1.0.0';
        $this->author = 'Stockbell';
        $this->need_instance = 0;
        $this->ps_versions_compliancy = array('min' => '8.0.0', 'max' => '9.99.99');
        $this->bootstrap = true;
        parent::__construct();
        $this->displayName = $this->l('Stockbell');
        $this->description = $this->l('Back-in-stock alerts: posts stock changes to Stockbell and shows the Notify me button on sold-out combinations.');
    }

    public function install()
    {
        return parent::install()
            && $this->registerHook('actionUpdateQuantity')
            && $this->registerHook('displayProductAdditionalInfo');
    }

    public function uninstall()
    {
        return Configuration::deleteByName(self::CONFIG_URL)
            && Configuration::deleteByName(self::CONFIG_SECRET)
            && Configuration::deleteByName(self::CONFIG_SHOP)
            && parent::uninstall();
    }

    /**
     * The shop's base URL, as Stockbell knows the shop.
     */
    private function shopUrl()
    {
        return $this->context->shop->getBaseURL(true);
    }

    /**
     * The client of the context shop, or of the shop $idShop names: its own
     * Stockbell URL and module secret (a multistore may set them per shop).
     */
    protected function client($idShop = null)
    {
        if ($idShop === null) {
            return new StockbellClient(Configuration::get(self::CONFIG_URL), Configuration::get(self::CONFIG_SECRET));
        }
        $shop = new Shop((int) $idShop);
        return new StockbellClient(Configuration::get(self::CONFIG_URL, null, $shop->id_shop_group, $shop->id),
            Configuration::get(self::CONFIG_SECRET, null, $shop->id_shop_group, $shop->id));
    }

    /**
     * The shop whose stock a quantity hook changed, when it is not the
     * context shop: in a multistore PrestaShop runs the hook once per shop
     * whose stock changed, naming it in id_shop (a back-office edit for all
     * shops loops over them; an import or an ERP module may set another
     * shop's stock from the default shop's context). Its quantity is that
     * shop's, posted under that shop's URL, so it never becomes the
     * connected shop's stock. null for the context shop, and for id_shop 0
     * or none: a shop group's shared stock, which the context shop sells.
     */
    private function otherShop($params)
    {
        $idShop = isset($params['id_shop']) ? (int) $params['id_shop'] : 0;
        return $idShop > 0 && $idShop !== (int) $this->context->shop->id ? $idShop : null;
    }

    /**
     * Where a quantity hook's stock is posted: array(the shop whose
     * Stockbell configuration posts it, null for the context shop; the URL
     * of the shop it is posted as) pairs. A shop's own stock is posted as
     * that shop's (see otherShop). A group that shares stock keeps one
     * stock for all its shops (PrestaShop's rows of id_shop 0), changed by
     * an order in any of them: it is the stock of every shop of the group,
     * and is posted once for each Stockbell configuration of the group's
     * shops (see sharedStockPosts). Another group's shops never receive it.
     */
    private function stockPosts($params)
    {
        $idShop = $this->otherShop($params);
        $shop = $idShop === null ? $this->context->shop : new Shop($idShop);
        if (!$shop->getGroup()->share_stock) {
            return array(array($idShop, $idShop === null ? $this->shopUrl() : $shop->getBaseURL(true)));
        }
        return $this->sharedStockPosts($shop);
    }

    /**
     * The posts of a group's shared stock: one per module secret set for
     * the group's shops (the stock's own shop first), under the URL of
     * the shop that secret was made for when the connect form kept it
     * (CONFIG_SHOP, a shop of the group), else under the first shop
     * found with that secret. A secret set for all shops thus posts once,
     * as the connected shop's stock, whichever shop of the group sold.
     */
    private function sharedStockPosts($shop)
    {
        $group = (int) $shop->id_shop_group;
        $ids = array_unique(array_merge(array((int) $shop->id), array_map('intval', Shop::getShops(true, $group, true))));
        $urls = array();
        foreach ($ids as $id) {
            $urls[$id] = (new Shop($id))->getBaseURL(true);
        }
        $posts = array();
        foreach ($ids as $id) {
            $secret = (string) Configuration::get(self::CONFIG_SECRET, null, $group, $id);
            if ($secret === '' || isset($posts[$secret])) {
                continue;
            }
            $connected = (string) Configuration::get(self::CONFIG_SHOP, null, $group, $id);
            $at = array_search($connected, $urls, true);
            $idPost = $at === false ? $id : $at;
            $posts[$secret] = array($id === (int) $this->context->shop->id ? null : $id, $urls[$idPost]);
        }
        return array_values($posts);
    }

    /**
     * Posts the new quantity of a product (attribute 0) or combination,
     * as the stock of the shops it belongs to (see stockPosts).
     *
     * The post is made from the shop's own request (a checkout, a
     * back-office save, an import), which waits for it up to 5 seconds.
     * Once a post of the request gets no answer, the request posts
     * nothing more: an order of many lines waits once, not once a line,
     * while Stockbell is down. Stockbell reads those changes again as it
     * reads a failed post's (reconciliation, catalog sync).
     */
    public function hookActionUpdateQuantity($params)
    {
        foreach ($this->stockPosts($params) as $post) {
            $this->postStock($this->client($post[0]), $post[1], $params);
        }
    }

    /**
     * Posts the hook's quantity as the stock of the shop at $shopUrl, unless
     * an earlier post of the request went unanswered.
     */
    private function postStock($client, $shopUrl, $params)
    {
        if (self::$unreachable || !$client->isConfigured()) {
            return;
        }
        list($status, $answer, $location) = $client->postStock($shopUrl, (int) $params['id_product'],
            (int) $params['id_product_attribute'], (int) $params['quantity']);
        $why = $client->explain(StockbellClient::STOCK_PATH, $status, $answer, $location);
        if ($status === 0) {
            self::$unreachable = true;
            PrestaShopLogger::addLog('Stockbell: stock post not sent: ' . Tools::substr($why, 0, 400) . '; the other stock changes of this request are not posted',
                2, null, 'Product', (int) $params['id_product'], true);
        } elseif (!StockbellClient::acknowledged($status, $answer)) {
            PrestaShopLogger::addLog('Stockbell: stock post refused: ' . Tools::substr($why, 0, 500), 2,
                null, 'Product', (int) $params['id_product'], true);
        }
    }

    /**
     * Prints the snippet and the marker of the selected combination, with
     * every combination's availability for follow.js and the product's name
     * for the button's accessible name.
     */
    public function hookDisplayProductAdditionalInfo($params)
    {
        $url = rtrim((string) Configuration::get(self::CONFIG_URL), '/');
        if ($url === '' || empty($params['product'])) {
            return '';
        }
        $product = $params['product'];
        $idProduct = (int) $product['id_product'];
        $this->context->smarty->assign(array(
            'stockbell_url' => $url,
            'stockbell_shop' => $this->shopUrl(),
            'stockbell_product' => $idProduct,
            'stockbell_attribute' => (int) $product['id_product_attribute'],
            'stockbell_name' => (string) $product['name'],
            'stockbell_available' => $this->available($idProduct, (int) $product['id_product_attribute']),
            'stockbell_combinations' => json_encode($this->combinationsAvailable($idProduct)),
            'stockbell_follow_js' => $this->_path . 'views/js/follow.js',
        ));
        return $this->display(__FILE__, 'views/templates/hook/product.tpl');
    }

    /**
     * Whether a product or combination can be bought: in stock, or taking
     * orders when out of stock (itself, or through the shop default).
     */
    private function available($idProduct, $idProductAttribute)
    {
        if (!Configuration::get('PS_STOCK_MANAGEMENT')) {
            return true;
        }
        if (StockAvailable::getQuantityAvailableByProduct($idProduct, $idProductAttribute) > 0) {
            return true;
        }
        return (bool) Product::isAvailableWhenOutOfStock(StockAvailable::outOfStock($idProduct));
    }

    private function combinationsAvailable($idProduct)
    {
        $out = array();
        foreach (Product::getProductAttributesIds($idProduct) as $row) {
            $ipa = (int) $row['id_product_attribute'];
            $out[(string) $ipa] = $this->available($idProduct, $ipa);
        }
        return $out;
    }

    /**
     * The configuration page: the Stockbell URL and module secret, a
     * connect form (the webservice key is sent to Stockbell once and not
     * kept here), and a connection test.
     */
    public function getContent()
    {
        $output = '';
        if (Tools::isSubmit('submitStockbellSettings')) {
            Configuration::updateValue(self::CONFIG_URL, rtrim(trim(Tools::getValue(self::CONFIG_URL)), '/'));
            if (trim(Tools::getValue(self::CONFIG_SECRET)) !== '') {
                // A pasted secret may be another shop's: the connected shop is no longer known.
                Configuration::updateValue(self::CONFIG_SECRET, trim(Tools::getValue(self::CONFIG_SECRET)));
                Configuration::updateValue(self::CONFIG_SHOP, '');
            }
            $output .= $this->displayConfirmation($this->l('Settings saved.'));
        } elseif (Tools::isSubmit('submitStockbellConnect')) {
            $output .= $this->connectShop(trim(Tools::getValue('STOCKBELL_WEBSERVICE_KEY')));
        } elseif (Tools::isSubmit('submitStockbellTest')) {
            $output .= $this->testConnection();
        }
        return $output . $this->renderForm();
    }

    private function connectShop($key)
    {
        $this->context->controller->confirmations = array();
        Configuration::updateValue(self::CONFIG_URL, rtrim(trim(Tools::getValue(self::CONFIG_URL)), '/'));
        $client = $this->client();
        list($status, $answer, $raw, $location) = $client->connect($this->shopUrl(), $key);
        if ($status !== 201 || empty($answer['module_secret'])) {
            return $this->displayError($this->l('The shop is not connected. ') . $client->explain(StockbellClient::CONNECT_PATH, $status, $raw, $location));
        }
        Configuration::updateValue(self::CONFIG_SECRET, $answer['module_secret']);
        Configuration::updateValue(self::CONFIG_SHOP, $this->shopUrl());
        return $this->displayConfirmation(sprintf($this->l('Connected to Stockbell as %s. The module secret is saved.'), $answer['shop']));
    }

    /**
     * Posts the current quantity of the first product: Stockbell answers 200
     * {"received":true,…} when the URL, the secret and the clocks are right.
     */
    private function testConnection()
    {
        $idProduct = (int) Db::getInstance()->getValue('SELECT MIN(id_product) FROM ' . _DB_PREFIX_ . 'product');
        if ($idProduct <= 0) {
            return $this->displayError($this->l('The shop has no product to test with.'));
        }
        $client = $this->client();
        if (!$client->hasSecret()) {
            return $this->displayError($this->l('No module secret is saved: paste the one Stockbell showed when the shop was connected, or connect the shop below.'));
        }
        $quantity = StockAvailable::getQuantityAvailableByProduct($idProduct, 0);
        list($status, $answer, $location) = $client->postStock($this->shopUrl(), $idProduct, 0, $quantity);
        if (StockbellClient::acknowledged($status, $answer)) {
            return $this->displayConfirmation($this->l('Stockbell accepted a signed post: the module reaches Stockbell.'));
        }
        return $this->displayError(Tools::substr($client->explain(StockbellClient::STOCK_PATH, $status, $answer, $location), 0, 500));
    }

    private function renderForm()
    {
        $helper = new HelperForm();
        $helper->module = $this;
        $helper->name_controller = $this->name;
        $helper->token = Tools::getAdminTokenLite('AdminModules');
        $helper->currentIndex = AdminController::$currentIndex . '&configure=' . $this->name;
        $helper->fields_value = array(
            self::CONFIG_URL => Configuration::get(self::CONFIG_URL),
            self::CONFIG_SECRET => '',
            'STOCKBELL_WEBSERVICE_KEY' => '',
        );
        return $helper->generateForm(array($this->settingsForm(), $this->connectForm()));
    }

    private function settingsForm()
    {
        return array('form' => array(
            'legend' => array('title' => $this->l('Stockbell')),
            'input' => array(
                array('type' => 'text', 'name' => self::CONFIG_URL, 'label' => $this->l('Stockbell URL'), 'required' => true,
                    'desc' => $this->l('The address of your Stockbell server, such as https://stockbell.example.com')),
                array('type' => 'password', 'name' => self::CONFIG_SECRET, 'label' => $this->l('Module secret'),
                    'desc' => $this->l('Shown once by Stockbell when the shop is connected. Leave empty to keep the saved one.')),
            ),
            'submit' => array('title' => $this->l('Save'), 'name' => 'submitStockbellSettings'),
            'buttons' => array(array('type' => 'submit', 'name' => 'submitStockbellTest', 'title' => $this->l('Test the connection'))),
        ));
    }

    private function connectForm()
    {
        return array('form' => array(
            'legend' => array('title' => $this->l('Connect this shop to Stockbell')),
            'input' => array(
                array('type' => 'password', 'name' => 'STOCKBELL_WEBSERVICE_KEY', 'label' => $this->l('Webservice key'),
                    'desc' => $this->l('A key from Advanced Parameters > Webservice with GET on stock_availables, products, combinations, product_option_values and configurations, and on currencies for prices shown with their currency. It is sent to Stockbell, not kept here.')),
            ),
            'submit' => array('title' => $this->l('Connect'), 'name' => 'submitStockbellConnect'),
        ));
    }
}
