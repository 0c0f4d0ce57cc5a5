<?php
/**
 * PrestaShop requires PHP's curl extension; where the php command line
 * lacks it, these functions post as the module's client asks, over PHP's
 * own HTTP streams, and answer as curl does: a redirect is not followed
 * (the client does not set CURLOPT_FOLLOWLOCATION), and
 * CURLINFO_REDIRECT_URL is where it points, made absolute.
 */
if (!function_exists('curl_init')) {
    foreach (array('CURLOPT_POST', 'CURLOPT_POSTFIELDS', 'CURLOPT_HTTPHEADER', 'CURLOPT_RETURNTRANSFER',
        'CURLOPT_CONNECTTIMEOUT', 'CURLOPT_TIMEOUT', 'CURLINFO_HTTP_CODE', 'CURLINFO_REDIRECT_URL') as $i => $name) {
        define($name, 1000 + $i);
    }

    function curl_init($url)
    {
        return (object) array('url' => $url, 'options' => array(), 'status' => 0, 'error' => '', 'location' => '');
    }

    function curl_setopt_array($ch, $options)
    {
        $ch->options = $options + $ch->options;
        return true;
    }

    function curl_exec($ch)
    {
        $context = stream_context_create(array('http' => array('method' => 'POST', 'ignore_errors' => true,
            'header' => implode("\r\n", $ch->options[CURLOPT_HTTPHEADER]), 'content' => $ch->options[CURLOPT_POSTFIELDS],
            'timeout' => $ch->options[CURLOPT_TIMEOUT], 'follow_location' => 0)));
        $body = @file_get_contents($ch->url, false, $context);
        if ($body === false) {
            $failure = error_get_last();
            $ch->error = $failure ? $failure['message'] : 'the request failed';
            return false;
        }
        preg_match('{^HTTP/\S+ (\d+)}', $http_response_header[0], $status);
        $ch->status = (int) $status[1];
        foreach ($http_response_header as $line) {
            if ($ch->status >= 300 && $ch->status < 400 && stripos($line, 'Location:') === 0) {
                $ch->location = curl_stand_in_absolute($ch->url, trim(substr($line, strlen('Location:'))));
            }
        }
        return $body;
    }

    /** location made absolute against url, as curl's CURLINFO_REDIRECT_URL is. */
    function curl_stand_in_absolute($url, $location)
    {
        if (preg_match('{^[a-z][a-z0-9+.-]*://}i', $location)) {
            return $location;
        }
        $parts = parse_url($url);
        if (substr($location, 0, 2) === '//') {
            return $parts['scheme'] . ':' . $location;
        }
        $origin = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
        if (substr($location, 0, 1) === '/') {
            return $origin . $location;
        }
        $path = isset($parts['path']) ? $parts['path'] : '/';
        return $origin . substr($path, 0, strrpos($path, '/') + 1) . $location;
    }

    function curl_getinfo($ch, $what)
    {
        return $what === CURLINFO_REDIRECT_URL ? ($ch->location === '' ? false : $ch->location) : $ch->status;
    }

    function curl_error($ch)
    {
        return $ch->error;
    }

    function curl_close($ch)
    {
    }
}
