<?php
/**
 * Lists the PHP syntax (and the few functions) of PHP files that an older
 * PHP than the one running this cannot parse (or run), with the PHP
 * version that brought each, from PHP's own tokenizer. The platform
 * modules' tests check it against the oldest PHP their platforms run on,
 * where php -l of the machine's newer PHP would pass them.
 *
 * Usage: php phpfeatures.php FILE… — prints JSON:
 * [{"file": …, "line": …, "feature": …, "since": "7.4"}, …]
 */

/** The tokens that are features of their own, by the version that brought them. */
function feature_tokens()
{
    $tokens = array(
        'T_COALESCE_EQUAL' => array('??=', '7.4'),
        'T_FN' => array('arrow function (fn)', '7.4'),
        'T_MATCH' => array('match', '8.0'),
        'T_NULLSAFE_OBJECT_OPERATOR' => array('nullsafe operator (?->)', '8.0'),
        'T_ATTRIBUTE' => array('attribute (#[…])', '8.0'),
        'T_READONLY' => array('readonly', '8.1'),
        'T_ENUM' => array('enum', '8.1'),
    );
    $byId = array();
    foreach ($tokens as $name => $feature) {
        if (defined($name)) {
            $byId[constant($name)] = $feature;
        }
    }
    return $byId;
}

/** Functions an older PHP does not have: calling one fails at run time. */
function newer_functions()
{
    return array('str_contains' => '8.0', 'str_starts_with' => '8.0', 'str_ends_with' => '8.0',
        'get_debug_type' => '8.0', 'array_is_list' => '8.1', 'array_key_first' => '7.3', 'array_key_last' => '7.3',
        'is_countable' => '7.3', 'mb_str_split' => '7.4');
}

/** The file's tokens without whitespace and comments, each as array(id or char, text, line). */
function code_tokens($source)
{
    $out = array();
    $line = 1;
    foreach (token_get_all($source) as $token) {
        if (is_array($token)) {
            $line = $token[2];
            if (!in_array($token[0], array(T_WHITESPACE, T_COMMENT, T_DOC_COMMENT), true)) {
                $out[] = $token;
            }
        } else {
            $out[] = array($token, $token, $line);
        }
    }
    return $out;
}

/** What the file uses that came after PHP 7.2, as found. */
function scan($file)
{
    $tokens = code_tokens(file_get_contents($file));
    $byId = feature_tokens();
    $functions = newer_functions();
    $found = array();
    $add = function ($line, $feature, $since) use (&$found, $file) {
        $found[] = array('file' => $file, 'line' => $line, 'feature' => $feature, 'since' => $since);
    };
    $visibility = array(T_PUBLIC, T_PROTECTED, T_PRIVATE, T_VAR);
    // Each open parenthesis: "decl" (a function's parameters), "array"
    // (array()/list(), where a trailing comma always parsed) or "call".
    $parens = array();
    $count = count($tokens);
    for ($i = 0; $i < $count; $i++) {
        list($id, $text, $line) = $tokens[$i];
        $prev = $i > 0 ? $tokens[$i - 1][0] : null;
        $next = $i + 1 < $count ? $tokens[$i + 1][0] : null;
        if (isset($byId[$id])) {
            $add($line, $byId[$id][0], $byId[$id][1]);
        }
        if ($id === T_LNUMBER || $id === T_DNUMBER) {
            if (strpos($text, '_') !== false) {
                $add($line, 'numeric literal separator', '7.4');
            }
        }
        if ($id === T_STRING && isset($functions[strtolower($text)]) && $next === '(' && $prev !== T_OBJECT_OPERATOR
            && $prev !== T_DOUBLE_COLON && $prev !== T_FUNCTION) {
            $add($line, $text . '()', $functions[strtolower($text)]);
        }
        if (in_array($id, $visibility, true) && $parens && end($parens) === 'decl') {
            $add($line, 'constructor property promotion', '8.0');
        }
        $modifiers = array_merge($visibility, array(T_STATIC));
        if (in_array($id, $modifiers, true) && !in_array($prev, $modifiers, true)) {
            // A property's type between its modifiers and its name.
            $j = $i + 1;
            while ($j < $count && in_array($tokens[$j][0], $modifiers, true)) {
                $j++;
            }
            if ($j + 1 < $count && ($tokens[$j][0] === T_STRING || $tokens[$j][0] === T_ARRAY || $tokens[$j][0] === '?'
                || (defined('T_NAME_QUALIFIED') && $tokens[$j][0] === T_NAME_QUALIFIED)
                || (defined('T_NAME_FULLY_QUALIFIED') && $tokens[$j][0] === T_NAME_FULLY_QUALIFIED))) {
                $k = $tokens[$j][0] === '?' ? $j + 2 : $j + 1;
                if ($k < $count && $tokens[$k][0] === T_VARIABLE) {
                    $add($line, 'typed property', '7.4');
                }
            }
        }
        if ($id === T_ELLIPSIS && $next === ')' && end($parens) === 'call') {
            $add($line, 'first-class callable (…)', '8.1');
        }
        if ($id === T_STRING && $next === ':' && ($prev === '(' || $prev === ',') && end($parens) === 'call') {
            $add($line, 'named argument', '8.0');
        }
        if ($id === ',' && $next === ')') {
            $kind = end($parens);
            if ($kind === 'decl') {
                $add($line, 'trailing comma in parameters', '8.0');
            } elseif ($kind === 'call') {
                $add($line, 'trailing comma in a call', '7.3');
            }
        }
        if ($id === '(') {
            $parens[] = paren_kind($tokens, $i);
        } elseif ($id === ')') {
            array_pop($parens);
        }
    }
    return $found;
}

/** What the parenthesis at $i opens. */
function paren_kind($tokens, $i)
{
    $prev = $i > 0 ? $tokens[$i - 1][0] : null;
    if ($prev === T_ARRAY || $prev === T_LIST) {
        return 'array';
    }
    if ($prev === T_FUNCTION || $prev === T_FN || ($prev === T_STRING && $i > 1 && $tokens[$i - 2][0] === T_FUNCTION)
        || ($prev === '&' && $i > 1 && $tokens[$i - 2][0] === T_FUNCTION)) {
        return 'decl';
    }
    if ($prev === T_USE) {
        return 'decl'; // a closure's use (…): a trailing comma came with 8.0 too
    }
    return 'call';
}

$found = array();
foreach (array_slice($argv, 1) as $file) {
    $found = array_merge($found, scan($file));
}
echo json_encode($found, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
