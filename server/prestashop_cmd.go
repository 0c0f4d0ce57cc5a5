package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// addPrestaShop connects a PrestaShop shop with the webservice key read
// from keyFile (never from the command line, where other users of the
// machine could read it), and prints the module secret once.
func addPrestaShop(env *cliEnv, shopURL, keyFile, domain string) error {
	if domain != "" {
		derived, err := stockbell.PrestaShopDomain(shopURL)
		if err != nil {
			return fmt.Errorf("--url: %s", stockbell.ErrorMessage(err))
		}
		if !strings.EqualFold(strings.TrimRight(domain, "/"), derived) {
			return fmt.Errorf("--domain: a PrestaShop shop's domain is its URL's, %s (got %q); leave --domain out", derived, domain)
		}
	}
	key, err := readKeyFile(keyFile)
	if err != nil {
		return err
	}
	// The module is given the public URL to post to.
	return withPlatformParts(env, publicURLRequired, func(p platformParts) error {
		cfg := p.cfg
		base, err := cfg.linkBase()
		if err != nil {
			return err
		}
		shop, secret, err := newPrestaShopIntegration(cfg, p.db, p.queue, p.sealer, p.logger).Connect(env.ctx, shopURL, key)
		if stockbell.ErrorCode(err) == stockbell.EINVALID {
			flag := map[string]string{"shop_url": "url", "webservice_key": "key-file"}[stockbell.ErrorField(err)]
			return fmt.Errorf("--%s: %s", flag, stockbell.ErrorMessage(err))
		} else if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "PrestaShop shop %s (id %d, public key %s) connected; its catalog sync is queued.\n"+
			"Module secret (shown once; paste it into the Stockbell module's configuration): %s\nStockbell URL for the module: %s\n",
			shop.Domain, shop.ID, shop.PublicKey, secret, strings.TrimRight(base, "/"))
		return nil
	})
}

// readKeyFile reads the key from the file, or from standard input for "-".
func readKeyFile(path string) (string, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, 4096))
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("--key-file: %w", err)
	}
	return strings.TrimSpace(string(raw)), nil
}
