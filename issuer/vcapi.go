package issuer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/xsd"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
)

// OtherIssuerError is a credential, given to an organisation to sign, that
// names another issuer: it is refused, never signed in the other's name.
type OtherIssuerError struct{ Named, Own string }

func (e *OtherIssuerError) Error() string {
	return fmt.Sprintf("the credential names the issuer %s; your organisation can sign only as itself (%s)", e.Named, e.Own)
}

var uuidURN = regexp.MustCompile(`^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// IssueCredential signs an unsigned credential as organisation org (the
// VC-API's issue): its issuer becomes org's identifier and registered name,
// whatever it said, and a credential naming another issuer (by identifier
// or name) is refused with *OtherIssuerError. It gets an entry in org's
// status list, so that org can withdraw it (Revoke, with the returned
// record's ID), and a validFrom of now if it has none; dates that are not
// XML Schema dateTimeStamps are refused. Nothing is delivered.
func (s *Service) IssueCredential(ctx context.Context, org string, vc map[string]any) (map[string]any, Issued, error) {
	o, err := s.Org(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	did := s.DID(org)
	switch x := vc["issuer"].(type) {
	case nil:
	case string:
		if x != did {
			return nil, Issued{}, &OtherIssuerError{Named: x, Own: did}
		}
	case map[string]any:
		for k, v := range x {
			switch {
			case k == "id" && v != did:
				return nil, Issued{}, &OtherIssuerError{Named: fmt.Sprint(v), Own: did}
			case k == "name" && v != o.Name:
				return nil, Issued{}, &OtherIssuerError{Named: fmt.Sprintf("%q", fmt.Sprint(v)), Own: fmt.Sprintf("%q", o.Name)}
			case k != "id" && k != "name":
				return nil, Issued{}, &InvalidError{"the issuer is set by Satchel: give only its id and name, or leave it out"}
			}
		}
	default:
		return nil, Issued{}, &InvalidError{"the issuer must be your organisation's identifier, or left out"}
	}
	if _, has := vc["credentialStatus"]; has {
		return nil, Issued{}, &InvalidError{"leave out credentialStatus: Satchel adds an entry in your status list, so that you can withdraw the credential"}
	}
	for _, f := range []string{"validFrom", "validUntil"} {
		if v, has := vc[f]; has {
			if _, err := xsd.ParseDateTimeStamp(str(v)); err != nil {
				return nil, Issued{}, &InvalidError{"the credential's " + f + " is not a valid date: " + err.Error()}
			}
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	id := newUUID()
	if v, has := vc["id"]; has {
		m := uuidURN.FindStringSubmatch(str(v))
		if str(v) == "" {
			return nil, Issued{}, &InvalidError{"the credential's id must be a URL"}
		}
		if m != nil {
			id = m[1]
		}
	} else {
		vc["id"] = "urn:uuid:" + id
	}
	vc["issuer"] = map[string]any{"id": did, "name": o.Name}
	if _, has := vc["validFrom"]; !has {
		vc["validFrom"] = now.Format(time.RFC3339)
	}
	opt := dataintegrity.Options{Loader: schemas.DefaultLoader}
	// Refuse what cannot be signed before a status bit is spent on it.
	if _, err := dataintegrity.Canonicalize(vc, opt); err != nil {
		return nil, Issued{}, &InvalidError{"this credential cannot be signed: " + err.Error()}
	}
	if _, err := s.db.ReadJSON(ctx, issuedPath(org, id), &Issued{}); err == nil {
		return nil, Issued{}, &InvalidError{"your organisation has already issued a credential with this id"}
	}
	var idx int
	if err := s.updateStatus(ctx, org, func(a *statuslist.Allocator) error {
		var err error
		idx, err = a.Allocate(rand.Reader)
		return err
	}); err != nil {
		return nil, Issued{}, err
	}
	vc["credentialStatus"] = statuslist.Entry(s.StatusListURL(org), idx, statuslist.PurposeRevocation)
	signer, err := s.signer(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	signed, err := dataintegrity.Sign(vc, signer, did+"#"+signer.KeyID(), now, "assertionMethod", opt)
	if err != nil {
		return nil, Issued{}, &InvalidError{"this credential cannot be signed: " + err.Error()}
	}
	subj, _ := vc["credentialSubject"].(map[string]any)
	title := str(subj["title"])
	if title == "" {
		title = str(subj["name"])
	}
	if len(title) > 200 {
		title = title[:200]
	}
	rec := Issued{ID: id, Org: org, StatusIndex: idx, CourseName: strings.TrimSpace(title), Issued: now}
	if err := s.db.WriteJSON(ctx, issuedPath(org, id), rec, pod.CreateOnly()); err != nil {
		if errors.Is(err, pod.ErrPrecondition) {
			return nil, Issued{}, &InvalidError{"your organisation has already issued a credential with this id"}
		}
		return nil, Issued{}, err
	}
	return signed, rec, nil
}
