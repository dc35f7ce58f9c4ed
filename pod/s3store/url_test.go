package s3store

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var creds = env(map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "topsecretkey"})

func TestParseURL(t *testing.T) {
	for in, want := range map[string]Config{
		"s3://satchel-test?endpoint=127.0.0.1:9000&region=us-east-1&tls=false": {
			Bucket: "satchel-test", Endpoint: "127.0.0.1:9000", Region: "us-east-1", TLS: false},
		"s3://my.bucket": {
			Bucket: "my.bucket", Endpoint: "s3.amazonaws.com", Region: "us-east-1", TLS: true},
		"s3://b12?endpoint=minio.internal&region=eu-west-3&prefix=prod&create=true": {
			Bucket: "b12", Endpoint: "minio.internal", Region: "eu-west-3", TLS: true, Prefix: "prod/", CreateBucket: true},
		"s3://b12/?endpoint=[::1]:9000&prefix=a/b/": {
			Bucket: "b12", Endpoint: "[::1]:9000", Region: "us-east-1", TLS: true, Prefix: "a/b/"},
	} {
		got, err := ParseURL(in, creds)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", in, err)
			continue
		}
		want.AccessKeyID, want.SecretAccessKey = "AKID", "topsecretkey"
		if got != want {
			t.Errorf("ParseURL(%q) = %#v, want %#v", in, got, want)
		}
	}
	got, err := ParseURL("s3://bucket", env(map[string]string{
		"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SESSION_TOKEN": "c"}))
	if err != nil || got.AccessKeyID != "a" || got.SecretAccessKey != "b" || got.SessionToken != "c" {
		t.Errorf("credentials from the environment: %v, %v", got, err)
	}
}

func TestParseURLRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"bucket",
		"http://bucket",
		"s3://",
		"s3://ab",
		"s3://Bucket",
		"s3://bucket_x",
		"s3://-bucket",
		"s3://bucket/path",
		"s3://bucket#frag",
		"s3://bucket?endpoint=",
		"s3://bucket?endpoint=http://host:9000",
		"s3://bucket?endpoint=host:0",
		"s3://bucket?endpoint=host:port",
		"s3://bucket?endpoint=host/path",
		"s3://bucket?tls=maybe",
		"s3://bucket?create=yes",
		"s3://bucket?region=",
		"s3://bucket?prefix=../x",
		"s3://bucket?prefix=/x",
		"s3://bucket?prefix=a%20b",
		"s3://bucket?endpoint=a&endpoint=b",
		"s3://bucket?tsl=false",
		"s3://bucket?%zz",
		"s3://%zz",
	} {
		if c, err := ParseURL(in, creds); err == nil {
			t.Errorf("ParseURL(%q) = %v, want an error", in, c)
		}
	}
}

// TestParseURLSecrets: credentials in the URL are refused, and no error
// repeats them.
func TestParseURLSecrets(t *testing.T) {
	for _, in := range []string{
		"s3://AKID:topsecretkey@bucket?endpoint=host:9000",
		"s3://topsecretkey@bucket",
		"s3://bucket?endpoint=AKID:topsecretkey@host:9000",
		"s3://AKID:topsecretkey@bucket?%zz",
		"s3://AKID:topsecretkey@bu cket",
	} {
		_, err := ParseURL(in, creds)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted credentials in the URL", in)
		} else if strings.Contains(err.Error(), "topsecretkey") {
			t.Errorf("ParseURL(%q): error shows the secret: %v", in, err)
		}
	}
}

func TestParseURLMissingCredentials(t *testing.T) {
	for name, c := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"none":       {nil, []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
		"no secret":  {map[string]string{"AWS_ACCESS_KEY_ID": "a"}, []string{"set AWS_SECRET_ACCESS_KEY"}},
		"no key id":  {map[string]string{"AWS_SECRET_ACCESS_KEY": "b"}, []string{"set AWS_ACCESS_KEY_ID"}},
		"empty both": {map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, []string{"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}},
	} {
		_, err := ParseURL("s3://bucket?endpoint=127.0.0.1:9000", env(c.env))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", name, err, w)
			}
		}
	}
}
