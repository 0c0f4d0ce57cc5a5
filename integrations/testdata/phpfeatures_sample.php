<?php
/**
 * One use of each feature phpfeatures.php finds, with the line comment
 * naming it: its tests check that each is found on its line, and nothing
 * else is.
 */

enum Suit { case Hearts; } // enum

#[Attribute] // attribute (#[…])
class Sample
{
    private int $count = 0; // typed property
    private static ?string $name = null; // typed property

    public function __construct(private readonly array $list) // constructor property promotion, readonly
    {
    }

    public function all($a, $b,) // trailing comma in parameters
    {
        $this->count ??= 1; // ??=
        $double = fn ($x) => $x * 2; // arrow function (fn)
        $kind = match ($a) { 1 => 'one', default => 'other' }; // match
        $size = $this?->list; // nullsafe operator (?->)
        $big = 1_000; // numeric literal separator
        $has = str_contains('abc', 'b'); // str_contains()
        $f = strlen(...); // first-class callable (…)
        $p = str_pad(string: 'x', length: 3); // named argument, named argument
        $q = max(1, 2,); // trailing comma in a call
        return array(1, 2,) + [$double, $kind, $size, $big, $has, $f, $p, $q, $b];
    }
}
