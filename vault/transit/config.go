package transit

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseURL reads a Transit configuration written as a URL:
//
//	vault://HOST[:PORT][/MOUNT][?tls=false&prefix=satchel-&timeout=10s&ca=FILE&namespace=NS]
//
// PORT defaults to 8200, MOUNT to "transit", tls to true (https). The
// token is deliberately not part of the URL, which ends up in command lines
// and configuration files: set Token from the VAULT_TOKEN environment
// variable. A URL with user information (vault://TOKEN@HOST) is refused.
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's error repeats the input; this one does not.
		return Config{}, errors.New("vault URL is not a valid URL; use vault://HOST:PORT/MOUNT")
	}
	if u.Scheme != "vault" || u.Host == "" || u.Opaque != "" {
		return Config{}, errors.New("vault URL must look like vault://HOST:PORT/MOUNT")
	}
	if u.User != nil {
		return Config{}, errors.New("vault URL must not carry credentials: put the Vault token in VAULT_TOKEN")
	}
	if u.Fragment != "" {
		return Config{}, errors.New("vault URL must not have a #fragment")
	}
	cfg := Config{Mount: strings.Trim(u.Path, "/")}
	scheme := "https"
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "tls":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("vault URL: tls=%q is not true or false", v)
			}
			if !b {
				scheme = "http"
			}
		case "prefix":
			cfg.KeyPrefix = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return Config{}, fmt.Errorf("vault URL: timeout=%q is not a duration such as 10s", v)
			}
			cfg.Timeout = d
		case "ca":
			cfg.CACertFile = v
		case "namespace":
			cfg.Namespace = v
		default:
			return Config{}, fmt.Errorf("vault URL: unknown setting %q (known: tls, prefix, timeout, ca, namespace)", k)
		}
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "8200")
	}
	cfg.Address = scheme + "://" + host
	return cfg, nil
}

// ConfigFromEnv reads the environment variables that Vault's own
// tools use: VAULT_ADDR (required), VAULT_TOKEN (required), VAULT_CACERT
// and VAULT_NAMESPACE. Mount and KeyPrefix are left to their defaults.
// VAULT_SKIP_VERIFY is ignored: certificates are always checked.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Address:    getenv("VAULT_ADDR"),
		Token:      getenv("VAULT_TOKEN"),
		CACertFile: getenv("VAULT_CACERT"),
		Namespace:  getenv("VAULT_NAMESPACE"),
	}
	if cfg.Address == "" {
		return Config{}, errors.New("VAULT_ADDR is not set")
	}
	if cfg.Token == "" {
		return Config{}, errors.New("VAULT_TOKEN is not set")
	}
	return cfg, nil
}
