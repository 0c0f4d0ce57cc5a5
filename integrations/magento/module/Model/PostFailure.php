<?php
declare(strict_types=1);

namespace Stockbell\BackInStock\Model;

/**
 * Why Stockbell did not acknowledge a post, and whether a re-send could
 * (permanent: the Stockbell URL names no Stockbell endpoint, so re-sending
 * the post only repeats the answer until the setting is changed).
 */
final class PostFailure
{
    public function __construct(
        public readonly string $reason,
        public readonly bool $permanent = false
    ) {
    }
}
