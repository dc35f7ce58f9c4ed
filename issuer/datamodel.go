package issuer

import (
	"fmt"
	"net/url"
)

// checkDataModel refuses, before anything is signed, a credential that
// breaks a MUST of VC Data Model 2.0 that canonicalization does not catch:
// an issuer given as null; no credentialSubject, or an empty one; a termsOfUse, evidence, refreshService or credentialSchema
// without a type (and a credentialSchema without a URL id); a
// relatedResource that is not objects with unique URL ids and a digest.
func checkDataModel(vc map[string]any) error {
	if v, has := vc["issuer"]; has && v == nil {
		return &InvalidError{"the credential's issuer is null: leave it out, or give your organisation's identifier"}
	}
	subjects, ok := objects(vc["credentialSubject"])
	if !ok || len(subjects) == 0 {
		return &InvalidError{"the credential has no credentialSubject: give an object holding what it says about its subject"}
	}
	for _, s := range subjects {
		if len(s) == 0 {
			return &InvalidError{"a credentialSubject is empty, so it says nothing about its subject: give its id or a claim"}
		}
	}
	for _, field := range []string{"termsOfUse", "evidence", "refreshService", "credentialSchema"} {
		v, has := vc[field]
		if !has {
			continue
		}
		list, ok := objects(v)
		if !ok {
			return &InvalidError{fmt.Sprintf("the credential's %s must be an object or a list of objects", field)}
		}
		for _, o := range list {
			if _, has := o["type"]; !has {
				return &InvalidError{fmt.Sprintf("each %s must say its type", field)}
			}
			if field == "credentialSchema" && !isURL(str(o["id"])) {
				return &InvalidError{"each credentialSchema must have an id that is the URL of the schema"}
			}
		}
	}
	if v, has := vc["relatedResource"]; has {
		list, ok := objects(v)
		if !ok {
			return &InvalidError{"the credential's relatedResource must be an object or a list of objects"}
		}
		seen := map[string]bool{}
		for _, o := range list {
			id := str(o["id"])
			switch {
			case !isURL(id):
				return &InvalidError{"each relatedResource must have an id that is a URL"}
			case seen[id]:
				return &InvalidError{"the relatedResource " + id + " is named twice"}
			case o["digestSRI"] == nil && o["digestMultibase"] == nil:
				return &InvalidError{"each relatedResource must give its digest (digestSRI or digestMultibase)"}
			}
			seen[id] = true
		}
	}
	return nil
}

// objects reads v as one JSON object or a list of them.
func objects(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}, true
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
