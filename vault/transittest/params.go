package transittest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// params is a request's JSON body. Vault's framework accepts numbers and
// booleans either as JSON values or as strings; so do the accessors.
type params map[string]any

func readParams(r *http.Request) (params, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	p := params{}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("error parsing JSON")
	}
	return p, nil
}

func (p params) has(k string) bool { _, ok := p[k]; return ok }

func (p params) string(k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func (p params) int(k string) (int, bool) {
	n, err := strconv.Atoi(p.string(k))
	return n, err == nil
}

func (p params) bool(k string) bool {
	switch v := p[k].(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(v)
		return b
	case json.Number:
		return v.String() != "0"
	}
	return false
}

// statusParam reads a status-code override such as sealedcode=299.
func statusParam(r *http.Request, name string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && n >= 100 && n <= 999 {
		return n
	}
	return def
}
