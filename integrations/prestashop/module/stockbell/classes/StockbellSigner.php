<?php
/**
 * How the module signs what it posts to Stockbell.
 *
 * Every post carries X-Stockbell-Signature: t=<unix seconds>,v1=<hex>, where
 * <hex> is the lowercase hex HMAC-SHA256, keyed with the shop's module
 * secret, of the timestamp, a full stop and the raw body. Stockbell refuses
 * a post whose timestamp is more than 5 minutes from its clock.
 *
 * This file has no PrestaShop dependency, so Stockbell's tests run it with
 * the php command line (they define STOCKBELL_SIGNER_TEST).
 */
if (!defined('_PS_VERSION_') && !defined('STOCKBELL_SIGNER_TEST')) {
    exit;
}

class StockbellSigner
{
    const SIGNATURE_HEADER = 'X-Stockbell-Signature';
    const SHOP_HEADER = 'X-Stockbell-Shop';

    /**
     * The JSON body of a stock change: the shop (its base URL), the product,
     * the combination (0 for the product itself), the new quantity and
     * PrestaShop's time of the change (RFC 3339).
     */
    public static function stockBody($shop, $idProduct, $idProductAttribute, $quantity, $updatedAt)
    {
        return json_encode(array(
            'shop' => (string) $shop,
            'id_product' => (int) $idProduct,
            'id_product_attribute' => (int) $idProductAttribute,
            'quantity' => (int) $quantity,
            'updated_at' => date('c', (int) $updatedAt),
        ), JSON_UNESCAPED_SLASHES);
    }

    /**
     * The X-Stockbell-Signature header value of body, signed at timestamp.
     */
    public static function sign($secret, $timestamp, $body)
    {
        $t = (string) (int) $timestamp;
        return 't=' . $t . ',v1=' . hash_hmac('sha256', $t . '.' . $body, (string) $secret);
    }

    /**
     * The headers of a signed post of body from shop.
     */
    public static function headers($secret, $shop, $body, $timestamp)
    {
        return array(
            'Content-Type: application/json',
            self::SHOP_HEADER . ': ' . $shop,
            self::SIGNATURE_HEADER . ': ' . self::sign($secret, $timestamp, $body),
        );
    }
}
