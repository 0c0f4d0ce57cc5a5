<?php
/**
 * Signs posts to Stockbell. Plain PHP without Magento classes, so that it
 * can be run (and checked against Stockbell's verifier) on its own.
 */
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

class Signer
{
    /** The header every post carries its signature in. */
    public const HEADER = 'X-Stockbell-Signature';

    /**
     * The X-Stockbell-Signature value of a body signed at a time:
     * "t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>." . body)>".
     */
    public static function sign(string $secret, int $timestamp, string $body): string
    {
        $t = (string) $timestamp;
        return 't=' . $t . ',v1=' . hash_hmac('sha256', $t . '.' . $body, $secret);
    }
}
