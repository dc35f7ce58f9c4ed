package consent

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
)

// StatusListCredential is the signed revocation status list (a W3C
// BitstringStatusListCredential, secured as vc+jwt), valid for a day. The
// signed list is reused until the list changes or an hour has passed:
// encoding 131,072 bits takes milliseconds and verifiers fetch it often.
func (s *Service) StatusListCredential(ctx context.Context) (string, error) {
	blob, etag, err := s.db.ReadRaw(ctx, statusPath)
	if err != nil {
		return "", err
	}
	s.slMu.Lock()
	cached := s.slCache
	s.slMu.Unlock()
	if cached.etag == etag && s.now().Sub(cached.made) < time.Hour {
		return cached.jwt, nil
	}
	a := &statuslist.Allocator{}
	if err := a.UnmarshalBinary(blob); err != nil {
		return "", err
	}
	now := s.now().UTC().Truncate(time.Second)
	vc, err := statuslist.Credential(s.baseURL+StatusListPath, s.did, "revocation", a.Status(), now, now.Add(24*time.Hour))
	if err != nil {
		return "", err
	}
	kid, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	jwt, err := signCredential(vc, s.signer, kid)
	if err != nil {
		return "", err
	}
	s.slMu.Lock()
	s.slCache = signedList{etag: etag, made: s.now(), jwt: jwt}
	s.slMu.Unlock()
	return jwt, nil
}

type signedList struct {
	etag string
	made time.Time
	jwt  string
}

// Receipt is a plain-language consent receipt for a share.
func Receipt(sh Share, link, did string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SATCHEL - RECEIPT FOR A SHARE\n\n")
	fmt.Fprintf(&b, "You shared some of your records as %q\n", sh.SharedBy)
	fmt.Fprintf(&b, "with %s (%s),\n", sh.Recipient.Name, RecipientKinds[sh.Recipient.Kind])
	fmt.Fprintf(&b, "%s", Purposes[sh.Purpose])
	if sh.PurposeText != "" {
		fmt.Fprintf(&b, ": %s", sh.PurposeText)
	}
	fmt.Fprintf(&b, ".\n\nWhat they can see:\n")
	for _, it := range sh.Items {
		switch {
		case it.Path.IsContainer():
			fmt.Fprintf(&b, "  - %s (everything in this folder)\n", it.Path)
		case len(it.Fields) > 0:
			fmt.Fprintf(&b, "  - %s, only these parts: %s\n", it.Path, strings.Join(it.Fields, ", "))
		default:
			fmt.Fprintf(&b, "  - %s\n", it.Path)
		}
	}
	when := "Monday 2 January 2006 at 15:04 UTC"
	fmt.Fprintf(&b, "\nFrom %s\nuntil %s.\n", sh.NotBefore.UTC().Format(when), sh.Expires.UTC().Format(when))
	switch {
	case sh.MaxViews == 1:
		fmt.Fprintf(&b, "They can open it once.\n")
	case sh.MaxViews > 1:
		fmt.Fprintf(&b, "They can open it at most %d times.\n", sh.MaxViews)
	}
	if sh.MaxViews > 0 {
		fmt.Fprintf(&b, "Each time, they can look at and download what you shared for %d minutes.\n", int(OpeningWindow/time.Minute))
	}
	fmt.Fprintf(&b, "\nThe link they have: %s\n", link)
	fmt.Fprintf(&b, "\nTo stop sharing at any time, withdraw it: it stops working at once.\n")
	fmt.Fprintf(&b, "On the command line: satchel revoke %s\n", sh.ID)
	fmt.Fprintf(&b, "Every time someone opens it is written in your access log.\n")
	fmt.Fprintf(&b, "\nShare ID: %s\nSigned by: %s\nMade: %s\n", sh.ID, did, sh.Created.UTC().Format(time.RFC3339))
	return b.String()
}
